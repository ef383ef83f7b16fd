//! Wasm values as they cross the harness/driver boundary, and the spec's result patterns.
//!
//! The C driver is deliberately dumb: it passes arguments in and prints results out, and all
//! judging happens here, in Rust, where it can be unit-tested. Both directions use one
//! textual form per value, `KIND:HEX`:
//!
//! * `i32`, `i64`, `f32`, `f64`: the bit pattern in hex (floats by bits, so NaN payloads
//!   survive the trip),
//! * `v128`: 32 hex digits, the 16 bytes in memory (little-endian lane) order,
//! * `funcref`, `externref`: the pointer value in hex, 0 for null.
//!
//! `ref.extern N` is the host reference `N + 1` (so it is non-null and distinct for each N);
//! the same encoding is used for arguments and for expected results, so identity round-trips.

use std::fmt;

use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// A concrete value: an argument, or a result the driver reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    V128([u8; 16]),
    FuncRef(u64),
    ExternRef(u64),
}

impl Value {
    /// Converts a `.wast` argument. Fails for things a Wasm 2.0 harness cannot pass.
    pub fn from_arg(arg: &WastArg<'_>) -> Result<Value, String> {
        let WastArg::Core(core) = arg else {
            return Err("component-model argument".into());
        };
        Ok(match core {
            WastArgCore::I32(v) => Value::I32(*v as u32),
            WastArgCore::I64(v) => Value::I64(*v as u64),
            WastArgCore::F32(v) => Value::F32(v.bits),
            WastArgCore::F64(v) => Value::F64(v.bits),
            WastArgCore::V128(v) => Value::V128(v.to_le_bytes()),
            WastArgCore::RefNull(ty) => match ref_kind(ty) {
                Some(RefKind::Func) => Value::FuncRef(0),
                Some(RefKind::Extern) => Value::ExternRef(0),
                None => return Err(format!("unsupported null reference type {ty:?}")),
            },
            WastArgCore::RefExtern(n) => Value::ExternRef(extern_ref(*n)),
            WastArgCore::RefHost(_) => return Err("ref.host is not supported".into()),
        })
    }

    /// Parses the driver's `KIND:HEX` form.
    pub fn parse(text: &str) -> Result<Value, String> {
        let bad = || format!("malformed value {text:?}");
        let (kind, hex) = text.split_once(':').ok_or_else(bad)?;
        let int = || u64::from_str_radix(hex, 16).map_err(|_| bad());
        Ok(match kind {
            "i32" => Value::I32(u32::try_from(int()?).map_err(|_| bad())?),
            "i64" => Value::I64(int()?),
            "f32" => Value::F32(u32::try_from(int()?).map_err(|_| bad())?),
            "f64" => Value::F64(int()?),
            "funcref" => Value::FuncRef(int()?),
            "externref" => Value::ExternRef(int()?),
            "v128" => {
                if hex.len() != 32 {
                    return Err(bad());
                }
                let mut bytes = [0u8; 16];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
                }
                Value::V128(bytes)
            }
            _ => return Err(bad()),
        })
    }

    /// The driver's `KIND:HEX` form (what `parse` reads).
    pub fn encode(&self) -> String {
        match self {
            Value::I32(v) => format!("i32:{v:x}"),
            Value::I64(v) => format!("i64:{v:x}"),
            Value::F32(v) => format!("f32:{v:x}"),
            Value::F64(v) => format!("f64:{v:x}"),
            Value::FuncRef(v) => format!("funcref:{v:x}"),
            Value::ExternRef(v) => format!("externref:{v:x}"),
            Value::V128(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("v128:{hex}")
            }
        }
    }
}

/// Human-readable form for failure messages: bits plus the number they mean.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{}", *v as i32),
            Value::I64(v) => write!(f, "i64:{}", *v as i64),
            Value::F32(v) => write!(f, "f32:{:#010x} ({})", v, f32::from_bits(*v)),
            Value::F64(v) => write!(f, "f64:{:#018x} ({})", v, f64::from_bits(*v)),
            Value::V128(_) => f.write_str(&self.encode()),
            Value::FuncRef(0) => f.write_str("ref.null func"),
            Value::ExternRef(0) => f.write_str("ref.null extern"),
            Value::FuncRef(_) => f.write_str("ref.func"),
            Value::ExternRef(v) => write!(f, "ref.extern {}", v - 1),
        }
    }
}

