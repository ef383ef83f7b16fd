//! Integer and float arithmetic, comparisons and conversions, with the spec's semantics
//! rather than LLVM's defaults: divisions and trapping conversions check their operands
//! first (LLVM's `sdiv` by zero and out-of-range `fptosi` are undefined), shift counts are
//! masked, `min`/`max` are `llvm.minimum`/`llvm.maximum` (NaN and signed zeros as the spec
//! says), saturating conversions are `llvm.fptosi.sat`, and no fast-math flag is ever set.

use super::func::{FuncTranslator, TranslateResult};
use super::ir;
use crate::abi::TrapKind;
use wasmparser::{Operator, ValType};

use ValType::{F32, F64, I32, I64};

/// The LLVM name suffix of a type in overloaded intrinsics.
fn suffix(t: ValType) -> &'static str {
    match t {
        I32 => "i32",
        I64 => "i64",
        F32 => "f32",
        F64 => "f64",
        _ => unreachable!("numeric types only"),
    }
}

impl FuncTranslator<'_> {
    fn binary(&mut self, opcode: &str, t: ValType) {
        let b = self.pop();
        let a = self.pop();
        let v = self.inst(format!("{opcode} {} {}, {}", ir::ty(t), a.repr, b.repr));
        self.push(v, t);
    }

    /// Float arithmetic. LLVM folds `x * 1.0`, `x / 1.0`, `x - 0.0`, `x + -0.0` to `x` (and
    /// `x * -1.0` to `-x`), which hands back a signaling NaN where the spec wants it quieted.
    /// With such an operand the result goes through `llvm.canonicalize`, which keeps the
    /// quieting (a multiplication by 1.0 where the fold happened) and changes nothing else.
    fn float_binary(&mut self, opcode: &str, t: ValType) {
        const IDENTITIES: [u64; 4] = [
            0x0000_0000_0000_0000,
            0x8000_0000_0000_0000,
            0x3FF0_0000_0000_0000,
            0xBFF0_0000_0000_0000,
        ];
        let n = self.stack.len();
        let folds = self.stack[n - 2..].iter().any(|v| {
            v.repr
                .strip_prefix("0x")
                .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                .is_some_and(|bits| IDENTITIES.contains(&bits))
        });
        self.binary(opcode, t);
        if folds {
            self.unary_intrinsic("canonicalize", t, "");
        }
    }

    /// `ceil`, `floor`, `trunc`, `nearest`: quieting a signaling NaN where LLVM's lowering
    /// hands it back as it is (RISC-V without Zfa, as in the SIMD lanes).
    fn scalar_round(&mut self, name: &str, t: ValType) {
        self.unary_intrinsic(name, t, "");
        if self.target.rounding_keeps_snan {
            self.unary_intrinsic("canonicalize", t, "");
        }
    }

    fn unary_intrinsic(&mut self, name: &str, t: ValType, extra: &str) {
        let a = self.pop();
        let ty = ir::ty(t);
        let full = format!("llvm.{name}.{}", suffix(t));
        let mut params = vec![ty];
        if !extra.is_empty() {
            params.push("i1");
        }
        let f = self.intrinsics.intrinsic(&full, ty, &params);
        let extra_arg = if extra.is_empty() {
            String::new()
        } else {
            format!(", i1 {extra}")
        };
        let v = self.inst(format!("call {ty} {f}({ty} {}{extra_arg})", a.repr));
        self.push(v, t);
    }

    fn binary_intrinsic(&mut self, name: &str, t: ValType) {
        let b = self.pop();
        let a = self.pop();
        let ty = ir::ty(t);
        let full = format!("llvm.{name}.{}", suffix(t));
        let f = self.intrinsics.intrinsic(&full, ty, &[ty, ty]);
        let v = self.inst(format!("call {ty} {f}({ty} {}, {ty} {})", a.repr, b.repr));
        self.push(v, t);
    }

    /// `min`/`max`: `llvm.minimum`/`llvm.maximum` order signed zeros and propagate NaN as the
    /// spec says, but may return a signaling NaN operand unchanged; `llvm.canonicalize`
    /// quiets it (an arithmetic NaN, as the spec requires) and changes nothing else.
    fn min_max(&mut self, name: &str, t: ValType) {
        if self.target.expand_min_max {
            let b = self.pop();
            let a = self.pop();
            let int = if t == F32 { "i32" } else { "i64" };
            let v =
                self.min_max_expanded(name == "maximum", [ir::ty(t), int, "i1"], &a.repr, &b.repr);
            self.push(v, t);
            return;
        }
        self.binary_intrinsic(name, t);
        self.unary_intrinsic("canonicalize", t, "");
    }

    /// The spec's `min`/`max` of `a` and `b` without `llvm.minimum`/`llvm.maximum`, for
    /// targets whose lowering of those is wrong (`Target::expand_min_max`). `types` are the
    /// float type, the integer type of its bits and the comparison's type (scalars or
    /// vectors alike). Ordered operands: the smaller (larger); equal ones: their bits OR-ed
    /// (AND-ed), which picks -0 (+0) from a pair of zeros and changes nothing else; a NaN
    /// operand: `a + b`, a NaN quieted by the addition, as the spec wants.
    pub fn min_max_expanded(&mut self, max: bool, types: [&str; 3], a: &str, b: &str) -> String {
        let [fty, ity, bty] = types;
        let (pred, merge) = if max { ("ogt", "and") } else { ("olt", "or") };
        let wins = self.inst(format!("fcmp {pred} {fty} {a}, {b}"));
        let pick = self.inst(format!("select {bty} {wins}, {fty} {a}, {fty} {b}"));
        let a_bits = self.inst(format!("bitcast {fty} {a} to {ity}"));
        let b_bits = self.inst(format!("bitcast {fty} {b} to {ity}"));
        let merged_bits = self.inst(format!("{merge} {ity} {a_bits}, {b_bits}"));
        let merged = self.inst(format!("bitcast {ity} {merged_bits} to {fty}"));
        let equal = self.inst(format!("fcmp oeq {fty} {a}, {b}"));
        let ordered = self.inst(format!(
            "select {bty} {equal}, {fty} {merged}, {fty} {pick}"
        ));
        let unordered = self.inst(format!("fcmp uno {fty} {a}, {b}"));
        let nan = self.inst(format!("fadd {fty} {a}, {b}"));
        self.inst(format!(
            "select {bty} {unordered}, {fty} {nan}, {fty} {ordered}"
        ))
    }

    /// A shift with the count masked to the width, as wasm defines it.
    fn shift(&mut self, opcode: &str, t: ValType) {
        let b = self.pop();
        let mask = if t == I32 { 31 } else { 63 };
        let ty = ir::ty(t);
        let count = self.inst(format!("and {ty} {}, {mask}", b.repr));
        let a = self.pop();
        let v = self.inst(format!("{opcode} {ty} {}, {count}", a.repr));
        self.push(v, t);
    }

    fn rotate(&mut self, funnel: &str, t: ValType) {
        let b = self.pop();
        let a = self.pop();
        let ty = ir::ty(t);
        let full = format!("llvm.{funnel}.{}", suffix(t));
        let f = self.intrinsics.intrinsic(&full, ty, &[ty, ty, ty]);
        let v = self.inst(format!(
            "call {ty} {f}({ty} {a}, {ty} {a}, {ty} {b})",
            a = a.repr,
            b = b.repr
        ));
        self.push(v, t);
    }

    /// Division and remainder: trap on a zero divisor; signed division traps on MIN / -1,
    /// and signed remainder of MIN by -1 is 0 (LLVM's `srem` would be undefined).
    fn divide(&mut self, opcode: &str, t: ValType) {
        let b = self.pop();
        let a = self.pop();
        let ty = ir::ty(t);
        let zero = self.inst(format!("icmp eq {ty} {}, 0", b.repr));
        self.trap_if(&zero, TrapKind::IntDivByZero);
        let min = if t == I32 {
            i64::from(i32::MIN)
        } else {
            i64::MIN
        };
        let divisor = match opcode {
            "sdiv" => {
                let is_min = self.inst(format!("icmp eq {ty} {}, {min}", a.repr));
                let minus_one = self.inst(format!("icmp eq {ty} {}, -1", b.repr));
                let overflow = self.inst(format!("and i1 {is_min}, {minus_one}"));
                self.trap_if(&overflow, TrapKind::IntOverflow);
                b.repr
            }
            "srem" => {
                // x rem -1 is 0 for every x: divide by 1 instead, which gives 0 too.
                let minus_one = self.inst(format!("icmp eq {ty} {}, -1", b.repr));
                self.inst(format!("select i1 {minus_one}, {ty} 1, {ty} {}", b.repr))
            }
            _ => b.repr,
        };
        let v = self.inst(format!("{opcode} {ty} {}, {divisor}", a.repr));
        self.push(v, t);
    }

    fn compare(&mut self, instr: &str, pred: &str, t: ValType) {
        let b = self.pop();
        let a = self.pop();
        let c = self.inst(format!(
            "{instr} {pred} {} {}, {}",
            ir::ty(t),
            a.repr,
            b.repr
        ));
        let v = self.inst(format!("zext i1 {c} to i32"));
        self.push(v, I32);
    }

    fn eqz(&mut self, t: ValType) {
        let a = self.pop();
        let c = self.inst(format!("icmp eq {} {}, 0", ir::ty(t), a.repr));
        let v = self.inst(format!("zext i1 {c} to i32"));
        self.push(v, I32);
    }

    fn convert(&mut self, opcode: &str, to: ValType) {
        let a = self.pop();
        let v = self.inst(format!(
            "{opcode} {} {} to {}",
            ir::ty(a.ty),
            a.repr,
            ir::ty(to)
        ));
        self.push(v, to);
    }

    /// `extendN_s`: sign-extend the low `bits` bits.
    fn extend_low(&mut self, bits: u32, t: ValType) {
        let a = self.pop();
        let ty = ir::ty(t);
        let low = self.inst(format!("trunc {ty} {} to i{bits}", a.repr));
        let v = self.inst(format!("sext i{bits} {low} to {ty}"));
        self.push(v, t);
    }

    /// A trapping float-to-int conversion: NaN traps "invalid conversion", a value outside
    /// the target range traps "integer overflow", both before the conversion runs.
    fn trunc_checked(&mut self, from: ValType, to: ValType, signed: bool) {
        let a = self.pop();
        let fty = ir::ty(from);
        let nan = self.inst(format!("fcmp uno {fty} {}, 0.0", a.repr));
        self.trap_if(&nan, TrapKind::BadConversion);
        // (lower bound, whether it is inclusive, exclusive upper bound), all exact in `from`.
        let (lo, lo_inclusive, hi): (f64, bool, f64) = match (to, signed, from) {
            (I32, true, F32) => (-2147483648.0, true, 2147483648.0),
            (I32, true, _) => (-2147483649.0, false, 2147483648.0),
            (I32, false, _) => (-1.0, false, 4294967296.0),
            (_, true, _) => (-9223372036854775808.0, true, 9223372036854775808.0),
            (_, false, _) => (-1.0, false, 18446744073709551616.0),
        };
        let lo_pred = if lo_inclusive { "oge" } else { "ogt" };
        let above = self.inst(format!(
            "fcmp {lo_pred} {fty} {}, {}",
            a.repr,
            ir::f64_const(lo.to_bits())
        ));
        let below = self.inst(format!(
            "fcmp olt {fty} {}, {}",
            a.repr,
            ir::f64_const(hi.to_bits())
        ));
        let ok = self.inst(format!("and i1 {above}, {below}"));
        let bad = self.inst(format!("xor i1 {ok}, true"));
        self.trap_if(&bad, TrapKind::IntOverflow);
        let opcode = if signed { "fptosi" } else { "fptoui" };
        let v = self.inst(format!("{opcode} {fty} {} to {}", a.repr, ir::ty(to)));
        self.push(v, to);
    }

    fn trunc_sat(&mut self, from: ValType, to: ValType, signed: bool) {
        let a = self.pop();
        let name = format!(
            "llvm.{}.sat.{}.{}",
            if signed { "fptosi" } else { "fptoui" },
            suffix(to),
            suffix(from)
        );
        let (fty, ity) = (ir::ty(from), ir::ty(to));
        let f = self.intrinsics.intrinsic(&name, ity, &[fty]);
        let mut v = self.inst(format!("call {ity} {f}({fty} {})", a.repr));
        if self.target.sat_conversions_check_nan {
            let nan = self.inst(format!("fcmp uno {fty} {}, 0.0", a.repr));
            v = self.inst(format!("select i1 {nan}, {ity} 0, {ity} {v}"));
        }
        self.push(v, to);
    }

    /// Integer and float operators; false when `op` is not one.
    pub fn translate_numeric(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        use Operator as O;
        match op {
            O::I32Const { value } => self.push(value.to_string(), I32),
            O::I64Const { value } => self.push(value.to_string(), I64),
            O::F32Const { value } => self.push(ir::f32_const(value.bits()), F32),
            O::F64Const { value } => self.push(ir::f64_const(value.bits()), F64),

            O::I32Eqz => self.eqz(I32),
            O::I64Eqz => self.eqz(I64),
            O::I32Eq => self.compare("icmp", "eq", I32),
            O::I32Ne => self.compare("icmp", "ne", I32),
            O::I32LtS => self.compare("icmp", "slt", I32),
            O::I32LtU => self.compare("icmp", "ult", I32),
            O::I32GtS => self.compare("icmp", "sgt", I32),
            O::I32GtU => self.compare("icmp", "ugt", I32),
            O::I32LeS => self.compare("icmp", "sle", I32),
            O::I32LeU => self.compare("icmp", "ule", I32),
            O::I32GeS => self.compare("icmp", "sge", I32),
            O::I32GeU => self.compare("icmp", "uge", I32),
            O::I64Eq => self.compare("icmp", "eq", I64),
            O::I64Ne => self.compare("icmp", "ne", I64),
            O::I64LtS => self.compare("icmp", "slt", I64),
            O::I64LtU => self.compare("icmp", "ult", I64),
            O::I64GtS => self.compare("icmp", "sgt", I64),
            O::I64GtU => self.compare("icmp", "ugt", I64),
            O::I64LeS => self.compare("icmp", "sle", I64),
            O::I64LeU => self.compare("icmp", "ule", I64),
            O::I64GeS => self.compare("icmp", "sge", I64),
            O::I64GeU => self.compare("icmp", "uge", I64),
            O::F32Eq => self.compare("fcmp", "oeq", F32),
            O::F32Ne => self.compare("fcmp", "une", F32),
            O::F32Lt => self.compare("fcmp", "olt", F32),
            O::F32Gt => self.compare("fcmp", "ogt", F32),
            O::F32Le => self.compare("fcmp", "ole", F32),
            O::F32Ge => self.compare("fcmp", "oge", F32),
            O::F64Eq => self.compare("fcmp", "oeq", F64),
            O::F64Ne => self.compare("fcmp", "une", F64),
            O::F64Lt => self.compare("fcmp", "olt", F64),
            O::F64Gt => self.compare("fcmp", "ogt", F64),
            O::F64Le => self.compare("fcmp", "ole", F64),
            O::F64Ge => self.compare("fcmp", "oge", F64),

            O::I32Clz => self.unary_intrinsic("ctlz", I32, "false"),
            O::I32Ctz => self.unary_intrinsic("cttz", I32, "false"),
            O::I32Popcnt => self.unary_intrinsic("ctpop", I32, ""),
            O::I64Clz => self.unary_intrinsic("ctlz", I64, "false"),
            O::I64Ctz => self.unary_intrinsic("cttz", I64, "false"),
            O::I64Popcnt => self.unary_intrinsic("ctpop", I64, ""),
            O::I32Add => self.binary("add", I32),
            O::I32Sub => self.binary("sub", I32),
            O::I32Mul => self.binary("mul", I32),
            O::I32And => self.binary("and", I32),
            O::I32Or => self.binary("or", I32),
            O::I32Xor => self.binary("xor", I32),
            O::I64Add => self.binary("add", I64),
            O::I64Sub => self.binary("sub", I64),
            O::I64Mul => self.binary("mul", I64),
            O::I64And => self.binary("and", I64),
            O::I64Or => self.binary("or", I64),
            O::I64Xor => self.binary("xor", I64),
            O::I32DivS => self.divide("sdiv", I32),
            O::I32DivU => self.divide("udiv", I32),
            O::I32RemS => self.divide("srem", I32),
            O::I32RemU => self.divide("urem", I32),
            O::I64DivS => self.divide("sdiv", I64),
            O::I64DivU => self.divide("udiv", I64),
            O::I64RemS => self.divide("srem", I64),
            O::I64RemU => self.divide("urem", I64),
            O::I32Shl => self.shift("shl", I32),
            O::I32ShrS => self.shift("ashr", I32),
            O::I32ShrU => self.shift("lshr", I32),
            O::I64Shl => self.shift("shl", I64),
            O::I64ShrS => self.shift("ashr", I64),
            O::I64ShrU => self.shift("lshr", I64),
            O::I32Rotl => self.rotate("fshl", I32),
            O::I32Rotr => self.rotate("fshr", I32),
            O::I64Rotl => self.rotate("fshl", I64),
            O::I64Rotr => self.rotate("fshr", I64),

            O::F32Abs => self.unary_intrinsic("fabs", F32, ""),
            O::F64Abs => self.unary_intrinsic("fabs", F64, ""),
            O::F32Neg | O::F64Neg => {
                let a = self.pop();
                let v = self.inst(format!("fneg {} {}", ir::ty(a.ty), a.repr));
                self.push(v, a.ty);
            }
            O::F32Ceil => self.scalar_round("ceil", F32),
            O::F32Floor => self.scalar_round("floor", F32),
            O::F32Trunc => self.scalar_round("trunc", F32),
            O::F32Nearest => self.scalar_round("roundeven", F32),
            O::F32Sqrt => self.unary_intrinsic("sqrt", F32, ""),
            O::F64Ceil => self.scalar_round("ceil", F64),
            O::F64Floor => self.scalar_round("floor", F64),
            O::F64Trunc => self.scalar_round("trunc", F64),
            O::F64Nearest => self.scalar_round("roundeven", F64),
            O::F64Sqrt => self.unary_intrinsic("sqrt", F64, ""),
            O::F32Add => self.float_binary("fadd", F32),
            O::F32Sub => self.float_binary("fsub", F32),
            O::F32Mul => self.float_binary("fmul", F32),
            O::F32Div => self.float_binary("fdiv", F32),
            O::F64Add => self.float_binary("fadd", F64),
            O::F64Sub => self.float_binary("fsub", F64),
            O::F64Mul => self.float_binary("fmul", F64),
            O::F64Div => self.float_binary("fdiv", F64),
            O::F32Min => self.min_max("minimum", F32),
            O::F32Max => self.min_max("maximum", F32),
            O::F64Min => self.min_max("minimum", F64),
            O::F64Max => self.min_max("maximum", F64),
            O::F32Copysign => self.binary_intrinsic("copysign", F32),
            O::F64Copysign => self.binary_intrinsic("copysign", F64),

            O::I32WrapI64 => self.convert("trunc", I32),
            O::I64ExtendI32S => self.convert("sext", I64),
            O::I64ExtendI32U => self.convert("zext", I64),
            O::I32Extend8S => self.extend_low(8, I32),
            O::I32Extend16S => self.extend_low(16, I32),
            O::I64Extend8S => self.extend_low(8, I64),
            O::I64Extend16S => self.extend_low(16, I64),
            O::I64Extend32S => self.extend_low(32, I64),
            O::I32TruncF32S => self.trunc_checked(F32, I32, true),
            O::I32TruncF32U => self.trunc_checked(F32, I32, false),
            O::I32TruncF64S => self.trunc_checked(F64, I32, true),
            O::I32TruncF64U => self.trunc_checked(F64, I32, false),
            O::I64TruncF32S => self.trunc_checked(F32, I64, true),
            O::I64TruncF32U => self.trunc_checked(F32, I64, false),
            O::I64TruncF64S => self.trunc_checked(F64, I64, true),
            O::I64TruncF64U => self.trunc_checked(F64, I64, false),
            O::I32TruncSatF32S => self.trunc_sat(F32, I32, true),
            O::I32TruncSatF32U => self.trunc_sat(F32, I32, false),
            O::I32TruncSatF64S => self.trunc_sat(F64, I32, true),
            O::I32TruncSatF64U => self.trunc_sat(F64, I32, false),
            O::I64TruncSatF32S => self.trunc_sat(F32, I64, true),
            O::I64TruncSatF32U => self.trunc_sat(F32, I64, false),
            O::I64TruncSatF64S => self.trunc_sat(F64, I64, true),
            O::I64TruncSatF64U => self.trunc_sat(F64, I64, false),
            O::F32ConvertI32S | O::F32ConvertI64S => self.convert("sitofp", F32),
            O::F32ConvertI32U | O::F32ConvertI64U => self.convert("uitofp", F32),
            O::F64ConvertI32S | O::F64ConvertI64S => self.convert("sitofp", F64),
            O::F64ConvertI32U | O::F64ConvertI64U => self.convert("uitofp", F64),
            O::F32DemoteF64 => {
                // LLVM folds demote(promote(x)) to x, keeping a signaling NaN signaling.
                self.convert("fptrunc", F32);
                self.unary_intrinsic("canonicalize", F32, "");
            }
            O::F64PromoteF32 => {
                self.convert("fpext", F64);
                if self.target.promote_keeps_snan {
                    self.unary_intrinsic("canonicalize", F64, "");
                }
            }
            O::I32ReinterpretF32 => self.convert("bitcast", I32),
            O::I64ReinterpretF64 => self.convert("bitcast", I64),
            O::F32ReinterpretI32 => self.convert("bitcast", F32),
            O::F64ReinterpretI64 => self.convert("bitcast", F64),
            _ => return Ok(false),
        }
        Ok(true)
    }
}
