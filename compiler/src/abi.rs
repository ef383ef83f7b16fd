//! The ABI shared with the C runtime: the per-instance context (`vmctx`) layout, the objects
//! generated code reads at fixed offsets, trap kinds, value kinds, function-type ids and the
//! runtime functions generated code calls.
//!
//! `runtime-headless/include/w2e_abi.h` is the C side of this file; keep both in step (the
//! descriptor writer in `emit::descriptor` follows the header's struct layouts field by field).

use wasmparser::{FuncType, ValType};

/// Bumped whenever a layout below changes; the runtime refuses a mismatching descriptor.
pub const ABI_VERSION: u32 = 2;

/// `w2e_vmctx` header fields (pointers are 8 bytes on every Cranelift target).
pub mod vmctx {
    /// `uint8_t *memory_base`: memory 0's base, constant for the instance's lifetime.
    pub const MEMORY_BASE: i32 = 0;
    /// `w2e_memory *memory`.
    pub const MEMORY: i32 = 8;
    /// `uintptr_t stack_limit`: the function prologues trap below it.
    pub const STACK_LIMIT: i32 = 16;
    /// Size of the fixed header; the module's arrays follow.
    pub const HEADER_SIZE: u32 = 32;
}

/// `w2e_memory` fields.
pub mod memory {
    /// `uint64_t size`: current size in bytes.
    pub const SIZE: i32 = 8;
}

/// `w2e_funcref` fields.
pub mod funcref {
    pub const CODE: i32 = 0;
    pub const TYPE_ID: i32 = 8;
    pub const VMCTX: i32 = 16;
    pub const SIZE: u32 = 24;
}

/// `w2e_table` fields.
pub mod table {
    pub const ELEMENTS: i32 = 0;
    pub const SIZE: i32 = 8;
}

/// Size of a `w2e_value` (globals and trampoline argument slots).
pub const VALUE_SIZE: u32 = 16;

/// Pages are 64 KiB.
pub const PAGE_SIZE_LOG2: i64 = 16;

/// Trap kinds, as `enum w2e_trap_kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum TrapKind {
    Unreachable = 1,
    IntDivByZero = 2,
    IntOverflow = 3,
    BadConversion = 4,
    MemoryOutOfBounds = 5,
    TableOutOfBounds = 6,
    UndefinedElement = 7,
    UninitializedElement = 8,
    IndirectCallType = 9,
    StackExhausted = 10,
    UnalignedAtomic = 11,
    NullReference = 12,
    UncaughtException = 13,
    StubImport = 14,
}

impl TrapKind {
    /// The Cranelift trap code generated code uses for this kind.
    pub fn trap_code(self) -> cranelift_codegen::ir::TrapCode {
        use cranelift_codegen::ir::TrapCode;
        match self {
            TrapKind::IntDivByZero => TrapCode::INTEGER_DIVISION_BY_ZERO,
            TrapKind::IntOverflow => TrapCode::INTEGER_OVERFLOW,
            TrapKind::BadConversion => TrapCode::BAD_CONVERSION_TO_INTEGER,
            TrapKind::MemoryOutOfBounds => TrapCode::HEAP_OUT_OF_BOUNDS,
            TrapKind::StackExhausted => TrapCode::STACK_OVERFLOW,
            other => TrapCode::unwrap_user(other as u8),
        }
    }

    /// The kind a Cranelift trap code stands for (`None`: not one of ours).
    pub fn from_trap_code(code: cranelift_codegen::ir::TrapCode) -> Option<TrapKind> {
        use cranelift_codegen::ir::TrapCode;
        Some(match code {
            TrapCode::INTEGER_DIVISION_BY_ZERO => TrapKind::IntDivByZero,
            TrapCode::INTEGER_OVERFLOW => TrapKind::IntOverflow,
            TrapCode::BAD_CONVERSION_TO_INTEGER => TrapKind::BadConversion,
            TrapCode::HEAP_OUT_OF_BOUNDS => TrapKind::MemoryOutOfBounds,
            TrapCode::STACK_OVERFLOW => TrapKind::StackExhausted,
            _ => {
                let raw = code.as_raw().get();
                ALL_USER_KINDS
                    .iter()
                    .copied()
                    .find(|k| k.trap_code().as_raw().get() == raw)?
            }
        })
    }
}

const ALL_USER_KINDS: [TrapKind; 9] = [
    TrapKind::Unreachable,
    TrapKind::TableOutOfBounds,
    TrapKind::UndefinedElement,
    TrapKind::UninitializedElement,
    TrapKind::IndirectCallType,
    TrapKind::UnalignedAtomic,
    TrapKind::NullReference,
    TrapKind::UncaughtException,
    TrapKind::StubImport,
];

