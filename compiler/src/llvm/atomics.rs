//! The threads proposal's instructions as LLVM atomics: loads, stores, read-modify-writes,
//! compare-exchange (all `seq_cst`), fences, and wait/notify through the runtime's builtins.
//!
//! An executable runs one thread, so a shared memory behaves like any other. Atomic accesses
//! must be naturally aligned: a misaligned address traps "unaligned atomic", even when it is
//! also out of bounds (wasmtime's and the reference interpreter's order). Aligned accesses out
//! of bounds fault on the guard region like any other access, or fail the bounds check on
//! targets without guard pages. Atomic accesses are `seq_cst` and, like plain ones
//! (memory.rs), volatile: LLVM turns an idempotent read-modify-write whose result is unused
//! (`i32.atomic.rmw.add` of 0, say) into a fence that does not touch memory, so an access out of
//! bounds did not trap (fuzz seed 856).

use super::func::{FuncTranslator, TranslateResult};
use crate::abi::{Builtin, TrapKind};
use wasmparser::{MemArg, Operator, ValType};

#[derive(Clone, Copy)]
enum Action {
    Load,
    Store,
    Rmw(&'static str),
    Cmpxchg,
}

impl FuncTranslator<'_> {
    /// `index + offset` as an i64, trapping "unaligned atomic" when misaligned, before any
    /// bounds check (the reference interpreter's and wasmtime's order, as in the Cranelift
    /// backend). Aligned accesses out of bounds fault on the guard region like any other
    /// access; targets without guard pages check here.
    fn atomic_effective(&mut self, memarg: &MemArg, index: &str, bytes: u32) -> String {
        let wide = self.inst(format!("zext i32 {index} to i64"));
        let effective = self.inst(format!("add i64 {wide}, {}", memarg.offset));
        if bytes > 1 {
            let low = self.inst(format!("and i64 {effective}, {}", bytes - 1));
            let misaligned = self.inst(format!("icmp ne i64 {low}, 0"));
            self.trap_if(&misaligned, TrapKind::UnalignedAtomic);
        }
        if !self.target.guard_pages {
            self.bounds_check(&effective, u64::from(bytes));
        }
        effective
    }

    /// The address wait and notify pass to the runtime: checked against the memory's size
    /// here, since `index + offset` may not fit the 32 bits the runtime takes.
    fn atomic_runtime_address(&mut self, memarg: &MemArg, index: &str, bytes: u32) -> String {
        let effective = self.atomic_effective(memarg, index, bytes);
        if self.target.guard_pages {
            self.bounds_check(&effective, u64::from(bytes));
        }
        self.inst(format!("trunc i64 {effective} to i32"))
    }

    fn atomic_access(&mut self, memarg: &MemArg, action: Action, ty: ValType, bytes: u32) {
        let ity = if ty == ValType::I64 { "i64" } else { "i32" };
        let bits = bytes * 8;
        let (operand, replacement) = match action {
            Action::Load => (None, None),
            Action::Store | Action::Rmw(_) => (Some(self.pop()), None),
            Action::Cmpxchg => {
                let replacement = self.pop();
                (Some(self.pop()), Some(replacement))
            }
        };
        let index = self.pop();
        let effective = self.atomic_effective(memarg, &index.repr, bytes);
        let base = self.memory_base();
        let at = self.inst(format!("getelementptr i8, ptr {base}, i64 {effective}"));
        let narrow = |t: &mut Self, v: &str| {
            if bits < if ity == "i64" { 64 } else { 32 } {
                t.inst(format!("trunc {ity} {v} to i{bits}"))
            } else {
                v.to_string()
            }
        };
        // Linear memory is little-endian: big-endian targets swap values on their way in
        // and out (the executable runs one thread, so a read-modify-write there may be a
        // load, the operation in the CPU's order, and a store).
        let loaded = match action {
            Action::Load => {
                let raw = self.inst(format!(
                    "load atomic volatile i{bits}, ptr {at} seq_cst, align {bytes}"
                ));
                Some(self.swap_on_big_endian(&raw, bits))
            }
            Action::Store => {
                let v = narrow(self, &operand.expect("store operand").repr);
                let v = self.swap_on_big_endian(&v, bits);
                self.emit(format!(
                    "store atomic volatile i{bits} {v}, ptr {at} seq_cst, align {bytes}"
                ));
                None
            }
            Action::Rmw(op) if self.target.big_endian && bits > 8 => {
                let v = narrow(self, &operand.expect("rmw operand").repr);
                let raw = self.inst(format!(
                    "load atomic volatile i{bits}, ptr {at} seq_cst, align {bytes}"
                ));
                let old = self.swap_on_big_endian(&raw, bits);
                let new = if op == "xchg" {
                    v
                } else {
                    self.inst(format!("{op} i{bits} {old}, {v}"))
                };
                let new = self.swap_on_big_endian(&new, bits);
                self.emit(format!(
                    "store atomic volatile i{bits} {new}, ptr {at} seq_cst, align {bytes}"
                ));
                Some(old)
            }
            Action::Rmw(op) => {
                let v = narrow(self, &operand.expect("rmw operand").repr);
                Some(self.inst(format!(
                    "atomicrmw volatile {op} ptr {at}, i{bits} {v} seq_cst, align {bytes}"
                )))
            }
            Action::Cmpxchg => {
                let expected = narrow(self, &operand.expect("expected").repr);
                let expected = self.swap_on_big_endian(&expected, bits);
                let new = narrow(self, &replacement.expect("replacement").repr);
                let new = self.swap_on_big_endian(&new, bits);
                let pair = self.inst(format!(
                    "cmpxchg volatile ptr {at}, i{bits} {expected}, i{bits} {new} seq_cst seq_cst, align {bytes}"
                ));
                let raw = self.inst(format!("extractvalue {{ i{bits}, i1 }} {pair}, 0"));
                Some(self.swap_on_big_endian(&raw, bits))
            }
        };
        if let Some(v) = loaded {
            let v = if bits < if ity == "i64" { 64 } else { 32 } {
                self.inst(format!("zext i{bits} {v} to {ity}"))
            } else {
                v
            };
            self.push(v, ty);
        }
    }

