//! The module descriptor (`w2e_module` and the arrays it points to) as backend-neutral data.
//!
//! Two objects: `{prefix}rodata` holds everything without pointers (names, kinds, segment
//! bytes, constant-expression ops, the trap and call-site tables); `{prefix}module` starts with
//! the `w2e_module` struct and holds the arrays of structs with pointers, relocated against
//! both objects, the functions and the trampolines. Every struct is written field by field by
//! name through its declaration in `abi::structs`, laid out for the target's pointer width
//! and byte order. Each backend turns the two objects into its own data (cranelift-module data
//! descriptions, LLVM IR globals).

use crate::CompileOptions;
use crate::abi::structs::{self, CONST_EXPR};
use crate::abi::{ABI_VERSION, ExternKind, FieldType, PtrWidth, StructDef, ValueKind, type_id};
use crate::layout::VmctxLayout;
use crate::module_env::{ConstOp, ModuleEnv};
use target_lexicon::Endianness;

/// Where compiled code ended up, for the descriptor's function and trap tables (one per wasm
/// function, imports first: theirs is the host adapter's).
pub struct CompiledFunction<'a> {
    /// The code's size in bytes.
    pub code_size: u32,
    /// (offset in the function, kind), sorted by offset.
    pub traps: &'a [(u32, crate::abi::TrapKind)],
    /// Calls with an exception handler in this function, sorted by return offset.
    pub call_sites: &'a [CallSite],
}

/// A `w2e_call_site`; offsets are relative to the function's code.
#[derive(Clone, Copy, Debug)]
pub struct CallSite {
    pub ret_offset: u32,
    pub frame_offset: u32,
    pub handler_offset: u32,
}

/// What a pointer in a data object points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// This offset of the rodata object.
    Rodata(u32),
    /// This offset of the module object itself.
    Module(u32),
    /// The code of wasm function `index` (for an import: its host adapter).
    Func(u32),
    /// The trampoline of type `index`.
    Trampoline(u32),
}

/// A pointer-sized field to fill in at link time.
#[derive(Clone, Copy, Debug)]
pub struct DataReloc {
    pub offset: u32,
    pub target: Target,
}

/// One data object: bytes in the target's byte order with pointer-sized holes (zeros) at
/// each relocation.
#[derive(Clone, Debug)]
pub struct DataObject {
    pub name: String,
    /// Visible to the linker (the runtime's `main` looks the module up by name).
    pub exported: bool,
    pub align: u32,
    pub bytes: Vec<u8>,
    pub relocs: Vec<DataReloc>,
    /// Pointer width of the holes.
    pub ptr: PtrWidth,
}

/// The two objects of a module's descriptor.
pub struct Descriptor {
    pub rodata: DataObject,
    pub module: DataObject,
}

/// A growing byte buffer in the target's byte order.
struct Blob {
    bytes: Vec<u8>,
    big_endian: bool,
    ptr: PtrWidth,
    relocs: Vec<DataReloc>,
}

impl Blob {
    fn new(big_endian: bool, ptr: PtrWidth) -> Self {
        Blob {
            bytes: Vec::new(),
            big_endian,
            ptr,
            relocs: Vec::new(),
        }
    }

    fn offset(&self) -> u32 {
        self.bytes.len() as u32
    }

    fn align(&mut self, align: u32) {
        let len = (self.bytes.len() as u32).next_multiple_of(align);
        self.bytes.resize(len as usize, 0);
    }

    fn put(&mut self, at: u32, bytes: &[u8]) {
        let at = at as usize;
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn put_u32(&mut self, at: u32, value: u32) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.put(at, &bytes);
    }

    fn put_u64(&mut self, at: u32, value: u64) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.put(at, &bytes);
    }

    /// Appends raw bytes; returns their offset (`None` when empty, i.e. a NULL pointer).
    fn raw(&mut self, bytes: &[u8]) -> Option<u32> {
        if bytes.is_empty() {
            return None;
        }
        let offset = self.offset();
        self.bytes.extend_from_slice(bytes);
        Some(offset)
    }

    /// Appends one zeroed `def`, to be filled through the returned record.
    fn record(&mut self, def: &'static StructDef) -> Record<'_> {
        self.align(def.align(self.ptr));
        let base = self.offset();
        self.bytes.resize((base + def.size(self.ptr)) as usize, 0);
        Record {
            blob: self,
            def,
            base,
        }
    }

    fn into_object(mut self, name: String, exported: bool) -> DataObject {
        // A zero-length object would alias its neighbour: keep at least one byte.
        if self.bytes.is_empty() {
            self.bytes.push(0);
        }
        DataObject {
            name,
            exported,
            align: 16,
            bytes: self.bytes,
            relocs: self.relocs,
            ptr: self.ptr,
        }
    }
}

