//! Globals, references and tables.
//!
//! Defined globals live inline in the vmctx, imported ones behind a pointer. References are
//! pointers (null is 0): a funcref points at a `w2e_funcref`. Table element access is inlined
//! with an explicit bounds check; growing, filling, copying and initializing call the runtime.

use super::{FuncTranslator, ir_type, trusted};
use crate::abi::{Builtin, TrapKind, table};
use crate::layout::GlobalLocation;
use cranelift_codegen::ir::{
    Endianness, InstBuilder, MemFlagsData, Value,
    condcodes::IntCC,
    types::{I32, I64},
};
use wasmparser::{Operator, ValType};

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a global, reference or table instruction; returns whether it was.
    pub(super) fn translate_table(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match *op {
            O::GlobalGet { global_index } => {
                let (address, offset, flags, ty) = self.global_access(global_index);
                let value = self.builder.ins().load(ty, flags, address, offset);
                self.push(value);
            }
            O::GlobalSet { global_index } => {
                let value = self.pop();
                let (address, offset, flags, _) = self.global_access(global_index);
                self.builder.ins().store(flags, value, address, offset);
            }
            O::RefNull { .. } => {
                let null = self.builder.ins().iconst(I64, 0);
                self.push(null);
            }
            O::RefIsNull => {
                let reference = self.pop();
                let is_null = self.builder.ins().icmp_imm_u(IntCC::Equal, reference, 0);
                let value = self.builder.ins().uextend(I32, is_null);
                self.push(value);
            }
            O::RefFunc { function_index } => {
                let offset = self.module.layout.func_ref(function_index);
                let flags = trusted().with_readonly();
                let func_ref = self.builder.ins().load(I64, flags, self.vmctx, offset);
                self.push(func_ref);
            }
            O::TableGet { table } => {
                let index = self.pop();
                let slot = self.table_slot(table, index);
                let value = self.builder.ins().load(I64, trusted(), slot, 0);
                self.push(value);
            }
            O::TableSet { table } => {
                let (index, value) = self.pop2();
                let slot = self.table_slot(table, index);
                self.builder.ins().store(trusted(), value, slot, 0);
            }
            O::TableSize { table } => {
                let table_ptr = self.table_pointer(table);
                let size = self
                    .builder
                    .ins()
                    .load(I32, trusted(), table_ptr, table::SIZE);
                self.push(size);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let table = self.builder.ins().iconst(I32, i64::from(table));
                let old = self.call_builtin(Builtin::TableGrow, &[table, init, delta]);
                self.push(old.expect("table.grow returns the old size"));
            }
            O::TableFill { table } => {
                let (dst, value, len) = self.pop3();
                let table = self.builder.ins().iconst(I32, i64::from(table));
                self.call_builtin(Builtin::TableFill, &[table, dst, value, len]);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, len) = self.pop3();
                let dst_table = self.builder.ins().iconst(I32, i64::from(dst_table));
                let src_table = self.builder.ins().iconst(I32, i64::from(src_table));
                self.call_builtin(Builtin::TableCopy, &[dst_table, src_table, dst, src, len]);
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let table = self.builder.ins().iconst(I32, i64::from(table));
                let segment = self.builder.ins().iconst(I32, i64::from(elem_index));
                self.call_builtin(Builtin::TableInit, &[table, segment, dst, src, len]);
            }
            O::ElemDrop { elem_index } => {
                let segment = self.builder.ins().iconst(I32, i64::from(elem_index));
                self.call_builtin(Builtin::ElemDrop, &[segment]);
            }
            _ => return false,
        }
        true
    }

    /// Address, offset, flags and type of global `index`'s storage.
    fn global_access(
        &mut self,
        index: u32,
    ) -> (Value, i32, MemFlagsData, cranelift_codegen::ir::Type) {
        let global = &self.module.env.globals[index as usize];
        let content = global.ty.content_type;
        let mutable = global.ty.mutable;
        let mut flags = trusted();
        if !mutable {
            flags = flags.with_readonly();
        }
        if content == ValType::V128 {
            // w2e_value keeps v128 as 16 little-endian bytes on every target.
            flags = flags.with_endianness(Endianness::Little);
        }
        let (address, offset) = match self.module.layout.global(index) {
            GlobalLocation::Inline(offset) => (self.vmctx, offset),
            GlobalLocation::Imported(pointer_offset) => {
                let flags = trusted().with_readonly();
                let pointer = self
                    .builder
                    .ins()
                    .load(I64, flags, self.vmctx, pointer_offset);
                (pointer, 0)
            }
        };
        (address, offset, flags, ir_type(content))
    }

    /// Address of element `index` of `table`, trapping when it is out of bounds.
    fn table_slot(&mut self, table_index: u32, index: Value) -> Value {
        let table_ptr = self.table_pointer(table_index);
        let size = self
            .builder
            .ins()
            .load(I32, trusted(), table_ptr, table::SIZE);
        let out_of_bounds = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, size);
        self.trap_if(out_of_bounds, TrapKind::TableOutOfBounds);
        let elements = self
            .builder
            .ins()
            .load(I64, trusted(), table_ptr, table::ELEMENTS);
        let index = self.builder.ins().uextend(I64, index);
        let byte_offset = self.builder.ins().ishl_imm_u(index, 3);
        self.builder.ins().iadd(elements, byte_offset)
    }
}