    /// Threads-proposal operators; false when `op` is not one.
    pub fn translate_atomic(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        use Action::{Cmpxchg, Load, Rmw, Store};
        use Operator as O;
        use ValType::{I32, I64};
        let (memarg, action, ty, bytes) = match *op {
            O::AtomicFence { .. } => {
                self.emit("fence seq_cst");
                return Ok(true);
            }
            O::MemoryAtomicNotify { memarg } => {
                let count = self.pop();
                let index = self.pop();
                let address = self.atomic_runtime_address(&memarg, &index.repr, 4);
                self.has_calls = true;
                let woken = self.call_builtin(
                    Builtin::AtomicNotify,
                    &[("i32", address), ("i32", count.repr)],
                );
                self.push(woken.expect("notify returns a count"), I32);
                return Ok(true);
            }
            O::MemoryAtomicWait32 { memarg } | O::MemoryAtomicWait64 { memarg } => {
                let timeout = self.pop();
                let expected = self.pop();
                let index = self.pop();
                let is_64 = matches!(op, O::MemoryAtomicWait64 { .. });
                let address =
                    self.atomic_runtime_address(&memarg, &index.repr, if is_64 { 8 } else { 4 });
                let (builtin, expected_ty) = if is_64 {
                    (Builtin::AtomicWait64, "i64")
                } else {
                    (Builtin::AtomicWait32, "i32")
                };
                self.has_calls = true;
                let result = self.call_builtin(
                    builtin,
                    &[
                        ("i32", address),
                        (expected_ty, expected.repr),
                        ("i64", timeout.repr),
                    ],
                );
                self.push(result.expect("wait returns a status"), I32);
                return Ok(true);
            }
            O::I32AtomicLoad { memarg } => (memarg, Load, I32, 4),
            O::I64AtomicLoad { memarg } => (memarg, Load, I64, 8),
            O::I32AtomicLoad8U { memarg } => (memarg, Load, I32, 1),
            O::I32AtomicLoad16U { memarg } => (memarg, Load, I32, 2),
            O::I64AtomicLoad8U { memarg } => (memarg, Load, I64, 1),
            O::I64AtomicLoad16U { memarg } => (memarg, Load, I64, 2),
            O::I64AtomicLoad32U { memarg } => (memarg, Load, I64, 4),
            O::I32AtomicStore { memarg } => (memarg, Store, I32, 4),
            O::I64AtomicStore { memarg } => (memarg, Store, I64, 8),
            O::I32AtomicStore8 { memarg } => (memarg, Store, I32, 1),
            O::I32AtomicStore16 { memarg } => (memarg, Store, I32, 2),
            O::I64AtomicStore8 { memarg } => (memarg, Store, I64, 1),
            O::I64AtomicStore16 { memarg } => (memarg, Store, I64, 2),
            O::I64AtomicStore32 { memarg } => (memarg, Store, I64, 4),
            O::I32AtomicRmwCmpxchg { memarg } => (memarg, Cmpxchg, I32, 4),
            O::I64AtomicRmwCmpxchg { memarg } => (memarg, Cmpxchg, I64, 8),
            O::I32AtomicRmw8CmpxchgU { memarg } => (memarg, Cmpxchg, I32, 1),
            O::I32AtomicRmw16CmpxchgU { memarg } => (memarg, Cmpxchg, I32, 2),
            O::I64AtomicRmw8CmpxchgU { memarg } => (memarg, Cmpxchg, I64, 1),
            O::I64AtomicRmw16CmpxchgU { memarg } => (memarg, Cmpxchg, I64, 2),
            O::I64AtomicRmw32CmpxchgU { memarg } => (memarg, Cmpxchg, I64, 4),
            _ => match rmw(op) {
                Some((memarg, name, ty, bytes)) => (memarg, Rmw(name), ty, bytes),
                None => return Ok(false),
            },
        };
        self.atomic_access(&memarg, action, ty, bytes);
        Ok(true)
    }
}

