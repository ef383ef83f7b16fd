//! Exception handling: `try_table`, `throw`, `throw_ref`, and the legacy `try`/`catch`/
//! `catch_all`/`delegate`/`rethrow`, by explicit propagation.
//!
//! Why not the Cranelift backend's way: its unwinder resumes at exact call-site return
//! offsets with every register clobbered, which LLVM cannot describe without unwind tables;
//! setjmp-style handlers are unsafe with SSA values living in registers across the setjmp,
//! and both would differ per target. Explicit propagation is plain IR, the same on every
//! target, 32-bit ones included:
//!
//! - A `throw` (or `throw_ref`, `rethrow`) inside a handler of its own function stores the
//!   exception in the function's `exn` slot and branches to that handler's dispatch block.
//!   Without one, it stores the exception in the process's in-flight slot
//!   (`*vmctx->pending_exception`, shared by all instances, so exceptions cross instances) and
//!   returns with `poison` results.
//! - After a call that may throw (`throws.rs` decides, per callee; tail calls need nothing,
//!   the caller's caller tests), the caller loads the in-flight slot: one load and a branch
//!   LLVM knows is rarely taken. The slot is ordinary memory, so LLVM neither hoists the load
//!   over the call (which may write it) nor merges it with the one after another call. When it
//!   is set, a landing block moves the exception to the innermost handler, or the function
//!   returns at once, leaving it set.
//! - A dispatch block compares the exception's tag with the clauses in order, as in the
//!   Cranelift backend, and hands what it does not catch to the enclosing handler, or to the
//!   caller. The trampolines that enter wasm from C test the slot after the call and raise the
//!   "uncaught exception" trap (`stubs.rs`).
//!
//! Exceptions are freed exactly as by the Cranelift backend: a `catch`/`catch_all` without
//! `_ref` frees it, a `_ref` clause or a `rethrow` marks it `escaped` (wasm holds it as a value
//! from then on), and a legacy catch body that falls through frees it unless it escaped.

use super::{Frame, FrameKind, FuncTranslator};
use crate::abi::{TrapKind, VALUE_SIZE, structs};
use crate::llvm::ir;
use crate::module_env::CatchClause;
use std::collections::BTreeMap;
use std::fmt::Write;
use wasmparser::{Operator, TryTable, ValType};

/// A legacy `try` block: its dispatch chain is built one `catch` at a time.
#[derive(Clone, Debug)]
pub(super) struct LegacyTry {
    /// The exception, loaded at the head of the dispatch block (it dominates every catch).
    exn: String,
    /// The block where the chain of tag tests continues; `None` once a `catch_all` closed it.
    pending: Option<String>,
    /// Inside catch bodies: the caught exception, for `rethrow` and the final free.
    caught: Option<String>,
}

/// Per-function exception state.
#[derive(Default)]
pub(super) struct ExcState {
    /// `alloca ptr`: the exception a branch to a dispatch block carries.
    exn_slot: Option<String>,
    /// The address of the process's in-flight exception slot, loaded once.
    pending: Option<String>,
    /// Landing blocks after calls, by the dispatch block they lead to.
    landings: BTreeMap<String, String>,
    /// Whether some path returns with an exception in flight (the `unwind` block).
    unwind_used: bool,
    /// Out-of-line blocks: dispatch chains and landings, appended after the body.
    cold: String,
}

