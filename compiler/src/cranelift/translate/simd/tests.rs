//! Every SIMD instruction family compiled through the whole pipeline, so Cranelift's verifier
//! (on in debug builds) and each backend's lowering accept the IR we generate.

use crate::{CompileOptions, compile};

/// One module per instruction family: (name, module text).
const FAMILIES: &[(&str, &str)] = &[
    (
        "const_shuffle_swizzle",
        r#"(module
          (func (export "const") (result v128) (v128.const i32x4 1 2 3 4))
          (func (export "shuffle") (param v128 v128) (result v128)
            (i8x16.shuffle 0 17 2 19 4 21 6 23 31 30 29 28 15 14 13 12
              (local.get 0) (local.get 1)))
          (func (export "swizzle") (param v128 v128) (result v128)
            (i8x16.swizzle (local.get 0) (local.get 1))))"#,
    ),
    (
        "splat",
        r#"(module
          (func (param i32) (result v128) (i8x16.splat (local.get 0)))
          (func (param i32) (result v128) (i16x8.splat (local.get 0)))
          (func (param i32) (result v128) (i32x4.splat (local.get 0)))
          (func (param i64) (result v128) (i64x2.splat (local.get 0)))
          (func (param f32) (result v128) (f32x4.splat (local.get 0)))
          (func (param f64) (result v128) (f64x2.splat (local.get 0))))"#,
    ),
    (
        "lanes",
        r#"(module
          (func (param v128) (result i32) (i8x16.extract_lane_s 15 (local.get 0)))
          (func (param v128) (result i32) (i8x16.extract_lane_u 3 (local.get 0)))
          (func (param v128) (result i32) (i16x8.extract_lane_s 7 (local.get 0)))
          (func (param v128) (result i32) (i16x8.extract_lane_u 1 (local.get 0)))
          (func (param v128) (result i32) (i32x4.extract_lane 2 (local.get 0)))
          (func (param v128) (result i64) (i64x2.extract_lane 1 (local.get 0)))
          (func (param v128) (result f32) (f32x4.extract_lane 3 (local.get 0)))
          (func (param v128) (result f64) (f64x2.extract_lane 1 (local.get 0)))
          (func (param v128 i32) (result v128) (i8x16.replace_lane 9 (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i16x8.replace_lane 5 (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i32x4.replace_lane 3 (local.get 0) (local.get 1)))
          (func (param v128 i64) (result v128) (i64x2.replace_lane 1 (local.get 0) (local.get 1)))
          (func (param v128 f32) (result v128) (f32x4.replace_lane 0 (local.get 0) (local.get 1)))
          (func (param v128 f64) (result v128) (f64x2.replace_lane 1 (local.get 0) (local.get 1))))"#,
    ),
    (
        "int_compare",
        r#"(module
          (func (param v128 v128) (result v128) (i8x16.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.lt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.lt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.gt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.gt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.le_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.le_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.ge_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.ge_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.lt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.lt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.gt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.gt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.le_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.le_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.ge_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.ge_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.lt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.lt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.gt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.gt_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.le_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.le_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.ge_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.ge_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.lt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.gt_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.le_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.ge_s (local.get 0) (local.get 1))))"#,
    ),
    (
        "float_compare",
        r#"(module
          (func (param v128 v128) (result v128) (f32x4.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.lt (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.gt (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.le (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.ge (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.eq (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.ne (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.lt (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.gt (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.le (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.ge (local.get 0) (local.get 1))))"#,
    ),
    (
        "bitwise",
        r#"(module
          (func (param v128) (result v128) (v128.not (local.get 0)))
          (func (param v128 v128) (result v128) (v128.and (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (v128.andnot (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (v128.or (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (v128.xor (local.get 0) (local.get 1)))
          (func (param v128 v128 v128) (result v128)
            (v128.bitselect (local.get 0) (local.get 1) (local.get 2)))
          (func (param v128) (result i32) (v128.any_true (local.get 0))))"#,
    ),
    (
        "int_unary",
        r#"(module
          (func (param v128) (result v128) (i8x16.abs (local.get 0)))
          (func (param v128) (result v128) (i16x8.abs (local.get 0)))
          (func (param v128) (result v128) (i32x4.abs (local.get 0)))
          (func (param v128) (result v128) (i64x2.abs (local.get 0)))
          (func (param v128) (result v128) (i8x16.neg (local.get 0)))
          (func (param v128) (result v128) (i16x8.neg (local.get 0)))
          (func (param v128) (result v128) (i32x4.neg (local.get 0)))
          (func (param v128) (result v128) (i64x2.neg (local.get 0)))
          (func (param v128) (result v128) (i8x16.popcnt (local.get 0)))
          (func (param v128) (result i32) (i8x16.all_true (local.get 0)))
          (func (param v128) (result i32) (i16x8.all_true (local.get 0)))
          (func (param v128) (result i32) (i32x4.all_true (local.get 0)))
          (func (param v128) (result i32) (i64x2.all_true (local.get 0)))
          (func (param v128) (result i32) (i8x16.bitmask (local.get 0)))
          (func (param v128) (result i32) (i16x8.bitmask (local.get 0)))
          (func (param v128) (result i32) (i32x4.bitmask (local.get 0)))
          (func (param v128) (result i32) (i64x2.bitmask (local.get 0))))"#,
    ),
    (
        "shifts",
        r#"(module
          (func (param v128 i32) (result v128) (i8x16.shl (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i8x16.shr_s (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i8x16.shr_u (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i16x8.shl (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i16x8.shr_s (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i16x8.shr_u (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i32x4.shl (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i32x4.shr_s (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i32x4.shr_u (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i64x2.shl (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i64x2.shr_s (local.get 0) (local.get 1)))
          (func (param v128 i32) (result v128) (i64x2.shr_u (local.get 0) (local.get 1)))
          (func (param v128) (result v128) (i8x16.shl (local.get 0) (i32.const 9)))
          (func (param v128) (result v128) (i64x2.shr_s (local.get 0) (i32.const 65))))"#,
    ),
    (
        "int_binary",
        r#"(module
          (func (param v128 v128) (result v128) (i8x16.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.mul (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.mul (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i64x2.mul (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.add_sat_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.add_sat_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.add_sat_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.add_sat_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.sub_sat_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.sub_sat_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.sub_sat_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.sub_sat_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.min_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.min_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.max_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.max_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.min_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.min_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.max_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.max_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.min_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.min_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.max_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i32x4.max_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i8x16.avgr_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (i16x8.avgr_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.q15mulr_sat_s (local.get 0) (local.get 1))))"#,
    ),
    (
        "narrow_extend",
        r#"(module
          (func (param v128 v128) (result v128)
            (i8x16.narrow_i16x8_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i8x16.narrow_i16x8_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.narrow_i32x4_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.narrow_i32x4_u (local.get 0) (local.get 1)))
          (func (param v128) (result v128) (i16x8.extend_low_i8x16_s (local.get 0)))
          (func (param v128) (result v128) (i16x8.extend_high_i8x16_s (local.get 0)))
          (func (param v128) (result v128) (i16x8.extend_low_i8x16_u (local.get 0)))
          (func (param v128) (result v128) (i16x8.extend_high_i8x16_u (local.get 0)))
          (func (param v128) (result v128) (i32x4.extend_low_i16x8_s (local.get 0)))
          (func (param v128) (result v128) (i32x4.extend_high_i16x8_s (local.get 0)))
          (func (param v128) (result v128) (i32x4.extend_low_i16x8_u (local.get 0)))
          (func (param v128) (result v128) (i32x4.extend_high_i16x8_u (local.get 0)))
          (func (param v128) (result v128) (i64x2.extend_low_i32x4_s (local.get 0)))
          (func (param v128) (result v128) (i64x2.extend_high_i32x4_s (local.get 0)))
          (func (param v128) (result v128) (i64x2.extend_low_i32x4_u (local.get 0)))
          (func (param v128) (result v128) (i64x2.extend_high_i32x4_u (local.get 0))))"#,
    ),
    (
        "extmul_extadd_dot",
        r#"(module
          (func (param v128 v128) (result v128)
            (i16x8.extmul_low_i8x16_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.extmul_high_i8x16_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.extmul_low_i8x16_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i16x8.extmul_high_i8x16_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i32x4.extmul_low_i16x8_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i32x4.extmul_high_i16x8_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i32x4.extmul_low_i16x8_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i32x4.extmul_high_i16x8_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i64x2.extmul_low_i32x4_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i64x2.extmul_high_i32x4_s (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i64x2.extmul_low_i32x4_u (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128)
            (i64x2.extmul_high_i32x4_u (local.get 0) (local.get 1)))
          (func (param v128) (result v128) (i16x8.extadd_pairwise_i8x16_s (local.get 0)))
          (func (param v128) (result v128) (i16x8.extadd_pairwise_i8x16_u (local.get 0)))
          (func (param v128) (result v128) (i32x4.extadd_pairwise_i16x8_s (local.get 0)))
          (func (param v128) (result v128) (i32x4.extadd_pairwise_i16x8_u (local.get 0)))
          (func (param v128 v128) (result v128)
            (i32x4.dot_i16x8_s (local.get 0) (local.get 1))))"#,
    ),
    (
        "float_arith",
        r#"(module
          (func (param v128) (result v128) (f32x4.ceil (local.get 0)))
          (func (param v128) (result v128) (f32x4.floor (local.get 0)))
          (func (param v128) (result v128) (f32x4.trunc (local.get 0)))
          (func (param v128) (result v128) (f32x4.nearest (local.get 0)))
          (func (param v128) (result v128) (f32x4.abs (local.get 0)))
          (func (param v128) (result v128) (f32x4.neg (local.get 0)))
          (func (param v128) (result v128) (f32x4.sqrt (local.get 0)))
          (func (param v128) (result v128) (f64x2.ceil (local.get 0)))
          (func (param v128) (result v128) (f64x2.floor (local.get 0)))
          (func (param v128) (result v128) (f64x2.trunc (local.get 0)))
          (func (param v128) (result v128) (f64x2.nearest (local.get 0)))
          (func (param v128) (result v128) (f64x2.abs (local.get 0)))
          (func (param v128) (result v128) (f64x2.neg (local.get 0)))
          (func (param v128) (result v128) (f64x2.sqrt (local.get 0)))
          (func (param v128 v128) (result v128) (f32x4.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.mul (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.div (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.max (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.pmin (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f32x4.pmax (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.add (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.sub (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.mul (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.div (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.min (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.max (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.pmin (local.get 0) (local.get 1)))
          (func (param v128 v128) (result v128) (f64x2.pmax (local.get 0) (local.get 1))))"#,
    ),
    (
        "conversions",
        r#"(module
          (func (param v128) (result v128) (i32x4.trunc_sat_f32x4_s (local.get 0)))
          (func (param v128) (result v128) (i32x4.trunc_sat_f32x4_u (local.get 0)))
          (func (param v128) (result v128) (i32x4.trunc_sat_f64x2_s_zero (local.get 0)))
          (func (param v128) (result v128) (i32x4.trunc_sat_f64x2_u_zero (local.get 0)))
          (func (param v128) (result v128) (f32x4.convert_i32x4_s (local.get 0)))
          (func (param v128) (result v128) (f32x4.convert_i32x4_u (local.get 0)))
          (func (param v128) (result v128) (f64x2.convert_low_i32x4_s (local.get 0)))
          (func (param v128) (result v128) (f64x2.convert_low_i32x4_u (local.get 0)))
          (func (param v128) (result v128) (f32x4.demote_f64x2_zero (local.get 0)))
          (func (param v128) (result v128) (f64x2.promote_low_f32x4 (local.get 0))))"#,
    ),
    (
        "memory",
        r#"(module
          (memory 1)
          (func (param i32) (result v128) (v128.load8x8_s offset=3 (local.get 0)))
          (func (param i32) (result v128) (v128.load8x8_u (local.get 0)))
          (func (param i32) (result v128) (v128.load16x4_s (local.get 0)))
          (func (param i32) (result v128) (v128.load16x4_u offset=65536 (local.get 0)))
          (func (param i32) (result v128) (v128.load32x2_s (local.get 0)))
          (func (param i32) (result v128) (v128.load32x2_u (local.get 0)))
          (func (param i32) (result v128) (v128.load8_splat (local.get 0)))
          (func (param i32) (result v128) (v128.load16_splat (local.get 0)))
          (func (param i32) (result v128) (v128.load32_splat (local.get 0)))
          (func (param i32) (result v128) (v128.load64_splat offset=4294967295 (local.get 0)))
          (func (param i32) (result v128) (v128.load32_zero (local.get 0)))
          (func (param i32) (result v128) (v128.load64_zero (local.get 0)))
          (func (param i32 v128) (result v128) (v128.load8_lane 15 (local.get 0) (local.get 1)))
          (func (param i32 v128) (result v128) (v128.load16_lane 7 (local.get 0) (local.get 1)))
          (func (param i32 v128) (result v128) (v128.load32_lane 3 (local.get 0) (local.get 1)))
          (func (param i32 v128) (result v128) (v128.load64_lane 1 (local.get 0) (local.get 1)))
          (func (param i32 v128) (v128.store8_lane 15 (local.get 0) (local.get 1)))
          (func (param i32 v128) (v128.store16_lane 7 (local.get 0) (local.get 1)))
          (func (param i32 v128) (v128.store32_lane 3 (local.get 0) (local.get 1)))
          (func (param i32 v128) (v128.store64_lane 1 (local.get 0) (local.get 1)))
          (func (param i32) (result v128) (v128.load (local.get 0)))
          (func (param i32 v128) (v128.store (local.get 0) (local.get 1))))"#,
    ),
    (
        "control_flow_and_locals",
        r#"(module
          (global $g (mut v128) (v128.const i64x2 0 0))
          (func (param v128 i32) (result v128) (local v128)
            (local.set 2 (f32x4.add (local.get 0) (local.get 0)))
            (if (result v128) (local.get 1)
              (then (i32x4.add (local.get 2) (local.get 0)))
              (else (global.get $g))))
          (func (param v128) (result v128)
            (global.set $g (local.get 0))
            (select (local.get 0) (i64x2.splat (i64.const 1)) (i32.const 1))))"#,
    ),
];

fn options(triple: &str) -> CompileOptions {
    CompileOptions::new(triple.parse().expect("known triple"), "t_")
}

/// Compiles every family for `options`; returns the families that failed, with the error.
fn failures(options: &CompileOptions) -> Vec<String> {
    let mut failed = Vec::new();
    for (name, text) in FAMILIES {
        let wasm = wat::parse_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let result = std::panic::catch_unwind(|| compile(&wasm, options));
        match result {
            Ok(Ok(object)) => assert!(!object.is_empty()),
            Ok(Err(e)) => failed.push(format!("{name}: {e}")),
            Err(_) => failed.push(format!("{name}: panicked")),
        }
    }
    failed
}

fn assert_all_compile(options: &CompileOptions) {
    let failed = failures(options);
    assert!(
        failed.is_empty(),
        "{}: {} families failed:\n{}",
        options.triple,
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn host() {
    assert_all_compile(&CompileOptions::host());
}

#[test]
fn x86_64() {
    assert_all_compile(&options("x86_64-unknown-linux-gnu"));
}

#[test]
fn aarch64() {
    assert_all_compile(&options("aarch64-unknown-linux-gnu"));
}

#[test]
fn s390x() {
    assert_all_compile(&options("s390x-unknown-linux-gnu"));
}

/// Cranelift lowers vectors on riscv64 only with the V extension (`has_v`, `has_zvl128b`), and
/// its riscv64 ABI returns a v128 only through an implicit return area
/// (`enable_multi_ret_implicit_sret`); `emit::isa` enables both.
#[test]
fn riscv64() {
    assert_all_compile(&options("riscv64gc-unknown-linux-gnu"));
}

/// Every fixed-width SIMD operator the validator accepts is translated (relaxed SIMD is not).
#[test]
fn relaxed_simd_is_refused() {
    let wasm = wat::parse_str(
        r#"(module (func (param v128 v128) (result v128)
          (i8x16.relaxed_swizzle (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    assert!(compile(&wasm, &CompileOptions::host()).is_err());
}