/// Value kinds, as `enum w2e_kind`.
pub fn value_kind(ty: ValType) -> u8 {
    match ty {
        ValType::I32 => 0,
        ValType::I64 => 1,
        ValType::F32 => 2,
        ValType::F64 => 3,
        ValType::V128 => 4,
        ValType::Ref(r) if r.is_func_ref() => 5,
        ValType::Ref(r) if r.is_extern_ref() => 6,
        ValType::Ref(_) => 7,
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
        feed(value_kind(p));
    }
    feed(0xff);
    for &r in ty.results() {
        feed(value_kind(r));
    }
    // Never 0, so a zeroed funcref can't match any type.
    hash | 1
}

/// Runtime functions that generated code calls directly (`w2e_abi.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    MemoryGrow,
    MemoryFill,
    MemoryCopy,
    MemoryInit,
    DataDrop,
    TableGrow,
    TableFill,
    TableCopy,
    TableInit,
    ElemDrop,
    AtomicWait32,
    AtomicWait64,
    AtomicNotify,
    RaiseTrap,
    ExceptionNew,
    ThrowRef,
    ExceptionFree,
}

/// A builtin parameter or result: a pointer, or an integer of a width.
#[derive(Clone, Copy, Debug)]
pub enum BuiltinArg {
    Ptr,
    I32,
    I64,
}

impl Builtin {
    /// Every builtin, in a fixed order (their symbol declarations follow it).
    pub const ALL: [Builtin; 17] = [
        Builtin::MemoryGrow,
        Builtin::MemoryFill,
        Builtin::MemoryCopy,
        Builtin::MemoryInit,
        Builtin::DataDrop,
        Builtin::TableGrow,
        Builtin::TableFill,
        Builtin::TableCopy,
        Builtin::TableInit,
        Builtin::ElemDrop,
        Builtin::AtomicWait32,
        Builtin::AtomicWait64,
        Builtin::AtomicNotify,
        Builtin::RaiseTrap,
        Builtin::ExceptionNew,
        Builtin::ThrowRef,
        Builtin::ExceptionFree,
    ];

    /// The C symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Builtin::MemoryGrow => "w2e_memory_grow",
            Builtin::MemoryFill => "w2e_memory_fill",
            Builtin::MemoryCopy => "w2e_memory_copy",
            Builtin::MemoryInit => "w2e_memory_init",
            Builtin::DataDrop => "w2e_data_drop",
            Builtin::TableGrow => "w2e_table_grow",
            Builtin::TableFill => "w2e_table_fill",
            Builtin::TableCopy => "w2e_table_copy",
            Builtin::TableInit => "w2e_table_init",
            Builtin::ElemDrop => "w2e_elem_drop",
            Builtin::AtomicWait32 => "w2e_memory_atomic_wait32",
            Builtin::AtomicWait64 => "w2e_memory_atomic_wait64",
            Builtin::AtomicNotify => "w2e_memory_atomic_notify",
            Builtin::RaiseTrap => "w2e_raise_trap",
            Builtin::ExceptionNew => "w2e_exception_new",
            Builtin::ThrowRef => "w2e_throw_ref",
            Builtin::ExceptionFree => "w2e_exception_free",
        }
    }

    /// C parameter and result types (the vmctx, when present, is the first parameter).
    pub fn signature(self) -> (&'static [BuiltinArg], &'static [BuiltinArg]) {
        use BuiltinArg::{I32, I64, Ptr};
        match self {
            Builtin::MemoryGrow => (&[Ptr, I32], &[I32]),
            Builtin::MemoryFill | Builtin::MemoryCopy => (&[Ptr, I32, I32, I32], &[]),
            Builtin::MemoryInit => (&[Ptr, I32, I32, I32, I32], &[]),
            Builtin::DataDrop | Builtin::ElemDrop => (&[Ptr, I32], &[]),
            Builtin::TableGrow => (&[Ptr, I32, Ptr, I32], &[I32]),
            Builtin::TableFill => (&[Ptr, I32, I32, Ptr, I32], &[]),
            Builtin::TableCopy | Builtin::TableInit => (&[Ptr, I32, I32, I32, I32, I32], &[]),
            Builtin::AtomicWait32 => (&[Ptr, I32, I32, I64], &[I32]),
            Builtin::AtomicWait64 => (&[Ptr, I32, I64, I64], &[I32]),
            Builtin::AtomicNotify => (&[Ptr, I32, I32], &[I32]),
            Builtin::RaiseTrap => (&[I32], &[]),
            Builtin::ExceptionNew => (&[Ptr, I32, Ptr], &[Ptr]),
            Builtin::ThrowRef => (&[Ptr, Ptr], &[]),
            Builtin::ExceptionFree => (&[Ptr, Ptr], &[]),
        }
    }
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
    fn trap_kinds_round_trip_through_cranelift_codes() {
        for kind in ALL_USER_KINDS.iter().copied().chain([
            TrapKind::IntDivByZero,
            TrapKind::IntOverflow,
            TrapKind::BadConversion,
            TrapKind::MemoryOutOfBounds,
            TrapKind::StackExhausted,
        ]) {
            assert_eq!(TrapKind::from_trap_code(kind.trap_code()), Some(kind));
        }
    }
}
