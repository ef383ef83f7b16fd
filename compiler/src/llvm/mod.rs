//! The LLVM backend: a validated module becomes textual LLVM IR (`.ll`, for the LLVM inside
//! zig 0.17.1), which the CLI compiles with `zig cc` and links with the same runtime archive
//! as the Cranelift backend's objects.
//!
//! The module is split into *code units*: contiguous ranges of defined functions, balanced by
//! body size, each a self-contained LLVM module the CLI compiles in parallel. The split
//! depends only on the module, so the output is byte-reproducible whatever the thread timing.
//! Code unit 0 also holds the host adapters of imported functions.
//!
//! Units are translated on demand (`LlvmModule::unit`), one per compile worker, so that a
//! huge module never holds all its IR in memory at once (CPython's 99 MB module makes several
//! GiB of IR text). A unit declares only the wasm functions its code calls: declaring all of
//! them made half of every CPython unit's text (88,000 declarations) for LLVM to parse.
//!
//! Code ranges: LLVM cannot say how large a function is, and the runtime needs every wasm
//! function's code range (fault classification, backtraces). Each code unit therefore defines
//! its functions in index order followed by an end marker (`{prefix}end{k}`), compiled without
//! function sections, so the functions are laid out in that order in the object's one text
//! section; a function's size is the distance to the next symbol of the list. The CLI measures
//! those distances in the compiled objects (`code_symbols` names them), and only then asks
//! for the *descriptor unit* (`descriptor_unit`), which holds the module descriptor, the
//! trampolines and any data the code refers to.

mod atomics;
mod calls;
mod descriptor;
mod func;
mod intrinsics;
pub mod ir;
mod memory;
mod merge;
mod numeric;
mod simd;
mod stubs;
mod tables;
mod tail_entries;
mod throws;

use crate::layout::VmctxLayout;
use crate::module_env::ModuleEnv;
use crate::{CompileError, CompileOptions};
use intrinsics::Intrinsics;
use ir::Target;
pub use merge::merge_units;
use rayon::prelude::*;
use std::fmt::Write;

/// Body bytes per code unit, roughly: big enough that zig's start-up cost is small, small
/// enough that both cores work on mid-sized modules and a huge one stays in bounded memory.
const UNIT_BODY_BYTES: usize = 256 * 1024;

/// Module-wide facts every function translation shares.
pub struct ModuleCtx<'a> {
    pub env: &'a ModuleEnv<'a>,
    pub layout: VmctxLayout,
    pub prefix: &'a str,
    /// Which calls may return with an exception in flight.
    pub throws: throws::ThrowInfo,
}

impl ModuleCtx<'_> {
    /// The symbol of function `index` (an import's is its host adapter or stub).
    pub fn func_symbol(&self, index: u32) -> String {
        if index < self.env.num_imported_funcs {
            format!("{}import{index}", self.prefix)
        } else {
            format!("{}f{index}", self.prefix)
        }
    }
}

/// One code unit: its IR, and the symbols whose addresses give its functions' sizes.
#[derive(Clone, Debug)]
pub struct CodeUnit {
    pub ir: String,
    /// (function index, symbol) in layout order, then (`u32::MAX`, the end marker).
    pub code_symbols: Vec<(u32, String)>,
}

/// A module split into code units, translated on demand (`unit`), then waiting for its
/// functions' sizes (`descriptor_unit`).
pub struct LlvmModule<'a> {
    ctx: ModuleCtx<'a>,
    target: Target,
    options: CompileOptions,
    /// Each code unit's defined-function positions.
    ranges: Vec<std::ops::Range<usize>>,
}

/// Splits the functions of `env` into code units for `options.triple`.
pub fn translate<'a>(
    env: &'a ModuleEnv<'a>,
    options: &'a CompileOptions,
) -> Result<LlvmModule<'a>, CompileError> {
    let target = Target::new(&options.triple).map_err(|reason| CompileError::Target {
        triple: options.triple.to_string(),
        reason,
    })?;
    let ctx = ModuleCtx {
        env,
        layout: VmctxLayout::new(env, target.width),
        prefix: &options.symbol_prefix,
        throws: throws::ThrowInfo::analyze(env).map_err(|e| CompileError::Invalid {
            message: e.message().to_string(),
            offset: e.offset() as usize,
        })?,
    };
    let ranges = split(env);
    Ok(LlvmModule {
        ctx,
        target,
        options: options.clone(),
        ranges,
    })
}

