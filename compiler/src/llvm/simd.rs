//! 128-bit SIMD as LLVM vector types, with generic IR and target-independent intrinsics
//! only, so that every CPU LLVM targets runs SIMD modules (riscv64 without V, 32-bit ARM, ...):
//! LLVM picks vector instructions where the CPU has them and scalar code where it does not.
//!
//! A v128 on the operand stack is `<16 x i8>`; each operation bitcasts to its lane shape and
//! back, which costs nothing. Lane numbering follows LLVM's element order, which matches wasm's
//! on little-endian targets; big-endian targets are refused (`require_little_endian`).

use super::func::{FuncTranslator, TranslateResult};
use wasmparser::{MemArg, Operator, ValType};

use ValType::{F32, F64, I32, I64, V128};

/// A lane shape: lane count and lane type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    lanes: u32,
    /// The IR lane type: i8, i16, i32, i64, float, double.
    lane: &'static str,
    bits: u32,
}

pub const I8X16: Shape = Shape {
    lanes: 16,
    lane: "i8",
    bits: 8,
};
pub const I16X8: Shape = Shape {
    lanes: 8,
    lane: "i16",
    bits: 16,
};
pub const I32X4: Shape = Shape {
    lanes: 4,
    lane: "i32",
    bits: 32,
};
pub const I64X2: Shape = Shape {
    lanes: 2,
    lane: "i64",
    bits: 64,
};
pub const F32X4: Shape = Shape {
    lanes: 4,
    lane: "float",
    bits: 32,
};
pub const F64X2: Shape = Shape {
    lanes: 2,
    lane: "double",
    bits: 64,
};

impl Shape {
    fn ty(self) -> String {
        format!("<{} x {}>", self.lanes, self.lane)
    }

    /// The intrinsic suffix, e.g. `v4f32`.
    fn suffix(self) -> String {
        let lane = match self.lane {
            "float" => "f32".to_string(),
            "double" => "f64".to_string(),
            int => int.to_string(),
        };
        format!("v{}{lane}", self.lanes)
    }

    /// The integer shape of the same lanes (a comparison's result).
    fn int(self) -> Shape {
        match self.lane {
            "float" => I32X4,
            "double" => I64X2,
            _ => self,
        }
    }

    /// The scalar wasm type of a lane.
    fn scalar(self) -> ValType {
        match (self.lane, self.bits) {
            ("float", _) => F32,
            ("double", _) => F64,
            (_, 64) => I64,
            _ => I32,
        }
    }

    /// Lanes twice as wide, half as many.
    fn wide(self) -> Shape {
        match self.bits {
            8 => I16X8,
            16 => I32X4,
            _ => I64X2,
        }
    }

    fn is_float(self) -> bool {
        matches!(self.lane, "float" | "double")
    }
}

/// A constant `<N x i32>` shuffle mask.
fn mask(indices: impl IntoIterator<Item = u32>) -> String {
    let items: Vec<String> = indices.into_iter().map(|i| format!("i32 {i}")).collect();
    format!("<{} x i32> <{}>", items.len(), items.join(", "))
}

