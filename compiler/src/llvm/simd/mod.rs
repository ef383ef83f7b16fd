//! 128-bit SIMD: every `v128` operator of the Wasm 2.0 core specification, as generic LLVM
//! vector IR.
//!
//! A v128 value lives on the operand stack as `<16 x i8>`, byte `k` being wasm's byte `k`
//! (the byte at address `k` when the value is stored). Each operator views its operands in
//! its lane shape (`<4 x i32>`, `<2 x double>`, ...), computes, and turns the result back into
//! bytes (`lanes`/`bytes`). Only generic instructions and target-independent intrinsics are
//! used (`shufflevector`, `llvm.smin`, `llvm.sadd.sat`, `llvm.fptosi.sat`,
//! `llvm.vector.reduce.*`, ...), never a target's own: that is what lets a chip without vector
//! registers (riscv64 without V) run SIMD modules, LLVM splitting the vectors into scalars.
//!
//! Byte order: wasm numbers a lane's bytes little-endian. An LLVM `bitcast` between vector
//! shapes follows the target's byte order, so on a big-endian target the view of a shape
//! reverses the bytes within each lane around the bitcast, and lane loads and stores go
//! through the scalar accesses, which byte-swap (see `memory`).
//!
//! The operators come in families, one module each: lane access, constants, shuffles and
//! bitwise logic in `lanes`, integer arithmetic in `int`, float arithmetic and conversions
//! in `float`, loads and stores in `memory`.

mod float;
mod int;
mod lanes;
mod memory;

use super::func::{FuncTranslator, TranslateResult};
use wasmparser::{Operator, ValType};

/// The lane interpretation of a v128 an operator works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

impl Shape {
    pub fn lanes(self) -> u32 {
        128 / self.lane_bits()
    }

    pub fn lane_bits(self) -> u32 {
        match self {
            Shape::I8x16 => 8,
            Shape::I16x8 => 16,
            Shape::I32x4 | Shape::F32x4 => 32,
            Shape::I64x2 | Shape::F64x2 => 64,
        }
    }

    /// The IR type of one lane.
    pub fn lane_ty(self) -> &'static str {
        match self {
            Shape::I8x16 => "i8",
            Shape::I16x8 => "i16",
            Shape::I32x4 => "i32",
            Shape::I64x2 => "i64",
            Shape::F32x4 => "float",
            Shape::F64x2 => "double",
        }
    }

    /// The IR vector type.
    pub fn ty(self) -> &'static str {
        match self {
            Shape::I8x16 => "<16 x i8>",
            Shape::I16x8 => "<8 x i16>",
            Shape::I32x4 => "<4 x i32>",
            Shape::I64x2 => "<2 x i64>",
            Shape::F32x4 => "<4 x float>",
            Shape::F64x2 => "<2 x double>",
        }
    }

    /// The name suffix of overloaded intrinsics on this vector type.
    pub fn suffix(self) -> &'static str {
        match self {
            Shape::I8x16 => "v16i8",
            Shape::I16x8 => "v8i16",
            Shape::I32x4 => "v4i32",
            Shape::I64x2 => "v2i64",
            Shape::F32x4 => "v4f32",
            Shape::F64x2 => "v2f64",
        }
    }

    /// The wasm type of a lane taken out of the vector (`extract_lane`, `splat`).
    pub fn scalar(self) -> ValType {
        match self {
            Shape::I8x16 | Shape::I16x8 | Shape::I32x4 => ValType::I32,
            Shape::I64x2 => ValType::I64,
            Shape::F32x4 => ValType::F32,
            Shape::F64x2 => ValType::F64,
        }
    }

    /// The integer shape of the same lane width (a comparison's result).
    pub fn int(self) -> Shape {
        match self {
            Shape::F32x4 => Shape::I32x4,
            Shape::F64x2 => Shape::I64x2,
            int => int,
        }
    }

    /// The integer shape with lanes twice as wide (extensions, narrowing's source).
    pub fn wide(self) -> Shape {
        match self {
            Shape::I8x16 => Shape::I16x8,
            Shape::I16x8 => Shape::I32x4,
            Shape::I32x4 => Shape::I64x2,
            other => unreachable!("no integer shape wider than {other:?}"),
        }
    }
}

