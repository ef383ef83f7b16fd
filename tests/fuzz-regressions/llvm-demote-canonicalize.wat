;; Found by the differential fuzzer (LLVM backend, batch of seeds 15120..15159 from --seed 5000,
;; and others): zig 0.17.1's clang crashed (exit code 133) on the unit, so the whole batch
;; "failed to compile". `f32x4.demote_f64x2_zero` was `fptrunc` to two lanes, a shuffle adding
;; two zero lanes, then `llvm.canonicalize.v4f32` to quiet a signaling NaN (LLVM folds
;; demote(promote(x)) to x). When the result's low pair is used again (extend_low, convert_low,
;; promote_low), LLVM's `vector-combine` pass narrows the canonicalize through both shuffles to
;; `llvm.canonicalize.v2f32`, which LLVM 22's x86 backend cannot lower. The quieting is now an
;; integer `or` of the quiet bit under a NaN test (compiler/src/llvm/simd/float.rs).
(module
  (func (export "demote-extend-low") (param v128) (result v128)
    (i64x2.extend_low_i32x4_s (f32x4.demote_f64x2_zero (local.get 0))))
  (func (export "demote-convert-low") (param v128) (result v128)
    (f64x2.convert_low_i32x4_s (f32x4.demote_f64x2_zero (local.get 0))))
  (func (export "demote-promote-low") (param v128) (result v128)
    (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (local.get 0))))
  ;; The fuzzer's chain, reduced: a load of two i32 lanes, demote, extends and a bitmask.
  (memory 1)
  (func (export "chain") (param i32) (result i32)
    (i16x8.bitmask
      (f64x2.convert_low_i32x4_s
        (i64x2.extend_low_i32x4_s
          (f32x4.demote_f64x2_zero (v128.load32x2_s (i32.and (local.get 0) (i32.const 0xfff))))))))
  ;; A signaling NaN promoted then demoted must come back quiet (an arithmetic NaN).
  (func (export "promote-demote-snan") (result v128)
    (f32x4.demote_f64x2_zero
      (f64x2.promote_low_f32x4 (v128.const i32x4 0x7f800001 0xff800001 0x7fa00000 0))))
  (func (export "demote-snan") (result v128)
    (f32x4.demote_f64x2_zero (v128.const i64x2 0x7ff0000000000001 0xfff4000000000000))))
