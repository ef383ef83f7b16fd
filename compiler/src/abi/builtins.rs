//! The runtime functions generated code calls directly, declared once with explicit parameter
//! kinds (in the manner of wasmtime's `builtin.rs`). Both backends derive their call
//! signatures from `Builtin::decl`, and the header renders the C prototypes from it, which the
//! runtime's definitions must then match to compile.

/// What a builtin parameter or result is, as generated code passes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinParam {
    /// The calling instance's `w2e_vmctx *`.
    Vmctx,
    /// Any other pointer.
    Ptr,
    /// A 32-bit integer (`uint32_t`), zero-extended to the register where the C ABI wants it.
    I32,
    /// A 64-bit integer.
    I64,
}

/// One parameter (or the result) of a builtin: its kind, and its C name and type.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub kind: BuiltinParam,
    pub name: &'static str,
    pub c_type: &'static str,
}

/// A builtin's whole declaration.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinDecl {
    pub symbol: &'static str,
    pub params: &'static [Param],
    pub result: Option<Param>,
    /// The builtin never returns (it traps or unwinds).
    pub noreturn: bool,
    /// A comment for the header (empty: none).
    pub doc: &'static str,
}

const fn p(kind: BuiltinParam, name: &'static str, c_type: &'static str) -> Param {
    Param { kind, name, c_type }
}

use BuiltinParam::{I64, Ptr};

const VMCTX: Param = p(BuiltinParam::Vmctx, "vmctx", "w2e_vmctx *");
const fn u32(name: &'static str) -> Param {
    p(BuiltinParam::I32, name, "uint32_t")
}
const RESULT_U32: Option<Param> = Some(p(BuiltinParam::I32, "", "uint32_t"));

/// Runtime functions that generated code calls directly.
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
        self.decl().symbol
    }

    /// Whether the first parameter is the calling instance's vmctx.
    pub fn takes_vmctx(self) -> bool {
        self.decl().params.first().map(|p| p.kind) == Some(BuiltinParam::Vmctx)
    }

    /// The builtin's declaration.
    pub fn decl(self) -> &'static BuiltinDecl {
        &DECLS[self as usize]
    }
}

const fn decl(
    symbol: &'static str,
    params: &'static [Param],
    result: Option<Param>,
    doc: &'static str,
) -> BuiltinDecl {
    BuiltinDecl {
        symbol,
        params,
        result,
        noreturn: false,
        doc,
    }
}

/// The declarations, in `Builtin::ALL` order.
const DECLS: [BuiltinDecl; 17] = [
    decl(
        "w2e_memory_grow",
        &[VMCTX, u32("delta_pages")],
        RESULT_U32,
        "old size in pages, or UINT32_MAX",
    ),
    decl(
        "w2e_memory_fill",
        &[VMCTX, u32("dst"), u32("value"), u32("len")],
        None,
        "",
    ),
    decl(
        "w2e_memory_copy",
        &[VMCTX, u32("dst"), u32("src"), u32("len")],
        None,
        "",
    ),
    decl(
        "w2e_memory_init",
        &[VMCTX, u32("segment"), u32("dst"), u32("src"), u32("len")],
        None,
        "",
    ),
    decl("w2e_data_drop", &[VMCTX, u32("segment")], None, ""),
    decl(
        "w2e_table_grow",
        &[VMCTX, u32("table"), p(Ptr, "init", "void *"), u32("delta")],
        RESULT_U32,
        "old size, or UINT32_MAX",
    ),
    decl(
        "w2e_table_fill",
        &[
            VMCTX,
            u32("table"),
            u32("dst"),
            p(Ptr, "value", "void *"),
            u32("len"),
        ],
        None,
        "",
    ),
    decl(
        "w2e_table_copy",
        &[
            VMCTX,
            u32("dst_table"),
            u32("src_table"),
            u32("dst"),
            u32("src"),
            u32("len"),
        ],
        None,
        "",
    ),
    decl(
        "w2e_table_init",
        &[
            VMCTX,
            u32("table"),
            u32("segment"),
            u32("dst"),
            u32("src"),
            u32("len"),
        ],
        None,
        "",
    ),
    decl("w2e_elem_drop", &[VMCTX, u32("segment")], None, ""),
    decl(
        "w2e_memory_atomic_wait32",
        &[
            VMCTX,
            u32("addr"),
            u32("expected"),
            p(I64, "timeout", "int64_t"),
        ],
        RESULT_U32,
        "atomics on unshared memory: single-threaded semantics",
    ),
    decl(
        "w2e_memory_atomic_wait64",
        &[
            VMCTX,
            u32("addr"),
            p(I64, "expected", "uint64_t"),
            p(I64, "timeout", "int64_t"),
        ],
        RESULT_U32,
        "",
    ),
    decl(
        "w2e_memory_atomic_notify",
        &[VMCTX, u32("addr"), u32("count")],
        RESULT_U32,
        "",
    ),
    BuiltinDecl {
        noreturn: true,
        ..decl(
            "w2e_raise_trap",
            &[u32("kind")],
            None,
            "raises a trap of `kind` (enum w2e_trap_kind)",
        )
    },
    decl(
        "w2e_exception_new",
        &[
            VMCTX,
            u32("tag_index"),
            p(Ptr, "values", "const w2e_value *"),
        ],
        Some(p(Ptr, "", "w2e_exception *")),
        "an exception of the instance's tag `tag_index`, its parameters copied from `values`",
    ),
    BuiltinDecl {
        noreturn: true,
        ..decl(
            "w2e_throw_ref",
            &[VMCTX, p(Ptr, "exception", "w2e_exception *")],
            None,
            "unwinds to the nearest wasm frame with a handler for the call in progress (or ends the call with the \"uncaught exception\" trap); a null `exception` traps \"null exception reference\"",
        )
    },
    decl(
        "w2e_exception_free",
        &[VMCTX, p(Ptr, "exception", "w2e_exception *")],
        None,
        "called where a handler has taken the payload and nothing else can reach the exception (a catch without _ref, the end of a legacy catch body): frees it unless it `escaped`",
    ),
];