/// One struct being written, field by field by name. Fields not written stay zero.
struct Record<'b> {
    blob: &'b mut Blob,
    def: &'static StructDef,
    base: u32,
}

impl Record<'_> {
    /// The offset of `name`, checking its declared type.
    fn field(&self, name: &str, expect: fn(FieldType) -> bool) -> u32 {
        let index = self.def.index(name);
        assert!(
            expect(self.def.fields[index].ty),
            "{}.{name} written with the wrong type",
            self.def.name
        );
        self.base + self.def.offset_at(index, self.blob.ptr)
    }

    fn u32(&mut self, name: &str, value: u32) -> &mut Self {
        let at = self.field(name, |t| matches!(t, FieldType::U32));
        self.blob.put_u32(at, value);
        self
    }

    fn u64(&mut self, name: &str, value: u64) -> &mut Self {
        let at = self.field(name, |t| matches!(t, FieldType::U64));
        self.blob.put_u64(at, value);
        self
    }

    /// A pointer field (`None`: NULL).
    fn ptr(&mut self, name: &str, target: Option<Target>) -> &mut Self {
        let at = self.field(name, |t| matches!(t, FieldType::Ptr(_)));
        if let Some(target) = target {
            self.blob.relocs.push(DataReloc { offset: at, target });
        }
        self
    }

    /// An embedded `w2e_const_expr` whose ops are at `ops` in rodata.
    fn const_expr(&mut self, name: &str, (ops, num_ops): (Option<u32>, u32)) -> &mut Self {
        let at = self.field(
            name,
            |t| matches!(t, FieldType::Struct(d) if d.name == CONST_EXPR.name),
        );
        Record {
            blob: self.blob,
            def: &CONST_EXPR,
            base: at,
        }
        .ptr("ops", ops.map(Target::Rodata))
        .u32("num_ops", num_ops);
        self
    }
}

