//! Linear memory: loads, stores, `memory.size`/`memory.grow` and the bulk-memory builtins.
//!
//! On 64-bit targets every memory reserves 4 GiB plus a 4 GiB guard region, so the address is
//! `base + zext(index) + offset` with no check: an access outside the accessible part faults,
//! and the runtime turns a fault inside a reservation into the out-of-bounds trap. 32-bit
//! targets cannot reserve that much: there each access compares its end with the memory's
//! current size first (`bounds_check`), and the base is reloaded, since growing may move it.
//! Linear memory is little-endian: big-endian targets byte-swap every access.
//!
//! Every access to linear memory is `volatile`, `align 1`, with the TBAA tag of linear memory:
//! - `volatile`: an access may trap (a fault on the guard region, or on 32-bit targets the
//!   bounds check before it), and LLVM does not know it. It would delete a plain load whose
//!   value ends up unused (after a later trap made the rest of the block dead, say), sink it
//!   past a later trap check into the only block that uses it, or let the scheduler swap it
//!   with a store it proves distinct; any of these lets a later trap or side effect win over
//!   the load's trap. LLVM keeps volatile accesses, in program order relative to each other
//!   and to every call, and its alias analysis treats them as touching all memory, so no
//!   store (global, table) moves across them either. The cost on the benchmarks is within
//!   the noise (the wasm was optimized before us: few redundant accesses are left).
//! - `align 1`: wasm's alignment is a hint the address may break, while LLVM's `align` is a
//!   promise (a misaligned access would be undefined behaviour, a fault on strict-alignment
//!   CPUs). LLVM raises it where it proves more from the address (the base is 16-aligned:
//!   `!align` on its load); x86_64 and aarch64 run unaligned accesses at full speed anyway.

use super::func::{FuncTranslator, TranslateResult};
use super::ir;
use crate::abi::structs;
use crate::abi::{Builtin, TrapKind};
use wasmparser::{MemArg, Operator, ValType};

use ValType::{F32, F64, I32, I64};