/// The pointer value standing for `ref.extern n`.
fn extern_ref(n: u32) -> u64 {
    u64::from(n) + 1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Func,
    Extern,
}

fn ref_kind(ty: &HeapType<'_>) -> Option<RefKind> {
    match ty {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
        } => Some(RefKind::Func),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
        } => Some(RefKind::Extern),
        _ => None,
    }
}

/// A float lane or scalar as the spec states it: exact bits, or a class of NaNs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatPattern<T> {
    Bits(T),
    /// `nan:canonical`: only the quiet bit of the payload set, either sign.
    CanonicalNan,
    /// `nan:arithmetic`: the quiet bit set, any other payload, either sign.
    ArithmeticNan,
}

impl FloatPattern<u32> {
    fn from_wast(p: &NanPattern<wast::token::F32>) -> Self {
        match p {
            NanPattern::Value(v) => FloatPattern::Bits(v.bits),
            NanPattern::CanonicalNan => FloatPattern::CanonicalNan,
            NanPattern::ArithmeticNan => FloatPattern::ArithmeticNan,
        }
    }

    pub fn matches(&self, bits: u32) -> bool {
        const QUIET_NAN: u32 = 0x7fc0_0000;
        match self {
            FloatPattern::Bits(b) => *b == bits,
            FloatPattern::CanonicalNan => bits & 0x7fff_ffff == QUIET_NAN,
            FloatPattern::ArithmeticNan => bits & QUIET_NAN == QUIET_NAN,
        }
    }
}

impl FloatPattern<u64> {
    fn from_wast(p: &NanPattern<wast::token::F64>) -> Self {
        match p {
            NanPattern::Value(v) => FloatPattern::Bits(v.bits),
            NanPattern::CanonicalNan => FloatPattern::CanonicalNan,
            NanPattern::ArithmeticNan => FloatPattern::ArithmeticNan,
        }
    }

    pub fn matches(&self, bits: u64) -> bool {
        const QUIET_NAN: u64 = 0x7ff8_0000_0000_0000;
        match self {
            FloatPattern::Bits(b) => *b == bits,
            FloatPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == QUIET_NAN,
            FloatPattern::ArithmeticNan => bits & QUIET_NAN == QUIET_NAN,
        }
    }
}

/// What an `assert_return` expects of one result.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    I32(u32),
    I64(u64),
    F32(FloatPattern<u32>),
    F64(FloatPattern<u64>),
    V128(V128Expected),
    /// `ref.null` of the given kind (`None`: any null reference).
    RefNull(Option<RefKind>),
    /// `ref.extern N` (`None`: any non-null externref).
    RefExtern(Option<u32>),
    /// `ref.func`: any non-null funcref.
    RefFunc,
    /// `(either ...)`: any of the alternatives.
    Either(Vec<Expected>),
}

/// A v128 result: exact bytes (integer lanes are compared bitwise), or float lanes with NaN
/// patterns.
#[derive(Clone, Debug, PartialEq)]
pub enum V128Expected {
    Bytes([u8; 16]),
    F32x4([FloatPattern<u32>; 4]),
    F64x2([FloatPattern<u64>; 2]),
}

impl Expected {
    /// Converts a `.wast` result pattern. Fails for GC-era patterns a Wasm 2.0 harness
    /// cannot check.
    pub fn from_ret(ret: &WastRet<'_>) -> Result<Expected, String> {
        let WastRet::Core(core) = ret else {
            return Err("component-model result".into());
        };
        Self::from_core(core)
    }

