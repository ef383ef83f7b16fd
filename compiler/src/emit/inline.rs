//! Inlining of small leaf functions into their direct callers, before Cranelift compiles.
//!
//! Wasm toolchains leave many tiny functions (accessors, wrappers, `memcpy` shims) that cost
//! more to call than to run. A function qualifies when it is short, calls nothing (so inlining
//! never cascades or recurses), and has no instruction that can trap on purpose (division,
//! float-to-int conversion, `unreachable`, indirect-call checks): a trap's backtrace then still
//! names the function it happened in. Loads and stores may still fault inside an inlined body;
//! such a trap's backtrace shows the caller. Only the candidates' IR is kept in memory, so a
//! module with tens of thousands of functions costs little extra.

use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, ExternalName, InstructionData, Opcode};
use std::borrow::Cow;

/// The largest leaf function (in IR instructions) inlined.
const MAX_LEAF_INSTRUCTIONS: usize = 40;
/// The largest function that calls others inlined: its calls stay calls, so inlining it
/// saves one call and return; the bound keeps code growth small.
const MAX_CALLER_INSTRUCTIONS: usize = 24;

/// Whether `func` may be inlined into its callers.
pub fn is_candidate(func: &ir::Function) -> bool {
    let size = func.dfg.num_insts();
    if size > MAX_LEAF_INSTRUCTIONS || !func.dfg.exception_tables.is_empty() {
        return false;
    }
    let mut calls = false;
    let inlinable = func.layout.blocks().all(|block| {
        func.layout.block_insts(block).all(|inst| {
            let data = &func.dfg.insts[inst];
            if let InstructionData::Call { func_ref, .. } = data {
                calls = true;
                // A function calling itself is never inlined (not even one level).
                if let (ExternalName::User(callee), ir::UserFuncName::User(own)) =
                    (&func.dfg.ext_funcs[*func_ref].name, &func.name)
                    && func.params.user_named_funcs()[*callee] == *own
                {
                    return false;
                }
            }
            !matches!(
                data,
                InstructionData::Trap { .. } | InstructionData::CondTrap { .. }
            ) && !matches!(
                data.opcode(),
                Opcode::CallIndirect
                    | Opcode::ReturnCall
                    | Opcode::ReturnCallIndirect
                    | Opcode::TryCall
                    | Opcode::TryCallIndirect
                    | Opcode::Sdiv
                    | Opcode::Udiv
                    | Opcode::Srem
                    | Opcode::Urem
                    | Opcode::FcvtToSint
                    | Opcode::FcvtToUint
            )
        })
    });
    inlinable && (!calls || size <= MAX_CALLER_INSTRUCTIONS)
}

/// Inlines direct calls to the candidates.
pub struct Inliner<'a> {
    /// The candidates by defined-function index (`None`: not inlined).
    pub candidates: &'a [Option<ir::Function>],
    /// Function indices below this are imports.
    pub num_imported: u32,
}

impl Inline for Inliner<'_> {
    fn inline(
        &mut self,
        caller: &ir::Function,
        _call_inst: ir::Inst,
        opcode: Opcode,
        callee: ir::FuncRef,
        _call_args: &[ir::Value],
    ) -> InlineCommand<'_> {
        if opcode != Opcode::Call {
            return InlineCommand::KeepCall;
        }
        let ExternalName::User(name) = &caller.dfg.ext_funcs[callee].name else {
            return InlineCommand::KeepCall;
        };
        let name = &caller.params.user_named_funcs()[*name];
        // Namespace 0 numbers wasm functions by index (see layout::SymbolIds); builtins and
        // stubs come after them and are never candidates.
        let candidate = (name.namespace == 0)
            .then(|| name.index.checked_sub(self.num_imported))
            .flatten()
            .and_then(|defined| self.candidates.get(defined as usize))
            .and_then(Option::as_ref);
        match candidate {
            Some(body) => InlineCommand::Inline {
                callee: Cow::Borrowed(body),
                visit_callee: false,
            },
            None => InlineCommand::KeepCall,
        }
    }
}
