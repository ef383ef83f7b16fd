//! The ABI shared with the C runtime, declared once: the struct layouts (`structs`, laid out
//! for either pointer width by `layout`), the enums (value kinds, extern kinds, segment
//! modes, trap kinds), the runtime builtins generated code calls (`builtins`), function-type
//! ids and the constants generated code needs.
//!
//! This module is the source of truth. `runtime-headless/include/w2e_abi.h` is rendered from
//! it (`header::c_header`), and `compiler/tests/abi.rs` fails when the file differs (rewrite it
//! with `W2E_BLESS=1 cargo test -p wasm2exe-compiler --test abi`) or when a C compiler, native
//! and 32-bit, lays out any struct, enum or builtin prototype differently. Both backends and
//! the descriptor writer read offsets from here; no other file writes an ABI number.

mod builtins;
pub mod header;
pub mod layout;
pub mod structs;

pub use builtins::{Builtin, BuiltinDecl, BuiltinParam, Param};
pub use layout::{FieldType, PtrWidth, StructDef};

use wasmparser::{FuncType, ValType};

/// Bumped whenever a layout below changes; the runtime refuses a mismatching descriptor.
pub const ABI_VERSION: u32 = 3;

/// Size (and alignment) of a `w2e_value`: globals, trampoline argument slots, exception
/// payloads. Scalars sit at offset 0 in the target's byte order; v128 is 16 little-endian
/// bytes.
pub const VALUE_SIZE: u32 = 16;

/// Pages are 64 KiB.
pub const PAGE_SIZE_LOG2: i64 = 16;

/// 64-bit offsets of the `w2e_vmctx` header fields, for the Cranelift backend (64-bit only).
/// Code for any width uses `structs::VMCTX.offset(field, width)`.
pub mod vmctx {
    use super::structs::VMCTX;
    pub const MEMORY_BASE: i32 = VMCTX.offset64("memory_base");
    pub const MEMORY: i32 = VMCTX.offset64("memory");
    pub const STACK_LIMIT: i32 = VMCTX.offset64("stack_limit");
}

/// 64-bit offsets of `w2e_memory` fields.
pub mod memory {
    use super::structs::MEMORY;
    pub const SIZE: i32 = MEMORY.offset64("size");
}

/// 64-bit offsets of `w2e_funcref` fields.
pub mod funcref {
    use super::structs::FUNCREF;
    pub const CODE: i32 = FUNCREF.offset64("code");
    pub const TYPE_ID: i32 = FUNCREF.offset64("type_id");
    pub const VMCTX: i32 = FUNCREF.offset64("vmctx");
}

/// 64-bit offsets of `w2e_table` fields.
pub mod table {
    use super::structs::TABLE;
    pub const ELEMENTS: i32 = TABLE.offset64("elements");
    pub const SIZE: i32 = TABLE.offset64("size");
}

/// 64-bit offsets of `w2e_exception` fields.
pub mod exception {
    use super::structs::EXCEPTION;
    pub const VALUES: i32 = EXCEPTION.offset64("values");
    pub const ESCAPED: i32 = EXCEPTION.offset64("escaped");
}

/// An enum of the ABI, as the header renders it.
pub struct CEnum {
    /// The C enum's name (`w2e_kind`).
    pub name: &'static str,
    pub doc: &'static str,
    /// (C name, value, comment).
    pub variants: &'static [(&'static str, u32, &'static str)],
    /// A C-only constant for "none of them" (value 0), listed first.
    pub c_none: Option<&'static str>,
    /// A C-only constant one past the largest value, listed last.
    pub c_count: Option<&'static str>,
}

/// Declares a Rust enum of the ABI together with its C rendering, so that each value is
/// written once.
macro_rules! abi_enum {
    (@opt) => { None };
    (@opt $value:literal) => { Some($value) };
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident as $c_name:literal, $c_const:ident $(, none $none:literal)? $(, count $count:literal)? {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $value:literal => $c_variant:literal, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u32)]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant = $value, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
        }

        /// The C rendering of this enum.
        pub const $c_const: CEnum = CEnum {
            name: $c_name,
            doc: concat!($($doc),*),
            variants: &[$(($c_variant, $value, concat!("" $(, $vdoc)*))),*],
            c_none: abi_enum!(@opt $($none)?),
            c_count: abi_enum!(@opt $($count)?),
        };
    };
}

abi_enum! {
    /// Value kinds, used in function types, globals and tables.
    pub enum ValueKind as "w2e_kind", VALUE_KIND_ENUM {
        I32 = 0 => "W2E_I32",
        I64 = 1 => "W2E_I64",
        F32 = 2 => "W2E_F32",
        F64 = 3 => "W2E_F64",
        V128 = 4 => "W2E_V128",
        FuncRef = 5 => "W2E_FUNCREF",
        ExternRef = 6 => "W2E_EXTERNREF",
        ExnRef = 7 => "W2E_EXNREF",
    }
}

abi_enum! {
    /// Extern kinds, as in the binary format's import/export descriptors.
    pub enum ExternKind as "w2e_extern_kind", EXTERN_KIND_ENUM {
        Func = 0 => "W2E_EXTERN_FUNC",
        Table = 1 => "W2E_EXTERN_TABLE",
        Memory = 2 => "W2E_EXTERN_MEMORY",
        Global = 3 => "W2E_EXTERN_GLOBAL",
        Tag = 4 => "W2E_EXTERN_TAG",
        /// In a descriptor's import list only: a function import the compiler replaced with
        /// a stub (funcs[i].code traps or returns zeros). The runtime resolves nothing for it
        /// and builds its funcref as {code, type_id, this vmctx}.
        FuncStub = 5 => "W2E_EXTERN_FUNC_STUB",
    }
}

