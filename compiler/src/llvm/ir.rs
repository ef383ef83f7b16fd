//! Small pieces of LLVM IR text: value types, constants, signatures, and the target facts the
//! generated IR depends on (pointer width, byte order, calling conventions).
//!
//! The IR is textual `.ll` for the LLVM inside zig 0.17.1 (LLVM 22). Every wasm value is a
//! first-class IR value: i32, i64, float, double, `<16 x i8>` for v128, and `ptr` for
//! references (a `w2e_funcref *` or an opaque externref).

use crate::abi::PtrWidth;
use crate::abi::StructDef;
use crate::abi::structs;
use target_lexicon::{Architecture, Endianness, OperatingSystem, PointerWidth, Triple};
use wasmparser::{FuncType, ValType};

/// The IR type of a wasm value type.
pub fn ty(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "float",
        ValType::F64 => "double",
        ValType::V128 => "<16 x i8>",
        ValType::Ref(_) => "ptr",
    }
}

/// The zero of a wasm value type.
pub fn zero(t: ValType) -> &'static str {
    match t {
        ValType::I32 | ValType::I64 => "0",
        ValType::F32 | ValType::F64 => "0.0",
        ValType::V128 => "zeroinitializer",
        ValType::Ref(_) => "null",
    }
}

/// The return type of a wasm function type: void, one value, or a literal struct.
pub fn ret_ty(results: &[ValType]) -> String {
    match results {
        [] => "void".into(),
        [one] => ty(*one).into(),
        many => {
            let fields: Vec<&str> = many.iter().map(|&t| ty(t)).collect();
            format!("{{ {} }}", fields.join(", "))
        }
    }
}

/// An f32 constant. LLVM spells float constants as the double of the same value; NaNs go
/// through their bits so that a signaling NaN's payload survives the parser.
pub fn f32_const(bits: u32) -> String {
    let value = f32::from_bits(bits);
    if value.is_nan() {
        format!("bitcast (i32 {} to float)", bits as i32)
    } else {
        format!("0x{:016X}", f64::from(value).to_bits())
    }
}

/// An f64 constant: hex of its bits (exact, NaN payloads included).
pub fn f64_const(bits: u64) -> String {
    format!("0x{bits:016X}")
}

