//! Lane access and whole-vector logic: constants, `splat`, `extract_lane`/`replace_lane`,
//! `i8x16.shuffle` and `i8x16.swizzle`, and the bitwise operators (which work on the bytes
//! directly, whatever the shape).

use super::{Shape, mask, splat_int};
use crate::llvm::func::FuncTranslator;
use wasmparser::{Operator, ValType};

use Shape::{F32x4, F64x2, I8x16, I16x8, I32x4, I64x2};

impl FuncTranslator<'_> {
    /// Lane, constant, shuffle and bitwise operators; false when `op` is not one.
    pub(super) fn translate_simd_lanes(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::V128Const { value } => {
                let bytes: Vec<String> = value.bytes().iter().map(|b| format!("i8 {b}")).collect();
                self.push(format!("<{}>", bytes.join(", ")), ValType::V128);
            }
            O::I8x16Shuffle { lanes } => {
                let b = self.pop();
                let a = self.pop();
                let v = self.inst(format!(
                    "shufflevector <16 x i8> {}, <16 x i8> {}, {}",
                    a.repr,
                    b.repr,
                    mask(lanes.iter().map(|&l| u32::from(l)))
                ));
                self.push(v, ValType::V128);
            }
            O::I8x16Swizzle => self.swizzle(),
            O::I8x16Splat => self.splat_op(I8x16),
            O::I16x8Splat => self.splat_op(I16x8),
            O::I32x4Splat => self.splat_op(I32x4),
            O::I64x2Splat => self.splat_op(I64x2),
            O::F32x4Splat => self.splat_op(F32x4),
            O::F64x2Splat => self.splat_op(F64x2),
            O::I8x16ExtractLaneS { lane } => self.extract_lane(I8x16, *lane, "sext"),
            O::I8x16ExtractLaneU { lane } => self.extract_lane(I8x16, *lane, "zext"),
            O::I16x8ExtractLaneS { lane } => self.extract_lane(I16x8, *lane, "sext"),
            O::I16x8ExtractLaneU { lane } => self.extract_lane(I16x8, *lane, "zext"),
            O::I32x4ExtractLane { lane } => self.extract_lane(I32x4, *lane, ""),
            O::I64x2ExtractLane { lane } => self.extract_lane(I64x2, *lane, ""),
            O::F32x4ExtractLane { lane } => self.extract_lane(F32x4, *lane, ""),
            O::F64x2ExtractLane { lane } => self.extract_lane(F64x2, *lane, ""),
            O::I8x16ReplaceLane { lane } => self.replace_lane(I8x16, *lane),
            O::I16x8ReplaceLane { lane } => self.replace_lane(I16x8, *lane),
            O::I32x4ReplaceLane { lane } => self.replace_lane(I32x4, *lane),
            O::I64x2ReplaceLane { lane } => self.replace_lane(I64x2, *lane),
            O::F32x4ReplaceLane { lane } => self.replace_lane(F32x4, *lane),
            O::F64x2ReplaceLane { lane } => self.replace_lane(F64x2, *lane),
            O::V128Not => {
                let a = self.pop();
                let v = self.inst(format!(
                    "xor <16 x i8> {}, {}",
                    a.repr,
                    splat_int(I8x16, -1)
                ));
                self.push(v, ValType::V128);
            }
            O::V128And => self.bytewise("and"),
            O::V128Or => self.bytewise("or"),
            O::V128Xor => self.bytewise("xor"),
            O::V128AndNot => {
                let b = self.pop();
                let a = self.pop();
                let not_b = self.inst(format!(
                    "xor <16 x i8> {}, {}",
                    b.repr,
                    splat_int(I8x16, -1)
                ));
                let v = self.inst(format!("and <16 x i8> {}, {not_b}", a.repr));
                self.push(v, ValType::V128);
            }
            O::V128Bitselect => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                // b ^ ((a ^ b) & c): a's bits where c is set, b's elsewhere.
                let diff = self.inst(format!("xor <16 x i8> {}, {}", a.repr, b.repr));
                let chosen = self.inst(format!("and <16 x i8> {diff}, {}", c.repr));
                let v = self.inst(format!("xor <16 x i8> {}, {chosen}", b.repr));
                self.push(v, ValType::V128);
            }
            O::V128AnyTrue => {
                let a = self.pop();
                let wide = self.inst(format!("bitcast <16 x i8> {} to i128", a.repr));
                let any = self.inst(format!("icmp ne i128 {wide}, 0"));
                let v = self.inst(format!("zext i1 {any} to i32"));
                self.push(v, ValType::I32);
            }
            _ => return false,
        }
        true
    }

    fn bytewise(&mut self, opcode: &str) {
        let b = self.pop();
        let a = self.pop();
        let v = self.inst(format!("{opcode} <16 x i8> {}, {}", a.repr, b.repr));
        self.push(v, ValType::V128);
    }

    /// A wasm scalar as a lane of `shape`: i8 and i16 lanes take the i32's low bits.
    fn scalar_to_lane(&mut self, shape: Shape, x: &str) -> String {
        match shape {
            I8x16 | I16x8 => self.inst(format!("trunc i32 {x} to {}", shape.lane_ty())),
            _ => x.to_string(),
        }
    }

    fn splat_op(&mut self, shape: Shape) {
        let x = self.pop();
        let lane = self.scalar_to_lane(shape, &x.repr);
        let v = self.splat(shape, &lane);
        self.push_lanes(&v, shape);
    }

    /// `extract_lane`; `ext` widens an i8 or i16 lane to i32.
    fn extract_lane(&mut self, shape: Shape, lane: u8, ext: &str) {
        let a = self.pop_lanes(shape);
        let x = self.inst(format!("extractelement {} {a}, i32 {lane}", shape.ty()));
        let v = match shape {
            I8x16 | I16x8 => self.inst(format!("{ext} {} {x} to i32", shape.lane_ty())),
            _ => x,
        };
        self.push(v, shape.scalar());
    }

    fn replace_lane(&mut self, shape: Shape, lane: u8) {
        let x = self.pop();
        let a = self.pop_lanes(shape);
        let x = self.scalar_to_lane(shape, &x.repr);
        let v = self.inst(format!(
            "insertelement {ty} {a}, {} {x}, i32 {lane}",
            shape.lane_ty(),
            ty = shape.ty()
        ));
        self.push_lanes(&v, shape);
    }

    /// `i8x16.swizzle`: lane i is `a[s[i]]`, or 0 when `s[i]` is 16 or more. Written as a
    /// lane-by-lane gather with in-range indices plus one select, a form LLVM's x86 backend
    /// turns into `pshufb`.
    fn swizzle(&mut self) {
        let s = self.pop();
        let a = self.pop();
        let wrapped = self.inst(format!(
            "and <16 x i8> {}, {}",
            s.repr,
            splat_int(I8x16, 15)
        ));
        let mut gathered = "poison".to_string();
        for i in 0..16 {
            let index = self.inst(format!("extractelement <16 x i8> {wrapped}, i32 {i}"));
            let byte = self.inst(format!("extractelement <16 x i8> {}, i8 {index}", a.repr));
            gathered = self.inst(format!(
                "insertelement <16 x i8> {gathered}, i8 {byte}, i32 {i}"
            ));
        }
        let outside = self.inst(format!(
            "icmp ugt <16 x i8> {}, {}",
            s.repr,
            splat_int(I8x16, 15)
        ));
        let v = self.inst(format!(
            "select <16 x i1> {outside}, <16 x i8> zeroinitializer, <16 x i8> {gathered}"
        ));
        self.push(v, ValType::V128);
    }
}
