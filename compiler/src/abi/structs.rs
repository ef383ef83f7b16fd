//! The ABI's structs, declared once: what generated code reads at fixed offsets (the vmctx
//! header, memories, funcrefs, tables, exceptions) and the read-only module descriptor the
//! compiler emits and the runtime instantiates from. The C header renders these tables and
//! the descriptor writer fills them by field name.

use super::layout::{Field, FieldType, StructDef};
use FieldType::{Ptr, Struct, U32, U64, ValueArray};

const fn field(name: &'static str, ty: FieldType, doc: &'static str) -> Field {
    Field { name, ty, doc }
}

/// Every struct, in the order the header declares them (a struct before its users).
pub const ALL: [&StructDef; 20] = [
    &MEMORY,
    &FUNCREF,
    &TABLE,
    &VMCTX,
    &CONST_OP,
    &CONST_EXPR,
    &FUNCTYPE,
    &IMPORT,
    &FUNC,
    &TABLE_TYPE,
    &MEMORY_TYPE,
    &GLOBAL_TYPE,
    &TAG_TYPE,
    &EXPORT,
    &ELEM_SEGMENT,
    &DATA_SEGMENT,
    &CALL_SITE,
    &EXCEPTION,
    &TRAP_ENTRY,
    &MODULE,
];

pub const MEMORY: StructDef = StructDef {
    name: "w2e_memory",
    doc: "A linear memory. `base` never moves: on 64-bit targets the whole 32-bit index space plus a guard region is reserved up front, so growing only changes `size`.",
    fields: &[
        field("base", Ptr("uint8_t *"), ""),
        field("size", U64, "current size in bytes"),
        field("max_pages", U64, ""),
        field("reserved", U64, "bytes of address space reserved at base"),
    ],
};

pub const FUNCREF: StructDef = StructDef {
    name: "w2e_funcref",
    doc: "A function reference: what tables hold (as pointers), what ref.func yields.",
    fields: &[
        field(
            "code",
            Ptr("const void *"),
            "native code, called as code(vmctx, params...)",
        ),
        field("type_id", U64, "signature id, see w2e_functype"),
        field(
            "vmctx",
            Ptr("w2e_vmctx *"),
            "the instance the code belongs to",
        ),
    ],
};

pub const TABLE: StructDef = StructDef {
    name: "w2e_table",
    doc: "A table of references (funcref: w2e_funcref *, externref: opaque pointer; null is 0).",
    fields: &[
        field("elements", Ptr("void **"), ""),
        field("size", U32, "current number of elements"),
        field("max", U32, "maximum (UINT32_MAX when unbounded)"),
        field("elem_kind", U32, "W2E_FUNCREF or W2E_EXTERNREF"),
        field("capacity", U32, "elements allocated"),
    ],
};

pub const VMCTX: StructDef = StructDef {
    name: "w2e_vmctx",
    doc: "The per-instance context passed to every wasm function: this fixed header, then arrays at the offsets the module descriptor gives (vmctx_* fields; compiler/src/layout.rs): func_refs (w2e_funcref *[num_funcs]), defined_func_refs (w2e_funcref[num defined]), tables (w2e_table *[]), imported_globals (w2e_value *[]), defined_globals (w2e_value[]), tags (void *[]: tag identities), host_code (const void *[num_imported_funcs]: C host functions).",
    fields: &[
        field(
            "memory_base",
            Ptr("uint8_t *"),
            "memory 0 base (copy of memory->base), NULL without memory",
        ),
        field("memory", Ptr("w2e_memory *"), "memory 0"),
        field(
            "stack_limit",
            Ptr("uintptr_t"),
            "the prologue traps when sp would go below this",
        ),
        field(
            "instance",
            Ptr("w2e_instance *"),
            "runtime bookkeeping (segments, owned objects)",
        ),
        field(
            "pending_exception",
            Ptr("struct w2e_exception **"),
            "the process's one in-flight exception slot (LLVM-built code returns through frames with the exception stored there; NULL when none)",
        ),
    ],
};

pub const CONST_OP: StructDef = StructDef {
    name: "w2e_const_op",
    doc: "A constant-expression instruction. Opcodes are the binary format's: 0x41 i32.const, 0x42 i64.const, 0x43 f32.const, 0x44 f64.const (bits in `lo`), 0xFD0C v128.const (lo = bytes 0..7, hi = bytes 8..15), 0xD0 ref.null, 0xD2 ref.func (index), 0x23 global.get (index), 0x6A/0x6B/0x6C i32.add/sub/mul, 0x7C/0x7D/0x7E i64.add/sub/mul.",
    fields: &[
        field("opcode", U32, ""),
        field("index", U32, ""),
        field("lo", U64, ""),
        field("hi", U64, ""),
    ],
};

