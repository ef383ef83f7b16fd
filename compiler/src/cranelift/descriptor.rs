//! The module descriptor (`w2e_module` and the arrays it points to), written as data objects.
//!
//! Two blobs: `{prefix}rodata` holds everything without pointers (names, kinds, segment bytes,
//! constant-expression ops, the trap table); `{prefix}module` starts with the `w2e_module`
//! struct and holds the arrays of structs with pointers, relocated against both blobs and the
//! code. Field order and sizes follow w2e_abi.h exactly.

use super::module_error;
use crate::CompileError;
use crate::abi::{ABI_VERSION, TrapKind, type_id, value_kind};
use crate::layout::{SymbolIds, VmctxLayout};
use crate::module_env::{ConstOp, ModuleEnv, SegmentMode};
use cranelift_module::{DataDescription, DataId, FuncId, Module};
use cranelift_object::ObjectModule;
use target_lexicon::Endianness;

/// Where compiled code ended up, for the descriptor's function and trap tables (one per wasm
/// function, imports first: theirs is the host adapter's).
pub struct CompiledFunction<'a> {
    pub code_size: u32,
    /// (offset in the function, kind), sorted by offset.
    pub traps: &'a [(u32, TrapKind)],
    /// Calls with an exception handler in this function, sorted by return offset.
    pub call_sites: &'a [CallSite],
}

/// A `w2e_call_site` (see w2e_abi.h); offsets are relative to the function's code.
#[derive(Clone, Copy, Debug)]
pub struct CallSite {
    pub ret_offset: u32,
    pub frame_offset: u32,
    pub handler_offset: u32,
}

/// A pointer field to fill in: blob offset, target, addend.
enum Reloc {
    Rodata(u32, u32),
    Descriptor(u32, u32),
    Func(u32, u32),
}

/// A growing byte buffer in the target's byte order.
struct Blob {
    bytes: Vec<u8>,
    big_endian: bool,
    relocs: Vec<Reloc>,
}

impl Blob {
    fn new(big_endian: bool) -> Self {
        Blob {
            bytes: Vec::new(),
            big_endian,
            relocs: Vec::new(),
        }
    }

    fn offset(&self) -> u32 {
        self.bytes.len() as u32
    }

    fn align(&mut self, align: usize) {
        while !self.bytes.len().is_multiple_of(align) {
            self.bytes.push(0);
        }
    }

    fn u32(&mut self, value: u32) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes.extend_from_slice(&bytes);
    }

    fn u64(&mut self, value: u64) {
        let bytes = if self.big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        };
        self.bytes.extend_from_slice(&bytes);
    }

    /// A pointer into the rodata blob (`None`: NULL).
    fn rodata_ptr(&mut self, offset: Option<u32>) {
        if let Some(offset) = offset {
            self.relocs.push(Reloc::Rodata(self.offset(), offset));
        }
        self.u64(0);
    }

    fn descriptor_ptr(&mut self, offset: Option<u32>) {
        if let Some(offset) = offset {
            self.relocs.push(Reloc::Descriptor(self.offset(), offset));
        }
        self.u64(0);
    }

    fn func_ptr(&mut self, func_id: u32) {
        self.relocs.push(Reloc::Func(self.offset(), func_id));
        self.u64(0);
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
}