    fn from_core(core: &WastRetCore<'_>) -> Result<Expected, String> {
        Ok(match core {
            WastRetCore::I32(v) => Expected::I32(*v as u32),
            WastRetCore::I64(v) => Expected::I64(*v as u64),
            WastRetCore::F32(p) => Expected::F32(FloatPattern::<u32>::from_wast(p)),
            WastRetCore::F64(p) => Expected::F64(FloatPattern::<u64>::from_wast(p)),
            WastRetCore::V128(p) => Expected::V128(match p {
                V128Pattern::I8x16(l) => Expected::v128_bytes(l.map(|x| x as u8).to_vec()),
                V128Pattern::I16x8(l) => {
                    Expected::v128_bytes(l.iter().flat_map(|x| x.to_le_bytes()).collect())
                }
                V128Pattern::I32x4(l) => {
                    Expected::v128_bytes(l.iter().flat_map(|x| x.to_le_bytes()).collect())
                }
                V128Pattern::I64x2(l) => {
                    Expected::v128_bytes(l.iter().flat_map(|x| x.to_le_bytes()).collect())
                }
                V128Pattern::F32x4(l) => {
                    V128Expected::F32x4(l.map(|p| FloatPattern::<u32>::from_wast(&p)))
                }
                V128Pattern::F64x2(l) => {
                    V128Expected::F64x2(l.map(|p| FloatPattern::<u64>::from_wast(&p)))
                }
            }),
            WastRetCore::RefNull(None) => Expected::RefNull(None),
            WastRetCore::RefNull(Some(ty)) => match ref_kind(ty) {
                Some(kind) => Expected::RefNull(Some(kind)),
                None => return Err(format!("unsupported null reference type {ty:?}")),
            },
            WastRetCore::RefExtern(n) => Expected::RefExtern(*n),
            WastRetCore::RefFunc(_) => Expected::RefFunc,
            WastRetCore::Either(alts) => {
                Expected::Either(alts.iter().map(Self::from_core).collect::<Result<_, _>>()?)
            }
            other => return Err(format!("unsupported result pattern {other:?}")),
        })
    }

    fn v128_bytes(bytes: Vec<u8>) -> V128Expected {
        V128Expected::Bytes(bytes.try_into().expect("16 bytes"))
    }

    /// Does `actual` satisfy this pattern? The value kind must match too.
    pub fn matches(&self, actual: &Value) -> bool {
        match (self, actual) {
            (Expected::I32(e), Value::I32(a)) => e == a,
            (Expected::I64(e), Value::I64(a)) => e == a,
            (Expected::F32(p), Value::F32(a)) => p.matches(*a),
            (Expected::F64(p), Value::F64(a)) => p.matches(*a),
            (Expected::V128(p), Value::V128(a)) => match p {
                V128Expected::Bytes(e) => e == a,
                V128Expected::F32x4(lanes) => lanes.iter().enumerate().all(|(i, p)| {
                    p.matches(u32::from_le_bytes(a[4 * i..4 * i + 4].try_into().unwrap()))
                }),
                V128Expected::F64x2(lanes) => lanes.iter().enumerate().all(|(i, p)| {
                    p.matches(u64::from_le_bytes(a[8 * i..8 * i + 8].try_into().unwrap()))
                }),
            },
            (Expected::RefNull(kind), Value::FuncRef(0)) => {
                matches!(kind, None | Some(RefKind::Func))
            }
            (Expected::RefNull(kind), Value::ExternRef(0)) => {
                matches!(kind, None | Some(RefKind::Extern))
            }
            (Expected::RefExtern(None), Value::ExternRef(a)) => *a != 0,
            (Expected::RefExtern(Some(n)), Value::ExternRef(a)) => *a == extern_ref(*n),
            (Expected::RefFunc, Value::FuncRef(a)) => *a != 0,
            (Expected::Either(alts), a) => alts.iter().any(|e| e.matches(a)),
            _ => false,
        }
    }
}