/// Builds the descriptor of `env` as compiled with `options` (`compiled`: one entry per
/// function, imports first).
pub fn build(
    options: &CompileOptions,
    env: &ModuleEnv<'_>,
    layout: &VmctxLayout,
    compiled: &[CompiledFunction<'_>],
) -> Descriptor {
    let big_endian = options.triple.endianness() == Ok(Endianness::Big);
    let ptr = PtrWidth::of(&options.triple);
    let mut ro = Blob::new(big_endian, ptr);
    let mut d = Blob::new(big_endian, ptr);
    // The w2e_module struct comes first; it is filled in last.
    d.record(&structs::MODULE);

    let const_expr = |ro: &mut Blob, ops: &[ConstOp]| -> (Option<u32>, u32) {
        let at = ops.first().map(|_| {
            ro.align(structs::CONST_OP.align(ptr));
            ro.offset()
        });
        for op in ops {
            ro.record(&structs::CONST_OP)
                .u32("opcode", op.opcode)
                .u32("index", op.index)
                .u64("lo", op.lo)
                .u64("hi", op.hi);
        }
        (at, ops.len() as u32)
    };
    // Where each array starts (`None`: empty, a NULL pointer).
    let start = |blob: &mut Blob, def: &StructDef, len: usize| -> Option<u32> {
        blob.align(def.align(blob.ptr));
        (len > 0).then(|| blob.offset())
    };

    let types_at = start(&mut d, &structs::FUNCTYPE, env.types.len());
    for (index, ty) in env.types.iter().enumerate() {
        let kinds: Vec<u8> = ty
            .params()
            .iter()
            .chain(ty.results())
            .map(|&t| ValueKind::of(t) as u8)
            .collect();
        let kinds_at = ro.raw(&kinds);
        d.record(&structs::FUNCTYPE)
            .u64("type_id", type_id(ty))
            .u32("num_params", ty.params().len() as u32)
            .u32("num_results", ty.results().len() as u32)
            .ptr("kinds", kinds_at.map(Target::Rodata))
            .ptr("trampoline", Some(Target::Trampoline(index as u32)));
    }
    // imports (a stubbed function import gets its own kind: nothing to resolve)
    let imports_at = start(&mut d, &structs::IMPORT, env.imports.len());
    let mut func_index = 0;
    for import in &env.imports {
        let is_func = import.kind == ExternKind::Func;
        let stubbed = is_func && options.stubbed_imports.contains_key(&func_index);
        func_index += u32::from(is_func);
        let module_at = ro.raw(import.module.as_bytes());
        let name_at = ro.raw(import.name.as_bytes());
        let kind = if stubbed {
            ExternKind::FuncStub
        } else {
            import.kind
        };
        d.record(&structs::IMPORT)
            .ptr("module", module_at.map(Target::Rodata))
            .ptr("name", name_at.map(Target::Rodata))
            .u32("module_len", import.module.len() as u32)
            .u32("name_len", import.name.len() as u32)
            .u32("kind", kind as u32)
            .u32("index", import.index);
    }
    let funcs_at = start(&mut d, &structs::FUNC, env.func_types.len());
    for (index, &type_index) in env.func_types.iter().enumerate() {
        let name = &env.func_names[index];
        let name_at = ro.raw(name.as_bytes());
        d.record(&structs::FUNC)
            .ptr("code", Some(Target::Func(index as u32)))
            .u32("type_index", type_index)
            .u32("code_size", compiled[index].code_size)
            .ptr("name", name_at.map(Target::Rodata))
            .u32("name_len", name.len() as u32);
    }
    let tables_at = start(&mut d, &structs::TABLE_TYPE, env.tables.len());
    for table in &env.tables {
        let init = const_expr(&mut ro, &table.init);
        let max = table.ty.maximum.unwrap_or(u64::from(u32::MAX));
        d.record(&structs::TABLE_TYPE)
            .u32(
                "elem_kind",
                ValueKind::of(wasmparser::ValType::Ref(table.ty.element_type)) as u32,
            )
            .u32("has_max", table.ty.maximum.is_some() as u32)
            .u32("min", table.ty.initial as u32)
            .u32("max", max.min(u64::from(u32::MAX)) as u32)
            .const_expr("init", init);
    }
    let memories_at = start(&mut d, &structs::MEMORY_TYPE, env.memories.len());
    for memory in &env.memories {
        d.record(&structs::MEMORY_TYPE)
            .u32("min_pages", memory.initial as u32)
            .u32(
                "max_pages",
                memory.maximum.unwrap_or(65536).min(65536) as u32,
            )
            .u32("has_max", memory.maximum.is_some() as u32)
            .u32("shared", memory.shared as u32);
    }
    let globals_at = start(&mut d, &structs::GLOBAL_TYPE, env.globals.len());
    for global in &env.globals {
        let init = const_expr(&mut ro, &global.init);
        d.record(&structs::GLOBAL_TYPE)
            .u32("kind", ValueKind::of(global.ty.content_type) as u32)
            .u32("is_mutable", global.ty.mutable as u32)
            .const_expr("init", init);
    }
    let tags_at = start(&mut d, &structs::TAG_TYPE, env.tags.len());
    for &type_index in &env.tags {
        d.record(&structs::TAG_TYPE).u32("type_index", type_index);
    }
    let exports_at = start(&mut d, &structs::EXPORT, env.exports.len());
    for export in &env.exports {
        let name_at = ro.raw(export.name.as_bytes());
        d.record(&structs::EXPORT)
            .ptr("name", name_at.map(Target::Rodata))
            .u32("name_len", export.name.len() as u32)
            .u32("kind", export.kind as u32)
            .u32("index", export.index);
    }
    // element segments: their item expressions first, then the segment structs
    let mut item_arrays = Vec::new();
    for elem in &env.elems {
        let exprs: Vec<_> = elem
            .items
            .iter()
            .map(|ops| const_expr(&mut ro, ops))
            .collect();
        let at = start(&mut d, &CONST_EXPR, exprs.len());
        for (ops, num_ops) in exprs {
            d.record(&CONST_EXPR)
                .ptr("ops", ops.map(Target::Rodata))
                .u32("num_ops", num_ops);
        }
        item_arrays.push(at);
    }
    let elems_at = start(&mut d, &structs::ELEM_SEGMENT, env.elems.len());
    for (elem, items_at) in env.elems.iter().zip(item_arrays) {
        let offset = const_expr(&mut ro, &elem.offset);
        d.record(&structs::ELEM_SEGMENT)
            .u32("mode", elem.mode as u32)
            .u32("table_index", elem.table_index)
            .const_expr("offset", offset)
            .u32(
                "elem_kind",
                ValueKind::of(wasmparser::ValType::Ref(elem.elem_type)) as u32,
            )
            .u32("num_items", elem.items.len() as u32)
            .ptr("items", items_at.map(Target::Module));
    }
    let datas_at = start(&mut d, &structs::DATA_SEGMENT, env.datas.len());
    for data in &env.datas {
        let offset = const_expr(&mut ro, &data.offset);
        let bytes_at = ro.raw(data.bytes);
        d.record(&structs::DATA_SEGMENT)
            .u32("mode", data.mode as u32)
            .u32("memory_index", data.memory_index)
            .const_expr("offset", offset)
            .ptr("bytes", bytes_at.map(Target::Rodata))
            .u32("len", data.bytes.len() as u32);
    }
    // trap table and exception call sites (rodata: no pointers)
    let num_traps: usize = compiled.iter().map(|f| f.traps.len()).sum();
    let traps_at = start(&mut ro, &structs::TRAP_ENTRY, num_traps);
    for (index, function) in compiled.iter().enumerate() {
        for &(offset, kind) in function.traps {
            ro.record(&structs::TRAP_ENTRY)
                .u32("func_index", index as u32)
                .u32("code_offset", offset)
                .u32("kind", kind as u32);
        }
    }
    let num_call_sites: usize = compiled.iter().map(|f| f.call_sites.len()).sum();
    let call_sites_at = start(&mut ro, &structs::CALL_SITE, num_call_sites);
    for (index, function) in compiled.iter().enumerate() {
        for site in function.call_sites {
            ro.record(&structs::CALL_SITE)
                .u32("func_index", index as u32)
                .u32("ret_offset", site.ret_offset)
                .u32("frame_offset", site.frame_offset)
                .u32("handler_offset", site.handler_offset);
        }
    }
    let module_name_at = ro.raw(env.module_name.as_bytes());

    let count = |n: usize| n as u32;
    let at = |offset: Option<u32>| offset.map(Target::Module);
    Record {
        blob: &mut d,
        def: &structs::MODULE,
        base: 0,
    }
    .u32("abi_version", ABI_VERSION)
    .u32("vmctx_size", layout.size)
    .u32("vmctx_func_refs", layout.func_refs)
    .u32("vmctx_defined_func_refs", layout.defined_func_refs)
    .u32("vmctx_tables", layout.tables)
    .u32("vmctx_imported_globals", layout.imported_globals)
    .u32("vmctx_defined_globals", layout.defined_globals)
    .u32("vmctx_tags", layout.tags)
    .u32("vmctx_host_code", layout.host_code)
    .ptr("types", at(types_at))
    .ptr("imports", at(imports_at))
    .ptr("funcs", at(funcs_at))
    .ptr("tables", at(tables_at))
    .ptr("memories", at(memories_at))
    .ptr("globals", at(globals_at))
    .ptr("tags", at(tags_at))
    .ptr("exports", at(exports_at))
    .ptr("elems", at(elems_at))
    .ptr("datas", at(datas_at))
    .ptr("traps", traps_at.map(Target::Rodata))
    .ptr("call_sites", call_sites_at.map(Target::Rodata))
    .ptr("name", module_name_at.map(Target::Rodata))
    .u32("num_types", count(env.types.len()))
    .u32("num_imports", count(env.imports.len()))
    .u32("num_funcs", count(env.func_types.len()))
    .u32("num_imported_funcs", env.num_imported_funcs)
    .u32("num_tables", count(env.tables.len()))
    .u32("num_imported_tables", env.num_imported_tables)
    .u32("num_memories", count(env.memories.len()))
    .u32("num_imported_memories", env.num_imported_memories)
    .u32("num_globals", count(env.globals.len()))
    .u32("num_imported_globals", env.num_imported_globals)
    .u32("num_tags", count(env.tags.len()))
    .u32("num_imported_tags", env.num_imported_tags)
    .u32("num_exports", count(env.exports.len()))
    .u32("num_elems", count(env.elems.len()))
    .u32("num_datas", count(env.datas.len()))
    .u32("num_traps", count(num_traps))
    .u32("num_call_sites", count(num_call_sites))
    .u32("start_func", env.start.unwrap_or(u32::MAX))
    .u32("name_len", count(env.module_name.len()));

    let prefix = &options.symbol_prefix;
    Descriptor {
        rodata: ro.into_object(format!("{prefix}rodata"), false),
        module: d.into_object(format!("{prefix}module"), true),
    }
}