impl FuncTranslator<'_> {
    /// The address of an access of `bytes` bytes at `index` (an i32) plus `memarg.offset`.
    pub(super) fn address(&mut self, index: &str, memarg: &MemArg, bytes: u32) -> String {
        let wide = self.inst(format!("zext i32 {index} to i64"));
        if !self.target.guard_pages {
            self.bounds_check(&wide, memarg.offset + u64::from(bytes));
        }
        let base = self.memory_base();
        let at = self.inst(format!("getelementptr i8, ptr {base}, i64 {wide}"));
        if memarg.offset == 0 {
            return at;
        }
        self.inst(format!("getelementptr i8, ptr {at}, i64 {}", memarg.offset))
    }

    /// Traps unless `wide + end <= memory->size` (targets without guard pages).
    pub(super) fn bounds_check(&mut self, wide: &str, end: u64) {
        let memory = self.memory_ptr();
        let size_offset = self.target.offset(&structs::MEMORY, "size");
        let size_at = self.inst(format!("getelementptr i8, ptr {memory}, i64 {size_offset}"));
        let size = self.inst(format!("load i64, ptr {size_at}"));
        let last = self.inst(format!("add i64 {wide}, {end}"));
        let out = self.inst(format!("icmp ugt i64 {last}, {size}"));
        self.trap_if(&out, TrapKind::MemoryOutOfBounds);
    }

    /// `vmctx->memory` (a `w2e_memory *`, fixed for the instance's lifetime).
    fn memory_ptr(&mut self) -> String {
        self.load_invariant_ptr(self.target.vmctx_offset("memory"))
    }

    /// Loads `bytes` bytes as an integer of that width, in the target's byte order.
    pub(super) fn load_int(&mut self, memarg: &MemArg, bytes: u32) -> String {
        let index = self.pop();
        let at = self.address(&index.repr, memarg, bytes);
        let bits = bytes * 8;
        let v = self.linear_load(&format!("i{bits}"), &at);
        self.swap_on_big_endian(&v, bits)
    }

    /// `v`, an integer of `bits` bits, byte-swapped on big-endian targets: linear memory is
    /// little-endian.
    pub(super) fn swap_on_big_endian(&mut self, v: &str, bits: u32) -> String {
        if !self.target.big_endian || bits <= 8 {
            return v.to_string();
        }
        let f = self.intrinsics.intrinsic(
            &format!("llvm.bswap.i{bits}"),
            &format!("i{bits}"),
            &[&format!("i{bits}")],
        );
        self.inst(format!("call i{bits} {f}(i{bits} {v})"))
    }

    /// A load of `bytes` bytes producing `t`, extended as `ext` ("sext"/"zext") when narrower.
    fn load(&mut self, memarg: &MemArg, bytes: u32, t: ValType, ext: &str) {
        let raw = self.load_int(memarg, bytes);
        let v = match t {
            F32 | F64 => self.inst(format!("bitcast i{} {raw} to {}", bytes * 8, ir::ty(t))),
            I32 | I64 if bytes * 8 < if t == I32 { 32 } else { 64 } => {
                self.inst(format!("{ext} i{} {raw} to {}", bytes * 8, ir::ty(t)))
            }
            _ => raw,
        };
        self.push(v, t);
    }

    pub(super) fn store(&mut self, memarg: &MemArg, bytes: u32) {
        let value = self.pop();
        let bits = bytes * 8;
        let mut raw = match value.ty {
            F32 | F64 => self.inst(format!(
                "bitcast {} {} to i{bits}",
                ir::ty(value.ty),
                value.repr
            )),
            I32 if bits < 32 => self.inst(format!("trunc i32 {} to i{bits}", value.repr)),
            I64 if bits < 64 => self.inst(format!("trunc i64 {} to i{bits}", value.repr)),
            _ => value.repr,
        };
        raw = self.swap_on_big_endian(&raw, bits);
        let index = self.pop();
        let at = self.address(&index.repr, memarg, bytes);
        self.linear_store(&format!("i{bits}"), &raw, &at);
    }

    /// Loads a `ty` from linear memory at `at` (see the module docs for the attributes).
    pub(super) fn linear_load(&mut self, ty: &str, at: &str) -> String {
        self.inst(format!("load volatile {ty}, ptr {at}, align 1, !tbaa !4"))
    }

    /// Stores `value` (a `ty`) into linear memory at `at`.
    pub(super) fn linear_store(&mut self, ty: &str, value: &str, at: &str) {
        self.emit(format!(
            "store volatile {ty} {value}, ptr {at}, align 1, !tbaa !4"
        ));
    }

    /// Calls builtin `builtin` with the vmctx and `args` (type, value) and returns its result.
    pub fn call_builtin(&mut self, builtin: Builtin, args: &[(&str, String)]) -> Option<String> {
        let ext = self.target.c_u32_ext;
        let mut list = vec!["ptr %vmctx".to_string()];
        for (ty, v) in args {
            if *ty == "i32" {
                list.push(format!("i32 {ext} {v}"));
            } else {
                list.push(format!("{ty} {v}"));
            }
        }
        let cc = self.target.builtin_cc;
        let (symbol, args) = (builtin.symbol(), list.join(", "));
        if builtin.decl().result.is_none() {
            self.emit(format!("call {cc} void @{symbol}({args})"));
            None
        } else {
            // Every builtin with a result returns a uint32_t.
            Some(self.inst(format!("call {cc} {ext} i32 @{symbol}({args})")))
        }
    }

    /// Memory operators; false when `op` is not one.
    pub fn translate_memory_op(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        use Operator as O;
        match op {
            O::I32Load { memarg } => self.load(memarg, 4, I32, ""),
            O::I64Load { memarg } => self.load(memarg, 8, I64, ""),
            O::F32Load { memarg } => self.load(memarg, 4, F32, ""),
            O::F64Load { memarg } => self.load(memarg, 8, F64, ""),
            O::I32Load8S { memarg } => self.load(memarg, 1, I32, "sext"),
            O::I32Load8U { memarg } => self.load(memarg, 1, I32, "zext"),
            O::I32Load16S { memarg } => self.load(memarg, 2, I32, "sext"),
            O::I32Load16U { memarg } => self.load(memarg, 2, I32, "zext"),
            O::I64Load8S { memarg } => self.load(memarg, 1, I64, "sext"),
            O::I64Load8U { memarg } => self.load(memarg, 1, I64, "zext"),
            O::I64Load16S { memarg } => self.load(memarg, 2, I64, "sext"),
            O::I64Load16U { memarg } => self.load(memarg, 2, I64, "zext"),
            O::I64Load32S { memarg } => self.load(memarg, 4, I64, "sext"),
            O::I64Load32U { memarg } => self.load(memarg, 4, I64, "zext"),
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
                self.store(memarg, 4)
            }
            O::I64Store { memarg } | O::F64Store { memarg } => self.store(memarg, 8),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, 1),
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, 2),
            O::MemorySize { .. } => {
                let memory = self.memory_ptr();
                let size_offset = self.target.offset(&structs::MEMORY, "size");
                let at = self.inst(format!("getelementptr i8, ptr {memory}, i64 {size_offset}"));
                let bytes = self.inst(format!("load i64, ptr {at}"));
                let pages = self.inst(format!("lshr i64 {bytes}, {}", crate::abi::PAGE_SIZE_LOG2));
                let v = self.inst(format!("trunc i64 {pages} to i32"));
                self.push(v, I32);
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop();
                self.has_calls = true;
                let v = self.call_builtin(Builtin::MemoryGrow, &[("i32", delta.repr)]);
                self.push(v.expect("memory.grow returns"), I32);
            }
            O::MemoryFill { .. } | O::MemoryCopy { .. } => {
                let [a, b, c] = <[_; 3]>::try_from(self.popn(3)).expect("three operands");
                let builtin = if matches!(op, O::MemoryFill { .. }) {
                    Builtin::MemoryFill
                } else {
                    Builtin::MemoryCopy
                };
                self.call_builtin(
                    builtin,
                    &[("i32", a.repr), ("i32", b.repr), ("i32", c.repr)],
                );
            }
            O::MemoryInit { data_index, .. } => {
                let [a, b, c] = <[_; 3]>::try_from(self.popn(3)).expect("three operands");
                self.call_builtin(
                    Builtin::MemoryInit,
                    &[
                        ("i32", data_index.to_string()),
                        ("i32", a.repr),
                        ("i32", b.repr),
                        ("i32", c.repr),
                    ],
                );
            }
            O::DataDrop { data_index } => {
                self.call_builtin(Builtin::DataDrop, &[("i32", data_index.to_string())]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