impl LlvmModule<'_> {
    /// How many code units the module has.
    pub fn unit_count(&self) -> usize {
        self.ranges.len()
    }

    /// Code unit `k`, translated now.
    pub fn unit(&self, k: usize) -> Result<CodeUnit, CompileError> {
        let range = self.ranges[k].clone();
        code_unit(&self.ctx, &self.target, &self.options, k, range)
    }

    /// Every code unit, translated in parallel (for small modules: all the IR at once).
    pub fn units(&self) -> Result<Vec<CodeUnit>, CompileError> {
        (0..self.unit_count())
            .into_par_iter()
            .map(|k| self.unit(k))
            .collect()
    }

    /// The symbols giving unit `k`'s function sizes (`CodeUnit::code_symbols`), without
    /// translating it.
    pub fn code_symbols(&self, k: usize) -> Vec<(u32, String)> {
        let ctx = &self.ctx;
        let imports = if k == 0 {
            0..ctx.env.num_imported_funcs
        } else {
            0..0
        };
        let defined = self.ranges[k]
            .clone()
            .map(|i| ctx.env.num_imported_funcs + i as u32);
        imports
            .chain(defined)
            .map(|index| (index, ctx.func_symbol(index)))
            .chain(std::iter::once((u32::MAX, end_marker(ctx, k))))
            .collect()
    }
}

/// The symbol after unit `k`'s last function.
fn end_marker(ctx: &ModuleCtx<'_>, k: usize) -> String {
    format!("{}end{k}", ctx.prefix)
}

/// The functions that the bodies at positions `range` call directly, and those they tail-call
/// directly.
type Callees = std::collections::BTreeSet<u32>;
fn direct_callees(
    env: &ModuleEnv<'_>,
    range: std::ops::Range<usize>,
) -> Result<(Callees, Callees), CompileError> {
    let invalid = |e: wasmparser::BinaryReaderError| CompileError::Invalid {
        message: e.message().to_string(),
        offset: e.offset() as usize,
    };
    let mut callees = Callees::new();
    let mut tail_callees = Callees::new();
    for body in &env.bodies[range] {
        let mut reader = body.get_operators_reader().map_err(invalid)?;
        while !reader.eof() {
            match reader.read().map_err(invalid)? {
                wasmparser::Operator::Call { function_index } => {
                    callees.insert(function_index);
                }
                wasmparser::Operator::ReturnCall { function_index } => {
                    callees.insert(function_index);
                    tail_callees.insert(function_index);
                }
                _ => {}
            }
        }
    }
    Ok((callees, tail_callees))
}

