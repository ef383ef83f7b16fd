//! Puts the shared descriptor's data objects (`crate::descriptor`) into a cranelift-object
//! module: bytes as they are, each pointer as a data or function relocation.

use super::module_error;
use crate::CompileError;
use crate::descriptor::{DataObject, Descriptor, Target};
use crate::layout::SymbolIds;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::ObjectModule;

/// Declares and defines the rodata and module objects of `descriptor`.
pub fn define_descriptor(
    object: &mut ObjectModule,
    descriptor: Descriptor,
    symbols: SymbolIds,
) -> Result<(), CompileError> {
    let declare = |object: &mut ObjectModule, data: &DataObject| -> Result<DataId, CompileError> {
        let linkage = if data.exported {
            Linkage::Export
        } else {
            Linkage::Local
        };
        object
            .declare_data(&data.name, linkage, data.exported, false)
            .map_err(module_error)
    };
    let ro_id = declare(object, &descriptor.rodata)?;
    let module_id = declare(object, &descriptor.module)?;
    for (id, data) in [(ro_id, descriptor.rodata), (module_id, descriptor.module)] {
        let mut desc = DataDescription::new();
        desc.set_align(u64::from(data.align));
        let ro_gv = object.declare_data_in_data(ro_id, &mut desc);
        let module_gv = object.declare_data_in_data(module_id, &mut desc);
        for reloc in &data.relocs {
            let func = |index| FuncId::from_u32(index);
            match reloc.target {
                Target::Rodata(at) => desc.write_data_addr(reloc.offset, ro_gv, i64::from(at)),
                Target::Module(at) => desc.write_data_addr(reloc.offset, module_gv, i64::from(at)),
                Target::Func(index) => {
                    let f = object.declare_func_in_data(func(symbols.func(index)), &mut desc);
                    desc.write_function_addr(reloc.offset, f);
                }
                Target::Trampoline(index) => {
                    let f = object.declare_func_in_data(func(symbols.trampoline(index)), &mut desc);
                    desc.write_function_addr(reloc.offset, f);
                }
            }
        }
        desc.define(data.bytes.into_boxed_slice());
        object.define_data(id, &desc).map_err(module_error)?;
    }
    Ok(())
}