/// The read-modify-write operators: (memarg, LLVM `atomicrmw` operation, type, bytes).
fn rmw(op: &Operator<'_>) -> Option<(MemArg, &'static str, ValType, u32)> {
    use Operator as O;
    use ValType::{I32, I64};
    Some(match *op {
        O::I32AtomicRmwAdd { memarg } => (memarg, "add", I32, 4),
        O::I64AtomicRmwAdd { memarg } => (memarg, "add", I64, 8),
        O::I32AtomicRmw8AddU { memarg } => (memarg, "add", I32, 1),
        O::I32AtomicRmw16AddU { memarg } => (memarg, "add", I32, 2),
        O::I64AtomicRmw8AddU { memarg } => (memarg, "add", I64, 1),
        O::I64AtomicRmw16AddU { memarg } => (memarg, "add", I64, 2),
        O::I64AtomicRmw32AddU { memarg } => (memarg, "add", I64, 4),
        O::I32AtomicRmwSub { memarg } => (memarg, "sub", I32, 4),
        O::I64AtomicRmwSub { memarg } => (memarg, "sub", I64, 8),
        O::I32AtomicRmw8SubU { memarg } => (memarg, "sub", I32, 1),
        O::I32AtomicRmw16SubU { memarg } => (memarg, "sub", I32, 2),
        O::I64AtomicRmw8SubU { memarg } => (memarg, "sub", I64, 1),
        O::I64AtomicRmw16SubU { memarg } => (memarg, "sub", I64, 2),
        O::I64AtomicRmw32SubU { memarg } => (memarg, "sub", I64, 4),
        O::I32AtomicRmwAnd { memarg } => (memarg, "and", I32, 4),
        O::I64AtomicRmwAnd { memarg } => (memarg, "and", I64, 8),
        O::I32AtomicRmw8AndU { memarg } => (memarg, "and", I32, 1),
        O::I32AtomicRmw16AndU { memarg } => (memarg, "and", I32, 2),
        O::I64AtomicRmw8AndU { memarg } => (memarg, "and", I64, 1),
        O::I64AtomicRmw16AndU { memarg } => (memarg, "and", I64, 2),
        O::I64AtomicRmw32AndU { memarg } => (memarg, "and", I64, 4),
        O::I32AtomicRmwOr { memarg } => (memarg, "or", I32, 4),
        O::I64AtomicRmwOr { memarg } => (memarg, "or", I64, 8),
        O::I32AtomicRmw8OrU { memarg } => (memarg, "or", I32, 1),
        O::I32AtomicRmw16OrU { memarg } => (memarg, "or", I32, 2),
        O::I64AtomicRmw8OrU { memarg } => (memarg, "or", I64, 1),
        O::I64AtomicRmw16OrU { memarg } => (memarg, "or", I64, 2),
        O::I64AtomicRmw32OrU { memarg } => (memarg, "or", I64, 4),
        O::I32AtomicRmwXor { memarg } => (memarg, "xor", I32, 4),
        O::I64AtomicRmwXor { memarg } => (memarg, "xor", I64, 8),
        O::I32AtomicRmw8XorU { memarg } => (memarg, "xor", I32, 1),
        O::I32AtomicRmw16XorU { memarg } => (memarg, "xor", I32, 2),
        O::I64AtomicRmw8XorU { memarg } => (memarg, "xor", I64, 1),
        O::I64AtomicRmw16XorU { memarg } => (memarg, "xor", I64, 2),
        O::I64AtomicRmw32XorU { memarg } => (memarg, "xor", I64, 4),
        O::I32AtomicRmwXchg { memarg } => (memarg, "xchg", I32, 4),
        O::I64AtomicRmwXchg { memarg } => (memarg, "xchg", I64, 8),
        O::I32AtomicRmw8XchgU { memarg } => (memarg, "xchg", I32, 1),
        O::I32AtomicRmw16XchgU { memarg } => (memarg, "xchg", I32, 2),
        O::I64AtomicRmw8XchgU { memarg } => (memarg, "xchg", I64, 1),
        O::I64AtomicRmw16XchgU { memarg } => (memarg, "xchg", I64, 2),
        O::I64AtomicRmw32XchgU { memarg } => (memarg, "xchg", I64, 4),
        _ => return None,
    })
}
