//! Integer lane arithmetic with wasm's exact semantics: wrapping `add`/`sub`/`mul`,
//! saturating arithmetic (`llvm.sadd.sat`, ...), shifts whose count is taken modulo the lane
//! width, comparisons producing all-ones lanes, `abs` of the minimum staying the minimum,
//! rounding average, `q15mulr_sat_s`, `dot`, widening (`extend`, `extmul`, `extadd_pairwise`),
//! saturating narrowing, and the reductions `all_true` and `bitmask`.

use super::{Shape, mask, splat_int};
use crate::llvm::func::FuncTranslator;
use wasmparser::{Operator, ValType};

use Shape::{I8x16, I16x8, I32x4, I64x2};

/// Which half of the lanes a widening operator reads.
#[derive(Clone, Copy)]
enum Half {
    Low,
    High,
}

impl Half {
    /// The shuffle mask picking this half of the `lanes` lanes of a vector.
    fn mask(self, lanes: u32) -> String {
        let start = match self {
            Half::Low => 0,
            Half::High => lanes / 2,
        };
        mask(start..start + lanes / 2)
    }
}

/// `sext` or `zext`.
fn ext(signed: bool) -> &'static str {
    if signed { "sext" } else { "zext" }
}

impl FuncTranslator<'_> {
    /// Integer lane operators; false when `op` is not one.
    pub(super) fn translate_simd_int(&mut self, op: &Operator<'_>) -> bool {
        use Half::{High, Low};
        use Operator as O;
        match op {
            O::I8x16Add => self.lane_binary(I8x16, "add"),
            O::I16x8Add => self.lane_binary(I16x8, "add"),
            O::I32x4Add => self.lane_binary(I32x4, "add"),
            O::I64x2Add => self.lane_binary(I64x2, "add"),
            O::I8x16Sub => self.lane_binary(I8x16, "sub"),
            O::I16x8Sub => self.lane_binary(I16x8, "sub"),
            O::I32x4Sub => self.lane_binary(I32x4, "sub"),
            O::I64x2Sub => self.lane_binary(I64x2, "sub"),
            O::I16x8Mul => self.lane_binary(I16x8, "mul"),
            O::I32x4Mul => self.lane_binary(I32x4, "mul"),
            O::I64x2Mul => self.lane_binary(I64x2, "mul"),
            O::I8x16Neg => self.int_neg(I8x16),
            O::I16x8Neg => self.int_neg(I16x8),
            O::I32x4Neg => self.int_neg(I32x4),
            O::I64x2Neg => self.int_neg(I64x2),
            O::I8x16Abs => self.int_abs(I8x16),
            O::I16x8Abs => self.int_abs(I16x8),
            O::I32x4Abs => self.int_abs(I32x4),
            O::I64x2Abs => self.int_abs(I64x2),
            O::I8x16Popcnt => {
                let a = self.pop_lanes(I8x16);
                let v = self.lanewise_intrinsic("ctpop", I8x16, &[&a]);
                self.push_lanes(&v, I8x16);
            }
            O::I8x16AddSatS => self.lane_binary_intrinsic(I8x16, "sadd.sat"),
            O::I8x16AddSatU => self.lane_binary_intrinsic(I8x16, "uadd.sat"),
            O::I8x16SubSatS => self.lane_binary_intrinsic(I8x16, "ssub.sat"),
            O::I8x16SubSatU => self.lane_binary_intrinsic(I8x16, "usub.sat"),
            O::I16x8AddSatS => self.lane_binary_intrinsic(I16x8, "sadd.sat"),
            O::I16x8AddSatU => self.lane_binary_intrinsic(I16x8, "uadd.sat"),
            O::I16x8SubSatS => self.lane_binary_intrinsic(I16x8, "ssub.sat"),
            O::I16x8SubSatU => self.lane_binary_intrinsic(I16x8, "usub.sat"),
            O::I8x16MinS => self.lane_binary_intrinsic(I8x16, "smin"),
            O::I8x16MinU => self.lane_binary_intrinsic(I8x16, "umin"),
            O::I8x16MaxS => self.lane_binary_intrinsic(I8x16, "smax"),
            O::I8x16MaxU => self.lane_binary_intrinsic(I8x16, "umax"),
            O::I16x8MinS => self.lane_binary_intrinsic(I16x8, "smin"),
            O::I16x8MinU => self.lane_binary_intrinsic(I16x8, "umin"),
            O::I16x8MaxS => self.lane_binary_intrinsic(I16x8, "smax"),
            O::I16x8MaxU => self.lane_binary_intrinsic(I16x8, "umax"),
            O::I32x4MinS => self.lane_binary_intrinsic(I32x4, "smin"),
            O::I32x4MinU => self.lane_binary_intrinsic(I32x4, "umin"),
            O::I32x4MaxS => self.lane_binary_intrinsic(I32x4, "smax"),
            O::I32x4MaxU => self.lane_binary_intrinsic(I32x4, "umax"),
            O::I8x16AvgrU => self.avgr_u(I8x16),
            O::I16x8AvgrU => self.avgr_u(I16x8),
            O::I8x16Shl => self.lane_shift(I8x16, "shl"),
            O::I16x8Shl => self.lane_shift(I16x8, "shl"),
            O::I32x4Shl => self.lane_shift(I32x4, "shl"),
            O::I64x2Shl => self.lane_shift(I64x2, "shl"),
            O::I8x16ShrS => self.lane_shift(I8x16, "ashr"),
            O::I16x8ShrS => self.lane_shift(I16x8, "ashr"),
            O::I32x4ShrS => self.lane_shift(I32x4, "ashr"),
            O::I64x2ShrS => self.lane_shift(I64x2, "ashr"),
            O::I8x16ShrU => self.lane_shift(I8x16, "lshr"),
            O::I16x8ShrU => self.lane_shift(I16x8, "lshr"),
            O::I32x4ShrU => self.lane_shift(I32x4, "lshr"),
            O::I64x2ShrU => self.lane_shift(I64x2, "lshr"),
            O::I8x16Eq => self.lane_compare(I8x16, "icmp eq"),
            O::I8x16Ne => self.lane_compare(I8x16, "icmp ne"),
            O::I8x16LtS => self.lane_compare(I8x16, "icmp slt"),
            O::I8x16LtU => self.lane_compare(I8x16, "icmp ult"),
            O::I8x16GtS => self.lane_compare(I8x16, "icmp sgt"),
            O::I8x16GtU => self.lane_compare(I8x16, "icmp ugt"),
            O::I8x16LeS => self.lane_compare(I8x16, "icmp sle"),
            O::I8x16LeU => self.lane_compare(I8x16, "icmp ule"),
            O::I8x16GeS => self.lane_compare(I8x16, "icmp sge"),
            O::I8x16GeU => self.lane_compare(I8x16, "icmp uge"),
            O::I16x8Eq => self.lane_compare(I16x8, "icmp eq"),
            O::I16x8Ne => self.lane_compare(I16x8, "icmp ne"),
            O::I16x8LtS => self.lane_compare(I16x8, "icmp slt"),
            O::I16x8LtU => self.lane_compare(I16x8, "icmp ult"),
            O::I16x8GtS => self.lane_compare(I16x8, "icmp sgt"),
            O::I16x8GtU => self.lane_compare(I16x8, "icmp ugt"),
            O::I16x8LeS => self.lane_compare(I16x8, "icmp sle"),
            O::I16x8LeU => self.lane_compare(I16x8, "icmp ule"),
            O::I16x8GeS => self.lane_compare(I16x8, "icmp sge"),
            O::I16x8GeU => self.lane_compare(I16x8, "icmp uge"),
            O::I32x4Eq => self.lane_compare(I32x4, "icmp eq"),
            O::I32x4Ne => self.lane_compare(I32x4, "icmp ne"),
            O::I32x4LtS => self.lane_compare(I32x4, "icmp slt"),
            O::I32x4LtU => self.lane_compare(I32x4, "icmp ult"),
            O::I32x4GtS => self.lane_compare(I32x4, "icmp sgt"),
            O::I32x4GtU => self.lane_compare(I32x4, "icmp ugt"),
            O::I32x4LeS => self.lane_compare(I32x4, "icmp sle"),
            O::I32x4LeU => self.lane_compare(I32x4, "icmp ule"),
            O::I32x4GeS => self.lane_compare(I32x4, "icmp sge"),
            O::I32x4GeU => self.lane_compare(I32x4, "icmp uge"),
            O::I64x2Eq => self.lane_compare(I64x2, "icmp eq"),
            O::I64x2Ne => self.lane_compare(I64x2, "icmp ne"),
            O::I64x2LtS => self.lane_compare(I64x2, "icmp slt"),
            O::I64x2GtS => self.lane_compare(I64x2, "icmp sgt"),
            O::I64x2LeS => self.lane_compare(I64x2, "icmp sle"),
            O::I64x2GeS => self.lane_compare(I64x2, "icmp sge"),
            O::I8x16AllTrue => self.all_true(I8x16),
            O::I16x8AllTrue => self.all_true(I16x8),
            O::I32x4AllTrue => self.all_true(I32x4),
            O::I64x2AllTrue => self.all_true(I64x2),
            O::I8x16Bitmask => self.bitmask(I8x16),
            O::I16x8Bitmask => self.bitmask(I16x8),
            O::I32x4Bitmask => self.bitmask(I32x4),
            O::I64x2Bitmask => self.bitmask(I64x2),
            O::I8x16NarrowI16x8S => self.narrow(I16x8, true),
            O::I8x16NarrowI16x8U => self.narrow(I16x8, false),
            O::I16x8NarrowI32x4S => self.narrow(I32x4, true),
            O::I16x8NarrowI32x4U => self.narrow(I32x4, false),
            O::I16x8ExtendLowI8x16S => self.extend(I8x16, Low, true),
            O::I16x8ExtendHighI8x16S => self.extend(I8x16, High, true),
            O::I16x8ExtendLowI8x16U => self.extend(I8x16, Low, false),
            O::I16x8ExtendHighI8x16U => self.extend(I8x16, High, false),
            O::I32x4ExtendLowI16x8S => self.extend(I16x8, Low, true),
            O::I32x4ExtendHighI16x8S => self.extend(I16x8, High, true),
            O::I32x4ExtendLowI16x8U => self.extend(I16x8, Low, false),
            O::I32x4ExtendHighI16x8U => self.extend(I16x8, High, false),
            O::I64x2ExtendLowI32x4S => self.extend(I32x4, Low, true),
            O::I64x2ExtendHighI32x4S => self.extend(I32x4, High, true),
            O::I64x2ExtendLowI32x4U => self.extend(I32x4, Low, false),
            O::I64x2ExtendHighI32x4U => self.extend(I32x4, High, false),
            O::I16x8ExtMulLowI8x16S => self.extmul(I8x16, Low, true),
            O::I16x8ExtMulHighI8x16S => self.extmul(I8x16, High, true),
            O::I16x8ExtMulLowI8x16U => self.extmul(I8x16, Low, false),
            O::I16x8ExtMulHighI8x16U => self.extmul(I8x16, High, false),
            O::I32x4ExtMulLowI16x8S => self.extmul(I16x8, Low, true),
            O::I32x4ExtMulHighI16x8S => self.extmul(I16x8, High, true),
            O::I32x4ExtMulLowI16x8U => self.extmul(I16x8, Low, false),
            O::I32x4ExtMulHighI16x8U => self.extmul(I16x8, High, false),
            O::I64x2ExtMulLowI32x4S => self.extmul(I32x4, Low, true),
            O::I64x2ExtMulHighI32x4S => self.extmul(I32x4, High, true),
            O::I64x2ExtMulLowI32x4U => self.extmul(I32x4, Low, false),
            O::I64x2ExtMulHighI32x4U => self.extmul(I32x4, High, false),
            O::I16x8ExtAddPairwiseI8x16S => self.extadd_pairwise(I8x16, true),
            O::I16x8ExtAddPairwiseI8x16U => self.extadd_pairwise(I8x16, false),
            O::I32x4ExtAddPairwiseI16x8S => self.extadd_pairwise(I16x8, true),
            O::I32x4ExtAddPairwiseI16x8U => self.extadd_pairwise(I16x8, false),
            O::I32x4DotI16x8S => self.dot(),
            O::I16x8Q15MulrSatS => self.q15mulr_sat(),
            _ => return false,
        }
        true
    }

    /// `opcode` lane by lane on two operands of `shape` (integer or float).
    pub(super) fn lane_binary(&mut self, shape: Shape, opcode: &str) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.inst(format!("{opcode} {} {a}, {b}", shape.ty()));
        self.push_lanes(&v, shape);
    }

    /// The intrinsic `llvm.{name}` lane by lane on two operands of `shape`.
    pub(super) fn lane_binary_intrinsic(&mut self, shape: Shape, name: &str) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.lanewise_intrinsic(name, shape, &[&a, &b]);
        self.push_lanes(&v, shape);
    }

    /// A comparison (`icmp PRED` or `fcmp PRED`): all-ones lanes where it holds.
    pub(super) fn lane_compare(&mut self, shape: Shape, compare: &str) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let holds = self.inst(format!("{compare} {} {a}, {b}", shape.ty()));
        let int = shape.int();
        let v = self.inst(format!(
            "sext <{} x i1> {holds} to {}",
            shape.lanes(),
            int.ty()
        ));
        self.push_lanes(&v, int);
    }

    fn int_neg(&mut self, shape: Shape) {
        let a = self.pop_lanes(shape);
        let v = self.inst(format!("sub {} zeroinitializer, {a}", shape.ty()));
        self.push_lanes(&v, shape);
    }

    /// `abs`: the minimum stays the minimum (`is_int_min_poison` false).
    fn int_abs(&mut self, shape: Shape) {
        let a = self.pop_lanes(shape);
        let ty = shape.ty();
        let v = self.call_intrinsic(
            &format!("abs.{}", shape.suffix()),
            ty,
            &[(ty, &a), ("i1", "false")],
        );
        self.push_lanes(&v, shape);
    }

    /// A shift by the scalar count modulo the lane width.
    fn lane_shift(&mut self, shape: Shape, opcode: &str) {
        let count = self.pop();
        let masked = self.inst(format!("and i32 {}, {}", count.repr, shape.lane_bits() - 1));
        let lane_count = match shape {
            I8x16 | I16x8 => self.inst(format!("trunc i32 {masked} to {}", shape.lane_ty())),
            I64x2 => self.inst(format!("zext i32 {masked} to i64")),
            _ => masked,
        };
        let counts = self.splat(shape, &lane_count);
        let a = self.pop_lanes(shape);
        let v = self.inst(format!("{opcode} {} {a}, {counts}", shape.ty()));
        self.push_lanes(&v, shape);
    }

    /// `avgr_u`: (a + b + 1) / 2 computed in wider lanes, so it never overflows.
    fn avgr_u(&mut self, shape: Shape) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let (ty, n, wide_lane) = (shape.ty(), shape.lanes(), shape.lane_bits() * 2);
        let wide = format!("<{n} x i{wide_lane}>");
        let wa = self.inst(format!("zext {ty} {a} to {wide}"));
        let wb = self.inst(format!("zext {ty} {b} to {wide}"));
        let sum = self.inst(format!("add {wide} {wa}, {wb}"));
        let one = format!("splat (i{wide_lane} 1)");
        let rounded = self.inst(format!("add {wide} {sum}, {one}"));
        let half = self.inst(format!("lshr {wide} {rounded}, {one}"));
        let v = self.inst(format!("trunc {wide} {half} to {ty}"));
        self.push_lanes(&v, shape);
    }

    /// `all_true`: 1 when no lane is zero.
    fn all_true(&mut self, shape: Shape) {
        let a = self.pop_lanes(shape);
        let n = shape.lanes();
        let nonzero = self.inst(format!("icmp ne {} {a}, zeroinitializer", shape.ty()));
        let all = self.call_intrinsic(
            &format!("vector.reduce.and.v{n}i1"),
            "i1",
            &[(&format!("<{n} x i1>"), &nonzero)],
        );
        let v = self.inst(format!("zext i1 {all} to i32"));
        self.push(v, ValType::I32);
    }

    /// `bitmask`: bit i is lane i's sign bit.
    fn bitmask(&mut self, shape: Shape) {
        let a = self.pop_lanes(shape);
        let n = shape.lanes();
        let negative = self.inst(format!("icmp slt {} {a}, zeroinitializer", shape.ty()));
        // A bitcast of an i1 vector puts lane 0 in the integer's low bit only on
        // little-endian targets.
        let ordered = if self.target.big_endian {
            self.inst(format!(
                "shufflevector <{n} x i1> {negative}, <{n} x i1> poison, {}",
                mask((0..n).rev())
            ))
        } else {
            negative
        };
        let bits = self.inst(format!("bitcast <{n} x i1> {ordered} to i{n}"));
        let v = self.inst(format!("zext i{n} {bits} to i32"));
        self.push(v, ValType::I32);
    }

    /// `narrow`: the lanes of two operands of `wide` shape, clamped to the narrow lane's
    /// signed or unsigned range (the inputs are signed either way).
    fn narrow(&mut self, wide: Shape, signed: bool) {
        let b = self.pop_lanes(wide);
        let a = self.pop_lanes(wide);
        let n = wide.lanes() * 2;
        let narrow_bits = wide.lane_bits() / 2;
        let both_ty = format!("<{n} x {}>", wide.lane_ty());
        let both = self.inst(format!(
            "shufflevector {ty} {a}, {ty} {b}, {}",
            mask(0..n),
            ty = wide.ty()
        ));
        let (lo, hi) = if signed {
            (
                -(1i64 << (narrow_bits - 1)),
                (1i64 << (narrow_bits - 1)) - 1,
            )
        } else {
            (0, (1i64 << narrow_bits) - 1)
        };
        let suffix = format!("v{n}i{}", wide.lane_bits());
        let lane = wide.lane_ty();
        let low = format!("splat ({lane} {lo})");
        let above = self.call_intrinsic(
            &format!("smax.{suffix}"),
            &both_ty,
            &[(&both_ty, &both), (&both_ty, &low)],
        );
        let high = format!("splat ({lane} {hi})");
        let clamped = self.call_intrinsic(
            &format!("smin.{suffix}"),
            &both_ty,
            &[(&both_ty, &above), (&both_ty, &high)],
        );
        let narrow = match wide {
            I16x8 => I8x16,
            _ => I16x8,
        };
        let v = self.inst(format!("trunc {both_ty} {clamped} to {}", narrow.ty()));
        self.push_lanes(&v, narrow);
    }

    /// `half` of the lanes of `a` (of `shape`), sign- or zero-extended to twice the width.
    fn widen_half(&mut self, shape: Shape, a: &str, half: Half, signed: bool) -> String {
        let ty = shape.ty();
        let part = self.inst(format!(
            "shufflevector {ty} {a}, {ty} poison, {}",
            half.mask(shape.lanes())
        ));
        let wide = shape.wide();
        self.inst(format!(
            "{} <{} x {}> {part} to {}",
            ext(signed),
            shape.lanes() / 2,
            shape.lane_ty(),
            wide.ty()
        ))
    }

    fn extend(&mut self, narrow: Shape, half: Half, signed: bool) {
        let a = self.pop_lanes(narrow);
        let v = self.widen_half(narrow, &a, half, signed);
        self.push_lanes(&v, narrow.wide());
    }

    fn extmul(&mut self, narrow: Shape, half: Half, signed: bool) {
        let b = self.pop_lanes(narrow);
        let a = self.pop_lanes(narrow);
        let wa = self.widen_half(narrow, &a, half, signed);
        let wb = self.widen_half(narrow, &b, half, signed);
        let wide = narrow.wide();
        let v = self.inst(format!("mul {} {wa}, {wb}", wide.ty()));
        self.push_lanes(&v, wide);
    }

    /// Adds the even and odd lanes of `v` (`lanes` lanes of `lane_ty`): half as many lanes.
    fn add_pairs(&mut self, v: &str, lanes: u32, lane_ty: &str) -> String {
        let ty = format!("<{lanes} x {lane_ty}>");
        let even = self.inst(format!(
            "shufflevector {ty} {v}, {ty} poison, {}",
            mask((0..lanes).step_by(2))
        ));
        let odd = self.inst(format!(
            "shufflevector {ty} {v}, {ty} poison, {}",
            mask((1..lanes).step_by(2))
        ));
        self.inst(format!("add <{} x {lane_ty}> {even}, {odd}", lanes / 2))
    }

    fn extadd_pairwise(&mut self, narrow: Shape, signed: bool) {
        let a = self.pop_lanes(narrow);
        let n = narrow.lanes();
        let wide_lane = format!("i{}", narrow.lane_bits() * 2);
        let widened = self.inst(format!(
            "{} {} {a} to <{n} x {wide_lane}>",
            ext(signed),
            narrow.ty()
        ));
        let v = self.add_pairs(&widened, n, &wide_lane);
        self.push_lanes(&v, narrow.wide());
    }

    /// Pops two i16x8 operands: their signed lane products, exact in `<8 x i32>`.
    fn i16x8_products(&mut self) -> String {
        let b = self.pop_lanes(I16x8);
        let a = self.pop_lanes(I16x8);
        let wa = self.inst(format!("sext <8 x i16> {a} to <8 x i32>"));
        let wb = self.inst(format!("sext <8 x i16> {b} to <8 x i32>"));
        self.inst(format!("mul <8 x i32> {wa}, {wb}"))
    }

    /// `i32x4.dot_i16x8_s`: products of signed lanes in 32 bits, adjacent pairs added
    /// (wrapping: only -32768 * -32768 twice overflows).
    fn dot(&mut self) {
        let products = self.i16x8_products();
        let v = self.add_pairs(&products, 8, "i32");
        self.push_lanes(&v, I32x4);
    }

    /// `i16x8.q15mulr_sat_s`: (a * b + 0x4000) >> 15, saturated; only -32768 * -32768
    /// leaves the i16 range (above it), so one `smin` clamps.
    fn q15mulr_sat(&mut self) {
        let product = self.i16x8_products();
        let rounded = self.inst(format!(
            "add <8 x i32> {product}, {}",
            splat_int(I32x4, 0x4000)
        ));
        let shifted = self.inst(format!(
            "ashr <8 x i32> {rounded}, {}",
            splat_int(I32x4, 15)
        ));
        let clamped = self.call_intrinsic(
            "smin.v8i32",
            "<8 x i32>",
            &[
                ("<8 x i32>", &shifted),
                ("<8 x i32>", &splat_int(I32x4, 0x7fff)),
            ],
        );
        let v = self.inst(format!("trunc <8 x i32> {clamped} to <8 x i16>"));
        self.push_lanes(&v, I16x8);
    }
}
