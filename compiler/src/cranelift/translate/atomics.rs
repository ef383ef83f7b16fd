//! The threads proposal's instructions: atomic loads, stores, read-modify-writes,
//! compare-exchange, fences, and wait/notify.
//!
//! A wasm2exe executable runs one thread, so a shared memory behaves like any other and these
//! instructions need only their single-threaded meaning; they still compile to real atomic
//! instructions, which cost little. Atomic accesses must be naturally aligned: a misaligned
//! address traps "unaligned atomic", even when it is also out of bounds (the reference
//! interpreter checks alignment first, and so does wasmtime: the differential fuzzer found the
//! other order, `tests/fuzz-regressions/atomic-unaligned-out-of-bounds.wat`).

use super::FuncTranslator;
use super::memory::heap_flags;
use crate::abi::{Builtin, TrapKind, memory, vmctx};
use crate::cranelift::traps::CraneliftTrap;
use cranelift_codegen::ir::{
    AtomicRmwOp, InstBuilder, Type, Value,
    condcodes::IntCC,
    types::{I8, I16, I32, I64},
};
use wasmparser::{MemArg, Operator};

/// What an atomic instruction does, with its wasm value type and its memory access width.
#[derive(Clone, Copy)]
enum Atomic {
    Load,
    Store,
    Rmw(AtomicRmwOp),
    Cmpxchg,
}

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a threads-proposal instruction; returns whether it was.
    pub(super) fn translate_atomic(&mut self, op: &Operator<'_>) -> bool {
        use Atomic::{Cmpxchg, Load, Rmw, Store};
        use AtomicRmwOp::{Add, And, Or, Sub, Xchg, Xor};
        use Operator as O;
        let (memarg, action, ty, access) = match *op {
            O::AtomicFence { .. } => {
                self.builder.ins().fence();
                return true;
            }
            O::MemoryAtomicNotify { memarg } => {
                let count = self.pop();
                let address = self.checked_atomic_index(&memarg, 4);
                let woken = self.call_builtin(Builtin::AtomicNotify, &[address, count]);
                self.push(woken.expect("notify returns a count"));
                return true;
            }
            O::MemoryAtomicWait32 { memarg } | O::MemoryAtomicWait64 { memarg } => {
                let (expected, timeout) = self.pop2();
                let is_64 = matches!(op, O::MemoryAtomicWait64 { .. });
                let address = self.checked_atomic_index(&memarg, if is_64 { 8 } else { 4 });
                let builtin = if is_64 {
                    Builtin::AtomicWait64
                } else {
                    Builtin::AtomicWait32
                };
                let result = self.call_builtin(builtin, &[address, expected, timeout]);
                self.push(result.expect("wait returns a status"));
                return true;
            }
            O::I32AtomicLoad { memarg } => (memarg, Load, I32, I32),
            O::I64AtomicLoad { memarg } => (memarg, Load, I64, I64),
            O::I32AtomicLoad8U { memarg } => (memarg, Load, I32, I8),
            O::I32AtomicLoad16U { memarg } => (memarg, Load, I32, I16),
            O::I64AtomicLoad8U { memarg } => (memarg, Load, I64, I8),
            O::I64AtomicLoad16U { memarg } => (memarg, Load, I64, I16),
            O::I64AtomicLoad32U { memarg } => (memarg, Load, I64, I32),
            O::I32AtomicStore { memarg } => (memarg, Store, I32, I32),
            O::I64AtomicStore { memarg } => (memarg, Store, I64, I64),
            O::I32AtomicStore8 { memarg } => (memarg, Store, I32, I8),
            O::I32AtomicStore16 { memarg } => (memarg, Store, I32, I16),
            O::I64AtomicStore8 { memarg } => (memarg, Store, I64, I8),
            O::I64AtomicStore16 { memarg } => (memarg, Store, I64, I16),
            O::I64AtomicStore32 { memarg } => (memarg, Store, I64, I32),
            O::I32AtomicRmwAdd { memarg } => (memarg, Rmw(Add), I32, I32),
            O::I64AtomicRmwAdd { memarg } => (memarg, Rmw(Add), I64, I64),
            O::I32AtomicRmw8AddU { memarg } => (memarg, Rmw(Add), I32, I8),
            O::I32AtomicRmw16AddU { memarg } => (memarg, Rmw(Add), I32, I16),
            O::I64AtomicRmw8AddU { memarg } => (memarg, Rmw(Add), I64, I8),
            O::I64AtomicRmw16AddU { memarg } => (memarg, Rmw(Add), I64, I16),
            O::I64AtomicRmw32AddU { memarg } => (memarg, Rmw(Add), I64, I32),
            O::I32AtomicRmwSub { memarg } => (memarg, Rmw(Sub), I32, I32),
            O::I64AtomicRmwSub { memarg } => (memarg, Rmw(Sub), I64, I64),
            O::I32AtomicRmw8SubU { memarg } => (memarg, Rmw(Sub), I32, I8),
            O::I32AtomicRmw16SubU { memarg } => (memarg, Rmw(Sub), I32, I16),
            O::I64AtomicRmw8SubU { memarg } => (memarg, Rmw(Sub), I64, I8),
            O::I64AtomicRmw16SubU { memarg } => (memarg, Rmw(Sub), I64, I16),
            O::I64AtomicRmw32SubU { memarg } => (memarg, Rmw(Sub), I64, I32),
            O::I32AtomicRmwAnd { memarg } => (memarg, Rmw(And), I32, I32),
            O::I64AtomicRmwAnd { memarg } => (memarg, Rmw(And), I64, I64),
            O::I32AtomicRmw8AndU { memarg } => (memarg, Rmw(And), I32, I8),
            O::I32AtomicRmw16AndU { memarg } => (memarg, Rmw(And), I32, I16),
            O::I64AtomicRmw8AndU { memarg } => (memarg, Rmw(And), I64, I8),
            O::I64AtomicRmw16AndU { memarg } => (memarg, Rmw(And), I64, I16),
            O::I64AtomicRmw32AndU { memarg } => (memarg, Rmw(And), I64, I32),
            O::I32AtomicRmwOr { memarg } => (memarg, Rmw(Or), I32, I32),
            O::I64AtomicRmwOr { memarg } => (memarg, Rmw(Or), I64, I64),
            O::I32AtomicRmw8OrU { memarg } => (memarg, Rmw(Or), I32, I8),
            O::I32AtomicRmw16OrU { memarg } => (memarg, Rmw(Or), I32, I16),
            O::I64AtomicRmw8OrU { memarg } => (memarg, Rmw(Or), I64, I8),
            O::I64AtomicRmw16OrU { memarg } => (memarg, Rmw(Or), I64, I16),
            O::I64AtomicRmw32OrU { memarg } => (memarg, Rmw(Or), I64, I32),
            O::I32AtomicRmwXor { memarg } => (memarg, Rmw(Xor), I32, I32),
            O::I64AtomicRmwXor { memarg } => (memarg, Rmw(Xor), I64, I64),
            O::I32AtomicRmw8XorU { memarg } => (memarg, Rmw(Xor), I32, I8),
            O::I32AtomicRmw16XorU { memarg } => (memarg, Rmw(Xor), I32, I16),
            O::I64AtomicRmw8XorU { memarg } => (memarg, Rmw(Xor), I64, I8),
            O::I64AtomicRmw16XorU { memarg } => (memarg, Rmw(Xor), I64, I16),
            O::I64AtomicRmw32XorU { memarg } => (memarg, Rmw(Xor), I64, I32),
            O::I32AtomicRmwXchg { memarg } => (memarg, Rmw(Xchg), I32, I32),
            O::I64AtomicRmwXchg { memarg } => (memarg, Rmw(Xchg), I64, I64),
            O::I32AtomicRmw8XchgU { memarg } => (memarg, Rmw(Xchg), I32, I8),
            O::I32AtomicRmw16XchgU { memarg } => (memarg, Rmw(Xchg), I32, I16),
            O::I64AtomicRmw8XchgU { memarg } => (memarg, Rmw(Xchg), I64, I8),
            O::I64AtomicRmw16XchgU { memarg } => (memarg, Rmw(Xchg), I64, I16),
            O::I64AtomicRmw32XchgU { memarg } => (memarg, Rmw(Xchg), I64, I32),
            O::I32AtomicRmwCmpxchg { memarg } => (memarg, Cmpxchg, I32, I32),
            O::I64AtomicRmwCmpxchg { memarg } => (memarg, Cmpxchg, I64, I64),
            O::I32AtomicRmw8CmpxchgU { memarg } => (memarg, Cmpxchg, I32, I8),
            O::I32AtomicRmw16CmpxchgU { memarg } => (memarg, Cmpxchg, I32, I16),
            O::I64AtomicRmw8CmpxchgU { memarg } => (memarg, Cmpxchg, I64, I8),
            O::I64AtomicRmw16CmpxchgU { memarg } => (memarg, Cmpxchg, I64, I16),
            O::I64AtomicRmw32CmpxchgU { memarg } => (memarg, Cmpxchg, I64, I32),
            _ => return false,
        };
        self.translate_atomic_access(&memarg, action, ty, access);
        true
    }

    fn translate_atomic_access(&mut self, memarg: &MemArg, action: Atomic, ty: Type, access: Type) {
        let operands = match action {
            Atomic::Load => vec![],
            Atomic::Store | Atomic::Rmw(_) => vec![self.pop()],
            Atomic::Cmpxchg => {
                let (expected, replacement) = self.pop2();
                vec![expected, replacement]
            }
        };
        let index = self.pop();
        let address = self.atomic_address(memarg, index, access.bytes());
        let flags = heap_flags();
        let narrow = |t: &mut Self, v: Value| {
            if access == ty {
                v
            } else {
                t.builder.ins().ireduce(access, v)
            }
        };
        let result = match action {
            Atomic::Load => Some(self.builder.ins().atomic_load(access, flags, address)),
            Atomic::Store => {
                let value = narrow(self, operands[0]);
                self.builder.ins().atomic_store(flags, value, address);
                None
            }
            Atomic::Rmw(op) => {
                let value = narrow(self, operands[0]);
                Some(
                    self.builder
                        .ins()
                        .atomic_rmw(access, flags, op, address, value),
                )
            }
            Atomic::Cmpxchg => {
                let expected = narrow(self, operands[0]);
                let replacement = narrow(self, operands[1]);
                Some(
                    self.builder
                        .ins()
                        .atomic_cas(flags, address, expected, replacement),
                )
            }
        };
        if let Some(value) = result {
            let value = if access == ty {
                value
            } else {
                self.builder.ins().uextend(ty, value)
            };
            self.push(value);
        }
    }

    /// The native address of an atomic access, after the alignment check.
    fn atomic_address(&mut self, memarg: &MemArg, index: Value, bytes: u32) -> Value {
        let effective = self.effective_address(memarg, index, bytes);
        let base = self.memory_base();
        self.builder.ins().iadd(base, effective)
    }

    /// The effective address of an atomic access as the i32 the runtime builtins take, checked
    /// like `atomic_address` (wait and notify touch memory inside the runtime).
    fn checked_atomic_index(&mut self, memarg: &MemArg, bytes: u32) -> Value {
        let index = self.pop();
        let effective = self.effective_address(memarg, index, bytes);
        // `index + offset` may exceed 32 bits: check bounds here, so that what the runtime
        // gets fits in 32 bits (it checks `+ bytes` against the size again).
        self.trap_if_out_of_bounds(effective, bytes);
        self.builder.ins().ireduce(I32, effective)
    }

    /// `index + offset` as an i64, trapping when misaligned (before any bounds check, as the
    /// reference interpreter orders them). Aligned accesses out of bounds fault on the guard
    /// region like any other access; wait and notify check bounds in the runtime.
    fn effective_address(&mut self, memarg: &MemArg, index: Value, bytes: u32) -> Value {
        let index = self.builder.ins().uextend(I64, index);
        let effective = self.builder.ins().iadd_imm_u(index, memarg.offset as i64);
        let misaligned = self
            .builder
            .ins()
            .band_imm_u(effective, i64::from(bytes - 1));
        let cold = self.builder.create_block();
        let aligned = self.builder.create_block();
        self.builder.set_cold_block(cold);
        self.builder.ins().brif(misaligned, cold, &[], aligned, &[]);
        self.builder.seal_block(cold);
        self.builder.seal_block(aligned);

        self.builder.switch_to_block(cold);
        self.builder
            .ins()
            .trap(TrapKind::UnalignedAtomic.trap_code());

        self.builder.switch_to_block(aligned);
        effective
    }

    /// Traps "out of bounds memory access" unless `effective + bytes` fits the memory's
    /// current size.
    fn trap_if_out_of_bounds(&mut self, effective: Value, bytes: u32) {
        let flags = super::trusted().with_readonly();
        let memory = self
            .builder
            .ins()
            .load(I64, flags, self.vmctx, vmctx::MEMORY);
        let size = self
            .builder
            .ins()
            .load(I64, super::trusted(), memory, memory::SIZE);
        let end = self.builder.ins().iadd_imm_u(effective, i64::from(bytes));
        let beyond = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedGreaterThan, end, size);
        self.trap_if(beyond, TrapKind::MemoryOutOfBounds);
    }
}
