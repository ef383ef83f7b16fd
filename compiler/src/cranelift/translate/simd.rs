//! 128-bit SIMD instructions (the Wasm 2.0 fixed-width SIMD set; relaxed SIMD is refused).
//!
//! Every v128 on the operand stack is an `i8x16`. An instruction bitcasts its operands to its
//! lane shape, computes, and bitcasts the result back. Vector bitcasts use little-endian lane
//! order, the order wasm functions (Cranelift's `tail` convention) use on every target, so
//! lane numbers mean the same thing on big-endian s390x.
//!
//! Most instructions map one to one onto Cranelift's: vector shifts take the count modulo the
//! lane width, `fmin`/`fmax` propagate NaN and order zeros per lane, `swizzle` yields 0 for an
//! out-of-range index, `snarrow`/`unarrow`/`uunarrow` saturate. The rest are short sequences:
//! `pmin`/`pmax` select on a comparison, extended multiplies and pairwise additions widen
//! first, and the `f64x2` truncations narrow against a zero vector.

mod memory;
#[cfg(test)]
mod tests;

use super::FuncTranslator;
use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value,
    condcodes::{FloatCC, IntCC},
    types::{F32X4, F64X2, I8, I8X16, I16, I16X8, I32, I32X4, I64, I64X2},
};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

/// Flags of a register-to-register vector bitcast: lanes keep their wasm numbering.
fn lane_order() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// Reinterprets vector `v` as `ty` (nothing when it already is).
fn cast(builder: &mut FunctionBuilder<'_>, ty: Type, v: Value) -> Value {
    if builder.func.dfg.value_type(v) == ty {
        v
    } else {
        builder.ins().bitcast(ty, lane_order(), v)
    }
}

/// Which half of a vector an extending instruction reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Half {
    Low,
    High,
}

/// Whether lanes are read as signed or unsigned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sign {
    Signed,
    Unsigned,
}

