//! Calls: direct calls to the module's own functions, calls through the vmctx's funcrefs for
//! imports, `call_indirect` with its bounds, null and signature checks (the same trap kinds
//! as the Cranelift backend), and the `return_call` forms as `musttail` calls in the
//! `tailcc` convention, which LLVM guarantees never grow the stack. On riscv (no `tailcc`) and
//! 32-bit x86 (miscompiled indirect ones) a `return_call` is a `musttail` call of the callee's
//! uniform tail entry instead (`tail_entries.rs`).

use super::func::{FuncTranslator, TranslateResult, Val};
use super::{ir, tail_entries};
use crate::abi::structs;
use crate::abi::{TrapKind, type_id};
use wasmparser::{FuncType, Operator};

/// Whether a call returns normally or replaces the caller's frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Normal,
    Tail,
}

impl FuncTranslator<'_> {
    /// Emits a call of `callee` (`@symbol` or a code pointer) of type `ty`.
    fn emit_call(
        &mut self,
        callee: &str,
        ty: &FuncType,
        vmctx: &str,
        args: Vec<Val>,
        kind: CallKind,
        may_throw: bool,
    ) {
        self.has_calls = true;
        if kind == CallKind::Tail && self.target.tail_entries {
            self.emit_tail_entry_call(callee, vmctx, &args);
            return;
        }
        let ret = ir::ret_ty(ty.results());
        let mut list = vec![format!("ptr {vmctx}")];
        list.extend(args.iter().map(|a| format!("{} {}", ir::ty(a.ty), a.repr)));
        let cc = self.target.wasm_cc(ty);
        let args = list.join(", ");
        if kind == CallKind::Tail {
            let call = format!("call {cc} {ret} {callee}({args})");
            if ty.results().is_empty() {
                self.emit(format!("musttail {call}"));
                self.emit("ret void");
            } else {
                let v = self.inst(format!("musttail {call}"));
                self.emit(format!("ret {ret} {v}"));
            }
            self.reachable = false;
            return;
        }
        // `notail`: LLVM must not turn a wasm call in tail position into a jump, which would
        // make unbounded recursion loop forever instead of exhausting the stack (and drop the
        // caller's frame from backtraces).
        let call = format!("notail call {cc} {ret} {callee}({args})");
        let result = if ty.results().is_empty() {
            self.emit(call);
            String::new()
        } else {
            self.inst(call)
        };
        if may_throw {
            self.check_pending_exception();
        }
        match ty.results() {
            [] => {}
            [one] => self.push(result, *one),
            many => {
                let agg = result;
                for (i, &t) in many.iter().enumerate() {
                    let v = self.inst(format!("extractvalue {ret} {agg}, {i}"));
                    self.push(v, t);
                }
            }
        }
    }

    fn call_function(&mut self, func_index: u32, kind: CallKind) {
        let ty = self.m.env.func_type(func_index).clone();
        let args = self.popn(ty.params().len());
        let may_throw = self.m.throws.call(func_index);
        if func_index < self.m.env.num_imported_funcs {
            let func_ref = self.func_ref(func_index);
            let (code, vmctx) = self.code_and_vmctx(&func_ref);
            self.emit_call(&code, &ty, &vmctx, args, kind, may_throw);
        } else {
            let symbol = self.m.func_symbol(func_index);
            let callee = if kind == CallKind::Tail && self.target.tail_entries {
                format!("@{}", tail_entries::symbol(&symbol))
            } else {
                format!("@{symbol}")
            };
            self.emit_call(&callee, &ty, "%vmctx", args, kind, may_throw);
        }
    }

    /// A tail call through tail entries: the arguments go to the buffer, then a `musttail`
    /// call of `callee`: a tail entry (`@symbol.tail`), or an ordinary entry's code pointer,
    /// whose tail entry's address is the prefix word just before it.
    fn emit_tail_entry_call(&mut self, callee: &str, vmctx: &str, args: &[Val]) {
        let entry = if callee.starts_with('@') {
            callee.to_string()
        } else {
            let bytes = self.target.ptr_bytes;
            let at = self.inst(format!("getelementptr i8, ptr {callee}, i64 -{bytes}"));
            self.inst(format!(
                "load ptr, ptr {at}, align {bytes}, !invariant.load !1"
            ))
        };
        let tag = self.fresh();
        let stores = tail_entries::store_values(
            args.iter().map(|a| (ir::ty(a.ty), a.repr.as_str())),
            &tag[1..],
        );
        self.out.push_str(&stores);
        let cc = tail_entries::CC;
        self.emit(format!("musttail call {cc} void {entry}(ptr {vmctx})"));
        self.emit("ret void");
        self.reachable = false;
    }

    /// The code pointer and vmctx of a `w2e_funcref *` (immutable once made).
    fn code_and_vmctx(&mut self, func_ref: &str) -> (String, String) {
        debug_assert_eq!(self.target.offset(&structs::FUNCREF, "code"), 0);
        let code = self.inst(format!("load ptr, ptr {func_ref}, !invariant.load !1"));
        let vmctx_offset = self.target.offset(&structs::FUNCREF, "vmctx");
        let vmctx_at = self.inst(format!(
            "getelementptr i8, ptr {func_ref}, i64 {vmctx_offset}"
        ));
        let vmctx = self.inst(format!("load ptr, ptr {vmctx_at}, !invariant.load !1"));
        (code, vmctx)
    }

    fn call_indirect(&mut self, type_index: u32, table_index: u32, kind: CallKind) {
        let index = self.pop();
        let ty = self.m.env.types[type_index as usize].clone();
        let args = self.popn(ty.params().len());
        let table = self.table_ptr(table_index);
        let slot = self.table_slot(&table, &index.repr, TrapKind::UndefinedElement);
        let func_ref = self.inst(format!("load ptr, ptr {slot}"));
        let null = self.inst(format!("icmp eq ptr {func_ref}, null"));
        self.trap_if(&null, TrapKind::UninitializedElement);
        let id_offset = self.target.offset(&structs::FUNCREF, "type_id");
        let id_at = self.inst(format!("getelementptr i8, ptr {func_ref}, i64 {id_offset}"));
        let id = self.inst(format!("load i64, ptr {id_at}, !invariant.load !1"));
        let expected = type_id(&ty) as i64;
        let mismatch = self.inst(format!("icmp ne i64 {id}, {expected}"));
        self.trap_if(&mismatch, TrapKind::IndirectCallType);
        let (code, vmctx) = self.code_and_vmctx(&func_ref);
        let may_throw = self.m.throws.indirect();
        self.emit_call(&code, &ty, &vmctx, args, kind, may_throw);
    }

    /// Whether `op`, a tail call of a function of type `callee`, can be a guaranteed
    /// `musttail` call. Through tail entries always (their prototype is uniform). In `tailcc`,
    /// results that come back in memory (LLVM demotes them to a hidden pointer) make LLVM stop
    /// with "failed to perform tail call elimination" on x86_64 and aarch64 (fuzz seed 5640's
    /// batch): refused by name, never a growing stack. On 32-bit ARM a `fastcc` function
    /// tail-calls only functions of its own type.
    fn require_tail_call(&self, op: &Operator<'_>, callee: &FuncType) -> TranslateResult<()> {
        if self.target.tail_entries {
            return Ok(());
        }
        let refused = || super::func::unsupported(op).replace(" yet (use --backend cranelift)", "");
        if let Some(reason) = self.target.no_tail_calls {
            return Err(format!("{} on this target: {reason}", refused()));
        }
        if !results_in_registers(callee) {
            return Err(format!(
                "{} returning {} values: LLVM guarantees tail calls only when the results come back in registers (at most 3 integer or reference and 3 float or v128 results; use --backend cranelift)",
                refused(),
                callee.results().len()
            ));
        }
        let caller = self.m.env.func_type(self.func_index);
        let both_tailcc =
            self.target.wasm_cc(caller) == "tailcc" && self.target.wasm_cc(callee) == "tailcc";
        if both_tailcc || (caller == callee && self.target.tailcc_in_registers_only) {
            return Ok(());
        }
        Err(format!(
            "{} on this target between functions of different types when one passes arguments on the stack: LLVM's `tailcc`, which allows such calls, miscompiles ordinary calls with stack arguments on 32-bit ARM, so those functions use `fastcc`, whose tail calls need one type",
            refused()
        ))
    }

    /// Call operators; false when `op` is not one.
    pub fn translate_call_op(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        match op {
            Operator::Call { function_index } => {
                self.call_function(*function_index, CallKind::Normal)
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(*type_index, *table_index, CallKind::Normal),
            Operator::ReturnCall { function_index } => {
                let callee = self.m.env.func_type(*function_index).clone();
                self.require_tail_call(op, &callee)?;
                self.call_function(*function_index, CallKind::Tail)
            }
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let callee = self.m.env.types[*type_index as usize].clone();
                self.require_tail_call(op, &callee)?;
                self.call_indirect(*type_index, *table_index, CallKind::Tail)
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Whether the results of type `ty` come back in registers on every target: at most 3 integer
/// or reference results and at most 3 float or v128 results (zig 0.17.1's LLVM, `tailcc`:
/// 4 integers already go through memory on x86_64; s390x, aarch64 and Windows take more).
fn results_in_registers(ty: &FuncType) -> bool {
    use wasmparser::ValType;
    let floats = ty
        .results()
        .iter()
        .filter(|&&t| matches!(t, ValType::F32 | ValType::F64 | ValType::V128))
        .count();
    floats <= 3 && ty.results().len() - floats <= 3
}
