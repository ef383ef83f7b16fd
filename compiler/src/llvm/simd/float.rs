//! Float lane arithmetic and the conversions between lane types. `min`/`max` are
//! `llvm.minimum`/`llvm.maximum` (NaN wins, -0 is below +0), while `pmin`/`pmax` are defined
//! by one comparison (`b < a ? b : a`) and so keep the first operand on NaN or equal zeros;
//! `nearest` rounds half to even (`llvm.roundeven`); float-to-int conversions saturate
//! (`llvm.fptosi.sat`), NaN giving 0. No fast-math flag is ever set.
//!
//! Where the target's vector unit gets floats wrong (`Target::scalar_float_lanes`: armv7,
//! whose NEON flushes subnormals to zero), the arithmetic, comparisons and rounding run
//! lane by lane on scalars instead (`float_lanes`), which the scalar FPU computes exactly.

use super::{Shape, mask};
use crate::llvm::func::FuncTranslator;
use wasmparser::Operator;

use Shape::{F32x4, F64x2, I32x4};

impl FuncTranslator<'_> {
    /// Float lane operators and lane conversions; false when `op` is not one.
    pub(super) fn translate_simd_float(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::F32x4Add => self.float_arith(F32x4, "fadd"),
            O::F64x2Add => self.float_arith(F64x2, "fadd"),
            O::F32x4Sub => self.float_arith(F32x4, "fsub"),
            O::F64x2Sub => self.float_arith(F64x2, "fsub"),
            O::F32x4Mul => self.float_arith(F32x4, "fmul"),
            O::F64x2Mul => self.float_arith(F64x2, "fmul"),
            O::F32x4Div => self.float_arith(F32x4, "fdiv"),
            O::F64x2Div => self.float_arith(F64x2, "fdiv"),
            O::F32x4Min => self.float_min_max(F32x4, "minimum"),
            O::F64x2Min => self.float_min_max(F64x2, "minimum"),
            O::F32x4Max => self.float_min_max(F32x4, "maximum"),
            O::F64x2Max => self.float_min_max(F64x2, "maximum"),
            O::F32x4PMin => self.pseudo_min_max(F32x4, false),
            O::F64x2PMin => self.pseudo_min_max(F64x2, false),
            O::F32x4PMax => self.pseudo_min_max(F32x4, true),
            O::F64x2PMax => self.pseudo_min_max(F64x2, true),
            O::F32x4Neg => self.float_neg(F32x4),
            O::F64x2Neg => self.float_neg(F64x2),
            O::F32x4Abs => self.lane_unary_intrinsic(F32x4, "fabs"),
            O::F64x2Abs => self.lane_unary_intrinsic(F64x2, "fabs"),
            O::F32x4Sqrt => self.lane_unary_intrinsic(F32x4, "sqrt"),
            O::F64x2Sqrt => self.lane_unary_intrinsic(F64x2, "sqrt"),
            O::F32x4Ceil => self.round(F32x4, "ceil"),
            O::F64x2Ceil => self.round(F64x2, "ceil"),
            O::F32x4Floor => self.round(F32x4, "floor"),
            O::F64x2Floor => self.round(F64x2, "floor"),
            O::F32x4Trunc => self.round(F32x4, "trunc"),
            O::F64x2Trunc => self.round(F64x2, "trunc"),
            O::F32x4Nearest => self.round(F32x4, "roundeven"),
            O::F64x2Nearest => self.round(F64x2, "roundeven"),
            O::F32x4Eq => self.float_compare(F32x4, "oeq"),
            O::F64x2Eq => self.float_compare(F64x2, "oeq"),
            O::F32x4Ne => self.float_compare(F32x4, "une"),
            O::F64x2Ne => self.float_compare(F64x2, "une"),
            O::F32x4Lt => self.float_compare(F32x4, "olt"),
            O::F64x2Lt => self.float_compare(F64x2, "olt"),
            O::F32x4Gt => self.float_compare(F32x4, "ogt"),
            O::F64x2Gt => self.float_compare(F64x2, "ogt"),
            O::F32x4Le => self.float_compare(F32x4, "ole"),
            O::F64x2Le => self.float_compare(F64x2, "ole"),
            O::F32x4Ge => self.float_compare(F32x4, "oge"),
            O::F64x2Ge => self.float_compare(F64x2, "oge"),
            O::I32x4TruncSatF32x4S => self.trunc_sat_f32x4(true),
            O::I32x4TruncSatF32x4U => self.trunc_sat_f32x4(false),
            O::I32x4TruncSatF64x2SZero => self.trunc_sat_f64x2_zero(true),
            O::I32x4TruncSatF64x2UZero => self.trunc_sat_f64x2_zero(false),
            O::F32x4ConvertI32x4S => self.convert_i32x4(true),
            O::F32x4ConvertI32x4U => self.convert_i32x4(false),
            O::F64x2ConvertLowI32x4S => self.convert_low_i32x4(true),
            O::F64x2ConvertLowI32x4U => self.convert_low_i32x4(false),
            O::F32x4DemoteF64x2Zero => {
                let a = self.pop_lanes(F64x2);
                let narrow = self.inst(format!("fptrunc <2 x double> {a} to <2 x float>"));
                let lanes = self.zero_extend_lanes(&narrow, "float");
                // LLVM folds demote(promote(x)) to x, which would keep a signaling NaN.
                // (`llvm.canonicalize.v2f32` crashes the x86 backend: quiet all four lanes.)
                let v = self.float_lanes(F32x4, F32x4, &[&lanes], |t, view, x| {
                    t.view_intrinsic("canonicalize", view, &[&x[0]])
                });
                self.push_lanes(&v, F32x4);
            }
            O::F64x2PromoteLowF32x4 => {
                let a = self.pop_lanes(F32x4);
                let low = self.low_pair(&a, F32x4);
                let v = self.inst(format!("fpext <2 x float> {low} to <2 x double>"));
                self.push_lanes(&v, F64x2);
            }
            _ => return false,
        }
        true
    }

    /// `fadd`/`fsub`/`fmul`/`fdiv`. LLVM folds `x * 1.0`, `x + -0.0`, ... to `x`, which
    /// hands back a signaling NaN where the spec wants it quieted; with a constant operand
    /// made of such identities the result goes through `llvm.canonicalize`, which quiets
    /// NaNs and changes nothing else.
    fn float_arith(&mut self, shape: Shape, opcode: &str) {
        let n = self.stack.len();
        let folds = self.stack[n - 2..]
            .iter()
            .any(|v| all_lanes_identities(&v.repr, shape));
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a, &b], |t, view, x| {
            let v = t.inst(format!("{opcode} {} {}, {}", view.ty(), x[0], x[1]));
            if folds {
                t.view_intrinsic("canonicalize", view, &[&v])
            } else {
                v
            }
        });
        self.push_lanes(&v, shape);
    }

    /// `min`/`max`: `llvm.minimum`/`llvm.maximum` return a signaling NaN operand as it is,
    /// so the result goes through `llvm.canonicalize`, which quiets it. Targets whose
    /// lowering of those is wrong spell them out (`min_max_expanded`).
    fn float_min_max(&mut self, shape: Shape, name: &str) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a, &b], |t, view, x| {
            if t.target.expand_min_max {
                let types = [view.ty(), view.bits_ty(), &view.bool_ty()];
                t.min_max_expanded(name == "maximum", types, &x[0], &x[1])
            } else {
                let v = t.view_intrinsic(name, view, &[&x[0], &x[1]]);
                t.view_intrinsic("canonicalize", view, &[&v])
            }
        });
        self.push_lanes(&v, shape);
    }

    fn lane_unary_intrinsic(&mut self, shape: Shape, name: &str) {
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a], |t, view, x| {
            t.view_intrinsic(name, view, &[&x[0]])
        });
        self.push_lanes(&v, shape);
    }

    /// `ceil`, `floor`, `trunc`, `nearest`; quieting a signaling NaN where LLVM's lowering
    /// would hand it back as it is.
    fn round(&mut self, shape: Shape, name: &str) {
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a], |t, view, x| {
            let v = t.view_intrinsic(name, view, &[&x[0]]);
            if t.target.rounding_keeps_snan {
                t.view_intrinsic("canonicalize", view, &[&v])
            } else {
                v
            }
        });
        self.push_lanes(&v, shape);
    }

    fn float_neg(&mut self, shape: Shape) {
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a], |t, view, x| {
            t.inst(format!("fneg {} {}", view.ty(), x[0]))
        });
        self.push_lanes(&v, shape);
    }

    /// `fcmp PRED`: all-ones lanes where it holds.
    fn float_compare(&mut self, shape: Shape, pred: &str) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape.int(), &[&a, &b], |t, view, x| {
            let holds = t.inst(format!("fcmp {pred} {} {}, {}", view.ty(), x[0], x[1]));
            t.inst(format!(
                "sext {} {holds} to {}",
                view.bool_ty(),
                view.bits_ty()
            ))
        });
        self.push_lanes(&v, shape.int());
    }

    /// `pmin` is `b < a ? b : a`, `pmax` is `a < b ? b : a`, lane by lane.
    fn pseudo_min_max(&mut self, shape: Shape, max: bool) {
        let b = self.pop_lanes(shape);
        let a = self.pop_lanes(shape);
        let v = self.float_lanes(shape, shape, &[&a, &b], |t, view, x| {
            let (a, b) = (&x[0], &x[1]);
            let ty = view.ty();
            let (lhs, rhs) = if max { (a, b) } else { (b, a) };
            let take_b = t.inst(format!("fcmp olt {ty} {lhs}, {rhs}"));
            t.inst(format!(
                "select {} {take_b}, {ty} {b}, {ty} {a}",
                view.bool_ty()
            ))
        });
        self.push_lanes(&v, shape);
    }

    /// `op` on the vectors `args` of `shape`, giving a vector of `out`: on whole vectors, or
    /// where `Target::scalar_float_lanes` says so, once per lane on the lanes' scalars.
    fn float_lanes<F>(&mut self, shape: Shape, out: Shape, args: &[&str], op: F) -> String
    where
        F: Fn(&mut Self, View, &[String]) -> String,
    {
        if !self.target.scalar_float_lanes {
            let whole: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            return op(
                self,
                View {
                    shape,
                    scalar: false,
                },
                &whole,
            );
        }
        let mut result = "poison".to_string();
        for lane in 0..shape.lanes() {
            let scalars: Vec<String> = args
                .iter()
                .map(|a| self.inst(format!("extractelement {} {a}, i32 {lane}", shape.ty())))
                .collect();
            let v = op(
                self,
                View {
                    shape,
                    scalar: true,
                },
                &scalars,
            );
            result = self.inst(format!(
                "insertelement {} {result}, {} {v}, i32 {lane}",
                out.ty(),
                out.lane_ty()
            ));
        }
        result
    }

    /// The intrinsic `llvm.{name}` on operands seen as `view`, returning the same type.
    fn view_intrinsic(&mut self, name: &str, view: View, args: &[&str]) -> String {
        let ty = view.ty();
        let args: Vec<(&str, &str)> = args.iter().map(|a| (ty, *a)).collect();
        self.call_intrinsic(&format!("{name}.{}", view.suffix()), ty, &args)
    }

    /// Lanes 0 and 1 of `a` (of `shape`).
    fn low_pair(&mut self, a: &str, shape: Shape) -> String {
        let ty = shape.ty();
        self.inst(format!(
            "shufflevector {ty} {a}, {ty} poison, {}",
            mask(0..2)
        ))
    }

    /// A 4-lane vector of `lane_ty` holding the two lanes of `pair` and then two zeros.
    fn zero_extend_lanes(&mut self, pair: &str, lane_ty: &str) -> String {
        let ty = format!("<2 x {lane_ty}>");
        self.inst(format!(
            "shufflevector {ty} {pair}, {ty} zeroinitializer, {}",
            mask(0..4)
        ))
    }

    /// `llvm.fpto[su]i.sat` from `from` lanes to the i32 lanes of `to` (`<N x i32>`).
    fn fp_to_int_sat(&mut self, a: &str, from: Shape, to: &str, signed: bool) -> String {
        let n = from.lanes();
        let v = self.call_intrinsic(
            &format!(
                "{}.sat.v{n}i32.{}",
                if signed { "fptosi" } else { "fptoui" },
                from.suffix()
            ),
            to,
            &[(from.ty(), a)],
        );
        if !self.target.sat_conversions_check_nan {
            return v;
        }
        let nan = self.inst(format!("fcmp uno {} {a}, zeroinitializer", from.ty()));
        self.inst(format!(
            "select <{n} x i1> {nan}, {to} zeroinitializer, {to} {v}"
        ))
    }

    fn trunc_sat_f32x4(&mut self, signed: bool) {
        let a = self.pop_lanes(F32x4);
        let v = self.fp_to_int_sat(&a, F32x4, I32x4.ty(), signed);
        self.push_lanes(&v, I32x4);
    }

    /// `i32x4.trunc_sat_f64x2_[su]_zero`: two converted lanes, then two zero lanes.
    fn trunc_sat_f64x2_zero(&mut self, signed: bool) {
        let a = self.pop_lanes(F64x2);
        let pair = self.fp_to_int_sat(&a, F64x2, "<2 x i32>", signed);
        let v = self.zero_extend_lanes(&pair, "i32");
        self.push_lanes(&v, I32x4);
    }

    fn convert_i32x4(&mut self, signed: bool) {
        let a = self.pop_lanes(I32x4);
        let opcode = if signed { "sitofp" } else { "uitofp" };
        let v = self.inst(format!("{opcode} <4 x i32> {a} to <4 x float>"));
        self.push_lanes(&v, F32x4);
    }

    fn convert_low_i32x4(&mut self, signed: bool) {
        let a = self.pop_lanes(I32x4);
        let low = self.low_pair(&a, I32x4);
        let opcode = if signed { "sitofp" } else { "uitofp" };
        let v = self.inst(format!("{opcode} <2 x i32> {low} to <2 x double>"));
        self.push_lanes(&v, F64x2);
    }
}

