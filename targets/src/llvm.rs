//! Compiling the LLVM backend's IR with zig, and measuring where its functions landed.
//!
//! The compiler returns textual LLVM IR units; each is compiled here with
//! `zig cc -c -O2 -g0 -fno-function-sections -target T -mcpu=CPU unit.ll`, units in
//! parallel on every core. `-O2` reaches LLVM's optimizer and backend for `.ll` input in zig
//! 0.17.1 (`-###` shows `-cc1 ... -O2`); the CPU is always the cell's baseline, never the
//! build machine's (zig's default for the host). Without function sections, and without the
//! `.text.unlikely` section LLVM gives functions it finds cold, each unit's functions stay in
//! IR order in one text section, which `code_sizes` relies on (and checks). Objects
//! depend only on the IR text and the flags (fixed names, no debug info), so the output is
//! byte-reproducible whatever the thread timing.

use crate::{Target, Zig};
use anyhow::{Context, Result, bail};
use object::{Object, ObjectSymbol};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The `-mcpu` of a cell's baseline: the oldest CPU its executables must run on.
/// (i686: zig's baseline is pentium4, with the SSE2 that wasm's float semantics need; x87
/// would round differently. loongarch64: LA64 with unaligned access (`ual`, which every LA464
/// and later core has): without it LLVM 20 turned a volatile unaligned i64 load into a
/// one-byte load, measured with memory_trap.wast under qemu-loongarch64.)
pub fn baseline_cpu(target: &Target) -> &'static str {
    if target.zig_target.starts_with("x86_64") {
        "x86_64_v2"
    } else if target.zig_target.starts_with("loongarch64") {
        "generic_la64+ual"
    } else {
        "baseline"
    }
}

/// Flags keeping LLVM's vectorizers away from what they would break.
/// - x86: LLVM 22's instruction selector dies (SIGTRAP, "clang frontend command failed with
///   exit code 133") on `llvm.canonicalize.v2f32`, which the SLP vectorizer makes from two
///   scalar `llvm.canonicalize.f32` calls (the backend quiets NaNs with them). CPython has
///   such a pair. Without SLP on x86 the float kernels run 1-3% slower (nbody, spectral,
///   matmul, mandelbrot).
/// - armv7: the backend computes float SIMD lane by lane on VFP, because NEON flushes f32
///   subnormals to zero; the SLP vectorizer and VectorCombine (`foldExtExtBinop`) would
///   merge those lanes back into NEON instructions (measured: `vadd.f32 q0` and
///   `vcgt.f32 q8` from scalarized f32x4.add and f32x4.lt). (The loop vectorizer already
///   leaves float loops alone there: LLVM deems NEON floats unsafe without fast-math.)
///
/// Other CPUs keep both.
fn vectorizer_flags(target: &Target) -> &'static [&'static str] {
    let zig = &target.zig_target;
    if zig.starts_with("x86_64") || zig.starts_with("x86-") {
        &["-fno-slp-vectorize"]
    } else if zig.starts_with("arm-") {
        &["-fno-slp-vectorize", "-mllvm", "-disable-vector-combine"]
    } else {
        &[]
    }
}

/// The one-line error when the LLVM backend needs zig and none was found.
pub fn zig_missing() -> anyhow::Error {
    anyhow::anyhow!(
        "the LLVM backend (--backend llvm) compiles with zig, which was not found (neither `zig` \
         on PATH nor `python3 -m ziglang`); install it with `pip install ziglang`, pass \
         --linker PATH_TO_ZIG, or use --backend cranelift"
    )
}

/// Compiles every IR unit into an object in `dir` (as `NAME.ll` / `NAME.o`), in parallel;
/// returns the objects' bytes in `units`' order.
pub fn compile_units(
    zig: &Zig,
    target: &Target,
    units: &[(String, String)],
    dir: &Path,
) -> Result<Vec<Vec<u8>>> {
    compile_on_demand(zig, target, units.len(), dir, |i| Ok(units[i].clone()))
}

