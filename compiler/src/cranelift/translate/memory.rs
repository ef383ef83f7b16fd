//! Linear memory: loads, stores, `memory.size`/`grow` and the bulk-memory instructions.
//!
//! The runtime reserves 4 GiB plus a 4 GiB guard region for every 32-bit memory, and only the
//! current size is accessible. Any `i32` address plus any `u32` offset therefore lands inside
//! the reservation, and an out-of-bounds access faults on an inaccessible page: no access
//! carries an explicit bounds check. Each access is tagged with the out-of-bounds trap code so
//! the runtime's fault handler can tell a wasm trap from a runtime bug. Accesses are
//! explicitly little-endian, which byte-swaps on big-endian targets.

use super::FuncTranslator;
use crate::abi::{Builtin, PAGE_SIZE_LOG2, TrapKind, memory, vmctx};
use crate::cranelift::traps::CraneliftTrap;
use cranelift_codegen::ir::Endianness;
use cranelift_codegen::ir::{
    InstBuilder, MemFlagsData, Type, Value,
    types::{F32, F64, I8X16, I32, I64},
};
use wasmparser::{MemArg, Operator};

/// Flags of a linear-memory access.
pub fn heap_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(Endianness::Little)
        .with_trap_code(Some(TrapKind::MemoryOutOfBounds.trap_code()))
}

/// How a load widens its value.
#[derive(Clone, Copy)]
enum LoadExtend {
    None,
    Signed,
    Unsigned,
}

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a memory instruction; returns whether it was.
    pub(super) fn translate_memory(&mut self, op: &Operator<'_>) -> bool {
        use LoadExtend::{None as Full, Signed as S, Unsigned as U};
        use Operator as O;
        match op {
            O::I32Load { memarg } => self.load(memarg, I32, 4, Full),
            O::I64Load { memarg } => self.load(memarg, I64, 8, Full),
            O::F32Load { memarg } => self.load(memarg, F32, 4, Full),
            O::F64Load { memarg } => self.load(memarg, F64, 8, Full),
            O::I32Load8S { memarg } => self.load(memarg, I32, 1, S),
            O::I32Load8U { memarg } => self.load(memarg, I32, 1, U),
            O::I32Load16S { memarg } => self.load(memarg, I32, 2, S),
            O::I32Load16U { memarg } => self.load(memarg, I32, 2, U),
            O::I64Load8S { memarg } => self.load(memarg, I64, 1, S),
            O::I64Load8U { memarg } => self.load(memarg, I64, 1, U),
            O::I64Load16S { memarg } => self.load(memarg, I64, 2, S),
            O::I64Load16U { memarg } => self.load(memarg, I64, 2, U),
            O::I64Load32S { memarg } => self.load(memarg, I64, 4, S),
            O::I64Load32U { memarg } => self.load(memarg, I64, 4, U),
            O::V128Load { memarg } => self.load(memarg, I8X16, 16, Full),
            O::I32Store { memarg }
            | O::I64Store { memarg }
            | O::F32Store { memarg }
            | O::F64Store { memarg }
            | O::V128Store { memarg } => self.store(memarg, None),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => self.store(memarg, Some(1)),
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => self.store(memarg, Some(2)),
            O::I64Store32 { memarg } => self.store(memarg, Some(4)),

            O::MemorySize { .. } => {
                let memory = self.memory_pointer();
                let bytes = self
                    .builder
                    .ins()
                    .load(I64, super::trusted(), memory, memory::SIZE);
                let pages = self.builder.ins().ushr_imm_u(bytes, PAGE_SIZE_LOG2);
                let pages = self.builder.ins().ireduce(I32, pages);
                self.push(pages);
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop();
                let old = self
                    .call_builtin(Builtin::MemoryGrow, &[delta])
                    .expect("result");
                self.push(old);
            }
            O::MemoryFill { .. } => {
                let (dst, value, len) = self.pop3();
                self.call_builtin(Builtin::MemoryFill, &[dst, value, len]);
            }
            O::MemoryCopy { .. } => {
                let (dst, src, len) = self.pop3();
                self.call_builtin(Builtin::MemoryCopy, &[dst, src, len]);
            }
            O::MemoryInit { data_index, .. } => {
                let (dst, src, len) = self.pop3();
                let segment = self.builder.ins().iconst(I32, i64::from(*data_index));
                self.call_builtin(Builtin::MemoryInit, &[segment, dst, src, len]);
            }
            O::DataDrop { data_index } => {
                let segment = self.builder.ins().iconst(I32, i64::from(*data_index));
                self.call_builtin(Builtin::DataDrop, &[segment]);
            }
            _ => return false,
        }
        true
    }

    /// The `w2e_memory *` of memory 0.
    fn memory_pointer(&mut self) -> Value {
        let flags = super::trusted().with_readonly();
        self.builder
            .ins()
            .load(I64, flags, self.vmctx, vmctx::MEMORY)
    }

    /// Native address and immediate offset of an access at `index` + `memarg.offset`.
    pub(super) fn heap_address(&mut self, memarg: &MemArg, index: Value) -> (Value, i32) {
        let base = self.memory_base();
        let index = self.builder.ins().uextend(I64, index);
        let address = self.builder.ins().iadd(base, index);
        match i32::try_from(memarg.offset) {
            Ok(offset) => (address, offset),
            Err(_) => (
                self.builder.ins().iadd_imm_u(address, memarg.offset as i64),
                0,
            ),
        }
    }

    fn load(&mut self, memarg: &MemArg, ty: Type, bytes: u8, extend: LoadExtend) {
        let index = self.pop();
        let (address, offset) = self.heap_address(memarg, index);
        let flags = heap_flags();
        let ins = self.builder.ins();
        let value = match (bytes, extend) {
            (1, LoadExtend::Signed) => ins.sload8(ty, flags, address, offset),
            (1, _) => ins.uload8(ty, flags, address, offset),
            (2, LoadExtend::Signed) => ins.sload16(ty, flags, address, offset),
            (2, _) => ins.uload16(ty, flags, address, offset),
            (4, LoadExtend::Signed) if ty == I64 => ins.sload32(flags, address, offset),
            (4, LoadExtend::Unsigned) if ty == I64 => ins.uload32(flags, address, offset),
            _ => ins.load(ty, flags, address, offset),
        };
        self.push(value);
    }

    /// Stores the top value, or its low `narrow` bytes.
    fn store(&mut self, memarg: &MemArg, narrow: Option<u8>) {
        let value = self.pop();
        let index = self.pop();
        let (address, offset) = self.heap_address(memarg, index);
        let flags = heap_flags();
        let ins = self.builder.ins();
        match narrow {
            Some(1) => ins.istore8(flags, value, address, offset),
            Some(2) => ins.istore16(flags, value, address, offset),
            Some(_) => ins.istore32(flags, value, address, offset),
            None => ins.store(flags, value, address, offset),
        };
    }
}