/// `<n x i32> <i32 a, i32 b, ...>`: a shuffle mask.
pub fn mask(indices: impl IntoIterator<Item = u32>) -> String {
    let items: Vec<String> = indices.into_iter().map(|i| format!("i32 {i}")).collect();
    format!("<{} x i32> <{}>", items.len(), items.join(", "))
}

/// `<N x T> splat (T k)`'s value part: every lane of `shape` holding the integer `k`.
pub fn splat_int(shape: Shape, k: i64) -> String {
    format!("splat ({} {k})", shape.lane_ty())
}

impl FuncTranslator<'_> {
    /// SIMD operators; false when `op` is not one.
    pub fn translate_simd(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        Ok(self.translate_simd_memory(op)
            || self.translate_simd_lanes(op)
            || self.translate_simd_int(op)
            || self.translate_simd_float(op))
    }

    /// On big-endian targets, the byte shuffle that reverses the bytes within each lane of
    /// `shape` (its own inverse); `None` where bytes and lanes agree already.
    fn lane_byte_swap(&self, shape: Shape) -> Option<String> {
        let bytes = shape.lane_bits() / 8;
        (self.target.big_endian && bytes > 1)
            .then(|| mask((0..16).map(|i| i / bytes * bytes + (bytes - 1 - i % bytes))))
    }

    /// Views the bytes `v` (a `<16 x i8>`) as lanes of `shape`.
    pub fn lanes(&mut self, v: &str, shape: Shape) -> String {
        if shape == Shape::I8x16 {
            return v.to_string();
        }
        let ordered = match self.lane_byte_swap(shape) {
            Some(swap) => self.inst(format!(
                "shufflevector <16 x i8> {v}, <16 x i8> poison, {swap}"
            )),
            None => v.to_string(),
        };
        self.inst(format!("bitcast <16 x i8> {ordered} to {}", shape.ty()))
    }

    /// Turns lanes of `shape` back into the stack's bytes.
    pub fn bytes(&mut self, v: &str, shape: Shape) -> String {
        if shape == Shape::I8x16 {
            return v.to_string();
        }
        let cast = self.inst(format!("bitcast {} {v} to <16 x i8>", shape.ty()));
        match self.lane_byte_swap(shape) {
            Some(swap) => self.inst(format!(
                "shufflevector <16 x i8> {cast}, <16 x i8> poison, {swap}"
            )),
            None => cast,
        }
    }

    /// Pops a v128 as lanes of `shape`.
    pub fn pop_lanes(&mut self, shape: Shape) -> String {
        let v = self.pop();
        debug_assert_eq!(v.ty, ValType::V128);
        self.lanes(&v.repr, shape)
    }

    /// Pushes lanes of `shape` as a v128.
    pub fn push_lanes(&mut self, v: &str, shape: Shape) {
        let bytes = self.bytes(v, shape);
        self.push(bytes, ValType::V128);
    }

    /// Calls the intrinsic `llvm.{name}` (its full overloaded name) returning `ret` on `args`,
    /// each a (type, value) pair.
    pub fn call_intrinsic(&mut self, name: &str, ret: &str, args: &[(&str, &str)]) -> String {
        let params: Vec<&str> = args.iter().map(|(ty, _)| *ty).collect();
        let f = self
            .intrinsics
            .intrinsic(&format!("llvm.{name}"), ret, &params);
        let args: Vec<String> = args.iter().map(|(ty, v)| format!("{ty} {v}")).collect();
        self.inst(format!("call {ret} {f}({})", args.join(", ")))
    }

    /// `llvm.{name}.{shape suffix}` on operands of `shape`, returning a vector of `shape`.
    pub fn lanewise_intrinsic(&mut self, name: &str, shape: Shape, args: &[&str]) -> String {
        let ty = shape.ty();
        let args: Vec<(&str, &str)> = args.iter().map(|a| (ty, *a)).collect();
        self.call_intrinsic(&format!("{name}.{}", shape.suffix()), ty, &args)
    }

    /// Every lane of `shape` set to the scalar `x` (of the lane's IR type).
    pub fn splat(&mut self, shape: Shape, x: &str) -> String {
        let ty = shape.ty();
        let one = self.inst(format!(
            "insertelement {ty} poison, {} {x}, i64 0",
            shape.lane_ty()
        ));
        self.inst(format!(
            "shufflevector {ty} {one}, {ty} poison, <{} x i32> zeroinitializer",
            shape.lanes()
        ))
    }
}