/// Contiguous ranges of defined-function positions, balanced by body size.
fn split(env: &ModuleEnv<'_>) -> Vec<std::ops::Range<usize>> {
    let sizes: Vec<usize> = env
        .bodies
        .iter()
        .map(|b| (b.range().end - b.range().start) as usize)
        .collect();
    let total: usize = sizes.iter().sum();
    let count = total.div_ceil(UNIT_BODY_BYTES).clamp(1, sizes.len().max(1));
    let per_unit = total.div_ceil(count).max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for (i, size) in sizes.iter().enumerate() {
        acc += size;
        if acc >= per_unit && ranges.len() + 1 < count {
            ranges.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    ranges.push(start..sizes.len());
    ranges
}

fn code_unit(
    ctx: &ModuleCtx<'_>,
    target: &Target,
    options: &CompileOptions,
    k: usize,
    range: std::ops::Range<usize>,
) -> Result<CodeUnit, CompileError> {
    let env = ctx.env;
    let mut intrinsics = Intrinsics::default();
    let mut body = String::new();
    let mut code_symbols = Vec::new();
    let mut defined = std::collections::BTreeSet::new();
    if k == 0 {
        for index in 0..env.num_imported_funcs {
            let stub = options.stubbed_imports.get(&index).copied();
            body.push_str(&stubs::import_function(ctx, target, index, stub));
            code_symbols.push((index, ctx.func_symbol(index)));
            defined.insert(index);
        }
    }
    for defined_index in range.clone() {
        let index = env.num_imported_funcs + defined_index as u32;
        let text = func::translate_function(
            ctx,
            target,
            index,
            &env.bodies[defined_index],
            &mut intrinsics,
        )
        .map_err(|e| {
            CompileError::Unsupported(format!("{e} in {}", env.func_display_name(index)))
        })?;
        body.push_str(&text);
        code_symbols.push((index, ctx.func_symbol(index)));
        defined.insert(index);
    }
    let end = end_marker(ctx, k);
    let _ = writeln!(
        body,
        "define hidden void @{end}() naked {} {{\n  unreachable\n}}",
        ir::FUNC_ATTRS
    );
    code_symbols.push((u32::MAX, end));

    let mut ir = header(target, &format!("{}unit{k}", ctx.prefix));
    // The wasm functions of other units that this unit calls (and tail-calls).
    let (callees, tail_callees) = direct_callees(env, range)?;
    for index in callees.difference(&defined) {
        let ty = env.func_type(*index);
        ir.push_str(&target.declare_wasm(&ctx.func_symbol(*index), ty));
    }
    if target.tail_entries {
        for index in tail_callees.difference(&defined) {
            ir.push_str(&tail_entries::declare(&ctx.func_symbol(*index)));
        }
        ir.push_str(&tail_entries::buffer_definition());
    }
    ir.push_str(&builtin_declarations(target));
    ir.push_str(&intrinsics.declarations());
    ir.push('\n');
    ir.push_str(&body);
    ir.push_str(METADATA);
    Ok(CodeUnit { ir, code_symbols })
}

impl LlvmModule<'_> {
    /// The unit holding the module descriptor and the trampolines, once the code units are
    /// compiled: `code_sizes[i]` is function `i`'s size in bytes (0: unknown).
    pub fn descriptor_unit(&self, code_sizes: &[u32]) -> Result<String, CompileError> {
        let ctx = &self.ctx;
        let target = &self.target;
        let mut ir = header(target, &format!("{}descriptor", ctx.prefix));
        for (index, &type_index) in ctx.env.func_types.iter().enumerate() {
            let ty = &ctx.env.types[type_index as usize];
            ir.push_str(&target.declare_wasm(&ctx.func_symbol(index as u32), ty));
        }
        if ctx.throws.any() {
            // The trampolines raise the "uncaught exception" trap through the builtins.
            ir.push_str(&builtin_declarations(target));
        }
        for (index, ty) in ctx.env.types.iter().enumerate() {
            ir.push_str(&stubs::trampoline(ctx, target, index as u32, ty));
        }
        ir.push_str(&descriptor::globals(
            ctx,
            target,
            &self.options,
            code_sizes,
        )?);
        Ok(ir)
    }
}

fn header(target: &Target, name: &str) -> String {
    let _ = target;
    format!("; ModuleID = '{name}'\nsource_filename = \"{name}\"\n\n")
}

/// Declarations of the runtime's builtins (w2e_abi.h), with their C argument extensions.
fn builtin_declarations(target: &Target) -> String {
    use crate::abi::{Builtin, BuiltinParam};
    let arg = |kind: BuiltinParam| match kind {
        BuiltinParam::Vmctx | BuiltinParam::Ptr => "ptr".to_string(),
        BuiltinParam::I32 => format!("i32 {}", target.c_u32_ext),
        BuiltinParam::I64 => "i64".to_string(),
    };
    let mut text = String::new();
    for builtin in Builtin::ALL {
        let decl = builtin.decl();
        // A return attribute precedes the type.
        let ret = match decl.result.map(|r| r.kind) {
            None => "void".to_string(),
            Some(BuiltinParam::I32) => format!("{} i32", target.c_u32_ext),
            Some(kind) => arg(kind),
        };
        let params: Vec<String> = decl.params.iter().map(|p| arg(p.kind)).collect();
        let _ = writeln!(
            text,
            "declare {} {ret} @{}({}) nounwind{}",
            target.builtin_cc,
            decl.symbol,
            params.join(", "),
            if decl.noreturn { " noreturn cold" } else { "" }
        );
    }
    text
}

/// Metadata every unit refers to: `!0` the weights of a branch to a trap (almost never
/// taken), `!1` the empty node of `!invariant.load`, `!4` and `!6` the TBAA tags of linear
/// memory and of globals: the two never overlap (linear memory is its own allocation), so
/// a store to linear memory does not force LLVM to reload a global, nor the reverse; `!7` the
/// alignment of a linear memory's base (page-aligned: the runtime reserves it from the OS), so
/// that LLVM can prove accesses aligned; `#1` the attributes of a trap call; `#2` those of a
/// call that must stay a call (`tail_entries.rs`).
const METADATA: &str = "\nattributes #1 = { cold noreturn nounwind }\nattributes #2 = { noinline }\n\
!0 = !{!\"branch_weights\", i32 1, i32 1048575}\n!1 = !{}\n\
!2 = !{!\"wasm2exe\"}\n!3 = !{!\"linear memory\", !2, i64 0}\n!4 = !{!3, !3, i64 0}\n\
!5 = !{!\"wasm global\", !2, i64 0}\n!6 = !{!5, !5, i64 0}\n!7 = !{i64 16}\n";
