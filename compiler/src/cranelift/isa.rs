//! The Cranelift target for a triple, with the settings every wasm2exe object needs.

use crate::{CompileError, CpuLevel};
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use target_lexicon::{Architecture, Triple};

/// Builds the target ISA for `triple`.
///
/// - `is_pic`: Mach-O requires it and Linux executables are PIE by default.
/// - `preserve_frame_pointers`: the runtime walks frame pointers for trap backtraces.
/// - inline stack probes: frames larger than a page touch each page in order (Windows' guard
///   page requires it; elsewhere it costs only in large frames).
/// - no heap/table Spectre mitigations: generated code uses neither Cranelift construct; a
///   standalone executable runs one trust domain, so there is no other tenant to protect.
/// - x86_64 assumes x86-64-v2 (SSE4.2, POPCNT): native `floor`/`ceil`/`nearest` and SIMD.
///   `cpu` may add features (`CpuLevel`) for executables that will only run on newer CPUs.
/// - riscv64 assumes the V extension with 128-bit vectors (RVA23): Cranelift lowers wasm SIMD
///   only with it. Returning a v128 there needs an implicit return area, which
///   `enable_multi_ret_implicit_sret` provides (it changes only signatures that could not be
///   expressed otherwise).
pub fn target_isa(triple: &Triple, cpu: CpuLevel) -> Result<OwnedTargetIsa, CompileError> {
    let target_error = |reason: String| CompileError::Target {
        triple: triple.to_string(),
        reason,
    };
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags
            .set(name, value)
            .map_err(|e| format!("setting {name}={value}: {e}"))
    };
    let configure = |flags: &mut settings::Builder| -> Result<(), String> {
        set(flags, "opt_level", "speed")?;
        set(flags, "is_pic", "true")?;
        set(flags, "preserve_frame_pointers", "true")?;
        set(flags, "enable_probestack", "true")?;
        set(flags, "probestack_strategy", "inline")?;
        set(flags, "enable_heap_access_spectre_mitigation", "false")?;
        set(flags, "enable_table_access_spectre_mitigation", "false")?;
        set(flags, "unwind_info", "false")?;
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        set(flags, "enable_verifier", verify)?;
        set(flags, "enable_multi_ret_implicit_sret", "true")?;
        Ok(())
    };
    configure(&mut flags).map_err(target_error)?;

    if triple.pointer_width().map(|w| w.bits()) != Ok(64) {
        return Err(target_error(
            "Cranelift generates code only for 64-bit targets; pick a 64-bit triple".into(),
        ));
    }
    let mut builder = isa::lookup(triple.clone()).map_err(|e| target_error(e.to_string()))?;
    let features: &[&str] = match triple.architecture {
        Architecture::X86_64 => &[
            "has_sse3",
            "has_ssse3",
            "has_sse41",
            "has_sse42",
            "has_popcnt",
        ],
        Architecture::Riscv64(_) => &["has_v", "has_zvl128b"],
        _ => &[],
    };
    let extra = cpu_features(triple, cpu);
    let extra = extra.iter().map(|feature| format!("has_{feature}"));
    for feature in features.iter().map(|f| f.to_string()).chain(extra) {
        builder
            .enable(&feature)
            .map_err(|e| target_error(format!("{feature}: {e}")))?;
    }
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| target_error(e.to_string()))
}

/// x86-64-v3 (Haswell, Zen 1 and later) beyond v2.
const X86_64_V3: &[&str] = &["avx", "avx2", "bmi1", "bmi2", "lzcnt", "fma"];
/// x86-64-v4 beyond v3: the AVX-512 parts Cranelift uses (F, VL, DQ).
const X86_64_V4: &[&str] = &["avx512f", "avx512vl", "avx512dq"];

/// The CPU features beyond the baseline that code for `triple` built with `cpu` uses, named
/// as CPUID documents them (Cranelift's flag is `has_` + the name). Empty for every CPU but
/// x86_64, which alone has levels here.
pub fn cpu_features(triple: &Triple, cpu: CpuLevel) -> Vec<&'static str> {
    if triple.architecture != Architecture::X86_64 {
        return Vec::new();
    }
    match cpu {
        CpuLevel::Baseline => Vec::new(),
        CpuLevel::X86_64V3 => X86_64_V3.to_vec(),
        CpuLevel::X86_64V4 => X86_64_V3.iter().chain(X86_64_V4).copied().collect(),
        CpuLevel::Native => X86_64_V3
            .iter()
            .chain(X86_64_V4)
            .copied()
            .filter(|feature| this_cpu_has(feature))
            .collect(),
    }
}

/// Whether the CPU compiling has `feature` (one of the names above).
#[cfg(target_arch = "x86_64")]
fn this_cpu_has(feature: &str) -> bool {
    use std::arch::is_x86_feature_detected as has;
    match feature {
        "avx" => has!("avx"),
        "avx2" => has!("avx2"),
        "bmi1" => has!("bmi1"),
        "bmi2" => has!("bmi2"),
        "lzcnt" => has!("lzcnt"),
        "fma" => has!("fma"),
        "avx512f" => has!("avx512f"),
        "avx512vl" => has!("avx512vl"),
        "avx512dq" => has!("avx512dq"),
        _ => false,
    }
}

/// Compiling on another CPU than x86_64: `native` cannot describe an x86_64 CPU.
#[cfg(not(target_arch = "x86_64"))]
fn this_cpu_has(_feature: &str) -> bool {
    false
}
