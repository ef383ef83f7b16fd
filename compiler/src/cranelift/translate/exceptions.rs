//! Exception handling: `try_table`, `throw`, `throw_ref`, and the legacy `try`/`catch`/
//! `catch_all`/`delegate`/`rethrow`.
//!
//! Zero cost until something is thrown: a call inside a `try` becomes a Cranelift `try_call`
//! whose only handler is a catch-all "dispatch" block of this function; nothing runs on the
//! normal path. The runtime's unwinder (runtime-headless exceptions.c) walks frame pointers to
//! the nearest call site with a dispatch block and resumes there with the exception. The
//! dispatch block compares the exception's tag with the clauses, in order, and passes what it
//! does not catch on to the enclosing `try` of the same function, or rethrows it to the caller.
//! A `throw` inside a `try` of the same function jumps straight to its dispatch block.

use super::{ControlFrame, FrameKind, FuncTranslator, ir_type, trusted};
use crate::abi::{Builtin, TrapKind, VALUE_SIZE};
use crate::cranelift::traps::CraneliftTrap;
use crate::module_env::CatchClause;
use cranelift_codegen::ir::{
    Block, BlockArg, Endianness, ExceptionTableData, ExceptionTableItem, InstBuilder, MemFlagsData,
    StackSlotData, StackSlotKind, Value, condcodes::IntCC, types,
};
use wasmparser::{TryTable, ValType};

/// Offset of the first value in a `w2e_exception`.
const EXCEPTION_VALUES: i32 = crate::abi::exception::VALUES;
/// Offset of a `w2e_exception`'s `escaped` flag.
const EXCEPTION_ESCAPED: i32 = crate::abi::exception::ESCAPED;

/// A legacy `try` block: its dispatch chain is built one `catch` at a time.
#[derive(Clone, Debug)]
pub(super) struct LegacyTry {
    /// The exception, the dispatch block's parameter.
    exn: Value,
    /// Where the dispatch chain continues (the dispatch block itself before the first
    /// `catch`); `None` once a `catch_all` closed it.
    pending: Option<Block>,
    /// Inside catch bodies: the caught exception, for `rethrow`.
    pub caught: Option<Value>,
}

/// What a call does with exceptions: nothing, or hand them to this dispatch block.
pub(super) enum Callee {
    Direct(cranelift_codegen::ir::FuncRef),
    Indirect(cranelift_codegen::ir::SigRef, Value),
}

fn value_flags(ty: ValType) -> MemFlagsData {
    match ty {
        ValType::V128 => trusted().with_endianness(Endianness::Little),
        _ => trusted(),
    }
}

impl FuncTranslator<'_, '_> {
    /// The dispatch block that handles exceptions raised here, if any.
    pub(super) fn current_handler(&self) -> Option<Block> {
        self.control.iter().rev().find_map(|frame| frame.handler)
    }

    /// The handler in effect for code directly inside frame `index`.
    fn handler_within(&self, index: usize) -> Option<Block> {
        self.control[..=index]
            .iter()
            .rev()
            .find_map(|frame| frame.handler)
    }

    /// Emits a call (a `try_call` when a handler is in effect) and returns its results.
    pub(super) fn emit_call(&mut self, callee: Callee, args: &[Value]) -> Vec<Value> {
        let Some(handler) = self.current_handler() else {
            let call = match callee {
                Callee::Direct(f) => self.builder.ins().call(f, args),
                Callee::Indirect(sig, code) => self.builder.ins().call_indirect(sig, code, args),
            };
            return self.builder.inst_results(call).to_vec();
        };
        let sig = match callee {
            Callee::Direct(f) => self.builder.func.dfg.ext_funcs[f].signature,
            Callee::Indirect(sig, _) => sig,
        };
        let returns: Vec<_> = self.builder.func.dfg.signatures[sig]
            .returns
            .iter()
            .map(|r| r.value_type)
            .collect();
        let next = self.builder.create_block();
        for &ty in &returns {
            self.builder.append_block_param(next, ty);
        }
        let results: Vec<BlockArg> = (0..returns.len() as u32)
            .map(BlockArg::TryCallRet)
            .collect();
        let dfg = &mut self.builder.func.dfg;
        let normal = dfg.block_call(next, &results);
        let exceptional = dfg.block_call(handler, &[BlockArg::TryCallExn(0)]);
        let table =
            ExceptionTableData::new(sig, normal, [ExceptionTableItem::Default(exceptional)]);
        let table = dfg.exception_tables.push(table);
        match callee {
            Callee::Direct(f) => self.builder.ins().try_call(f, args, table),
            Callee::Indirect(_, code) => self.builder.ins().try_call_indirect(code, args, table),
        };
        self.builder.switch_to_block(next);
        self.builder.seal_block(next);
        self.builder.block_params(next).to_vec()
    }