pub const CONST_EXPR: StructDef = StructDef {
    name: "w2e_const_expr",
    doc: "A constant expression: its instructions (none: the null reference).",
    fields: &[
        field("ops", Ptr("const w2e_const_op *"), ""),
        field("num_ops", U32, ""),
        field("_pad", U32, ""),
    ],
};

pub const FUNCTYPE: StructDef = StructDef {
    name: "w2e_functype",
    doc: "A function type. `type_id` is a 64-bit hash of the canonical signature, computed by the compiler, so separately compiled modules agree on it without a runtime registry.",
    fields: &[
        field("type_id", U64, ""),
        field("num_params", U32, ""),
        field("num_results", U32, ""),
        field(
            "kinds",
            Ptr("const uint8_t *"),
            "params then results, enum w2e_kind",
        ),
        field("trampoline", Ptr("w2e_trampoline"), ""),
    ],
};

pub const IMPORT: StructDef = StructDef {
    name: "w2e_import",
    doc: "An import: its names (not NUL-terminated) and what it must be.",
    fields: &[
        field("module", Ptr("const char *"), ""),
        field("name", Ptr("const char *"), ""),
        field("module_len", U32, ""),
        field("name_len", U32, ""),
        field("kind", U32, "enum w2e_extern_kind"),
        field(
            "index",
            U32,
            "func: type index; table/memory/global/tag: its index",
        ),
    ],
};

pub const FUNC: StructDef = StructDef {
    name: "w2e_func",
    doc: "A function. Wasm functions use the backend's own convention (tail calls); C functions are reached through compiler-made adapters. For an imported function, `code` is such an adapter: it calls vmctx->host_code[i] with the C convention as host_code(vmctx, params...). The runtime stores a host import's C function in that slot and builds its funcref as {adapter, type_id, the importing vmctx}; a wasm import needs neither.",
    fields: &[
        field(
            "code",
            Ptr("const void *"),
            "the function, or for an import its host adapter",
        ),
        field("type_index", U32, ""),
        field("code_size", U32, ""),
        field(
            "name",
            Ptr("const char *"),
            "from the name section, or \"\"",
        ),
        field("name_len", U32, ""),
        field("_pad", U32, ""),
    ],
};

pub const TABLE_TYPE: StructDef = StructDef {
    name: "w2e_table_type",
    doc: "A table's type and initial element.",
    fields: &[
        field("elem_kind", U32, ""),
        field("has_max", U32, ""),
        field("min", U32, ""),
        field("max", U32, ""),
        field(
            "init",
            Struct(&CONST_EXPR),
            "initial element value (num_ops == 0: null)",
        ),
    ],
};

pub const MEMORY_TYPE: StructDef = StructDef {
    name: "w2e_memory_type",
    doc: "A memory's type, in 64 KiB pages.",
    fields: &[
        field("min_pages", U32, ""),
        field("max_pages", U32, ""),
        field("has_max", U32, ""),
        field("shared", U32, ""),
    ],
};

pub const GLOBAL_TYPE: StructDef = StructDef {
    name: "w2e_global_type",
    doc: "A global's type and initializer.",
    fields: &[
        field("kind", U32, ""),
        field("is_mutable", U32, ""),
        field("init", Struct(&CONST_EXPR), "unused for imported globals"),
    ],
};

pub const TAG_TYPE: StructDef = StructDef {
    name: "w2e_tag_type",
    doc: "An exception tag's type.",
    fields: &[field("type_index", U32, ""), field("_pad", U32, "")],
};

pub const EXPORT: StructDef = StructDef {
    name: "w2e_export",
    doc: "An export.",
    fields: &[
        field("name", Ptr("const char *"), ""),
        field("name_len", U32, ""),
        field("kind", U32, "enum w2e_extern_kind"),
        field("index", U32, ""),
        field("_pad", U32, ""),
    ],
};

pub const ELEM_SEGMENT: StructDef = StructDef {
    name: "w2e_elem_segment",
    doc: "An element segment.",
    fields: &[
        field("mode", U32, "enum w2e_segment_mode"),
        field("table_index", U32, ""),
        field("offset", Struct(&CONST_EXPR), ""),
        field("elem_kind", U32, ""),
        field("num_items", U32, ""),
        field("items", Ptr("const w2e_const_expr *"), ""),
    ],
};

