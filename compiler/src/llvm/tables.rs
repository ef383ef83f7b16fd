//! Globals, references and tables.
//!
//! A defined global lives inline in the vmctx; an imported one behind a pointer the vmctx
//! holds. A funcref is a `w2e_funcref *` (the vmctx's `func_refs` array has one per
//! function), null is 0. Table accesses check the index against the table's current size
//! (`w2e_table.size`); the bulk table operators are runtime builtins that check themselves.

use super::func::{FuncTranslator, TranslateResult};
use super::ir;
use crate::abi::structs;
use crate::abi::{Builtin, TrapKind};
use crate::layout::GlobalLocation;
use wasmparser::{Operator, ValType};

impl FuncTranslator<'_> {
    /// A pointer to global `index`'s value.
    fn global_ptr(&mut self, index: u32) -> String {
        match self.m.layout.global(index) {
            GlobalLocation::Inline(offset) => self.vmctx_field(i64::from(offset)),
            GlobalLocation::Imported(offset) => self.load_invariant_ptr(i64::from(offset)),
        }
    }

    /// The `w2e_table *` of table `index` (fixed for the instance's lifetime).
    pub fn table_ptr(&mut self, index: u32) -> String {
        self.load_invariant_ptr(i64::from(self.m.layout.table(index)))
    }

    /// `table->size` (a uint32_t after the elements pointer).
    pub fn table_size(&mut self, table: &str) -> String {
        let size_offset = self.target.offset(&structs::TABLE, "size");
        let at = self.inst(format!("getelementptr i8, ptr {table}, i64 {size_offset}"));
        self.inst(format!("load i32, ptr {at}"))
    }

    /// The address of element `index` of `table`, after checking it against the size
    /// (trapping `kind` when out of bounds).
    pub fn table_slot(&mut self, table: &str, index: &str, kind: TrapKind) -> String {
        let size = self.table_size(table);
        let out = self.inst(format!("icmp uge i32 {index}, {size}"));
        self.trap_if(&out, kind);
        debug_assert_eq!(self.target.offset(&structs::TABLE, "elements"), 0);
        let elements = self.inst(format!("load ptr, ptr {table}"));
        let wide = self.inst(format!("zext i32 {index} to i64"));
        self.inst(format!("getelementptr ptr, ptr {elements}, i64 {wide}"))
    }

    /// The `w2e_funcref *` of function `index`.
    pub fn func_ref(&mut self, index: u32) -> String {
        self.load_invariant_ptr(i64::from(self.m.layout.func_ref(index)))
    }

    /// Global, reference and table operators; false when `op` is not one.
    pub fn translate_table_op(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        use Operator as O;
        match op {
            O::GlobalGet { global_index } => {
                let ty = self.m.env.globals[*global_index as usize].ty.content_type;
                let at = self.global_ptr(*global_index);
                let v = self.inst(format!("load {}, ptr {at}, !tbaa !6", ir::ty(ty)));
                self.push(v, ty);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                let ty = self.m.env.globals[*global_index as usize].ty.content_type;
                let at = self.global_ptr(*global_index);
                // Volatile: a linear-memory access that traps (by fault) is a volatile load,
                // which LLVM assumes returns, so it deleted a plain store that a later
                // `global.set` overwrote, and the global kept its old value after the trap
                // (tests/fuzz-regressions/llvm-global-set-before-trap.wat). Loads of the global
                // still forward from it.
                self.emit(format!(
                    "store volatile {} {}, ptr {at}, !tbaa !6",
                    ir::ty(ty),
                    v.repr
                ));
            }
            O::RefNull { hty } => {
                let ty = wasmparser::RefType::new(true, *hty).expect("validated ref type");
                self.push("null".into(), ValType::Ref(ty));
            }
            O::RefIsNull => {
                let v = self.pop();
                let c = self.inst(format!("icmp eq ptr {}, null", v.repr));
                let r = self.inst(format!("zext i1 {c} to i32"));
                self.push(r, ValType::I32);
            }
            O::RefFunc { function_index } => {
                let v = self.func_ref(*function_index);
                self.push(v, ValType::FUNCREF);
            }
            O::TableGet { table } => {
                let index = self.pop();
                let t = self.table_ptr(*table);
                let slot = self.table_slot(&t, &index.repr, TrapKind::TableOutOfBounds);
                let v = self.inst(format!("load ptr, ptr {slot}"));
                let ty = self.m.env.tables[*table as usize].ty.element_type;
                self.push(v, ValType::Ref(ty));
            }
            O::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                let t = self.table_ptr(*table);
                let slot = self.table_slot(&t, &index.repr, TrapKind::TableOutOfBounds);
                self.emit(format!("store ptr {}, ptr {slot}", value.repr));
            }
            O::TableSize { table } => {
                let t = self.table_ptr(*table);
                let v = self.table_size(&t);
                self.push(v, ValType::I32);
            }
            O::TableGrow { table } => {
                let delta = self.pop();
                let init = self.pop();
                let v = self.call_builtin(
                    Builtin::TableGrow,
                    &[
                        ("i32", table.to_string()),
                        ("ptr", init.repr),
                        ("i32", delta.repr),
                    ],
                );
                self.push(v.expect("table.grow returns"), ValType::I32);
            }
            O::TableFill { table } => {
                let len = self.pop();
                let value = self.pop();
                let dst = self.pop();
                self.call_builtin(
                    Builtin::TableFill,
                    &[
                        ("i32", table.to_string()),
                        ("i32", dst.repr),
                        ("ptr", value.repr),
                        ("i32", len.repr),
                    ],
                );
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let [d, s, n] = <[_; 3]>::try_from(self.popn(3)).expect("three operands");
                self.call_builtin(
                    Builtin::TableCopy,
                    &[
                        ("i32", dst_table.to_string()),
                        ("i32", src_table.to_string()),
                        ("i32", d.repr),
                        ("i32", s.repr),
                        ("i32", n.repr),
                    ],
                );
            }
            O::TableInit { elem_index, table } => {
                let [d, s, n] = <[_; 3]>::try_from(self.popn(3)).expect("three operands");
                self.call_builtin(
                    Builtin::TableInit,
                    &[
                        ("i32", table.to_string()),
                        ("i32", elem_index.to_string()),
                        ("i32", d.repr),
                        ("i32", s.repr),
                        ("i32", n.repr),
                    ],
                );
            }
            O::ElemDrop { elem_index } => {
                self.call_builtin(Builtin::ElemDrop, &[("i32", elem_index.to_string())]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