/// Facts about the target that decide the IR text.
#[derive(Clone, Debug)]
pub struct Target {
    /// `i64` or `i32`: the integer as wide as a pointer.
    pub iptr: &'static str,
    pub ptr_bytes: u32,
    pub width: PtrWidth,
    pub big_endian: bool,
    /// Whether wasm functions call each other in `tailcc`, where `musttail` calls are
    /// guaranteed whatever the types (else `fastcc`; see `wasm_cc`).
    pub tail_calls: bool,
    /// Whether tail calls go through uniform tail entries (`tail_entries.rs`) instead: on riscv
    /// (no `tailcc`) and 32-bit x86, where `tailcc` miscompiled indirect tail calls (a wrong
    /// i64 from `() -> i64` tail-calling `(i64) -> i64`) and a C call into a function with 16
    /// results (its frame corrupted: sret demotion), so wasm functions use `fastcc` there.
    pub tail_entries: bool,
    /// 32-bit ARM: `tailcc` only for the function types whose arguments all travel in
    /// registers (`arm_in_registers`), `fastcc` for the others. A `tailcc` callee pops its
    /// stack arguments rounded to 8 bytes while its callers re-reserve them rounded to 16
    /// (LLVM 22), so after an ordinary call with one or two words of stack arguments the
    /// caller's stack pointer was 8 bytes off (measured: a bundle probe's `fread` corrupted
    /// its caller's spill slots under qemu-arm). A `musttail` call in `fastcc` between
    /// functions of one type works whatever goes through the stack there.
    pub tailcc_in_registers_only: bool,
    /// The convention of calls into the runtime's builtins (`W2E_BUILTIN` in w2e_abi.h).
    pub builtin_cc: &'static str,
    /// The attribute C callees expect on 32-bit integer arguments.
    pub c_u32_ext: &'static str,
    /// 64-bit targets reserve 4 GiB plus a guard region per memory: no bounds checks.
    pub guard_pages: bool,
    /// Whether LLVM's `ceil`/`floor`/`trunc`/`roundeven` return a signaling NaN unquieted
    /// (RISC-V without Zfa: the input comes back as it is when it is not below 2^23; armv7
    /// and LoongArch, without rounding instructions: musl's `floor` returns a NaN as it is).
    pub rounding_keeps_snan: bool,
    /// Whether `min`/`max` are spelled out as comparisons and selects instead of
    /// `llvm.minimum`/`llvm.maximum`. armv7: LLVM 22 lowers the f32 ones with NEON's `vmin`,
    /// which flushes subnormals to zero, and cannot select its own expansion of the f64 ones
    /// (an i64 `setcc` made after type legalization: "Cannot select: setcc").
    pub expand_min_max: bool,
    /// Whether float SIMD operators compute lane by lane on scalars. armv7: NEON flushes
    /// f32 subnormals to zero whatever FPSCR says, while VFP keeps them (FPSCR.FZ is clear
    /// on Linux); and LLVM cannot select `llvm.canonicalize` on vectors there.
    pub scalar_float_lanes: bool,
    /// Whether saturating float-to-int conversions check for NaN themselves. POWER: LLVM
    /// lowers `fptoui.sat` to i32 as `xsmaxdp(x, 0)`, `xsmindp` and a conversion, and
    /// `xsmaxdp` turns a signaling NaN into a quiet one rather than taking the 0, whose
    /// conversion gives all ones (measured under qemu-ppc64le 7.2).
    pub sat_conversions_check_nan: bool,
    /// Whether `f64.promote_f32` must quiet a signaling NaN itself. POWER: an f32 already
    /// sits in double format in its register, so LLVM's `fpext` is no instruction at all
    /// and the NaN stays signaling.
    pub promote_keeps_snan: bool,
    /// Why `return_call`/`return_call_indirect` cannot be compiled for this target at all,
    /// if so. POWER before POWER10 (no PC-relative calls): LLVM tail-calls only a function
    /// defined in the same unit (one sharing the caller's TOC), and stops with "failed to
    /// perform tail call elimination" on every other `musttail` call, even in `tailcc`.
    pub no_tail_calls: Option<&'static str>,
}

impl Target {
    pub fn new(triple: &Triple) -> Result<Target, String> {
        let width = triple
            .pointer_width()
            .map_err(|()| "unknown pointer width".to_string())?;
        let (iptr, ptr_bytes) = match width {
            PointerWidth::U64 => ("i64", 8),
            PointerWidth::U32 => ("i32", 4),
            PointerWidth::U16 => return Err("16-bit targets are not supported".into()),
        };
        let arch = triple.architecture;
        let power = matches!(arch, Architecture::Powerpc64 | Architecture::Powerpc64le);
        // LLVM's riscv backend rejects `tailcc`, and 32-bit x86 miscompiled it (see
        // `tail_entries`): wasm functions there use fastcc, and tail calls go through tail
        // entries. 32-bit ARM: `tailcc` only where no argument goes through the stack (see
        // `tailcc_in_registers_only`).
        let arm = matches!(arch, Architecture::Arm(_));
        let tail_entries = matches!(
            arch,
            Architecture::Riscv64(_) | Architecture::Riscv32(_) | Architecture::X86_32(_)
        );
        let tail_calls = !arm && !tail_entries;
        let builtin_cc = match (arch, triple.operating_system) {
            (Architecture::X86_64, OperatingSystem::Windows) => "x86_64_sysvcc",
            _ => "ccc",
        };
        // RISC-V's C ABI sign-extends 32-bit arguments whatever their signedness.
        let c_u32_ext = match arch {
            Architecture::Riscv64(_) => "signext",
            _ => "zeroext",
        };
        Ok(Target {
            iptr,
            ptr_bytes,
            width: PtrWidth::of(triple),
            big_endian: triple.endianness() == Ok(Endianness::Big),
            tail_calls,
            tail_entries,
            tailcc_in_registers_only: arm,
            builtin_cc,
            c_u32_ext,
            guard_pages: ptr_bytes == 8,
            rounding_keeps_snan: matches!(
                arch,
                Architecture::Riscv64(_)
                    | Architecture::Riscv32(_)
                    | Architecture::Arm(_)
                    | Architecture::LoongArch64
            ),
            expand_min_max: matches!(arch, Architecture::Arm(_)),
            scalar_float_lanes: matches!(arch, Architecture::Arm(_)),
            sat_conversions_check_nan: power,
            promote_keeps_snan: power,
            no_tail_calls: power.then_some(
                "LLVM's POWER backend tail-calls only a function of the same code unit, \
                 which sharing the caller's TOC pointer allows (POWER8 has no PC-relative calls)",
            ),
        })
    }