/// Compiles `count` IR units, each made by `make(i)` (its name and IR text) only when a
/// worker takes it, so that at most one unit's text per core is alive at a time. Returns the
/// objects' bytes in unit order. After a failure no new unit starts; the error reported is
/// the first failing unit's (units start in order, so that is deterministic).
pub fn compile_on_demand<F>(
    zig: &Zig,
    target: &Target,
    count: usize,
    dir: &Path,
    make: F,
) -> Result<Vec<Vec<u8>>>
where
    F: Fn(usize) -> Result<(String, String)> + Sync,
{
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(count.max(1));
    let work = || {
        let mut mine = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            let result = make(i).and_then(|(name, ir)| compile_one(zig, target, &name, &ir, dir));
            failed.fetch_or(result.is_err(), Ordering::Relaxed);
            mine.push((i, result));
        }
        mine
    };
    let done: Vec<Vec<(usize, Result<Vec<u8>>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut results: Vec<Option<Result<Vec<u8>>>> = (0..count).map(|_| None).collect();
    for (i, result) in done.into_iter().flatten() {
        results[i] = Some(result);
    }
    // Every unit before the first failure completed: in order, the first error comes first.
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| bail!("an LLVM compile thread died")))
        .collect()
}

fn compile_one(zig: &Zig, target: &Target, name: &str, ir: &str, dir: &Path) -> Result<Vec<u8>> {
    let source: PathBuf = dir.join(format!("{name}.ll"));
    let object: PathBuf = dir.join(format!("{name}.o"));
    std::fs::write(&source, ir).with_context(|| format!("cannot write {}", source.display()))?;
    let output = zig
        .cc(&target.zig_target)
        .args([
            "-c",
            "-O2",
            "-g0",
            "-fno-function-sections",
            "-Wno-override-module",
            // A crash of clang would otherwise leave a reproducer (.ll and .sh) in /tmp.
            "-fno-crash-diagnostics",
        ])
        // Functions LLVM finds cold would move to `.text.unlikely`, out of IR order.
        .args(["-mllvm", "-profile-guided-section-prefix=false"])
        .args(vectorizer_flags(target))
        .arg(format!("-mcpu={}", baseline_cpu(target)))
        .arg(&source)
        .arg("-o")
        .arg(&object)
        .output()
        .with_context(|| format!("cannot run {}", zig.display()))?;
    if !output.status.success() {
        bail!(
            "LLVM rejected the generated IR for {} (a bug in wasm2exe): {}",
            target.triple,
            crate::runtime::first_error(&output.stderr)
        );
    }
    std::fs::read(&object).with_context(|| format!("cannot read {}", object.display()))
}

/// The sizes of a code unit's functions, measured in its object: `symbols` lists them in
/// layout order, then the unit's end marker; each size is the distance to the next symbol.
/// Returns (function index, size) pairs.
pub fn code_sizes(object: &[u8], symbols: &[(u32, String)]) -> Result<Vec<(u32, u32)>> {
    let file = object::File::parse(object).context("cannot parse a compiled LLVM unit")?;
    let address = |name: &str| -> Result<(u64, Option<object::SectionIndex>)> {
        file.symbols()
            .find(|s| {
                s.name()
                    .is_ok_and(|n| n == name || n.strip_prefix('_') == Some(name))
            })
            .map(|s| (s.address(), s.section_index()))
            .with_context(|| format!("the compiled LLVM unit lacks the symbol {name}"))
    };
    let mut sizes = Vec::new();
    for pair in symbols.windows(2) {
        let (start, section) = address(&pair[0].1)?;
        let (end, end_section) = address(&pair[1].1)?;
        if section != end_section || end < start {
            bail!(
                "LLVM did not lay out {} and {} in order in one section",
                pair[0].1,
                pair[1].1
            );
        }
        sizes.push((pair[0].0, (end - start) as u32));
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two scalar canonicalizes side by side: LLVM 22's SLP vectorizer pairs them into a
    /// `<2 x float>` one, which its x86 instruction selector cannot lower (`vectorizer_flags`).
    const CANONICALIZE_PAIR: &str = "define void @pair(ptr %p, ptr %q) {
  %a = load float, ptr %p, align 4
  %p1 = getelementptr i8, ptr %p, i64 4
  %b = load float, ptr %p1, align 4
  %ca = call float @llvm.canonicalize.f32(float %a)
  %cb = call float @llvm.canonicalize.f32(float %b)
  store float %ca, ptr %q, align 4
  %q1 = getelementptr i8, ptr %q, i64 4
  store float %cb, ptr %q1, align 4
  ret void
}
declare float @llvm.canonicalize.f32(float)
";

    #[test]
    fn a_pair_of_float_canonicalizes_compiles_on_x86_64() {
        let zig = Zig::detect().expect("the LLVM backend's tests need zig: pip install ziglang");
        let target = crate::matrix::find("x86_64-unknown-linux-gnu").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let unit = ("pair".to_string(), CANONICALIZE_PAIR.to_string());
        compile_units(&zig, target, &[unit], dir.path()).unwrap();
    }
}