impl FuncTranslator<'_> {
    /// Pops a v128 as `shape`.
    pub(super) fn pop_as(&mut self, shape: Shape) -> String {
        let v = self.pop();
        self.cast_from_bytes(&v.repr, shape)
    }

    fn cast_from_bytes(&mut self, v: &str, shape: Shape) -> String {
        if shape == I8X16 {
            return v.to_string();
        }
        self.inst(format!("bitcast <16 x i8> {v} to {}", shape.ty()))
    }

    /// Pushes a value of `shape` as a v128.
    pub(super) fn push_as(&mut self, v: String, shape: Shape) {
        let bytes = if shape == I8X16 {
            v
        } else {
            self.inst(format!("bitcast {} {v} to <16 x i8>", shape.ty()))
        };
        self.push(bytes, V128);
    }

    pub(super) fn vbinary(&mut self, opcode: &str, shape: Shape) {
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let v = self.inst(format!("{opcode} {} {a}, {b}", shape.ty()));
        self.push_as(v, shape);
    }

    pub(super) fn vintrinsic(&mut self, name: &str, shape: Shape, operands: usize, extra: &str) {
        let ty = shape.ty();
        let mut args: Vec<String> = (0..operands).map(|_| self.pop_as(shape)).collect();
        args.reverse();
        let mut params = vec![ty.as_str(); operands];
        let mut list: Vec<String> = args.iter().map(|a| format!("{ty} {a}")).collect();
        if !extra.is_empty() {
            params.push("i1");
            list.push(format!("i1 {extra}"));
        }
        let f = self
            .intrinsics
            .intrinsic(&format!("llvm.{name}.{}", shape.suffix()), &ty, &params);
        let v = self.inst(format!("call {ty} {f}({})", list.join(", ")));
        self.push_as(v, shape);
    }

    pub(super) fn vcompare(&mut self, instr: &str, pred: &str, shape: Shape) {
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let c = self.inst(format!("{instr} {pred} {} {a}, {b}", shape.ty()));
        let int = shape.int();
        let v = self.inst(format!("sext <{} x i1> {c} to {}", shape.lanes, int.ty()));
        self.push_as(v, int);
    }

    /// A splat of scalar `s` (already of the lane type) to `shape`.
    pub(super) fn splat_value(&mut self, s: &str, shape: Shape) -> String {
        let one = self.inst(format!(
            "insertelement {} poison, {} {s}, i32 0",
            shape.ty(),
            shape.lane
        ));
        self.inst(format!(
            "shufflevector {t} {one}, {t} poison, <{} x i32> zeroinitializer",
            shape.lanes,
            t = shape.ty()
        ))
    }

    /// A scalar wasm value narrowed to the lane type.
    fn narrow_to_lane(&mut self, v: &str, shape: Shape) -> String {
        match shape.bits {
            8 | 16 if !shape.is_float() => self.inst(format!("trunc i32 {v} to {}", shape.lane)),
            _ => v.to_string(),
        }
    }

    pub(super) fn splat(&mut self, shape: Shape) {
        let s = self.pop();
        let lane = self.narrow_to_lane(&s.repr, shape);
        let v = self.splat_value(&lane, shape);
        self.push_as(v, shape);
    }

    pub(super) fn vshift(&mut self, opcode: &str, shape: Shape) {
        let count = self.pop();
        let masked = self.inst(format!("and i32 {}, {}", count.repr, shape.bits - 1));
        let lane_count = match shape.bits {
            64 => self.inst(format!("zext i32 {masked} to i64")),
            32 => masked,
            _ => self.inst(format!("trunc i32 {masked} to {}", shape.lane)),
        };
        let counts = self.splat_value(&lane_count, shape);
        let a = self.pop_as(shape);
        let v = self.inst(format!("{opcode} {} {a}, {counts}", shape.ty()));
        self.push_as(v, shape);
    }

    pub(super) fn extract_lane(&mut self, shape: Shape, lane: u8, ext: &str) {
        let a = self.pop_as(shape);
        let e = self.inst(format!("extractelement {} {a}, i32 {lane}", shape.ty()));
        let v = if ext.is_empty() {
            e
        } else {
            self.inst(format!("{ext} {} {e} to i32", shape.lane))
        };
        self.push(v, shape.scalar());
    }

    pub(super) fn replace_lane(&mut self, shape: Shape, lane: u8) {
        let s = self.pop();
        let a = self.pop_as(shape);
        let l = self.narrow_to_lane(&s.repr, shape);
        let v = self.inst(format!(
            "insertelement {} {a}, {} {l}, i32 {lane}",
            shape.ty(),
            shape.lane
        ));
        self.push_as(v, shape);
    }

    /// `all_true`: every lane nonzero.
    pub(super) fn all_true(&mut self, shape: Shape) {
        let a = self.pop_as(shape);
        let nz = self.inst(format!("icmp ne {} {a}, zeroinitializer", shape.ty()));
        let n = shape.lanes;
        let f = self.intrinsics.intrinsic(
            &format!("llvm.vector.reduce.and.v{n}i1"),
            "i1",
            &[&format!("<{n} x i1>")],
        );
        let r = self.inst(format!("call i1 {f}(<{n} x i1> {nz})"));
        let v = self.inst(format!("zext i1 {r} to i32"));
        self.push(v, I32);
    }

    pub(super) fn bitmask(&mut self, shape: Shape) {
        let a = self.pop_as(shape);
        let neg = self.inst(format!("icmp slt {} {a}, zeroinitializer", shape.ty()));
        let n = shape.lanes;
        let bits = self.inst(format!("bitcast <{n} x i1> {neg} to i{n}"));
        let v = if n == 32 {
            bits
        } else {
            self.inst(format!("zext i{n} {bits} to i32"))
        };
        self.push(v, I32);
    }

    /// Half of `a`'s lanes (`high`: the upper half), extended to the wide shape.
    fn extend_half(&mut self, a: &str, shape: Shape, high: bool, ext: &str) -> String {
        let half = shape.lanes / 2;
        let start = if high { half } else { 0 };
        let part = self.inst(format!(
            "shufflevector {t} {a}, {t} poison, {}",
            mask(start..start + half),
            t = shape.ty()
        ));
        let wide = shape.wide();
        self.inst(format!(
            "{ext} <{half} x {}> {part} to {}",
            shape.lane,
            wide.ty()
        ))
    }

    pub(super) fn extend(&mut self, shape: Shape, high: bool, ext: &str) {
        let a = self.pop_as(shape);
        let v = self.extend_half(&a, shape, high, ext);
        self.push_as(v, shape.wide());
    }

    pub(super) fn ext_mul(&mut self, shape: Shape, high: bool, ext: &str) {
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let wa = self.extend_half(&a, shape, high, ext);
        let wb = self.extend_half(&b, shape, high, ext);
        let v = self.inst(format!("mul {} {wa}, {wb}", shape.wide().ty()));
        self.push_as(v, shape.wide());
    }

    /// Sums of adjacent lane pairs of `a` (of the wide shape's lanes).
    fn pairwise_add(&mut self, a: &str, wide: Shape) -> String {
        let t = wide.ty();
        let n = wide.lanes;
        let even = self.inst(format!(
            "shufflevector {t} {a}, {t} poison, {}",
            mask((0..n / 2).map(|i| 2 * i))
        ));
        let odd = self.inst(format!(
            "shufflevector {t} {a}, {t} poison, {}",
            mask((0..n / 2).map(|i| 2 * i + 1))
        ));
        self.inst(format!("add <{} x {}> {even}, {odd}", n / 2, wide.lane))
    }

    pub(super) fn ext_add_pairwise(&mut self, shape: Shape, ext: &str) {
        let a = self.pop_as(shape);
        let wide = Shape {
            lanes: shape.lanes,
            lane: shape.wide().lane,
            bits: shape.bits * 2,
        };
        let w = self.inst(format!("{ext} {} {a} to {}", shape.ty(), wide.ty()));
        let v = self.pairwise_add(&w, wide);
        self.push_as(v, shape.wide());
    }

    /// Narrowing with saturation: both inputs clamped to the narrow lane's range.
    pub(super) fn narrow(&mut self, shape: Shape, signed: bool) {
        let narrow_bits = shape.bits / 2;
        let (lo, hi) = if signed {
            (
                -(1i64 << (narrow_bits - 1)),
                (1i64 << (narrow_bits - 1)) - 1,
            )
        } else {
            (0, (1i64 << narrow_bits) - 1)
        };
        let t = shape.ty();
        let s = shape.suffix();
        let smax = self
            .intrinsics
            .intrinsic(&format!("llvm.smax.{s}"), &t, &[&t, &t]);
        let smin = self
            .intrinsics
            .intrinsic(&format!("llvm.smin.{s}"), &t, &[&t, &t]);
        let lo_v = self.splat_value(&lo.to_string(), shape);
        let hi_v = self.splat_value(&hi.to_string(), shape);
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let mut halves = Vec::new();
        for x in [a, b] {
            let up = self.inst(format!("call {t} {smax}({t} {x}, {t} {lo_v})"));
            let clamped = self.inst(format!("call {t} {smin}({t} {up}, {t} {hi_v})"));
            halves.push(self.inst(format!(
                "trunc {t} {clamped} to <{} x i{narrow_bits}>",
                shape.lanes
            )));
        }
        let n = shape.lanes;
        let v = self.inst(format!(
            "shufflevector <{n} x i{narrow_bits}> {}, <{n} x i{narrow_bits}> {}, {}",
            halves[0],
            halves[1],
            mask(0..2 * n)
        ));
        let result = Shape {
            lanes: 2 * n,
            lane: if narrow_bits == 8 { "i8" } else { "i16" },
            bits: narrow_bits,
        };
        self.push_as(v, result);
    }

    pub(super) fn avgr_u(&mut self, shape: Shape) {
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let wide = format!("<{} x i{}>", shape.lanes, shape.bits * 2);
        let t = shape.ty();
        let wa = self.inst(format!("zext {t} {a} to {wide}"));
        let wb = self.inst(format!("zext {t} {b} to {wide}"));
        let sum = self.inst(format!("add {wide} {wa}, {wb}"));
        let one = self.splat_value(
            "1",
            Shape {
                lanes: shape.lanes,
                lane: if shape.bits == 8 { "i16" } else { "i32" },
                bits: shape.bits * 2,
            },
        );
        let rounded = self.inst(format!("add {wide} {sum}, {one}"));
        let halved = self.inst(format!("lshr {wide} {rounded}, {one}"));
        let v = self.inst(format!("trunc {wide} {halved} to {t}"));
        self.push_as(v, shape);
    }

    pub(super) fn q15mulr(&mut self) {
        let b = self.pop_as(I16X8);
        let a = self.pop_as(I16X8);
        let wa = self.inst(format!("sext <8 x i16> {a} to <8 x i32>"));
        let wb = self.inst(format!("sext <8 x i16> {b} to <8 x i32>"));
        let p = self.inst(format!("mul <8 x i32> {wa}, {wb}"));
        let wide = Shape {
            lanes: 8,
            lane: "i32",
            bits: 32,
        };
        let round = self.splat_value("16384", wide);
        let r = self.inst(format!("add <8 x i32> {p}, {round}"));
        let fifteen = self.splat_value("15", wide);
        let s = self.inst(format!("ashr <8 x i32> {r}, {fifteen}"));
        let max = self.splat_value("32767", wide);
        let smin =
            self.intrinsics
                .intrinsic("llvm.smin.v8i32", "<8 x i32>", &["<8 x i32>", "<8 x i32>"]);
        let c = self.inst(format!(
            "call <8 x i32> {smin}(<8 x i32> {s}, <8 x i32> {max})"
        ));
        let v = self.inst(format!("trunc <8 x i32> {c} to <8 x i16>"));
        self.push_as(v, I16X8);
    }

    pub(super) fn dot(&mut self) {
        let b = self.pop_as(I16X8);
        let a = self.pop_as(I16X8);
        let wa = self.inst(format!("sext <8 x i16> {a} to <8 x i32>"));
        let wb = self.inst(format!("sext <8 x i16> {b} to <8 x i32>"));
        let p = self.inst(format!("mul <8 x i32> {wa}, {wb}"));
        let v = self.pairwise_add(
            &p,
            Shape {
                lanes: 8,
                lane: "i32",
                bits: 32,
            },
        );
        self.push_as(v, I32X4);
    }

    pub(super) fn swizzle(&mut self) {
        let idx = self.pop_as(I8X16);
        let a = self.pop_as(I8X16);
        let mut acc = "zeroinitializer".to_string();
        for lane in 0..16 {
            let i = self.inst(format!("extractelement <16 x i8> {idx}, i32 {lane}"));
            let in_range = self.inst(format!("icmp ult i8 {i}, 16"));
            let clamped = self.inst(format!("and i8 {i}, 15"));
            let e = self.inst(format!("extractelement <16 x i8> {a}, i8 {clamped}"));
            let s = self.inst(format!("select i1 {in_range}, i8 {e}, i8 0"));
            acc = self.inst(format!("insertelement <16 x i8> {acc}, i8 {s}, i32 {lane}"));
        }
        self.push(acc, V128);
    }

    pub(super) fn pmin_pmax(&mut self, shape: Shape, max: bool) {
        let b = self.pop_as(shape);
        let a = self.pop_as(shape);
        let t = shape.ty();
        // pmin: b < a ? b : a; pmax: a < b ? b : a.
        let c = if max {
            self.inst(format!("fcmp olt {t} {a}, {b}"))
        } else {
            self.inst(format!("fcmp olt {t} {b}, {a}"))
        };
        let v = self.inst(format!(
            "select <{} x i1> {c}, {t} {b}, {t} {a}",
            shape.lanes
        ));
        self.push_as(v, shape);
    }

    pub(super) fn vmin_max(&mut self, name: &str, shape: Shape) {
        self.vintrinsic(name, shape, 2, "");
        self.vintrinsic("canonicalize", shape, 1, "");
    }

    pub(super) fn vconvert(&mut self, opcode: &str, from: Shape, to: Shape) {
        let a = self.pop_as(from);
        let v = self.inst(format!("{opcode} {} {a} to {}", from.ty(), to.ty()));
        self.push_as(v, to);
    }

    pub(super) fn vtrunc_sat(&mut self, signed: bool) {
        let a = self.pop_as(F32X4);
        let name = format!(
            "llvm.fpto{}i.sat.v4i32.v4f32",
            if signed { "s" } else { "u" }
        );
        let f = self
            .intrinsics
            .intrinsic(&name, "<4 x i32>", &["<4 x float>"]);
        let v = self.inst(format!("call <4 x i32> {f}(<4 x float> {a})"));
        self.push_as(v, I32X4);
    }

    pub(super) fn trunc_sat_f64_zero(&mut self, signed: bool) {
        let a = self.pop_as(F64X2);
        let name = format!(
            "llvm.fpto{}i.sat.v2i32.v2f64",
            if signed { "s" } else { "u" }
        );
        let f = self
            .intrinsics
            .intrinsic(&name, "<2 x i32>", &["<2 x double>"]);
        let r = self.inst(format!("call <2 x i32> {f}(<2 x double> {a})"));
        let v = self.inst(format!(
            "shufflevector <2 x i32> {r}, <2 x i32> zeroinitializer, {}",
            mask(0..4)
        ));
        self.push_as(v, I32X4);
    }

    pub(super) fn convert_low(&mut self, opcode: &str) {
        let a = self.pop_as(I32X4);
        let low = self.inst(format!(
            "shufflevector <4 x i32> {a}, <4 x i32> poison, {}",
            mask(0..2)
        ));
        let v = self.inst(format!("{opcode} <2 x i32> {low} to <2 x double>"));
        self.push_as(v, F64X2);
    }

    pub(super) fn v128_load(&mut self, memarg: &MemArg) {
        let index = self.pop();
        let at = self.address(&index.repr, memarg, 16);
        let align = 1; // x86 SSE faults on a misaligned vector access whatever the hint
        let start = self.out.len();
        let v = self.inst(format!("load <16 x i8>, ptr {at}, align {align}, !tbaa !4"));
        self.last_load = Some((start, v.clone()));
        self.push(v, V128);
    }

    /// `v128.loadNxM_s/u`: M lanes of N bits, extended.
    pub(super) fn load_extend(&mut self, memarg: &MemArg, shape: Shape, ext: &str) {
        let index = self.pop();
        let at = self.address(&index.repr, memarg, 8);
        let align = 1;
        let half = shape.lanes / 2;
        let part = self.inst(format!(
            "load <{half} x {}>, ptr {at}, align {align}, !tbaa !4",
            shape.lane
        ));
        let v = self.inst(format!(
            "{ext} <{half} x {}> {part} to {}",
            shape.lane,
            shape.wide().ty()
        ));
        self.push_as(v, shape.wide());
    }

    fn load_lane_scalar(&mut self, memarg: &MemArg, shape: Shape) -> String {
        let index = self.pop();
        let bytes = shape.bits / 8;
        let at = self.address(&index.repr, memarg, bytes);
        let align = Self::alignment(memarg, bytes);
        self.inst(format!(
            "load {}, ptr {at}, align {align}, !tbaa !4",
            shape.lane
        ))
    }

    pub(super) fn load_splat(&mut self, memarg: &MemArg, shape: Shape) {
        let s = self.load_lane_scalar(memarg, shape);
        let v = self.splat_value(&s, shape);
        self.push_as(v, shape);
    }

    pub(super) fn load_zero(&mut self, memarg: &MemArg, shape: Shape) {
        let s = self.load_lane_scalar(memarg, shape);
        let v = self.inst(format!(
            "insertelement {} zeroinitializer, {} {s}, i32 0",
            shape.ty(),
            shape.lane
        ));
        self.push_as(v, shape);
    }

    pub(super) fn load_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) {
        let vector = self.pop_as(shape);
        let s = self.load_lane_scalar(memarg, shape);
        let v = self.inst(format!(
            "insertelement {} {vector}, {} {s}, i32 {lane}",
            shape.ty(),
            shape.lane
        ));
        self.push_as(v, shape);
    }

    pub(super) fn store_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) {
        let vector = self.pop_as(shape);
        let index = self.pop();
        let e = self.inst(format!(
            "extractelement {} {vector}, i32 {lane}",
            shape.ty()
        ));
        let bytes = shape.bits / 8;
        let at = self.address(&index.repr, memarg, bytes);
        let align = Self::alignment(memarg, bytes);
        self.emit(format!(
            "store {} {e}, ptr {at}, align {align}, !tbaa !4",
            shape.lane
        ));
    }

    pub(super) fn require_little_endian(&self, op: &Operator<'_>) -> TranslateResult<()> {
        if self.target.big_endian {
            return Err(format!(
                "{} on a big-endian target (use --backend cranelift)",
                super::func::unsupported(op).replace(" yet (use --backend cranelift)", "")
            ));
        }
        Ok(())
    }
}

/// The IR vector type of a shape.
pub fn shape_ty(shape: Shape) -> String {
    shape.ty()
}