    /// Hands `exn` to `handler`, or (without one) unwinds to the caller.
    fn propagate(&mut self, exn: Value, handler: Option<Block>) {
        match handler {
            Some(block) => {
                self.builder.ins().jump(block, &[BlockArg::Value(exn)]);
            }
            None => {
                self.call_builtin(Builtin::ThrowRef, &[exn]);
                // w2e_throw_ref does not return.
                self.builder
                    .ins()
                    .trap(TrapKind::UncaughtException.trap_code());
            }
        }
    }

    /// A new block taking the exception as its parameter.
    fn dispatch_block(&mut self) -> (Block, Value) {
        let block = self.builder.create_block();
        let exn = self.builder.append_block_param(block, types::I64);
        self.builder.set_cold_block(block);
        (block, exn)
    }

    /// Whether `exn` was thrown with this instance's tag `tag_index`.
    fn tag_matches(&mut self, exn: Value, tag_index: u32) -> Value {
        let thrown = self.builder.ins().load(types::I64, trusted(), exn, 0);
        let offset = (self.module.layout.tags + 8 * tag_index) as i32;
        let flags = trusted().with_readonly();
        let expected = self
            .builder
            .ins()
            .load(types::I64, flags, self.vmctx, offset);
        self.builder.ins().icmp(IntCC::Equal, thrown, expected)
    }

    /// The values an exception of tag `tag_index` carries.
    fn payload(&mut self, exn: Value, tag_index: u32) -> Vec<Value> {
        let params = self.tag_params(tag_index);
        params
            .iter()
            .enumerate()
            .map(|(i, &ty)| {
                let offset = EXCEPTION_VALUES + (i as u32 * VALUE_SIZE) as i32;
                self.builder
                    .ins()
                    .load(ir_type(ty), value_flags(ty), exn, offset)
            })
            .collect()
    }

    fn tag_params(&self, tag_index: u32) -> Vec<ValType> {
        let type_index = self.module.env.tags[tag_index as usize];
        self.module.env.types[type_index as usize].params().to_vec()
    }

    pub(super) fn translate_try_table(&mut self, try_table: &TryTable) {
        let (params, results) = self.block_arity(try_table.ty);
        let outer = self.current_handler();
        let (dispatch, exn) = self.dispatch_block();
        // Leave the current block for the body, so the dispatch code can be written now.
        let body = self.builder.create_block();
        self.builder.ins().jump(body, &[]);
        self.builder.seal_block(body);

        self.builder.switch_to_block(dispatch);
        let mut closed = false;
        for clause in &try_table.catches {
            let CatchClause {
                tag,
                label,
                with_ref,
            } = clause.into();
            if let Some(tag) = tag {
                let matches = self.tag_matches(exn, tag);
                let caught = self.builder.create_block();
                let next = self.builder.create_block();
                self.builder.ins().brif(matches, caught, &[], next, &[]);
                self.builder.seal_block(caught);
                self.builder.seal_block(next);
                self.builder.switch_to_block(caught);
                let mut values = self.payload(exn, tag);
                if with_ref {
                    self.mark_escaped(exn);
                    values.push(exn);
                } else {
                    self.call_builtin(Builtin::ExceptionFree, &[exn]);
                }
                let (target, _) = self.frame_target(label);
                self.jump(target, &values);
                self.builder.switch_to_block(next);
            } else {
                let values = if with_ref {
                    self.mark_escaped(exn);
                    vec![exn]
                } else {
                    self.call_builtin(Builtin::ExceptionFree, &[exn]);
                    vec![]
                };
                let (target, _) = self.frame_target(label);
                self.jump(target, &values);
                closed = true;
                break;
            }
        }
        if !closed {
            self.propagate(exn, outer);
        }

        self.builder.switch_to_block(body);
        let exit = self.block_with_params(results.iter().copied());
        self.open_frame(
            FrameKind::TryTable { dispatch },
            exit,
            params.len(),
            results.len(),
        );
        self.control.last_mut().expect("just opened").handler = Some(dispatch);
    }

    pub(super) fn translate_legacy_try(&mut self, blockty: wasmparser::BlockType) {
        let (params, results) = self.block_arity(blockty);
        let (dispatch, exn) = self.dispatch_block();
        let exit = self.block_with_params(results.iter().copied());
        let state = LegacyTry {
            exn,
            pending: Some(dispatch),
            caught: None,
        };
        self.open_frame(
            FrameKind::LegacyTry(state),
            exit,
            params.len(),
            results.len(),
        );
        self.control.last_mut().expect("just opened").handler = Some(dispatch);
    }

