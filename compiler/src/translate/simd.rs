//! 128-bit SIMD instructions.

use super::FuncTranslator;
use wasmparser::Operator;

impl FuncTranslator<'_, '_> {
    /// Translates `op` if it is a SIMD instruction; returns whether it was.
    pub(super) fn translate_simd(&mut self, op: &Operator<'_>) -> bool {
        let _ = op;
        false
    }
}