/// Widens half of the lanes of `v` (of shape `ty`) to the next wider shape.
fn widen(builder: &mut FunctionBuilder<'_>, ty: Type, v: Value, sign: Sign, half: Half) -> Value {
    let v = cast(builder, ty, v);
    let ins = builder.ins();
    match (sign, half) {
        (Sign::Signed, Half::Low) => ins.swiden_low(v),
        (Sign::Signed, Half::High) => ins.swiden_high(v),
        (Sign::Unsigned, Half::Low) => ins.uwiden_low(v),
        (Sign::Unsigned, Half::High) => ins.uwiden_high(v),
    }
}

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a SIMD instruction; returns whether it was.
    pub(super) fn translate_simd(&mut self, op: &Operator<'_>) -> bool {
        use Half::{High, Low};
        use Operator as O;
        use Sign::{Signed as S, Unsigned as U};
        match *op {
            O::V128Const { value } => {
                let v = self.v128_const(value.bytes());
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => {
                let (a, b) = self.pop2();
                let mask = self
                    .builder
                    .func
                    .dfg
                    .immediates
                    .push(ConstantData::from(&lanes[..]));
                let v = self.builder.ins().shuffle(a, b, mask);
                self.push(v);
            }
            O::I8x16Swizzle => self.vbinary(I8X16, |b, x, y| b.ins().swizzle(x, y)),

            // ---- splats and lanes ----
            O::I8x16Splat => self.splat(I8X16, Some(I8)),
            O::I16x8Splat => self.splat(I16X8, Some(I16)),
            O::I32x4Splat => self.splat(I32X4, None),
            O::I64x2Splat => self.splat(I64X2, None),
            O::F32x4Splat => self.splat(F32X4, None),
            O::F64x2Splat => self.splat(F64X2, None),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8X16, lane, Some(S)),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8X16, lane, Some(U)),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16X8, lane, Some(S)),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16X8, lane, Some(U)),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32X4, lane, None),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64X2, lane, None),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32X4, lane, None),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64X2, lane, None),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8X16, lane, Some(I8)),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16X8, lane, Some(I16)),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32X4, lane, None),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64X2, lane, None),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32X4, lane, None),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64X2, lane, None),

            // ---- integer comparisons ----
            O::I8x16Eq => self.vicmp(I8X16, IntCC::Equal),
            O::I8x16Ne => self.vicmp(I8X16, IntCC::NotEqual),
            O::I8x16LtS => self.vicmp(I8X16, IntCC::SignedLessThan),
            O::I8x16LtU => self.vicmp(I8X16, IntCC::UnsignedLessThan),
            O::I8x16GtS => self.vicmp(I8X16, IntCC::SignedGreaterThan),
            O::I8x16GtU => self.vicmp(I8X16, IntCC::UnsignedGreaterThan),
            O::I8x16LeS => self.vicmp(I8X16, IntCC::SignedLessThanOrEqual),
            O::I8x16LeU => self.vicmp(I8X16, IntCC::UnsignedLessThanOrEqual),
            O::I8x16GeS => self.vicmp(I8X16, IntCC::SignedGreaterThanOrEqual),
            O::I8x16GeU => self.vicmp(I8X16, IntCC::UnsignedGreaterThanOrEqual),
            O::I16x8Eq => self.vicmp(I16X8, IntCC::Equal),
            O::I16x8Ne => self.vicmp(I16X8, IntCC::NotEqual),
            O::I16x8LtS => self.vicmp(I16X8, IntCC::SignedLessThan),
            O::I16x8LtU => self.vicmp(I16X8, IntCC::UnsignedLessThan),
            O::I16x8GtS => self.vicmp(I16X8, IntCC::SignedGreaterThan),
            O::I16x8GtU => self.vicmp(I16X8, IntCC::UnsignedGreaterThan),
            O::I16x8LeS => self.vicmp(I16X8, IntCC::SignedLessThanOrEqual),
            O::I16x8LeU => self.vicmp(I16X8, IntCC::UnsignedLessThanOrEqual),
            O::I16x8GeS => self.vicmp(I16X8, IntCC::SignedGreaterThanOrEqual),
            O::I16x8GeU => self.vicmp(I16X8, IntCC::UnsignedGreaterThanOrEqual),
            O::I32x4Eq => self.vicmp(I32X4, IntCC::Equal),
            O::I32x4Ne => self.vicmp(I32X4, IntCC::NotEqual),
            O::I32x4LtS => self.vicmp(I32X4, IntCC::SignedLessThan),
            O::I32x4LtU => self.vicmp(I32X4, IntCC::UnsignedLessThan),
            O::I32x4GtS => self.vicmp(I32X4, IntCC::SignedGreaterThan),
            O::I32x4GtU => self.vicmp(I32X4, IntCC::UnsignedGreaterThan),
            O::I32x4LeS => self.vicmp(I32X4, IntCC::SignedLessThanOrEqual),
            O::I32x4LeU => self.vicmp(I32X4, IntCC::UnsignedLessThanOrEqual),
            O::I32x4GeS => self.vicmp(I32X4, IntCC::SignedGreaterThanOrEqual),
            O::I32x4GeU => self.vicmp(I32X4, IntCC::UnsignedGreaterThanOrEqual),
            O::I64x2Eq => self.vicmp(I64X2, IntCC::Equal),
            O::I64x2Ne => self.vicmp(I64X2, IntCC::NotEqual),
            O::I64x2LtS => self.vicmp(I64X2, IntCC::SignedLessThan),
            O::I64x2GtS => self.vicmp(I64X2, IntCC::SignedGreaterThan),
            O::I64x2LeS => self.vicmp(I64X2, IntCC::SignedLessThanOrEqual),
            O::I64x2GeS => self.vicmp(I64X2, IntCC::SignedGreaterThanOrEqual),

            // ---- float comparisons ----
            O::F32x4Eq => self.vfcmp(F32X4, FloatCC::Equal),
            O::F32x4Ne => self.vfcmp(F32X4, FloatCC::NotEqual),
            O::F32x4Lt => self.vfcmp(F32X4, FloatCC::LessThan),
            O::F32x4Gt => self.vfcmp(F32X4, FloatCC::GreaterThan),
            O::F32x4Le => self.vfcmp(F32X4, FloatCC::LessThanOrEqual),
            O::F32x4Ge => self.vfcmp(F32X4, FloatCC::GreaterThanOrEqual),
            O::F64x2Eq => self.vfcmp(F64X2, FloatCC::Equal),
            O::F64x2Ne => self.vfcmp(F64X2, FloatCC::NotEqual),
            O::F64x2Lt => self.vfcmp(F64X2, FloatCC::LessThan),
            O::F64x2Gt => self.vfcmp(F64X2, FloatCC::GreaterThan),
            O::F64x2Le => self.vfcmp(F64X2, FloatCC::LessThanOrEqual),
            O::F64x2Ge => self.vfcmp(F64X2, FloatCC::GreaterThanOrEqual),

            // ---- bitwise ----
            O::V128Not => self.vunary(I8X16, |b, x| b.ins().bnot(x)),
            O::V128And => self.vbinary(I8X16, |b, x, y| b.ins().band(x, y)),
            O::V128AndNot => self.vbinary(I8X16, |b, x, y| b.ins().band_not(x, y)),
            O::V128Or => self.vbinary(I8X16, |b, x, y| b.ins().bor(x, y)),
            O::V128Xor => self.vbinary(I8X16, |b, x, y| b.ins().bxor(x, y)),
            O::V128Bitselect => {
                let (x, y, mask) = self.pop3();
                let v = self.builder.ins().bitselect(mask, x, y);
                self.push(v);
            }
            O::V128AnyTrue => {
                let a = self.pop();
                let t = self.builder.ins().vany_true(a);
                let v = self.builder.ins().uextend(I32, t);
                self.push(v);
            }

            // ---- integer lane-wise ----
            O::I8x16Abs => self.vunary(I8X16, |b, x| b.ins().iabs(x)),
            O::I16x8Abs => self.vunary(I16X8, |b, x| b.ins().iabs(x)),
            O::I32x4Abs => self.vunary(I32X4, |b, x| b.ins().iabs(x)),
            O::I64x2Abs => self.vunary(I64X2, |b, x| b.ins().iabs(x)),
            O::I8x16Neg => self.vunary(I8X16, |b, x| b.ins().ineg(x)),
            O::I16x8Neg => self.vunary(I16X8, |b, x| b.ins().ineg(x)),
            O::I32x4Neg => self.vunary(I32X4, |b, x| b.ins().ineg(x)),
            O::I64x2Neg => self.vunary(I64X2, |b, x| b.ins().ineg(x)),
            O::I8x16Popcnt => self.vunary(I8X16, |b, x| b.ins().popcnt(x)),
            O::I8x16AllTrue => self.all_true(I8X16),
            O::I16x8AllTrue => self.all_true(I16X8),
            O::I32x4AllTrue => self.all_true(I32X4),
            O::I64x2AllTrue => self.all_true(I64X2),
            O::I8x16Bitmask => self.bitmask(I8X16),
            O::I16x8Bitmask => self.bitmask(I16X8),
            O::I32x4Bitmask => self.bitmask(I32X4),
            O::I64x2Bitmask => self.bitmask(I64X2),

            O::I8x16Shl => self.shift(I8X16, |b, x, n| b.ins().ishl(x, n)),
            O::I16x8Shl => self.shift(I16X8, |b, x, n| b.ins().ishl(x, n)),
            O::I32x4Shl => self.shift(I32X4, |b, x, n| b.ins().ishl(x, n)),
            O::I64x2Shl => self.shift(I64X2, |b, x, n| b.ins().ishl(x, n)),
            O::I8x16ShrS => self.shift(I8X16, |b, x, n| b.ins().sshr(x, n)),
            O::I16x8ShrS => self.shift(I16X8, |b, x, n| b.ins().sshr(x, n)),
            O::I32x4ShrS => self.shift(I32X4, |b, x, n| b.ins().sshr(x, n)),
            O::I64x2ShrS => self.shift(I64X2, |b, x, n| b.ins().sshr(x, n)),
            O::I8x16ShrU => self.shift(I8X16, |b, x, n| b.ins().ushr(x, n)),
            O::I16x8ShrU => self.shift(I16X8, |b, x, n| b.ins().ushr(x, n)),
            O::I32x4ShrU => self.shift(I32X4, |b, x, n| b.ins().ushr(x, n)),
            O::I64x2ShrU => self.shift(I64X2, |b, x, n| b.ins().ushr(x, n)),

            O::I8x16Add => self.vbinary(I8X16, |b, x, y| b.ins().iadd(x, y)),
            O::I16x8Add => self.vbinary(I16X8, |b, x, y| b.ins().iadd(x, y)),
            O::I32x4Add => self.vbinary(I32X4, |b, x, y| b.ins().iadd(x, y)),
            O::I64x2Add => self.vbinary(I64X2, |b, x, y| b.ins().iadd(x, y)),
            O::I8x16Sub => self.vbinary(I8X16, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Sub => self.vbinary(I16X8, |b, x, y| b.ins().isub(x, y)),
            O::I32x4Sub => self.vbinary(I32X4, |b, x, y| b.ins().isub(x, y)),
            O::I64x2Sub => self.vbinary(I64X2, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Mul => self.vbinary(I16X8, |b, x, y| b.ins().imul(x, y)),
            O::I32x4Mul => self.vbinary(I32X4, |b, x, y| b.ins().imul(x, y)),
            O::I64x2Mul => self.vbinary(I64X2, |b, x, y| b.ins().imul(x, y)),
            O::I8x16AddSatS => self.vbinary(I8X16, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I8x16AddSatU => self.vbinary(I8X16, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I16x8AddSatS => self.vbinary(I16X8, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I16x8AddSatU => self.vbinary(I16X8, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I8x16SubSatS => self.vbinary(I8X16, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I8x16SubSatU => self.vbinary(I8X16, |b, x, y| b.ins().usub_sat(x, y)),
            O::I16x8SubSatS => self.vbinary(I16X8, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I16x8SubSatU => self.vbinary(I16X8, |b, x, y| b.ins().usub_sat(x, y)),
            O::I8x16MinS => self.vbinary(I8X16, |b, x, y| b.ins().smin(x, y)),
            O::I8x16MinU => self.vbinary(I8X16, |b, x, y| b.ins().umin(x, y)),
            O::I8x16MaxS => self.vbinary(I8X16, |b, x, y| b.ins().smax(x, y)),
            O::I8x16MaxU => self.vbinary(I8X16, |b, x, y| b.ins().umax(x, y)),
            O::I16x8MinS => self.vbinary(I16X8, |b, x, y| b.ins().smin(x, y)),
            O::I16x8MinU => self.vbinary(I16X8, |b, x, y| b.ins().umin(x, y)),
            O::I16x8MaxS => self.vbinary(I16X8, |b, x, y| b.ins().smax(x, y)),
            O::I16x8MaxU => self.vbinary(I16X8, |b, x, y| b.ins().umax(x, y)),
            O::I32x4MinS => self.vbinary(I32X4, |b, x, y| b.ins().smin(x, y)),
            O::I32x4MinU => self.vbinary(I32X4, |b, x, y| b.ins().umin(x, y)),
            O::I32x4MaxS => self.vbinary(I32X4, |b, x, y| b.ins().smax(x, y)),
            O::I32x4MaxU => self.vbinary(I32X4, |b, x, y| b.ins().umax(x, y)),
            O::I8x16AvgrU => self.vbinary(I8X16, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8AvgrU => self.vbinary(I16X8, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8Q15MulrSatS => self.vbinary(I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y)),

            // ---- narrowing, widening, extended arithmetic ----
            O::I8x16NarrowI16x8S => self.vbinary(I16X8, |b, x, y| b.ins().snarrow(x, y)),
            O::I8x16NarrowI16x8U => self.vbinary(I16X8, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8NarrowI32x4S => self.vbinary(I32X4, |b, x, y| b.ins().snarrow(x, y)),
            O::I16x8NarrowI32x4U => self.vbinary(I32X4, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8ExtendLowI8x16S => self.extend(I8X16, S, Low),
            O::I16x8ExtendHighI8x16S => self.extend(I8X16, S, High),
            O::I16x8ExtendLowI8x16U => self.extend(I8X16, U, Low),
            O::I16x8ExtendHighI8x16U => self.extend(I8X16, U, High),
            O::I32x4ExtendLowI16x8S => self.extend(I16X8, S, Low),
            O::I32x4ExtendHighI16x8S => self.extend(I16X8, S, High),
            O::I32x4ExtendLowI16x8U => self.extend(I16X8, U, Low),
            O::I32x4ExtendHighI16x8U => self.extend(I16X8, U, High),
            O::I64x2ExtendLowI32x4S => self.extend(I32X4, S, Low),
            O::I64x2ExtendHighI32x4S => self.extend(I32X4, S, High),
            O::I64x2ExtendLowI32x4U => self.extend(I32X4, U, Low),
            O::I64x2ExtendHighI32x4U => self.extend(I32X4, U, High),
            O::I16x8ExtMulLowI8x16S => self.ext_mul(I8X16, S, Low),
            O::I16x8ExtMulHighI8x16S => self.ext_mul(I8X16, S, High),
            O::I16x8ExtMulLowI8x16U => self.ext_mul(I8X16, U, Low),
            O::I16x8ExtMulHighI8x16U => self.ext_mul(I8X16, U, High),
            O::I32x4ExtMulLowI16x8S => self.ext_mul(I16X8, S, Low),
            O::I32x4ExtMulHighI16x8S => self.ext_mul(I16X8, S, High),
            O::I32x4ExtMulLowI16x8U => self.ext_mul(I16X8, U, Low),
            O::I32x4ExtMulHighI16x8U => self.ext_mul(I16X8, U, High),
            O::I64x2ExtMulLowI32x4S => self.ext_mul(I32X4, S, Low),
            O::I64x2ExtMulHighI32x4S => self.ext_mul(I32X4, S, High),
            O::I64x2ExtMulLowI32x4U => self.ext_mul(I32X4, U, Low),
            O::I64x2ExtMulHighI32x4U => self.ext_mul(I32X4, U, High),
            O::I16x8ExtAddPairwiseI8x16S => self.ext_add_pairwise(I8X16, S),
            O::I16x8ExtAddPairwiseI8x16U => self.ext_add_pairwise(I8X16, U),
            O::I32x4ExtAddPairwiseI16x8S => self.ext_add_pairwise(I16X8, S),
            O::I32x4ExtAddPairwiseI16x8U => self.ext_add_pairwise(I16X8, U),
            O::I32x4DotI16x8S => self.dot(),

            // ---- floating point ----
            O::F32x4Ceil => self.vunary(F32X4, |b, x| b.ins().ceil(x)),
            O::F64x2Ceil => self.vunary(F64X2, |b, x| b.ins().ceil(x)),
            O::F32x4Floor => self.vunary(F32X4, |b, x| b.ins().floor(x)),
            O::F64x2Floor => self.vunary(F64X2, |b, x| b.ins().floor(x)),
            O::F32x4Trunc => self.vunary(F32X4, |b, x| b.ins().trunc(x)),
            O::F64x2Trunc => self.vunary(F64X2, |b, x| b.ins().trunc(x)),
            O::F32x4Nearest => self.vunary(F32X4, |b, x| b.ins().nearest(x)),
            O::F64x2Nearest => self.vunary(F64X2, |b, x| b.ins().nearest(x)),
            O::F32x4Abs => self.vunary(F32X4, |b, x| b.ins().fabs(x)),
            O::F64x2Abs => self.vunary(F64X2, |b, x| b.ins().fabs(x)),
            O::F32x4Neg => self.vunary(F32X4, |b, x| b.ins().fneg(x)),
            O::F64x2Neg => self.vunary(F64X2, |b, x| b.ins().fneg(x)),
            O::F32x4Sqrt => self.vunary(F32X4, |b, x| b.ins().sqrt(x)),
            O::F64x2Sqrt => self.vunary(F64X2, |b, x| b.ins().sqrt(x)),
            O::F32x4Add => self.vbinary(F32X4, |b, x, y| b.ins().fadd(x, y)),
            O::F64x2Add => self.vbinary(F64X2, |b, x, y| b.ins().fadd(x, y)),
            O::F32x4Sub => self.vbinary(F32X4, |b, x, y| b.ins().fsub(x, y)),
            O::F64x2Sub => self.vbinary(F64X2, |b, x, y| b.ins().fsub(x, y)),
            O::F32x4Mul => self.vbinary(F32X4, |b, x, y| b.ins().fmul(x, y)),
            O::F64x2Mul => self.vbinary(F64X2, |b, x, y| b.ins().fmul(x, y)),
            O::F32x4Div => self.vbinary(F32X4, |b, x, y| b.ins().fdiv(x, y)),
            O::F64x2Div => self.vbinary(F64X2, |b, x, y| b.ins().fdiv(x, y)),
            O::F32x4Min => self.vbinary(F32X4, |b, x, y| b.ins().fmin(x, y)),
            O::F64x2Min => self.vbinary(F64X2, |b, x, y| b.ins().fmin(x, y)),
            O::F32x4Max => self.vbinary(F32X4, |b, x, y| b.ins().fmax(x, y)),
            O::F64x2Max => self.vbinary(F64X2, |b, x, y| b.ins().fmax(x, y)),
            O::F32x4PMin => self.pseudo_min_max(F32X4, false),
            O::F64x2PMin => self.pseudo_min_max(F64X2, false),
            O::F32x4PMax => self.pseudo_min_max(F32X4, true),
            O::F64x2PMax => self.pseudo_min_max(F64X2, true),

            // ---- conversions ----
            O::I32x4TruncSatF32x4S => self.vunary(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x)),
            O::I32x4TruncSatF32x4U => self.vunary(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x)),
            O::I32x4TruncSatF64x2SZero => self.vunary(F64X2, |b, x| {
                let wide = b.ins().fcvt_to_sint_sat(I64X2, x);
                let zero = b.ins().iconst(I64, 0);
                let zero = b.ins().splat(I64X2, zero);
                b.ins().snarrow(wide, zero)
            }),
            O::I32x4TruncSatF64x2UZero => self.vunary(F64X2, |b, x| {
                let wide = b.ins().fcvt_to_uint_sat(I64X2, x);
                let zero = b.ins().iconst(I64, 0);
                let zero = b.ins().splat(I64X2, zero);
                b.ins().uunarrow(wide, zero)
            }),
            O::F32x4ConvertI32x4S => self.vunary(I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x)),
            O::F32x4ConvertI32x4U => self.vunary(I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x)),
            O::F64x2ConvertLowI32x4S => self.vunary(I32X4, |b, x| {
                let wide = b.ins().swiden_low(x);
                b.ins().fcvt_from_sint(F64X2, wide)
            }),
            O::F64x2ConvertLowI32x4U => self.vunary(I32X4, |b, x| {
                let wide = b.ins().uwiden_low(x);
                b.ins().fcvt_from_uint(F64X2, wide)
            }),
            O::F32x4DemoteF64x2Zero => self.vunary(F64X2, |b, x| b.ins().fvdemote(x)),
            O::F64x2PromoteLowF32x4 => self.vunary(F32X4, |b, x| b.ins().fvpromote_low(x)),

            _ => return self.translate_simd_memory(op),
        }
        true
    }

    /// Pops a v128 as shape `ty`.
    fn vpop(&mut self, ty: Type) -> Value {
        let v = self.pop();
        cast(&mut self.builder, ty, v)
    }

    /// Pushes a vector of any shape as the stack's `i8x16`.
    fn vpush(&mut self, v: Value) {
        let v = cast(&mut self.builder, I8X16, v);
        self.push(v);
    }

    fn vunary(&mut self, ty: Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) {
        let a = self.vpop(ty);
        let v = f(&mut self.builder, a);
        self.vpush(v);
    }

    fn vbinary(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value,
    ) {
        let b = self.vpop(ty);
        let a = self.vpop(ty);
        let v = f(&mut self.builder, a, b);
        self.vpush(v);
    }

    /// A shift of every lane of shape `ty` by an `i32` count (Cranelift takes it modulo the
    /// lane width, as wasm does).
    fn shift(&mut self, ty: Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value) {
        let count = self.pop();
        let a = self.vpop(ty);
        let v = f(&mut self.builder, a, count);
        self.vpush(v);
    }

    fn vicmp(&mut self, ty: Type, cc: IntCC) {
        self.vbinary(ty, |b, x, y| b.ins().icmp(cc, x, y));
    }

    /// Float comparisons yield an all-ones or all-zeros integer lane of the same width.
    fn vfcmp(&mut self, ty: Type, cc: FloatCC) {
        self.vbinary(ty, |b, x, y| b.ins().fcmp(cc, x, y));
    }

    /// `splat`: a scalar on the stack (an `i32` for the narrow shapes, reduced to `narrow`).
    fn splat(&mut self, ty: Type, narrow: Option<Type>) {
        let mut x = self.pop();
        if let Some(narrow) = narrow {
            x = self.builder.ins().ireduce(narrow, x);
        }
        let v = self.builder.ins().splat(ty, x);
        self.vpush(v);
    }

    /// `extract_lane`: narrow integer lanes are sign- or zero-extended to `i32`.
    fn extract_lane(&mut self, ty: Type, lane: u8, extend: Option<Sign>) {
        let a = self.vpop(ty);
        let x = self.builder.ins().extractlane(a, lane);
        let x = match extend {
            Some(Sign::Signed) => self.builder.ins().sextend(I32, x),
            Some(Sign::Unsigned) => self.builder.ins().uextend(I32, x),
            None => x,
        };
        self.push(x);
    }

    /// `replace_lane`: an `i32` operand is reduced to `narrow` for the narrow shapes.
    fn replace_lane(&mut self, ty: Type, lane: u8, narrow: Option<Type>) {
        let mut x = self.pop();
        if let Some(narrow) = narrow {
            x = self.builder.ins().ireduce(narrow, x);
        }
        let a = self.vpop(ty);
        let v = self.builder.ins().insertlane(a, x, lane);
        self.vpush(v);
    }

    fn all_true(&mut self, ty: Type) {
        let a = self.vpop(ty);
        let t = self.builder.ins().vall_true(a);
        let v = self.builder.ins().uextend(I32, t);
        self.push(v);
    }

    fn bitmask(&mut self, ty: Type) {
        let a = self.vpop(ty);
        let v = self.builder.ins().vhigh_bits(I32, a);
        self.push(v);
    }

    /// `extend_{low,high}`: half of the lanes of shape `from`, widened.
    fn extend(&mut self, from: Type, sign: Sign, half: Half) {
        let a = self.pop();
        let v = widen(&mut self.builder, from, a, sign, half);
        self.vpush(v);
    }

    /// `extmul_{low,high}`: widen both operands' halves, then multiply at the wide shape.
    fn ext_mul(&mut self, from: Type, sign: Sign, half: Half) {
        let (a, b) = self.pop2();
        let a = widen(&mut self.builder, from, a, sign, half);
        let b = widen(&mut self.builder, from, b, sign, half);
        let v = self.builder.ins().imul(a, b);
        self.vpush(v);
    }

    /// `extadd_pairwise`: adjacent lane pairs summed at twice the width. Widening the low and
    /// high halves and adding pairs of each gives the sums in lane order.
    fn ext_add_pairwise(&mut self, from: Type, sign: Sign) {
        let a = self.pop();
        let low = widen(&mut self.builder, from, a, sign, Half::Low);
        let high = widen(&mut self.builder, from, a, sign, Half::High);
        let v = self.builder.ins().iadd_pairwise(low, high);
        self.vpush(v);
    }

    /// `i32x4.dot_i16x8_s`: products of the signed 16-bit lanes at 32 bits, adjacent pairs
    /// summed (wrapping, as wasm specifies for the one overflowing case).
    fn dot(&mut self) {
        let (a, b) = self.pop2();
        let [low, high] = [Half::Low, Half::High].map(|half| {
            let x = widen(&mut self.builder, I16X8, a, Sign::Signed, half);
            let y = widen(&mut self.builder, I16X8, b, Sign::Signed, half);
            self.builder.ins().imul(x, y)
        });
        let v = self.builder.ins().iadd_pairwise(low, high);
        self.vpush(v);
    }

    /// `pmin(a, b)` is `b < a ? b : a`; `pmax(a, b)` is `a < b ? b : a` (lane-wise, NaN and
    /// signed zeros left as the comparison says). Selected with the comparison as a bit mask.
    fn pseudo_min_max(&mut self, ty: Type, max: bool) {
        let (a_bits, b_bits) = self.pop2();
        let a = cast(&mut self.builder, ty, a_bits);
        let b = cast(&mut self.builder, ty, b_bits);
        let take_b = if max {
            self.builder.ins().fcmp(FloatCC::LessThan, a, b)
        } else {
            self.builder.ins().fcmp(FloatCC::LessThan, b, a)
        };
        let mask = cast(&mut self.builder, I8X16, take_b);
        let v = self.builder.ins().bitselect(mask, b_bits, a_bits);
        self.push(v);
    }
}