/// Writes the rodata and descriptor blobs of `env` into `object`.
pub fn write_descriptor(
    object: &mut ObjectModule,
    options: &crate::CompileOptions,
    env: &ModuleEnv<'_>,
    layout: &VmctxLayout,
    symbols: SymbolIds,
    compiled: &[CompiledFunction<'_>],
) -> Result<(), CompileError> {
    let prefix = options.symbol_prefix.as_str();
    let stubbed_imports = &options.stubbed_imports;
    let big_endian = options.triple.endianness() == Ok(Endianness::Big);
    let mut ro = Blob::new(big_endian);
    let mut d = Blob::new(big_endian);
    // The w2e_module struct comes first; its array pointers are patched below.
    d.bytes.resize(MODULE_SIZE, 0);

    let const_expr = |ro: &mut Blob, ops: &[ConstOp]| -> (Option<u32>, u32) {
        if ops.is_empty() {
            return (None, 0);
        }
        ro.align(8);
        let at = ro.offset();
        for op in ops {
            ro.u32(op.opcode);
            ro.u32(op.index);
            ro.u64(op.lo);
            ro.u64(op.hi);
        }
        (Some(at), ops.len() as u32)
    };
    let write_const_expr = |d: &mut Blob, (ops, n): (Option<u32>, u32)| {
        d.rodata_ptr(ops);
        d.u32(n);
        d.u32(0);
    };

    // types
    d.align(8);
    let types_at = d.offset();
    for (index, ty) in env.types.iter().enumerate() {
        let kinds: Vec<u8> = ty
            .params()
            .iter()
            .chain(ty.results())
            .map(|&t| value_kind(t))
            .collect();
        let kinds_at = ro.raw(&kinds);
        d.u64(type_id(ty));
        d.u32(ty.params().len() as u32);
        d.u32(ty.results().len() as u32);
        d.rodata_ptr(kinds_at);
        d.func_ptr(symbols.trampoline(index as u32));
    }
    // imports (a stubbed function import gets its own kind: nothing to resolve)
    let imports_at = d.offset();
    let mut func_index = 0;
    for import in &env.imports {
        let stubbed = import.kind == 0 && stubbed_imports.contains_key(&func_index);
        func_index += u32::from(import.kind == 0);
        let module_at = ro.raw(import.module.as_bytes());
        let name_at = ro.raw(import.name.as_bytes());
        d.rodata_ptr(module_at);
        d.rodata_ptr(name_at);
        d.u32(import.module.len() as u32);
        d.u32(import.name.len() as u32);
        d.u32(if stubbed {
            EXTERN_FUNC_STUB
        } else {
            import.kind
        });
        d.u32(import.index);
    }
    // funcs
    let funcs_at = d.offset();
    for (index, &type_index) in env.func_types.iter().enumerate() {
        let name = &env.func_names[index];
        let name_at = ro.raw(name.as_bytes());
        let code_size = compiled[index].code_size;
        d.func_ptr(symbols.func(index as u32));
        d.u32(type_index);
        d.u32(code_size);
        d.rodata_ptr(name_at);
        d.u32(name.len() as u32);
        d.u32(0);
    }
    // tables
    let tables_at = d.offset();
    for table in &env.tables {
        d.u32(value_kind(wasmparser::ValType::Ref(table.ty.element_type)) as u32);
        d.u32(table.ty.maximum.is_some() as u32);
        d.u32(table.ty.initial as u32);
        d.u32(
            table
                .ty
                .maximum
                .unwrap_or(u64::from(u32::MAX))
                .min(u64::from(u32::MAX)) as u32,
        );
        let init = const_expr(&mut ro, &table.init);
        write_const_expr(&mut d, init);
    }
    // memories
    let memories_at = d.offset();
    for memory in &env.memories {
        d.u32(memory.initial as u32);
        d.u32(memory.maximum.unwrap_or(65536).min(65536) as u32);
        d.u32(memory.maximum.is_some() as u32);
        d.u32(memory.shared as u32);
    }
    // globals
    let globals_at = d.offset();
    for global in &env.globals {
        d.u32(value_kind(global.ty.content_type) as u32);
        d.u32(global.ty.mutable as u32);
        let init = const_expr(&mut ro, &global.init);
        write_const_expr(&mut d, init);
    }
    // tags
    d.align(8);
    let tags_at = d.offset();
    for &type_index in &env.tags {
        d.u32(type_index);
        d.u32(0);
    }
    // exports
    d.align(8);
    let exports_at = d.offset();
    for export in &env.exports {
        let name_at = ro.raw(export.name.as_bytes());
        d.rodata_ptr(name_at);
        d.u32(export.name.len() as u32);
        d.u32(export.kind);
        d.u32(export.index);
        d.u32(0);
    }
    // element segments: their item expressions first, then the segment structs
    let mut item_arrays = Vec::new();
    for elem in &env.elems {
        let exprs: Vec<_> = elem
            .items
            .iter()
            .map(|ops| const_expr(&mut ro, ops))
            .collect();
        d.align(8);
        let at = (!exprs.is_empty()).then(|| d.offset());
        for expr in exprs {
            write_const_expr(&mut d, expr);
        }
        item_arrays.push(at);
    }
    d.align(8);
    let elems_at = d.offset();
    for (elem, items_at) in env.elems.iter().zip(item_arrays) {
        d.u32(segment_mode(elem.mode));
        d.u32(elem.table_index);
        let offset = const_expr(&mut ro, &elem.offset);
        write_const_expr(&mut d, offset);
        d.u32(value_kind(wasmparser::ValType::Ref(elem.elem_type)) as u32);
        d.u32(elem.items.len() as u32);
        d.descriptor_ptr(items_at);
    }
    // data segments
    let datas_at = d.offset();
    for data in &env.datas {
        d.u32(segment_mode(data.mode));
        d.u32(data.memory_index);
        let offset = const_expr(&mut ro, &data.offset);
        write_const_expr(&mut d, offset);
        let bytes_at = ro.raw(data.bytes);
        d.rodata_ptr(bytes_at);
        d.u32(data.bytes.len() as u32);
        d.u32(0);
    }
    // trap table (rodata: no pointers)
    ro.align(4);
    let mut num_traps = 0u32;
    let traps_at = ro.offset();
    for (index, function) in compiled.iter().enumerate() {
        for &(offset, kind) in function.traps {
            ro.u32(index as u32);
            ro.u32(offset);
            ro.u32(kind as u32);
            num_traps += 1;
        }
    }
    // exception call sites (rodata: no pointers)
    let mut num_call_sites = 0u32;
    let call_sites_at = ro.offset();
    for (index, function) in compiled.iter().enumerate() {
        for site in function.call_sites {
            ro.u32(index as u32);
            ro.u32(site.ret_offset);
            ro.u32(site.frame_offset);
            ro.u32(site.handler_offset);
            num_call_sites += 1;
        }
    }
    let module_name_at = ro.raw(env.module_name.as_bytes());

    // The w2e_module struct.
    let mut m = Blob::new(big_endian);
    let count = |n: usize| n as u32;
    let some_if = |n: usize, at: u32| (n > 0).then_some(at);
    for value in [
        ABI_VERSION,
        layout.size,
        layout.func_refs,
        layout.defined_func_refs,
        layout.tables,
        layout.imported_globals,
        layout.defined_globals,
        layout.tags,
    ] {
        m.u32(value);
    }
    m.descriptor_ptr(some_if(env.types.len(), types_at));
    m.descriptor_ptr(some_if(env.imports.len(), imports_at));
    m.descriptor_ptr(some_if(env.func_types.len(), funcs_at));
    m.descriptor_ptr(some_if(env.tables.len(), tables_at));
    m.descriptor_ptr(some_if(env.memories.len(), memories_at));
    m.descriptor_ptr(some_if(env.globals.len(), globals_at));
    m.descriptor_ptr(some_if(env.tags.len(), tags_at));
    m.descriptor_ptr(some_if(env.exports.len(), exports_at));
    m.descriptor_ptr(some_if(env.elems.len(), elems_at));
    m.descriptor_ptr(some_if(env.datas.len(), datas_at));
    m.rodata_ptr((num_traps > 0).then_some(traps_at));
    m.rodata_ptr(module_name_at);
    for value in [
        count(env.types.len()),
        count(env.imports.len()),
        count(env.func_types.len()),
        env.num_imported_funcs,
        count(env.tables.len()),
        env.num_imported_tables,
        count(env.memories.len()),
        env.num_imported_memories,
        count(env.globals.len()),
        env.num_imported_globals,
        count(env.tags.len()),
        env.num_imported_tags,
        count(env.exports.len()),
        count(env.elems.len()),
        count(env.datas.len()),
        num_traps,
        env.start.unwrap_or(u32::MAX),
        count(env.module_name.len()),
        layout.host_code,
        num_call_sites,
    ] {
        m.u32(value);
    }
    m.rodata_ptr((num_call_sites > 0).then_some(call_sites_at));
    assert_eq!(
        m.bytes.len(),
        MODULE_SIZE,
        "w2e_module is {MODULE_SIZE} bytes"
    );
    d.bytes[..MODULE_SIZE].copy_from_slice(&m.bytes);
    d.relocs.extend(m.relocs);

    define(object, prefix, ro, d)
}

/// `sizeof(w2e_module)`.
const MODULE_SIZE: usize = 216;

/// `W2E_EXTERN_FUNC_STUB`: an import the compiler replaced with a stub.
const EXTERN_FUNC_STUB: u32 = 5;

fn segment_mode(mode: SegmentMode) -> u32 {
    match mode {
        SegmentMode::Active => 0,
        SegmentMode::Passive => 1,
        SegmentMode::Declarative => 2,
    }
}

fn define(object: &mut ObjectModule, prefix: &str, ro: Blob, d: Blob) -> Result<(), CompileError> {
    use cranelift_module::Linkage;
    let ro_id: DataId = object
        .declare_data(&format!("{prefix}rodata"), Linkage::Local, false, false)
        .map_err(module_error)?;
    let d_id: DataId = object
        .declare_data(&format!("{prefix}module"), Linkage::Export, true, false)
        .map_err(module_error)?;

    let mut ro_desc = DataDescription::new();
    // A zero-length object would alias its neighbour: keep at least one byte.
    let mut ro_bytes = ro.bytes;
    if ro_bytes.is_empty() {
        ro_bytes.push(0);
    }
    ro_desc.define(ro_bytes.into_boxed_slice());
    ro_desc.set_align(16);
    object.define_data(ro_id, &ro_desc).map_err(module_error)?;

    let mut desc = DataDescription::new();
    desc.define(d.bytes.into_boxed_slice());
    desc.set_align(16);
    let ro_gv = object.declare_data_in_data(ro_id, &mut desc);
    let d_gv = object.declare_data_in_data(d_id, &mut desc);
    for reloc in d.relocs {
        match reloc {
            Reloc::Rodata(at, target) => desc.write_data_addr(at, ro_gv, i64::from(target)),
            Reloc::Descriptor(at, target) => desc.write_data_addr(at, d_gv, i64::from(target)),
            Reloc::Func(at, func_id) => {
                let func_ref = object.declare_func_in_data(FuncId::from_u32(func_id), &mut desc);
                desc.write_function_addr(at, func_ref);
            }
        }
    }
    object.define_data(d_id, &desc).map_err(module_error)
}