/// The spec's notation, for failure messages.
impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn float<T: fmt::LowerHex>(f: &mut fmt::Formatter<'_>, p: &FloatPattern<T>) -> fmt::Result {
            match p {
                FloatPattern::Bits(b) => write!(f, "{b:#x}"),
                FloatPattern::CanonicalNan => f.write_str("nan:canonical"),
                FloatPattern::ArithmeticNan => f.write_str("nan:arithmetic"),
            }
        }
        match self {
            Expected::I32(v) => write!(f, "i32:{}", *v as i32),
            Expected::I64(v) => write!(f, "i64:{}", *v as i64),
            Expected::F32(FloatPattern::Bits(b)) => write!(f, "{}", Value::F32(*b)),
            Expected::F64(FloatPattern::Bits(b)) => write!(f, "{}", Value::F64(*b)),
            Expected::F32(p) => {
                f.write_str("f32:")?;
                float(f, p)
            }
            Expected::F64(p) => {
                f.write_str("f64:")?;
                float(f, p)
            }
            Expected::V128(V128Expected::Bytes(b)) => write!(f, "{}", Value::V128(*b)),
            Expected::V128(V128Expected::F32x4(lanes)) => {
                f.write_str("f32x4")?;
                for p in lanes {
                    f.write_str(" ")?;
                    float(f, p)?;
                }
                Ok(())
            }
            Expected::V128(V128Expected::F64x2(lanes)) => {
                f.write_str("f64x2")?;
                for p in lanes {
                    f.write_str(" ")?;
                    float(f, p)?;
                }
                Ok(())
            }
            Expected::RefNull(None) => f.write_str("ref.null"),
            Expected::RefNull(Some(RefKind::Func)) => f.write_str("ref.null func"),
            Expected::RefNull(Some(RefKind::Extern)) => f.write_str("ref.null extern"),
            Expected::RefExtern(None) => f.write_str("ref.extern"),
            Expected::RefExtern(Some(n)) => write!(f, "ref.extern {n}"),
            Expected::RefFunc => f.write_str("ref.func"),
            Expected::Either(alts) => {
                f.write_str("either(")?;
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Checks a whole result list; the error says what differed.
pub fn check_results(expected: &[Expected], actual: &[Value]) -> Result<(), String> {
    let ok =
        expected.len() == actual.len() && expected.iter().zip(actual).all(|(e, a)| e.matches(a));
    if ok {
        return Ok(());
    }
    let join = |items: Vec<String>| {
        if items.is_empty() {
            "()".to_string()
        } else {
            items.join(", ")
        }
    };
    Err(format!(
        "expected {}, got {}",
        join(expected.iter().map(|e| e.to_string()).collect()),
        join(
            actual
                .iter()
                .enumerate()
                .map(|(i, a)| show_like(a, expected.get(i)))
                .collect()
        ),
    ))
}

/// Shows `actual` in the shape of `expected`, so float lanes compare at a glance.
fn show_like(actual: &Value, expected: Option<&Expected>) -> String {
    let lanes = |bytes: &[u8; 16], width: usize| -> Vec<String> {
        bytes
            .chunks(width)
            .map(|c| {
                format!(
                    "{:#x}",
                    c.iter().rev().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
                )
            })
            .collect()
    };
    match (actual, expected) {
        (Value::V128(b), Some(Expected::V128(V128Expected::F32x4(_)))) => {
            format!("f32x4 {}", lanes(b, 4).join(" "))
        }
        (Value::V128(b), Some(Expected::V128(V128Expected::F64x2(_)))) => {
            format!("f64x2 {}", lanes(b, 8).join(" "))
        }
        _ => actual.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_directive_results(src: &str) -> Vec<Expected> {
        let buf = wast::parser::ParseBuffer::new(src).unwrap();
        let wast = wast::parser::parse::<wast::Wast>(&buf).unwrap();
        match &wast.directives[0] {
            wast::WastDirective::AssertReturn { results, .. } => results
                .iter()
                .map(|r| Expected::from_ret(r).unwrap())
                .collect(),
            _ => panic!("not assert_return"),
        }
    }

    #[test]
    fn value_text_round_trips() {
        let values = [
            Value::I32(0xdead_beef),
            Value::I64(u64::MAX),
            Value::F32(0x7fc0_0001),
            Value::F64(0x8000_0000_0000_0000),
            Value::V128([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xff]),
            Value::FuncRef(0x5555_0000_1234),
            Value::ExternRef(0),
        ];
        for v in values {
            assert_eq!(Value::parse(&v.encode()), Ok(v));
        }
        assert_eq!(
            Value::parse("v128:00").unwrap_err(),
            "malformed value \"v128:00\""
        );
        assert!(Value::parse("i32:100000000").is_err());
        assert!(Value::parse("i33:0").is_err());
    }

    #[test]
    fn f32_nan_patterns() {
        let canon = FloatPattern::<u32>::CanonicalNan;
        let arith = FloatPattern::<u32>::ArithmeticNan;
        assert!(canon.matches(0x7fc0_0000));
        assert!(canon.matches(0xffc0_0000));
        assert!(!canon.matches(0x7fc0_0001));
        assert!(!canon.matches(0x7f80_0001)); // signalling
        assert!(!canon.matches(0x7f80_0000)); // infinity
        assert!(arith.matches(0x7fc0_0001));
        assert!(arith.matches(0xffff_ffff));
        assert!(!arith.matches(0x7fa0_0000)); // signalling NaN
        assert!(!arith.matches(0x3f80_0000));
        assert!(FloatPattern::Bits(0x7fa0_0000u32).matches(0x7fa0_0000));
        assert!(!FloatPattern::Bits(0x0u32).matches(0x8000_0000)); // -0 is not +0
    }

    #[test]
    fn f64_nan_patterns() {
        let canon = FloatPattern::<u64>::CanonicalNan;
        let arith = FloatPattern::<u64>::ArithmeticNan;
        assert!(canon.matches(0x7ff8_0000_0000_0000));
        assert!(canon.matches(0xfff8_0000_0000_0000));
        assert!(!canon.matches(0x7ff8_0000_0000_0001));
        assert!(arith.matches(0x7ff8_0000_0000_0001));
        assert!(!arith.matches(0x7ff4_0000_0000_0000));
        assert!(!arith.matches(0x7ff0_0000_0000_0000));
    }

    #[test]
    fn expected_from_wast() {
        let e = parse_directive_results(
            "(assert_return (invoke \"f\") (i32.const -1) (f32.const nan:canonical) \
             (f64.const 1.0) (ref.null extern) (ref.extern 7) (ref.func))",
        );
        assert_eq!(
            e,
            vec![
                Expected::I32(0xffff_ffff),
                Expected::F32(FloatPattern::CanonicalNan),
                Expected::F64(FloatPattern::Bits(0x3ff0_0000_0000_0000)),
                Expected::RefNull(Some(RefKind::Extern)),
                Expected::RefExtern(Some(7)),
                Expected::RefFunc,
            ]
        );
        assert!(
            check_results(
                &e,
                &[
                    Value::I32(0xffff_ffff),
                    Value::F32(0xffc0_0000),
                    Value::F64(0x3ff0_0000_0000_0000),
                    Value::ExternRef(0),
                    Value::ExternRef(8),
                    Value::FuncRef(0x1000),
                ]
            )
            .is_ok()
        );
    }

    #[test]
    fn v128_lanes() {
        let e = parse_directive_results(
            "(assert_return (invoke \"f\") (v128.const f32x4 nan:arithmetic 1.0 -0.0 nan:canonical))",
        );
        let mut bytes = [0u8; 16];
        bytes[0..4].copy_from_slice(&0x7fc0_1234u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&1.0f32.to_bits().to_le_bytes());
        bytes[8..12].copy_from_slice(&0x8000_0000u32.to_le_bytes());
        bytes[12..16].copy_from_slice(&0xffc0_0000u32.to_le_bytes());
        assert!(e[0].matches(&Value::V128(bytes)));
        bytes[12..16].copy_from_slice(&0xffc0_0001u32.to_le_bytes());
        assert!(!e[0].matches(&Value::V128(bytes)));
        assert_eq!(
            check_results(&e, &[Value::V128(bytes)]).unwrap_err(),
            "expected f32x4 nan:arithmetic 0x3f800000 0x80000000 nan:canonical, \
             got f32x4 0x7fc01234 0x3f800000 0x80000000 0xffc00001"
        );

        let e = parse_directive_results(
            "(assert_return (invoke \"f\") (v128.const i16x8 1 2 3 4 5 6 7 -1))",
        );
        let expected: Vec<u8> = [1u16, 2, 3, 4, 5, 6, 7, 0xffff]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert!(e[0].matches(&Value::V128(expected.try_into().unwrap())));
    }

    #[test]
    fn refs_and_kinds() {
        assert!(Expected::RefNull(None).matches(&Value::FuncRef(0)));
        assert!(!Expected::RefNull(Some(RefKind::Func)).matches(&Value::ExternRef(0)));
        assert!(!Expected::RefFunc.matches(&Value::FuncRef(0)));
        assert!(!Expected::RefExtern(Some(0)).matches(&Value::ExternRef(0)));
        assert!(Expected::RefExtern(Some(0)).matches(&Value::ExternRef(1)));
        assert!(!Expected::I32(1).matches(&Value::I64(1)));
        let either = Expected::Either(vec![Expected::I32(1), Expected::I32(2)]);
        assert!(either.matches(&Value::I32(2)));
        assert!(!either.matches(&Value::I32(3)));
        let err = check_results(&[Expected::I32(1)], &[]).unwrap_err();
        assert_eq!(err, "expected i32:1, got ()");
    }
}
