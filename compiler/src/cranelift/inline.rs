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

/// The largest function (in IR instructions) inlined. Measured with bench/ab.py: raising it
/// from 24 to 40 made sqlite 4% and lua 7% faster; also inlining small functions that call
/// others gained nothing measurable and would hide their frames from trap backtraces.
const MAX_INSTRUCTIONS: usize = 40;

/// Whether `func` may be inlined into its callers.
pub fn is_candidate(func: &ir::Function) -> bool {
    if func.dfg.num_insts() > MAX_INSTRUCTIONS || !func.dfg.exception_tables.is_empty() {
        return false;
    }
    func.layout.blocks().all(|block| {
        func.layout.block_insts(block).all(|inst| {
            let data = &func.dfg.insts[inst];
            !data.opcode().is_call()
                && !matches!(
                    data,
                    InstructionData::Trap { .. } | InstructionData::CondTrap { .. }
                )
                && !matches!(
                    data.opcode(),
                    Opcode::Sdiv
                        | Opcode::Udiv
                        | Opcode::Srem
                        | Opcode::Urem
                        | Opcode::FcvtToSint
                        | Opcode::FcvtToUint
                )
        })
    })
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