impl FuncTranslator<'_> {
    /// Exception operators; false when `op` is not one.
    pub(super) fn translate_exception_op(&mut self, op: &Operator<'_>) -> bool {
        match op {
            Operator::TryTable { try_table } => self.translate_try_table(try_table),
            Operator::Try { blockty } => self.translate_legacy_try(*blockty),
            Operator::Catch { tag_index } => self.translate_catch(Some(*tag_index)),
            Operator::CatchAll => self.translate_catch(None),
            Operator::Delegate { relative_depth } => self.translate_delegate(*relative_depth),
            Operator::Rethrow { relative_depth } => self.translate_rethrow(*relative_depth),
            Operator::Throw { tag_index } => self.translate_throw(*tag_index),
            Operator::ThrowRef => self.translate_throw_ref(),
            _ => return false,
        }
        true
    }

    /// After a call that may throw: when the in-flight slot is set, go to the innermost
    /// handler's landing block, or return.
    pub fn check_pending_exception(&mut self) {
        let pending = self.pending_slot();
        let exn = self.inst(format!("load ptr, ptr {pending}"));
        let thrown = self.inst(format!("icmp ne ptr {exn}, null"));
        let landing = match self.current_handler() {
            Some(handler) => self.landing(&handler),
            None => {
                self.exc.unwind_used = true;
                "unwind".to_string()
            }
        };
        let cont = self.label();
        self.emit(format!(
            "br i1 {thrown}, label %{landing}, label %{cont}, !prof !0"
        ));
        self.start_block(&cont);
    }

    /// Appends the out-of-line blocks, and the block returning with an exception in flight.
    pub(super) fn finish_exceptions(&mut self, ret_ty: &str) {
        let cold = std::mem::take(&mut self.exc.cold);
        self.out.push_str(&cold);
        if self.exc.unwind_used {
            let ret = if ret_ty == "void" {
                "ret void".to_string()
            } else {
                format!("ret {ret_ty} poison")
            };
            let _ = writeln!(self.out, "unwind:\n  {ret}");
        }
    }

    /// The address of the in-flight exception slot (`*vmctx->pending_exception`, constant).
    fn pending_slot(&mut self) -> String {
        if let Some(slot) = &self.exc.pending {
            return slot.clone();
        }
        let name = "%pending".to_string();
        let offset = self.target.vmctx_offset("pending_exception");
        let _ = writeln!(
            self.entry,
            "  {name}.at = getelementptr i8, ptr %vmctx, i64 {offset}\n  \
             {name} = load ptr, ptr {name}.at, align {}, !invariant.load !1",
            self.target.ptr_bytes
        );
        self.exc.pending = Some(name.clone());
        name
    }

    fn exn_slot(&mut self) -> String {
        if let Some(slot) = &self.exc.exn_slot {
            return slot.clone();
        }
        let name = self.fresh();
        let _ = writeln!(self.entry, "  {name} = alloca ptr");
        self.exc.exn_slot = Some(name.clone());
        name
    }

    /// The landing block that moves the in-flight exception to dispatch block `handler`.
    fn landing(&mut self, handler: &str) -> String {
        if let Some(label) = self.exc.landings.get(handler) {
            return label.clone();
        }
        let label = self.label();
        self.exc.landings.insert(handler.to_string(), label.clone());
        let pending = self.pending_slot();
        let slot = self.exn_slot();
        self.out_of_line(|t| {
            t.start_block(&label);
            let exn = t.inst(format!("load ptr, ptr {pending}"));
            t.emit(format!("store ptr null, ptr {pending}"));
            t.emit(format!("store ptr {exn}, ptr {slot}"));
            t.emit(format!("br label %{handler}"));
        });
        label
    }

    /// Runs `f` writing into the out-of-line buffer instead of the body.
    fn out_of_line(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::take(&mut self.out);
        let reachable = self.reachable;
        f(self);
        self.reachable = reachable;
        let code = std::mem::replace(&mut self.out, saved);
        self.exc.cold.push_str(&code);
    }

    /// The dispatch block that handles exceptions raised here, if any.
    fn current_handler(&self) -> Option<String> {
        self.handler_within(self.frames.len() - 1)
    }

    /// The handler in effect for code directly inside frame `index`.
    fn handler_within(&self, index: usize) -> Option<String> {
        self.frames[..=index]
            .iter()
            .rev()
            .find_map(|frame| frame.handler.clone())
    }

    /// Hands exception `exn` to dispatch block `handler`, or returns with it in flight.
    fn propagate(&mut self, exn: &str, handler: Option<String>) {
        match handler {
            Some(block) => {
                let slot = self.exn_slot();
                self.emit(format!("store ptr {exn}, ptr {slot}"));
                self.emit(format!("br label %{block}"));
            }
            None => {
                let pending = self.pending_slot();
                self.emit(format!("store ptr {exn}, ptr {pending}"));
                self.emit("br label %unwind");
                self.exc.unwind_used = true;
            }
        }
        self.reachable = false;
    }

    /// Starts dispatch block `label`: the exception it receives.
    fn start_dispatch(&mut self, label: &str) -> String {
        let slot = self.exn_slot();
        self.start_block(label);
        self.inst(format!("load ptr, ptr {slot}"))
    }

    /// Whether `exn` was thrown with this instance's tag `tag_index`.
    fn tag_matches(&mut self, exn: &str, tag_index: u32) -> String {
        let thrown = self.inst(format!("load ptr, ptr {exn}"));
        let offset = self.m.layout.tags + self.target.ptr_bytes * tag_index;
        let expected = self.load_invariant_ptr(i64::from(offset));
        self.inst(format!("icmp eq ptr {thrown}, {expected}"))
    }

    /// Branches to a new block when `exn` has tag `tag_index`, continuing in it; returns the
    /// block taken otherwise.
    fn test_tag(&mut self, exn: &str, tag_index: u32) -> String {
        let matches = self.tag_matches(exn, tag_index);
        let caught = self.label();
        let next = self.label();
        self.emit(format!("br i1 {matches}, label %{caught}, label %{next}"));
        self.start_block(&caught);
        next
    }

    fn tag_params(&self, tag_index: u32) -> Vec<ValType> {
        let type_index = self.m.env.tags[tag_index as usize];
        self.m.env.types[type_index as usize].params().to_vec()
    }

    /// Pushes the values an exception of tag `tag_index` carries.
    fn push_payload(&mut self, exn: &str, tag_index: u32) {
        let values = crate::abi::exception::VALUES as u32;
        for (i, ty) in self.tag_params(tag_index).into_iter().enumerate() {
            let at = self.inst(format!(
                "getelementptr i8, ptr {exn}, i64 {}",
                values + i as u32 * VALUE_SIZE
            ));
            let v = self.inst(format!("load {}, ptr {at}, align 16", ir::ty(ty)));
            self.push(v, ty);
        }
    }

    /// Sets the exception's `escaped` flag: wasm holds it as a value from now on.
    fn mark_escaped(&mut self, exn: &str) {
        let offset = self.target.offset(&structs::EXCEPTION, "escaped");
        let at = self.inst(format!("getelementptr i8, ptr {exn}, i64 {offset}"));
        self.emit(format!("store i32 1, ptr {at}"));
    }

    fn free_exception(&mut self, exn: &str) {
        self.emit(format!(
            "call {} void @w2e_exception_free(ptr %vmctx, ptr {exn})",
            self.target.builtin_cc
        ));
    }

    fn translate_try_table(&mut self, try_table: &TryTable) {
        let (params, results) = self.block_type(try_table.ty);
        let outer = self.current_handler();
        let dispatch = self.label();
        self.out_of_line(|t| {
            let exn = t.start_dispatch(&dispatch);
            let height = t.stack.len();
            for clause in &try_table.catches {
                let CatchClause {
                    tag,
                    label,
                    with_ref,
                } = clause.into();
                let next = tag.map(|tag| {
                    let next = t.test_tag(&exn, tag);
                    t.push_payload(&exn, tag);
                    next
                });
                if with_ref {
                    t.mark_escaped(&exn);
                    t.push(exn.clone(), ValType::EXNREF);
                } else {
                    t.free_exception(&exn);
                }
                // Catch labels count from outside the try_table, whose frame is not open yet.
                t.branch(label);
                t.stack.truncate(height);
                match next {
                    Some(next) => t.start_block(&next),
                    None => return,
                }
            }
            t.propagate(&exn, outer);
        });
        self.push_frame(FrameKind::TryTable, &params, &results);
        self.frames.last_mut().expect("pushed").handler = Some(dispatch);
    }

    fn translate_legacy_try(&mut self, blockty: wasmparser::BlockType) {
        let (params, results) = self.block_type(blockty);
        let dispatch = self.label();
        let chain = self.label();
        let mut exn = String::new();
        self.out_of_line(|t| {
            exn = t.start_dispatch(&dispatch);
            t.emit(format!("br label %{chain}"));
        });
        let state = LegacyTry {
            exn,
            pending: Some(chain),
            caught: None,
        };
        self.push_frame(FrameKind::LegacyTry(state), &params, &results);
        self.frames.last_mut().expect("pushed").handler = Some(dispatch);
    }

    fn legacy_try_mut(&mut self) -> &mut LegacyTry {
        match &mut self.frames.last_mut().expect("validated").kind {
            FrameKind::LegacyTry(state) => state,
            _ => unreachable!("validated: inside a legacy try"),
        }
    }

    /// `catch $tag` (Some) or `catch_all` (None) of the innermost legacy `try`.
    pub(super) fn translate_catch(&mut self, tag: Option<u32>) {
        self.free_at_catch_body_end();
        let mut frame = self.frames.pop().expect("validated: catch in try");
        self.fall_through(&mut frame);
        frame.handler = None;
        self.frames.push(frame);
        let state = self.legacy_try_mut();
        let exn = state.exn.clone();
        let pending = state
            .pending
            .take()
            .expect("validated: catch after catch_all");
        state.caught = Some(exn.clone());
        self.start_block(&pending);
        if let Some(tag) = tag {
            let next = self.test_tag(&exn, tag);
            self.legacy_try_mut().pending = Some(next);
            self.push_payload(&exn, tag);
        }
        self.reachable = true;
    }

    /// Where a legacy catch body ends by falling through, its exception is garbage unless the
    /// body rethrew it (which marked it escaped). Bodies left by a branch leak it, as with the
    /// Cranelift backend.
    pub(super) fn free_at_catch_body_end(&mut self) {
        let caught = match &self.frames.last().expect("validated").kind {
            FrameKind::LegacyTry(state) => state.caught.clone(),
            _ => None,
        };
        if let (Some(exn), true) = (caught, self.reachable) {
            self.free_exception(&exn);
        }
    }

    /// After popping a legacy `try`'s frame at its `end`: what no clause caught goes on to the
    /// enclosing handler.
    pub(super) fn finish_legacy_try(&mut self, frame: &Frame) {
        let FrameKind::LegacyTry(state) = &frame.kind else {
            return;
        };
        if let Some(pending) = &state.pending {
            let outer = self.current_handler();
            self.out_of_line(|t| {
                t.start_block(pending);
                t.propagate(&state.exn, outer);
            });
        }
    }

    /// `delegate depth`: ends the innermost legacy `try`, handing its exceptions to the
    /// handler in effect at label `depth` (counted outside the `try`).
    pub(super) fn translate_delegate(&mut self, depth: u32) {
        let mut frame = self.frames.pop().expect("validated: delegate in try");
        self.fall_through(&mut frame);
        let FrameKind::LegacyTry(state) = &frame.kind else {
            unreachable!("validated: delegate outside try");
        };
        let target = self.frames.len() - 1 - depth as usize;
        let handler = self.handler_within(target);
        let pending = state
            .pending
            .clone()
            .expect("validated: delegate without catch");
        let exn = state.exn.clone();
        self.out_of_line(|t| {
            t.start_block(&pending);
            t.propagate(&exn, handler);
        });
        self.enter_end(&frame);
    }

    fn translate_rethrow(&mut self, depth: u32) {
        let index = self.frames.len() - 1 - depth as usize;
        let exn = match &self.frames[index].kind {
            FrameKind::LegacyTry(LegacyTry {
                caught: Some(exn), ..
            }) => exn.clone(),
            _ => unreachable!("validated: rethrow targets a catch"),
        };
        self.mark_escaped(&exn);
        let handler = self.current_handler();
        self.propagate(&exn, handler);
    }

    fn translate_throw(&mut self, tag_index: u32) {
        let params = self.tag_params(tag_index);
        let values = self.popn(params.len());
        let buffer = self.fresh();
        let _ = writeln!(
            self.entry,
            "  {buffer} = alloca [{} x i8], align 16",
            (params.len() as u32).max(1) * VALUE_SIZE
        );
        for (i, value) in values.iter().enumerate() {
            let at = self.inst(format!(
                "getelementptr i8, ptr {buffer}, i64 {}",
                i as u32 * VALUE_SIZE
            ));
            self.emit(format!(
                "store {} {}, ptr {at}, align 16",
                ir::ty(value.ty),
                value.repr
            ));
        }
        let exn = self.inst(format!(
            "call {} ptr @w2e_exception_new(ptr %vmctx, i32 {} {tag_index}, ptr {buffer})",
            self.target.builtin_cc, self.target.c_u32_ext
        ));
        let handler = self.current_handler();
        self.propagate(&exn, handler);
    }

    fn translate_throw_ref(&mut self) {
        let exn = self.pop();
        let null = self.inst(format!("icmp eq ptr {}, null", exn.repr));
        self.trap_if(&null, TrapKind::NullReference);
        let handler = self.current_handler();
        self.propagate(&exn.repr, handler);
    }
}
