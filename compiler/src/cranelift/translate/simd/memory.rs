//! SIMD linear-memory instructions other than plain `v128.load`/`v128.store` (in
//! `translate::memory`): extending loads, splatting and zero-filling loads, and single-lane
//! loads and stores. All are little-endian accesses tagged with the out-of-bounds trap code.

use super::super::{FuncTranslator, memory::heap_flags};
use super::cast;
use cranelift_codegen::ir::{
    InstBuilder, Type,
    types::{I8, I8X16, I16, I16X8, I32, I32X4, I64, I64X2},
};
use wasmparser::{MemArg, Operator};

/// The extending loads: 64 bits read as 8 narrow lanes, widened.
#[derive(Clone, Copy)]
enum ExtendLoad {
    S8x8,
    U8x8,
    S16x4,
    U16x4,
    S32x2,
    U32x2,
}

/// The integer shape whose lanes are `bytes` wide, and its lane type.
fn shape(bytes: u8) -> (Type, Type) {
    match bytes {
        1 => (I8X16, I8),
        2 => (I16X8, I16),
        4 => (I32X4, I32),
        _ => (I64X2, I64),
    }
}

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a SIMD memory instruction; returns whether it was.
    pub(super) fn translate_simd_memory(&mut self, op: &Operator<'_>) -> bool {
        use ExtendLoad as E;
        use Operator as O;
        match op {
            O::V128Load8x8S { memarg } => self.load_extend(memarg, E::S8x8),
            O::V128Load8x8U { memarg } => self.load_extend(memarg, E::U8x8),
            O::V128Load16x4S { memarg } => self.load_extend(memarg, E::S16x4),
            O::V128Load16x4U { memarg } => self.load_extend(memarg, E::U16x4),
            O::V128Load32x2S { memarg } => self.load_extend(memarg, E::S32x2),
            O::V128Load32x2U { memarg } => self.load_extend(memarg, E::U32x2),
            O::V128Load8Splat { memarg } => self.load_splat(memarg, 1),
            O::V128Load16Splat { memarg } => self.load_splat(memarg, 2),
            O::V128Load32Splat { memarg } => self.load_splat(memarg, 4),
            O::V128Load64Splat { memarg } => self.load_splat(memarg, 8),
            O::V128Load32Zero { memarg } => self.load_zero(memarg, 4),
            O::V128Load64Zero { memarg } => self.load_zero(memarg, 8),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, 1, *lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, 2, *lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, 4, *lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, 8, *lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, 1, *lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, 2, *lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, 4, *lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, 8, *lane),
            _ => return false,
        }
        true
    }

    fn load_extend(&mut self, memarg: &MemArg, kind: ExtendLoad) {
        let index = self.pop();
        let (address, offset) = self.heap_address(memarg, index);
        let flags = heap_flags();
        let ins = self.builder.ins();
        let v = match kind {
            ExtendLoad::S8x8 => ins.sload8x8(flags, address, offset),
            ExtendLoad::U8x8 => ins.uload8x8(flags, address, offset),
            ExtendLoad::S16x4 => ins.sload16x4(flags, address, offset),
            ExtendLoad::U16x4 => ins.uload16x4(flags, address, offset),
            ExtendLoad::S32x2 => ins.sload32x2(flags, address, offset),
            ExtendLoad::U32x2 => ins.uload32x2(flags, address, offset),
        };
        self.vpush(v);
    }

    /// Loads one `bytes`-wide scalar at the popped address.
    fn load_scalar(&mut self, memarg: &MemArg, ty: Type) -> cranelift_codegen::ir::Value {
        let index = self.pop();
        let (address, offset) = self.heap_address(memarg, index);
        self.builder.ins().load(ty, heap_flags(), address, offset)
    }

    fn load_splat(&mut self, memarg: &MemArg, bytes: u8) {
        let (vector, lane) = shape(bytes);
        let x = self.load_scalar(memarg, lane);
        let v = self.builder.ins().splat(vector, x);
        self.vpush(v);
    }

    /// `load32_zero`/`load64_zero`: the scalar in lane 0, the other lanes zero.
    fn load_zero(&mut self, memarg: &MemArg, bytes: u8) {
        let (vector, lane) = shape(bytes);
        let x = self.load_scalar(memarg, lane);
        let v = self.builder.ins().scalar_to_vector(vector, x);
        self.vpush(v);
    }

    /// `load*_lane`: operands are the address, then the vector whose `lane` is replaced.
    fn load_lane(&mut self, memarg: &MemArg, bytes: u8, lane: u8) {
        let (vector, lane_ty) = shape(bytes);
        let v = self.vpop(vector);
        let x = self.load_scalar(memarg, lane_ty);
        let v = self.builder.ins().insertlane(v, x, lane);
        self.vpush(v);
    }

    /// `store*_lane`: operands are the address, then the vector whose `lane` is stored.
    fn store_lane(&mut self, memarg: &MemArg, bytes: u8, lane: u8) {
        let (vector, _) = shape(bytes);
        let v = self.pop();
        let v = cast(&mut self.builder, vector, v);
        let x = self.builder.ins().extractlane(v, lane);
        let index = self.pop();
        let (address, offset) = self.heap_address(memarg, index);
        self.builder.ins().store(heap_flags(), x, address, offset);
    }
}
