//! v128 loads and stores. Every access computes its address like a scalar one (guard pages on
//! 64-bit targets, a bounds check on 32-bit ones). Wasm's alignment is a hint that the address
//! may break, while LLVM's `align` is a promise (x86 would use `movaps`, which faults on a
//! misaligned address): vector accesses say `align 1`. Whole vectors
//! move as 16 bytes, already in wasm's byte order on any target. Accesses of single lanes
//! (splat, zero, lane loads and stores) go through the scalar integer accesses, which
//! byte-swap on big-endian targets, and `v128.loadNxM` byte-swaps its narrow lanes there.
//!
//! Every access goes through `linear_load`/`linear_store`: volatile (so that a trapping access
//! keeps its place among traps and side effects), `align 1`, TBAA tag of linear memory.

use super::Shape;
use crate::llvm::func::FuncTranslator;
use wasmparser::{MemArg, Operator, ValType};

use Shape::{I8x16, I16x8, I32x4, I64x2};

impl FuncTranslator<'_> {
    /// v128 memory operators; false when `op` is not one.
    pub(super) fn translate_simd_memory(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::V128Load { memarg } => {
                let index = self.pop();
                let at = self.address(&index.repr, memarg, 16);
                let v = self.linear_load("<16 x i8>", &at);
                self.push(v, ValType::V128);
            }
            O::V128Store { memarg } => {
                let value = self.pop();
                let index = self.pop();
                let at = self.address(&index.repr, memarg, 16);
                self.linear_store("<16 x i8>", &value.repr, &at);
            }
            O::V128Load8x8S { memarg } => self.load_extend(memarg, I8x16, "sext"),
            O::V128Load8x8U { memarg } => self.load_extend(memarg, I8x16, "zext"),
            O::V128Load16x4S { memarg } => self.load_extend(memarg, I16x8, "sext"),
            O::V128Load16x4U { memarg } => self.load_extend(memarg, I16x8, "zext"),
            O::V128Load32x2S { memarg } => self.load_extend(memarg, I32x4, "sext"),
            O::V128Load32x2U { memarg } => self.load_extend(memarg, I32x4, "zext"),
            O::V128Load8Splat { memarg } => self.load_splat(memarg, I8x16),
            O::V128Load16Splat { memarg } => self.load_splat(memarg, I16x8),
            O::V128Load32Splat { memarg } => self.load_splat(memarg, I32x4),
            O::V128Load64Splat { memarg } => self.load_splat(memarg, I64x2),
            O::V128Load32Zero { memarg } => self.load_zero(memarg, I32x4),
            O::V128Load64Zero { memarg } => self.load_zero(memarg, I64x2),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, I8x16, *lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, I16x8, *lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, I32x4, *lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, I64x2, *lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, I8x16, *lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, I16x8, *lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, I32x4, *lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, I64x2, *lane),
            _ => return false,
        }
        true
    }

    /// `v128.load{N}x{M}_[su]`: 8 bytes as lanes of `narrow`'s lane type, each extended to
    /// twice its width.
    fn load_extend(&mut self, memarg: &MemArg, narrow: Shape, ext: &str) {
        let index = self.pop();
        let at = self.address(&index.repr, memarg, 8);
        let n = narrow.lanes() / 2;
        let lane = narrow.lane_ty();
        let half_ty = format!("<{n} x {lane}>");
        let mut v = self.linear_load(&half_ty, &at);
        if self.target.big_endian && narrow != I8x16 {
            v = self.call_intrinsic(&format!("bswap.v{n}{lane}"), &half_ty, &[(&half_ty, &v)]);
        }
        let wide = narrow.wide();
        let v = self.inst(format!("{ext} {half_ty} {v} to {}", wide.ty()));
        self.push_lanes(&v, wide);
    }

    /// Loads one lane of `shape` from memory as an integer of the lane's width.
    fn load_lane_value(&mut self, memarg: &MemArg, shape: Shape) -> String {
        self.load_int(memarg, shape.lane_bits() / 8)
    }

    fn load_splat(&mut self, memarg: &MemArg, shape: Shape) {
        let x = self.load_lane_value(memarg, shape);
        let v = self.splat(shape, &x);
        self.push_lanes(&v, shape);
    }

    /// `v128.load{32,64}_zero`: one lane loaded, the others zero.
    fn load_zero(&mut self, memarg: &MemArg, shape: Shape) {
        let x = self.load_lane_value(memarg, shape);
        let v = self.inst(format!(
            "insertelement {} zeroinitializer, {} {x}, i32 0",
            shape.ty(),
            shape.lane_ty()
        ));
        self.push_lanes(&v, shape);
    }

    fn load_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) {
        // The vector is on top of the stack, the address below it.
        let vector = self.pop_lanes(shape);
        let x = self.load_lane_value(memarg, shape);
        let v = self.inst(format!(
            "insertelement {ty} {vector}, {} {x}, i32 {lane}",
            shape.lane_ty(),
            ty = shape.ty()
        ));
        self.push_lanes(&v, shape);
    }

    /// Stores lane `lane` through the scalar store: the lane becomes the i32 or i64 an
    /// `i32.store8`...`i64.store` would take.
    fn store_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) {
        let vector = self.pop_lanes(shape);
        let x = self.inst(format!(
            "extractelement {} {vector}, i32 {lane}",
            shape.ty()
        ));
        let (value, ty) = match shape {
            I8x16 | I16x8 => (
                self.inst(format!("zext {} {x} to i32", shape.lane_ty())),
                ValType::I32,
            ),
            _ => (x, shape.scalar()),
        };
        self.push(value, ty);
        self.store(memarg, shape.lane_bits() / 8);
    }
}