pub const DATA_SEGMENT: StructDef = StructDef {
    name: "w2e_data_segment",
    doc: "A data segment.",
    fields: &[
        field("mode", U32, "enum w2e_segment_mode"),
        field("memory_index", U32, ""),
        field("offset", Struct(&CONST_EXPR), ""),
        field("bytes", Ptr("const uint8_t *"), ""),
        field("len", U32, ""),
        field("_pad", U32, ""),
    ],
};

pub const CALL_SITE: StructDef = StructDef {
    name: "w2e_call_site",
    doc: "A call inside a wasm `try` whose exceptions the calling function handles. Sorted by (func_index, ret_offset). To resume there, the unwinder sets SP = FP - frame_offset (FP being that frame's frame pointer), keeps FP, puts the exception (w2e_exception *) in the first exception-payload register (x86_64 rax, aarch64 x0, riscv64 a0, s390x r6) and jumps to code + handler_offset. The handler compares tags itself and rethrows what it does not catch, so the unwinder needs no tag tables. No other register is restored: the code treats every register as clobbered on that edge.",
    fields: &[
        field("func_index", U32, ""),
        field(
            "ret_offset",
            U32,
            "return address, relative to the function's code",
        ),
        field("frame_offset", U32, "FP - SP at the call"),
        field("handler_offset", U32, "relative to the function's code"),
    ],
};

pub const EXCEPTION: StructDef = StructDef {
    name: "w2e_exception",
    doc: "A thrown exception (an exnref points at one), allocated by the runtime.",
    fields: &[
        field(
            "tag",
            Ptr("void *"),
            "the tag's identity (a vmctx tags[] entry)",
        ),
        field("num_values", U32, ""),
        field(
            "escaped",
            U32,
            "set by generated code once wasm holds it as an exnref (catch_ref, or a legacy catch body that rethrows): then never freed",
        ),
        field("values", ValueArray, "the tag's parameters"),
    ],
};

pub const TRAP_ENTRY: StructDef = StructDef {
    name: "w2e_trap_entry",
    doc: "Sorted by (func_index, code_offset): the instruction at that offset of that function's code raises `kind` when it faults or executes.",
    fields: &[
        field("func_index", U32, ""),
        field("code_offset", U32, ""),
        field("kind", U32, "enum w2e_trap_kind"),
    ],
};

pub const MODULE: StructDef = StructDef {
    name: "w2e_module",
    doc: "The module descriptor: everything the runtime needs to instantiate the module. Arrays list imports first.",
    fields: &[
        field("abi_version", U32, "W2E_ABI_VERSION"),
        field("vmctx_size", U32, ""),
        field("vmctx_func_refs", U32, ""),
        field("vmctx_defined_func_refs", U32, ""),
        field("vmctx_tables", U32, ""),
        field("vmctx_imported_globals", U32, ""),
        field("vmctx_defined_globals", U32, ""),
        field("vmctx_tags", U32, ""),
        field("types", Ptr("const w2e_functype *"), ""),
        field("imports", Ptr("const w2e_import *"), ""),
        field(
            "funcs",
            Ptr("const w2e_func *"),
            "all functions, imported first",
        ),
        field("tables", Ptr("const w2e_table_type *"), ""),
        field("memories", Ptr("const w2e_memory_type *"), ""),
        field("globals", Ptr("const w2e_global_type *"), ""),
        field("tags", Ptr("const w2e_tag_type *"), ""),
        field("exports", Ptr("const w2e_export *"), ""),
        field("elems", Ptr("const w2e_elem_segment *"), ""),
        field("datas", Ptr("const w2e_data_segment *"), ""),
        field("traps", Ptr("const w2e_trap_entry *"), ""),
        field(
            "name",
            Ptr("const char *"),
            "module name from the name section, or \"\"",
        ),
        field("num_types", U32, ""),
        field("num_imports", U32, ""),
        field("num_funcs", U32, ""),
        field("num_imported_funcs", U32, ""),
        field("num_tables", U32, ""),
        field("num_imported_tables", U32, ""),
        field("num_memories", U32, ""),
        field("num_imported_memories", U32, ""),
        field("num_globals", U32, ""),
        field("num_imported_globals", U32, ""),
        field("num_tags", U32, ""),
        field("num_imported_tags", U32, ""),
        field("num_exports", U32, ""),
        field("num_elems", U32, ""),
        field("num_datas", U32, ""),
        field("num_traps", U32, ""),
        field("start_func", U32, "UINT32_MAX when there is none"),
        field("name_len", U32, ""),
        field(
            "vmctx_host_code",
            U32,
            "const void *host_code[num_imported_funcs]",
        ),
        field("num_call_sites", U32, ""),
        field("call_sites", Ptr("const w2e_call_site *"), ""),
    ],
};
