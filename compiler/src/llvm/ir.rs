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
    /// The calling convention of wasm functions among themselves.
    pub wasm_cc: &'static str,
    /// Whether tail calls go through uniform tail entries (`tail_entries.rs`) rather than
    /// `musttail` calls in `tailcc` between any two prototypes: where `wasm_cc` is not
    /// `tailcc` (riscv, 32-bit x86).
    pub tail_entries: bool,
    /// The convention of calls into the runtime's builtins (`W2E_BUILTIN` in w2e_abi.h).
    pub builtin_cc: &'static str,
    /// The attribute C callees expect on 32-bit integer arguments.
    pub c_u32_ext: &'static str,
    /// 64-bit targets reserve 4 GiB plus a guard region per memory: no bounds checks.
    pub guard_pages: bool,
    /// Whether LLVM's `ceil`/`floor`/`trunc`/`roundeven` return a signaling NaN unquieted
    /// (RISC-V without Zfa: the input comes back as it is when it is not below 2^23).
    pub rounding_keeps_snan: bool,
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
        // LLVM's riscv backend rejects `tailcc`. On 32-bit x86 it miscompiled indirect `tailcc`
        // tail calls (a wrong i64 from `() -> i64` tail-calling `(i64) -> i64`) and a C call
        // into a `tailcc` function with 16 results (its frame corrupted: sret demotion). There
        // wasm functions use fastcc, and tail calls go through tail entries.
        let tailcc = !matches!(
            arch,
            Architecture::Riscv64(_) | Architecture::Riscv32(_) | Architecture::X86_32(_)
        );
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
            wasm_cc: if tailcc { "tailcc" } else { "fastcc" },
            tail_entries: !tailcc,
            builtin_cc,
            c_u32_ext,
            guard_pages: ptr_bytes == 8,
            rounding_keeps_snan: matches!(
                arch,
                Architecture::Riscv64(_) | Architecture::Riscv32(_)
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

    /// `tailcc RET (ptr, ...)`-style pieces of a wasm function type's declaration.
    pub fn declare_wasm(&self, name: &str, ty: &FuncType) -> String {
        format!(
            "declare hidden {} {} @{name}({}) nounwind\n",
            self.wasm_cc,
            ret_ty(ty.results()),
            self.param_types(ty).join(", ")
        )
    }
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