abi_enum! {
    /// How a segment is applied.
    pub enum SegmentMode as "w2e_segment_mode", SEGMENT_MODE_ENUM {
        Active = 0 => "W2E_SEGMENT_ACTIVE",
        Passive = 1 => "W2E_SEGMENT_PASSIVE",
        Declarative = 2 => "W2E_SEGMENT_DECLARATIVE",
    }
}

abi_enum! {
    /// Trap kinds: the compiler records them in the trap table or passes them to
    /// w2e_raise_trap, the runtime prints their message.
    pub enum TrapKind as "w2e_trap_kind", TRAP_KIND_ENUM, none "W2E_TRAP_NONE", count "W2E_TRAP_COUNT" {
        /// "unreachable"
        Unreachable = 1 => "W2E_TRAP_UNREACHABLE",
        /// "integer divide by zero"
        IntDivByZero = 2 => "W2E_TRAP_INT_DIV_BY_ZERO",
        /// "integer overflow"
        IntOverflow = 3 => "W2E_TRAP_INT_OVERFLOW",
        /// "invalid conversion to integer"
        BadConversion = 4 => "W2E_TRAP_BAD_CONVERSION",
        /// "out of bounds memory access"
        MemoryOutOfBounds = 5 => "W2E_TRAP_MEMORY_OUT_OF_BOUNDS",
        /// "out of bounds table access"
        TableOutOfBounds = 6 => "W2E_TRAP_TABLE_OUT_OF_BOUNDS",
        /// "undefined element" (call_indirect index >= size)
        UndefinedElement = 7 => "W2E_TRAP_UNDEFINED_ELEMENT",
        /// "uninitialized element" (call_indirect on null)
        UninitializedElement = 8 => "W2E_TRAP_UNINITIALIZED_ELEMENT",
        /// "indirect call type mismatch"
        IndirectCallType = 9 => "W2E_TRAP_INDIRECT_CALL_TYPE",
        /// "call stack exhausted"
        StackExhausted = 10 => "W2E_TRAP_STACK_EXHAUSTED",
        /// "unaligned atomic"
        UnalignedAtomic = 11 => "W2E_TRAP_UNALIGNED_ATOMIC",
        /// "null exception reference" (throw_ref of null)
        NullReference = 12 => "W2E_TRAP_NULL_REFERENCE",
        /// "uncaught exception"
        UncaughtException = 13 => "W2E_TRAP_UNCAUGHT_EXCEPTION",
        /// "call to a stubbed import"
        StubImport = 14 => "W2E_TRAP_STUB_IMPORT",
    }
}

/// Every enum, in the order the header declares them.
pub const ALL_ENUMS: [&CEnum; 4] = [
    &VALUE_KIND_ENUM,
    &EXTERN_KIND_ENUM,
    &TRAP_KIND_ENUM,
    &SEGMENT_MODE_ENUM,
];

impl ValueKind {
    /// The kind of a wasm value type.
    pub fn of(ty: ValType) -> ValueKind {
        match ty {
            ValType::I32 => ValueKind::I32,
            ValType::I64 => ValueKind::I64,
            ValType::F32 => ValueKind::F32,
            ValType::F64 => ValueKind::F64,
            ValType::V128 => ValueKind::V128,
            ValType::Ref(r) if r.is_func_ref() => ValueKind::FuncRef,
            ValType::Ref(r) if r.is_extern_ref() => ValueKind::ExternRef,
            ValType::Ref(_) => ValueKind::ExnRef,
        }
    }
}

/// The id of a function type: a 64-bit FNV-1a hash of its kinds. Separately compiled modules
/// compute the same id for the same signature, which is all `call_indirect` needs.
pub fn type_id(ty: &FuncType) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    feed(ty.params().len() as u8);
    feed((ty.params().len() >> 8) as u8);
    for &p in ty.params() {
        feed(ValueKind::of(p) as u8);
    }
    feed(0xff);
    for &r in ty.results() {
        feed(ValueKind::of(r) as u8);
    }
    // Never 0, so a zeroed funcref can't match any type.
    hash | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ids_depend_on_params_and_results_not_their_split() {
        let a = FuncType::new([ValType::I32], [ValType::I32]);
        let b = FuncType::new([ValType::I32, ValType::I32], []);
        let c = FuncType::new([ValType::I32], [ValType::I32]);
        assert_ne!(type_id(&a), type_id(&b));
        assert_eq!(type_id(&a), type_id(&c));
    }

    #[test]
    fn layouts_follow_c_rules_for_both_widths() {
        use structs::*;
        assert_eq!(MODULE.size(PtrWidth::P64), 216);
        assert_eq!(MODULE.offset("num_types", PtrWidth::P64), 128);
        assert_eq!(FUNCREF.offset("type_id", PtrWidth::P32), 8);
        assert_eq!(FUNCREF.size(PtrWidth::P32), 24);
        assert_eq!(EXCEPTION.offset("values", PtrWidth::P32), 16);
        // Five pointers: memory_base, memory, stack_limit, instance, pending_exception.
        assert_eq!(VMCTX.size(PtrWidth::P32), 20);
        assert_eq!(VMCTX.size(PtrWidth::P64), 40);
    }
}