/// Whether `repr` is a v128 constant (`<i8 b0, i8 b1, ...>`, from `v128.const`) whose every
/// float lane of `shape` is +0, -0, 1 or -1: an operand LLVM may fold away.
fn all_lanes_identities(repr: &str, shape: Shape) -> bool {
    let Some(items) = repr.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return false;
    };
    let bytes: Option<Vec<u8>> = items
        .split(", ")
        .map(|item| item.strip_prefix("i8 ")?.parse::<u8>().ok())
        .collect();
    let Some(bytes) = bytes.filter(|b| b.len() == 16) else {
        return false;
    };
    let lane_bytes = (shape.lane_bits() / 8) as usize;
    bytes.chunks(lane_bytes).all(|lane| {
        let value = match shape {
            Shape::F32x4 => f64::from(f32::from_le_bytes(lane.try_into().expect("4 bytes"))),
            _ => f64::from_le_bytes(lane.try_into().expect("8 bytes")),
        };
        value == 0.0 || value.abs() == 1.0
    })
}

/// How a float operator sees its operands (`float_lanes`): as whole vectors of `shape`, or
/// one lane at a time, as scalars.
#[derive(Clone, Copy)]
struct View {
    shape: Shape,
    scalar: bool,
}

impl View {
    /// The float type of an operand.
    fn ty(self) -> &'static str {
        if self.scalar {
            self.shape.lane_ty()
        } else {
            self.shape.ty()
        }
    }

    /// The integer type of an operand's bits (and of a comparison's result).
    fn bits_ty(self) -> &'static str {
        let int = self.shape.int();
        if self.scalar { int.lane_ty() } else { int.ty() }
    }

    /// The type of a comparison of two operands.
    fn bool_ty(self) -> String {
        if self.scalar {
            "i1".to_string()
        } else {
            format!("<{} x i1>", self.shape.lanes())
        }
    }

    /// The name suffix of overloaded intrinsics on an operand.
    fn suffix(self) -> &'static str {
        match (self.scalar, self.shape) {
            (false, shape) => shape.suffix(),
            (true, Shape::F64x2) => "f64",
            (true, _) => "f32",
        }
    }
}