    /// The offset of `field` in ABI struct `def`, laid out for this target.
    pub fn offset(&self, def: &StructDef, field: &str) -> i64 {
        i64::from(def.offset(field, self.width))
    }

    /// `vmctx` field offsets the generated code reads.
    pub fn vmctx_offset(&self, field: &str) -> i64 {
        self.offset(&structs::VMCTX, field)
    }

    /// The IR parameter list of a wasm function of type `ty` (vmctx first), without names.
    pub fn param_types(&self, ty: &FuncType) -> Vec<&'static str> {
        std::iter::once("ptr")
            .chain(ty.params().iter().map(|&p| self::ty(p)))
            .collect()
    }

    /// The calling convention of wasm functions of type `ty`, in calls among themselves and
    /// from the trampolines.
    pub fn wasm_cc(&self, ty: &FuncType) -> &'static str {
        if self.tail_calls || (self.tailcc_in_registers_only && arm_in_registers(ty)) {
            "tailcc"
        } else {
            "fastcc"
        }
    }

    /// `tailcc RET (ptr, ...)`-style pieces of a wasm function type's declaration.
    pub fn declare_wasm(&self, name: &str, ty: &FuncType) -> String {
        format!(
            "declare hidden {} {} @{name}({}) nounwind\n",
            self.wasm_cc(ty),
            ret_ty(ty.results()),
            self.param_types(ty).join(", ")
        )
    }
}

/// Whether a call of type `ty` passes every argument and result in registers under 32-bit
/// ARM's hard-float convention, with a margin: r0 holds the vmctx and r1-r3 the integers
/// (an i64 in an even-odd pair), d0-d7 the floats (counted as a whole d register each, a v128
/// as three for its aligned pair); at most 2 words of integer results and 2 float or v128
/// results (more would be returned through a hidden pointer, which takes r0).
fn arm_in_registers(ty: &FuncType) -> bool {
    let mut core = 1; // the vmctx
    let mut vfp = 0;
    for &p in ty.params() {
        match p {
            ValType::I64 => core = core + core % 2 + 2,
            ValType::F32 | ValType::F64 => vfp += 1,
            ValType::V128 => vfp += 3,
            ValType::I32 | ValType::Ref(_) => core += 1,
        }
    }
    let int_words: usize = ty
        .results()
        .iter()
        .map(|r| match r {
            ValType::I64 => 2,
            ValType::I32 | ValType::Ref(_) => 1,
            _ => 0,
        })
        .sum();
    let float_results = ty
        .results()
        .iter()
        .filter(|r| matches!(r, ValType::F32 | ValType::F64 | ValType::V128))
        .count();
    core <= 4 && vfp <= 8 && int_words <= 2 && float_results <= 2
}

/// The function attributes every generated function carries: frame pointers for the
/// runtime's backtraces, no unwind tables (traps and exceptions never unwind through LLVM).
pub const FUNC_ATTRS: &str = "nounwind \"frame-pointer\"=\"all\"";

/// Escapes bytes for an IR `c"..."` string.
pub fn c_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 3);
    s.push_str("c\"");
    for &b in bytes {
        if b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\{b:02X}"));
        }
    }
    s.push('"');
    s
}
