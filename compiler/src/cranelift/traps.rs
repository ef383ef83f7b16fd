//! How the ABI's trap kinds map to Cranelift trap codes, both ways: the translator raises a
//! kind's code, and the trap table records the kind of each code Cranelift reports.

use crate::abi::TrapKind;
use cranelift_codegen::ir::TrapCode;

/// `TrapKind::trap_code`, for the Cranelift backend.
pub trait CraneliftTrap {
    /// The Cranelift trap code generated code uses for this kind.
    fn trap_code(self) -> TrapCode;
}

impl CraneliftTrap for TrapKind {
    fn trap_code(self) -> TrapCode {
        match self {
            TrapKind::IntDivByZero => TrapCode::INTEGER_DIVISION_BY_ZERO,
            TrapKind::IntOverflow => TrapCode::INTEGER_OVERFLOW,
            TrapKind::BadConversion => TrapCode::BAD_CONVERSION_TO_INTEGER,
            TrapKind::MemoryOutOfBounds => TrapCode::HEAP_OUT_OF_BOUNDS,
            TrapKind::StackExhausted => TrapCode::STACK_OVERFLOW,
            other => TrapCode::unwrap_user(other as u8),
        }
    }
}

/// The kind a Cranelift trap code stands for (`None`: not one of ours).
pub fn trap_kind(code: TrapCode) -> Option<TrapKind> {
    TrapKind::ALL
        .iter()
        .copied()
        .find(|kind| kind.trap_code() == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_kinds_round_trip_through_cranelift_codes() {
        for &kind in TrapKind::ALL {
            assert_eq!(trap_kind(kind.trap_code()), Some(kind));
        }
    }
}