    /// `catch $tag` (Some) or `catch_all` (None) of the innermost legacy `try`.
    pub(super) fn translate_catch(&mut self, tag: Option<u32>) {
        self.free_at_catch_body_end();
        self.fall_through_to_exit();
        let frame = self.control.last_mut().expect("validated");
        frame.handler = None;
        let FrameKind::LegacyTry(state) = &mut frame.kind else {
            unreachable!("validated: catch outside try");
        };
        let exn = state.exn;
        let pending = state
            .pending
            .take()
            .expect("validated: catch after catch_all");
        state.caught = Some(exn);
        self.builder.switch_to_block(pending);
        self.builder.seal_block(pending);
        if let Some(tag) = tag {
            let matches = self.tag_matches(exn, tag);
            let caught = self.builder.create_block();
            let next = self.builder.create_block();
            self.builder.ins().brif(matches, caught, &[], next, &[]);
            self.builder.seal_block(caught);
            self.builder.seal_block(next);
            self.legacy_try_mut().pending = Some(next);
            self.builder.switch_to_block(caught);
            let values = self.payload(exn, tag);
            self.stack.extend(values);
        }
        self.reachable = true;
    }

    fn legacy_try_mut(&mut self) -> &mut LegacyTry {
        match &mut self.control.last_mut().expect("validated").kind {
            FrameKind::LegacyTry(state) => state,
            _ => unreachable!("validated: inside a legacy try"),
        }
    }

    /// Where a legacy catch body ends by falling through (its last instruction was
    /// reachable), its exception is garbage, unless the body rethrew it (which marked it
    /// escaped: a handler inside may still hold it). Bodies left by a branch leak it.
    pub(super) fn free_at_catch_body_end(&mut self) {
        let caught = match &self.control.last().expect("validated").kind {
            FrameKind::LegacyTry(state) => state.caught,
            _ => None,
        };
        if let (Some(exn), true) = (caught, self.reachable) {
            self.call_builtin(Builtin::ExceptionFree, &[exn]);
        }
    }

    /// Sets the exception's `escaped` flag: wasm holds it as a value from now on.
    fn mark_escaped(&mut self, exn: Value) {
        let one = self.builder.ins().iconst(types::I32, 1);
        self.builder
            .ins()
            .store(trusted(), one, exn, EXCEPTION_ESCAPED);
    }

    /// Before a legacy `try`'s `end`: exceptions no clause caught go on outward.
    pub(super) fn finish_legacy_try(&mut self, frame: &ControlFrame) {
        let FrameKind::LegacyTry(state) = &frame.kind else {
            return;
        };
        if let Some(pending) = state.pending {
            let outer = self.current_handler();
            self.builder.switch_to_block(pending);
            self.builder.seal_block(pending);
            self.propagate(state.exn, outer);
        }
    }

    /// `delegate depth`: ends the innermost legacy `try`, handing its exceptions to the
    /// handler in effect at label `depth` (counted outside the `try`).
    pub(super) fn translate_delegate(&mut self, depth: u32) {
        self.fall_through_to_exit();
        let frame = self.control.pop().expect("validated");
        let FrameKind::LegacyTry(state) = &frame.kind else {
            unreachable!("validated: delegate outside try");
        };
        let target = self.control.len() - 1 - depth as usize;
        let handler = self.handler_within(target);
        let pending = state.pending.expect("validated: delegate without catch");
        self.builder.switch_to_block(pending);
        self.builder.seal_block(pending);
        self.propagate(state.exn, handler);
        self.enter_exit(frame.exit, frame.exit_reached, frame.stack_base);
    }

    pub(super) fn translate_rethrow(&mut self, depth: u32) {
        let index = self.control.len() - 1 - depth as usize;
        let exn = match &self.control[index].kind {
            FrameKind::LegacyTry(LegacyTry {
                caught: Some(exn), ..
            }) => *exn,
            _ => unreachable!("validated: rethrow targets a catch"),
        };
        self.mark_escaped(exn);
        let handler = self.current_handler();
        self.propagate(exn, handler);
        self.reachable = false;
    }

    pub(super) fn translate_throw(&mut self, tag_index: u32) {
        let params = self.tag_params(tag_index);
        let values = self.popn(params.len());
        let size = (params.len() as u32).max(1) * VALUE_SIZE;
        let slot = self.builder.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            4,
        ));
        let buffer = self.builder.ins().stack_addr(types::I64, slot, 0);
        for (i, (&ty, value)) in params.iter().zip(values).enumerate() {
            let offset = (i as u32 * VALUE_SIZE) as i32;
            self.builder
                .ins()
                .store(value_flags(ty), value, buffer, offset);
        }
        let tag = self.builder.ins().iconst(types::I32, i64::from(tag_index));
        let exn = self
            .call_builtin(Builtin::ExceptionNew, &[tag, buffer])
            .expect("exception");
        let handler = self.current_handler();
        self.propagate(exn, handler);
        self.reachable = false;
    }

    pub(super) fn translate_throw_ref(&mut self) {
        let exn = self.pop();
        self.builder
            .ins()
            .trapz(exn, TrapKind::NullReference.trap_code());
        let handler = self.current_handler();
        self.propagate(exn, handler);
        self.reachable = false;
    }
}
