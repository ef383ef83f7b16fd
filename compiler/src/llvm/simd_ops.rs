//! The SIMD operator table: each wasm SIMD instruction mapped to its lowering in `simd`.

use super::func::{FuncTranslator, TranslateResult};
use super::simd::*;
use wasmparser::{Operator, ValType};

impl FuncTranslator<'_> {
    /// SIMD operators; false when `op` is not one.
    pub fn translate_simd(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        use Operator as O;
        if !is_simd(op) {
            return Ok(false);
        }
        self.require_little_endian(op)?;
        match op {
            O::V128Const { value } => {
                let bytes: Vec<String> = value
                    .bytes()
                    .iter()
                    .map(|b| format!("i8 {}", *b as i8))
                    .collect();
                self.push(format!("<{}>", bytes.join(", ")), ValType::V128);
            }
            O::V128Load { memarg } => self.v128_load(memarg),
            O::V128Store { memarg } => {
                let v = self.pop();
                let index = self.pop();
                let at = self.address(&index.repr, memarg, 16);
                let align = 1; // x86 SSE faults on a misaligned vector access whatever the hint
                self.emit(format!(
                    "store <16 x i8> {}, ptr {at}, align {align}, !tbaa !4",
                    v.repr
                ));
            }
            O::V128Load8x8S { memarg } => self.load_extend(memarg, I8X16, "sext"),
            O::V128Load8x8U { memarg } => self.load_extend(memarg, I8X16, "zext"),
            O::V128Load16x4S { memarg } => self.load_extend(memarg, I16X8, "sext"),
            O::V128Load16x4U { memarg } => self.load_extend(memarg, I16X8, "zext"),
            O::V128Load32x2S { memarg } => self.load_extend(memarg, I32X4, "sext"),
            O::V128Load32x2U { memarg } => self.load_extend(memarg, I32X4, "zext"),
            O::V128Load8Splat { memarg } => self.load_splat(memarg, I8X16),
            O::V128Load16Splat { memarg } => self.load_splat(memarg, I16X8),
            O::V128Load32Splat { memarg } => self.load_splat(memarg, I32X4),
            O::V128Load64Splat { memarg } => self.load_splat(memarg, I64X2),
            O::V128Load32Zero { memarg } => self.load_zero(memarg, I32X4),
            O::V128Load64Zero { memarg } => self.load_zero(memarg, I64X2),
            O::V128Load8Lane { memarg, lane } => self.load_lane(memarg, I8X16, *lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(memarg, I16X8, *lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(memarg, I32X4, *lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(memarg, I64X2, *lane),
            O::V128Store8Lane { memarg, lane } => self.store_lane(memarg, I8X16, *lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(memarg, I16X8, *lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(memarg, I32X4, *lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(memarg, I64X2, *lane),

            O::I8x16Shuffle { lanes } => {
                let b = self.pop();
                let a = self.pop();
                let m: Vec<String> = lanes.iter().map(|l| format!("i32 {l}")).collect();
                let v = self.inst(format!(
                    "shufflevector <16 x i8> {}, <16 x i8> {}, <16 x i32> <{}>",
                    a.repr,
                    b.repr,
                    m.join(", ")
                ));
                self.push(v, ValType::V128);
            }
            O::I8x16Swizzle => self.swizzle(),
            O::I8x16Splat => self.splat(I8X16),
            O::I16x8Splat => self.splat(I16X8),
            O::I32x4Splat => self.splat(I32X4),
            O::I64x2Splat => self.splat(I64X2),
            O::F32x4Splat => self.splat(F32X4),
            O::F64x2Splat => self.splat(F64X2),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8X16, *lane, "sext"),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8X16, *lane, "zext"),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16X8, *lane, "sext"),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16X8, *lane, "zext"),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32X4, *lane, ""),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64X2, *lane, ""),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32X4, *lane, ""),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64X2, *lane, ""),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8X16, *lane),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16X8, *lane),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32X4, *lane),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64X2, *lane),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32X4, *lane),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64X2, *lane),

            O::I8x16Eq => self.vcompare("icmp", "eq", I8X16),
            O::I8x16Ne => self.vcompare("icmp", "ne", I8X16),
            O::I8x16LtS => self.vcompare("icmp", "slt", I8X16),
            O::I8x16LtU => self.vcompare("icmp", "ult", I8X16),
            O::I8x16GtS => self.vcompare("icmp", "sgt", I8X16),
            O::I8x16GtU => self.vcompare("icmp", "ugt", I8X16),
            O::I8x16LeS => self.vcompare("icmp", "sle", I8X16),
            O::I8x16LeU => self.vcompare("icmp", "ule", I8X16),
            O::I8x16GeS => self.vcompare("icmp", "sge", I8X16),
            O::I8x16GeU => self.vcompare("icmp", "uge", I8X16),
            O::I16x8Eq => self.vcompare("icmp", "eq", I16X8),
            O::I16x8Ne => self.vcompare("icmp", "ne", I16X8),
            O::I16x8LtS => self.vcompare("icmp", "slt", I16X8),
            O::I16x8LtU => self.vcompare("icmp", "ult", I16X8),
            O::I16x8GtS => self.vcompare("icmp", "sgt", I16X8),
            O::I16x8GtU => self.vcompare("icmp", "ugt", I16X8),
            O::I16x8LeS => self.vcompare("icmp", "sle", I16X8),
            O::I16x8LeU => self.vcompare("icmp", "ule", I16X8),
            O::I16x8GeS => self.vcompare("icmp", "sge", I16X8),
            O::I16x8GeU => self.vcompare("icmp", "uge", I16X8),
            O::I32x4Eq => self.vcompare("icmp", "eq", I32X4),
            O::I32x4Ne => self.vcompare("icmp", "ne", I32X4),
            O::I32x4LtS => self.vcompare("icmp", "slt", I32X4),
            O::I32x4LtU => self.vcompare("icmp", "ult", I32X4),
            O::I32x4GtS => self.vcompare("icmp", "sgt", I32X4),
            O::I32x4GtU => self.vcompare("icmp", "ugt", I32X4),
            O::I32x4LeS => self.vcompare("icmp", "sle", I32X4),
            O::I32x4LeU => self.vcompare("icmp", "ule", I32X4),
            O::I32x4GeS => self.vcompare("icmp", "sge", I32X4),
            O::I32x4GeU => self.vcompare("icmp", "uge", I32X4),
            O::I64x2Eq => self.vcompare("icmp", "eq", I64X2),
            O::I64x2Ne => self.vcompare("icmp", "ne", I64X2),
            O::I64x2LtS => self.vcompare("icmp", "slt", I64X2),
            O::I64x2GtS => self.vcompare("icmp", "sgt", I64X2),
            O::I64x2LeS => self.vcompare("icmp", "sle", I64X2),
            O::I64x2GeS => self.vcompare("icmp", "sge", I64X2),
            O::F32x4Eq => self.vcompare("fcmp", "oeq", F32X4),
            O::F32x4Ne => self.vcompare("fcmp", "une", F32X4),
            O::F32x4Lt => self.vcompare("fcmp", "olt", F32X4),
            O::F32x4Gt => self.vcompare("fcmp", "ogt", F32X4),
            O::F32x4Le => self.vcompare("fcmp", "ole", F32X4),
            O::F32x4Ge => self.vcompare("fcmp", "oge", F32X4),
            O::F64x2Eq => self.vcompare("fcmp", "oeq", F64X2),
            O::F64x2Ne => self.vcompare("fcmp", "une", F64X2),
            O::F64x2Lt => self.vcompare("fcmp", "olt", F64X2),
            O::F64x2Gt => self.vcompare("fcmp", "ogt", F64X2),
            O::F64x2Le => self.vcompare("fcmp", "ole", F64X2),
            O::F64x2Ge => self.vcompare("fcmp", "oge", F64X2),

            O::V128Not => {
                let a = self.pop();
                let ones = self.splat_value("-1", I8X16);
                let v = self.inst(format!("xor <16 x i8> {}, {ones}", a.repr));
                self.push(v, ValType::V128);
            }
            O::V128And => self.vbinary("and", I8X16),
            O::V128Or => self.vbinary("or", I8X16),
            O::V128Xor => self.vbinary("xor", I8X16),
            O::V128AndNot => {
                let b = self.pop();
                let ones = self.splat_value("-1", I8X16);
                let nb = self.inst(format!("xor <16 x i8> {}, {ones}", b.repr));
                self.push(nb, ValType::V128);
                self.vbinary("and", I8X16);
            }
            O::V128Bitselect => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let ones = self.splat_value("-1", I8X16);
                let nc = self.inst(format!("xor <16 x i8> {}, {ones}", c.repr));
                let x = self.inst(format!("and <16 x i8> {}, {}", a.repr, c.repr));
                let y = self.inst(format!("and <16 x i8> {}, {nc}", b.repr));
                let v = self.inst(format!("or <16 x i8> {x}, {y}"));
                self.push(v, ValType::V128);
            }
            O::V128AnyTrue => {
                let a = self.pop();
                let wide = self.inst(format!("bitcast <16 x i8> {} to i128", a.repr));
                let c = self.inst(format!("icmp ne i128 {wide}, 0"));
                let v = self.inst(format!("zext i1 {c} to i32"));
                self.push(v, ValType::I32);
            }

            O::I8x16Abs => self.vintrinsic("abs", I8X16, 1, "false"),
            O::I16x8Abs => self.vintrinsic("abs", I16X8, 1, "false"),
            O::I32x4Abs => self.vintrinsic("abs", I32X4, 1, "false"),
            O::I64x2Abs => self.vintrinsic("abs", I64X2, 1, "false"),
            O::I8x16Neg | O::I16x8Neg | O::I32x4Neg | O::I64x2Neg => {
                let shape = match op {
                    O::I8x16Neg => I8X16,
                    O::I16x8Neg => I16X8,
                    O::I32x4Neg => I32X4,
                    _ => I64X2,
                };
                let a = self.pop_as(shape);
                let v = self.inst(format!("sub {} zeroinitializer, {a}", shape_ty(shape)));
                self.push_as(v, shape);
            }
            O::I8x16Popcnt => self.vintrinsic("ctpop", I8X16, 1, ""),
            O::I8x16AllTrue => self.all_true(I8X16),
            O::I16x8AllTrue => self.all_true(I16X8),
            O::I32x4AllTrue => self.all_true(I32X4),
            O::I64x2AllTrue => self.all_true(I64X2),
            O::I8x16Bitmask => self.bitmask(I8X16),
            O::I16x8Bitmask => self.bitmask(I16X8),
            O::I32x4Bitmask => self.bitmask(I32X4),
            O::I64x2Bitmask => self.bitmask(I64X2),
            O::I8x16NarrowI16x8S => self.narrow(I16X8, true),
            O::I8x16NarrowI16x8U => self.narrow(I16X8, false),
            O::I16x8NarrowI32x4S => self.narrow(I32X4, true),
            O::I16x8NarrowI32x4U => self.narrow(I32X4, false),
            O::I8x16Shl => self.vshift("shl", I8X16),
            O::I8x16ShrS => self.vshift("ashr", I8X16),
            O::I8x16ShrU => self.vshift("lshr", I8X16),
            O::I16x8Shl => self.vshift("shl", I16X8),
            O::I16x8ShrS => self.vshift("ashr", I16X8),
            O::I16x8ShrU => self.vshift("lshr", I16X8),
            O::I32x4Shl => self.vshift("shl", I32X4),
            O::I32x4ShrS => self.vshift("ashr", I32X4),
            O::I32x4ShrU => self.vshift("lshr", I32X4),
            O::I64x2Shl => self.vshift("shl", I64X2),
            O::I64x2ShrS => self.vshift("ashr", I64X2),
            O::I64x2ShrU => self.vshift("lshr", I64X2),
            O::I8x16Add => self.vbinary("add", I8X16),
            O::I8x16Sub => self.vbinary("sub", I8X16),
            O::I16x8Add => self.vbinary("add", I16X8),
            O::I16x8Sub => self.vbinary("sub", I16X8),
            O::I16x8Mul => self.vbinary("mul", I16X8),
            O::I32x4Add => self.vbinary("add", I32X4),
            O::I32x4Sub => self.vbinary("sub", I32X4),
            O::I32x4Mul => self.vbinary("mul", I32X4),
            O::I64x2Add => self.vbinary("add", I64X2),
            O::I64x2Sub => self.vbinary("sub", I64X2),
            O::I64x2Mul => self.vbinary("mul", I64X2),
            O::I8x16AddSatS => self.vintrinsic("sadd.sat", I8X16, 2, ""),
            O::I8x16AddSatU => self.vintrinsic("uadd.sat", I8X16, 2, ""),
            O::I8x16SubSatS => self.vintrinsic("ssub.sat", I8X16, 2, ""),
            O::I8x16SubSatU => self.vintrinsic("usub.sat", I8X16, 2, ""),
            O::I16x8AddSatS => self.vintrinsic("sadd.sat", I16X8, 2, ""),
            O::I16x8AddSatU => self.vintrinsic("uadd.sat", I16X8, 2, ""),
            O::I16x8SubSatS => self.vintrinsic("ssub.sat", I16X8, 2, ""),
            O::I16x8SubSatU => self.vintrinsic("usub.sat", I16X8, 2, ""),
            O::I8x16MinS => self.vintrinsic("smin", I8X16, 2, ""),
            O::I8x16MinU => self.vintrinsic("umin", I8X16, 2, ""),
            O::I8x16MaxS => self.vintrinsic("smax", I8X16, 2, ""),
            O::I8x16MaxU => self.vintrinsic("umax", I8X16, 2, ""),
            O::I16x8MinS => self.vintrinsic("smin", I16X8, 2, ""),
            O::I16x8MinU => self.vintrinsic("umin", I16X8, 2, ""),
            O::I16x8MaxS => self.vintrinsic("smax", I16X8, 2, ""),
            O::I16x8MaxU => self.vintrinsic("umax", I16X8, 2, ""),
            O::I32x4MinS => self.vintrinsic("smin", I32X4, 2, ""),
            O::I32x4MinU => self.vintrinsic("umin", I32X4, 2, ""),
            O::I32x4MaxS => self.vintrinsic("smax", I32X4, 2, ""),
            O::I32x4MaxU => self.vintrinsic("umax", I32X4, 2, ""),
            O::I8x16AvgrU => self.avgr_u(I8X16),
            O::I16x8AvgrU => self.avgr_u(I16X8),
            O::I16x8Q15MulrSatS => self.q15mulr(),
            O::I32x4DotI16x8S => self.dot(),
            O::I16x8ExtAddPairwiseI8x16S => self.ext_add_pairwise(I8X16, "sext"),
            O::I16x8ExtAddPairwiseI8x16U => self.ext_add_pairwise(I8X16, "zext"),
            O::I32x4ExtAddPairwiseI16x8S => self.ext_add_pairwise(I16X8, "sext"),
            O::I32x4ExtAddPairwiseI16x8U => self.ext_add_pairwise(I16X8, "zext"),
            O::I16x8ExtendLowI8x16S => self.extend(I8X16, false, "sext"),
            O::I16x8ExtendHighI8x16S => self.extend(I8X16, true, "sext"),
            O::I16x8ExtendLowI8x16U => self.extend(I8X16, false, "zext"),
            O::I16x8ExtendHighI8x16U => self.extend(I8X16, true, "zext"),
            O::I32x4ExtendLowI16x8S => self.extend(I16X8, false, "sext"),
            O::I32x4ExtendHighI16x8S => self.extend(I16X8, true, "sext"),
            O::I32x4ExtendLowI16x8U => self.extend(I16X8, false, "zext"),
            O::I32x4ExtendHighI16x8U => self.extend(I16X8, true, "zext"),
            O::I64x2ExtendLowI32x4S => self.extend(I32X4, false, "sext"),
            O::I64x2ExtendHighI32x4S => self.extend(I32X4, true, "sext"),
            O::I64x2ExtendLowI32x4U => self.extend(I32X4, false, "zext"),
            O::I64x2ExtendHighI32x4U => self.extend(I32X4, true, "zext"),
            O::I16x8ExtMulLowI8x16S => self.ext_mul(I8X16, false, "sext"),
            O::I16x8ExtMulHighI8x16S => self.ext_mul(I8X16, true, "sext"),
            O::I16x8ExtMulLowI8x16U => self.ext_mul(I8X16, false, "zext"),
            O::I16x8ExtMulHighI8x16U => self.ext_mul(I8X16, true, "zext"),
            O::I32x4ExtMulLowI16x8S => self.ext_mul(I16X8, false, "sext"),
            O::I32x4ExtMulHighI16x8S => self.ext_mul(I16X8, true, "sext"),
            O::I32x4ExtMulLowI16x8U => self.ext_mul(I16X8, false, "zext"),
            O::I32x4ExtMulHighI16x8U => self.ext_mul(I16X8, true, "zext"),
            O::I64x2ExtMulLowI32x4S => self.ext_mul(I32X4, false, "sext"),
            O::I64x2ExtMulHighI32x4S => self.ext_mul(I32X4, true, "sext"),
            O::I64x2ExtMulLowI32x4U => self.ext_mul(I32X4, false, "zext"),
            O::I64x2ExtMulHighI32x4U => self.ext_mul(I32X4, true, "zext"),

            O::F32x4Ceil => self.vintrinsic("ceil", F32X4, 1, ""),
            O::F32x4Floor => self.vintrinsic("floor", F32X4, 1, ""),
            O::F32x4Trunc => self.vintrinsic("trunc", F32X4, 1, ""),
            O::F32x4Nearest => self.vintrinsic("roundeven", F32X4, 1, ""),
            O::F32x4Abs => self.vintrinsic("fabs", F32X4, 1, ""),
            O::F32x4Sqrt => self.vintrinsic("sqrt", F32X4, 1, ""),
            O::F64x2Ceil => self.vintrinsic("ceil", F64X2, 1, ""),
            O::F64x2Floor => self.vintrinsic("floor", F64X2, 1, ""),
            O::F64x2Trunc => self.vintrinsic("trunc", F64X2, 1, ""),
            O::F64x2Nearest => self.vintrinsic("roundeven", F64X2, 1, ""),
            O::F64x2Abs => self.vintrinsic("fabs", F64X2, 1, ""),
            O::F64x2Sqrt => self.vintrinsic("sqrt", F64X2, 1, ""),
            O::F32x4Neg | O::F64x2Neg => {
                let shape = if matches!(op, O::F32x4Neg) {
                    F32X4
                } else {
                    F64X2
                };
                let a = self.pop_as(shape);
                let v = self.inst(format!("fneg {} {a}", shape_ty(shape)));
                self.push_as(v, shape);
            }
            O::F32x4Add => self.vbinary("fadd", F32X4),
            O::F32x4Sub => self.vbinary("fsub", F32X4),
            O::F32x4Mul => self.vbinary("fmul", F32X4),
            O::F32x4Div => self.vbinary("fdiv", F32X4),
            O::F64x2Add => self.vbinary("fadd", F64X2),
            O::F64x2Sub => self.vbinary("fsub", F64X2),
            O::F64x2Mul => self.vbinary("fmul", F64X2),
            O::F64x2Div => self.vbinary("fdiv", F64X2),
            O::F32x4Min => self.vmin_max("minimum", F32X4),
            O::F32x4Max => self.vmin_max("maximum", F32X4),
            O::F64x2Min => self.vmin_max("minimum", F64X2),
            O::F64x2Max => self.vmin_max("maximum", F64X2),
            O::F32x4PMin => self.pmin_pmax(F32X4, false),
            O::F32x4PMax => self.pmin_pmax(F32X4, true),
            O::F64x2PMin => self.pmin_pmax(F64X2, false),
            O::F64x2PMax => self.pmin_pmax(F64X2, true),
            O::I32x4TruncSatF32x4S => self.vtrunc_sat(true),
            O::I32x4TruncSatF32x4U => self.vtrunc_sat(false),
            O::F32x4ConvertI32x4S => self.vconvert("sitofp", I32X4, F32X4),
            O::F32x4ConvertI32x4U => self.vconvert("uitofp", I32X4, F32X4),
            O::I32x4TruncSatF64x2SZero => self.trunc_sat_f64_zero(true),
            O::I32x4TruncSatF64x2UZero => self.trunc_sat_f64_zero(false),
            O::F64x2ConvertLowI32x4S => self.convert_low("sitofp"),
            O::F64x2ConvertLowI32x4U => self.convert_low("uitofp"),
            O::F32x4DemoteF64x2Zero => {
                let a = self.pop_as(F64X2);
                let d = self.inst(format!("fptrunc <2 x double> {a} to <2 x float>"));
                let v = self.inst(format!(
                    "shufflevector <2 x float> {d}, <2 x float> zeroinitializer, <4 x i32> <i32 0, i32 1, i32 2, i32 3>"
                ));
                self.push_as(v, F32X4);
            }
            O::F64x2PromoteLowF32x4 => {
                let a = self.pop_as(F32X4);
                let low = self.inst(format!(
                    "shufflevector <4 x float> {a}, <4 x float> poison, <2 x i32> <i32 0, i32 1>"
                ));
                let v = self.inst(format!("fpext <2 x float> {low} to <2 x double>"));
                self.push_as(v, F64X2);
            }
            _ => return Err(super::func::unsupported(op)),
        }
        Ok(true)
    }
}

/// Whether `op` is a 128-bit SIMD instruction (relaxed SIMD is refused by the validator).
fn is_simd(op: &Operator<'_>) -> bool {
    let name = format!("{op:?}");
    name.starts_with("V128")
        || name.starts_with("I8x16")
        || name.starts_with("I16x8")
        || name.starts_with("I32x4")
        || name.starts_with("I64x2")
        || name.starts_with("F32x4")
        || name.starts_with("F64x2")
}
