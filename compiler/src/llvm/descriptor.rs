//! The module descriptor as LLVM IR globals.
//!
//! Placeholder until the shared descriptor builder lands: the descriptor unit is empty.

use super::ModuleCtx;
use super::ir::Target;
use crate::{CompileError, CompileOptions};

pub fn globals(
    ctx: &ModuleCtx<'_>,
    target: &Target,
    options: &CompileOptions,
    code_sizes: &[u32],
) -> Result<String, CompileError> {
    let _ = (ctx, target, options, code_sizes);
    Ok(String::new())
}
