//! Function translation: one validated wasm function body becomes one LLVM IR function.
//!
//! Locals and the values carried across control flow (block and `if` results, loop
//! parameters) live in `alloca` slots of the entry block; LLVM's SROA/mem2reg turns them into
//! SSA registers and phis, so the translator needs no phi bookkeeping of its own. Values on the
//! operand stack are IR values (or constants) that dominate every later use by construction.
//! Code after an unconditional branch is skipped (only its nesting is counted) until an `else`
//! or `end` makes the position reachable again.
//!
//! Operators are dispatched by family: control flow here, calls in `calls`, integer and float
//! arithmetic in `numeric`, linear memory in `memory`, globals, references and tables in
//! `tables`, exceptions in `exceptions`. What the backend does not compile yet is refused by
//! name (`Unsupported`).

mod exceptions;

use super::ir::{self, Target};
use super::{ModuleCtx, intrinsics::Intrinsics, tail_entries};
use crate::abi::TrapKind;
use std::collections::BTreeSet;
use std::fmt::Write;
use wasmparser::{BlockType, FunctionBody, Operator, ValType};

/// A value on the operand stack: its IR text (a register or a constant) and wasm type.
#[derive(Clone, Debug)]
pub struct Val {
    pub repr: String,
    pub ty: ValType,
}

#[derive(Clone, Debug)]
enum FrameKind {
    Function,
    Block,
    Loop {
        header: String,
    },
    If {
        else_label: String,
        has_else: bool,
        params: Vec<Val>,
    },
    TryTable,
    LegacyTry(exceptions::LegacyTry),
}

/// A control frame: where `br` goes and through which slots its values travel.
#[derive(Clone, Debug)]
struct Frame {
    kind: FrameKind,
    end_label: String,
    /// Slots of the values that reach the frame's end.
    results: Vec<(String, ValType)>,
    /// Slots of a loop's parameters (what `br` to a loop carries).
    params: Vec<(String, ValType)>,
    /// Operand stack height below the frame's parameters.
    height: usize,
    /// Whether any path reaches `end_label`.
    end_used: bool,
    /// The dispatch block of exceptions thrown directly inside this frame, if it has one.
    handler: Option<String>,
}

impl Frame {
    fn branch_slots(&self) -> &[(String, ValType)] {
        match self.kind {
            FrameKind::Loop { .. } => &self.params,
            _ => &self.results,
        }
    }

    fn branch_label(&self) -> &str {
        match &self.kind {
            FrameKind::Loop { header } => header,
            _ => &self.end_label,
        }
    }
}

/// Why a function could not be translated: an operator the backend refuses.
pub type TranslateResult<T> = Result<T, String>;

pub struct FuncTranslator<'a> {
    pub m: &'a ModuleCtx<'a>,
    pub target: &'a Target,
    /// The entry block: allocas and one-time loads.
    entry: String,
    /// Everything after the entry block.
    pub out: String,
    next: u32,
    pub stack: Vec<Val>,
    frames: Vec<Frame>,
    locals: Vec<(String, ValType)>,
    pub reachable: bool,
    dead_depth: u32,
    traps: BTreeSet<TrapKind>,
    pub intrinsics: &'a mut Intrinsics,
    memory_base: Option<String>,
    pub has_calls: bool,
    pub func_index: u32,
    /// Set by the function's final `end`.
    finished: bool,
    /// Out-of-line edge blocks of conditional branches, emitted at the next block boundary.
    pending_edges: String,
    /// Exception handling state: dispatch blocks, landing pads, slots.
    exc: exceptions::ExcState,
    /// Whether this body is compiled as the function's tail entry (`tail_entries`): its
    /// parameters and results travel through the tail-call buffer.
    pub tail_entry: bool,
}

impl<'a> FuncTranslator<'a> {
    /// A fresh register name.
    pub fn fresh(&mut self) -> String {
        self.next += 1;
        format!("%v{}", self.next)
    }

    pub fn label(&mut self) -> String {
        self.next += 1;
        format!("b{}", self.next)
    }

    /// Emits `%vN = text` and returns `%vN`.
    pub fn inst(&mut self, text: impl AsRef<str>) -> String {
        let name = self.fresh();
        let _ = writeln!(self.out, "  {name} = {}", text.as_ref());
        name
    }

    /// Emits an instruction without a result.
    pub fn emit(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.out, "  {}", text.as_ref());
    }

    /// Starts a new block.
    pub fn start_block(&mut self, label: &str) {
        let edges = std::mem::take(&mut self.pending_edges);
        self.out.push_str(&edges);
        let _ = writeln!(self.out, "{label}:");
    }

    /// An `alloca` of one value of `ty` in the entry block.
    fn slot(&mut self, ty: ValType) -> String {
        let name = self.fresh();
        let _ = writeln!(self.entry, "  {name} = alloca {}", ir::ty(ty));
        name
    }

    pub fn push(&mut self, repr: String, ty: ValType) {
        self.stack.push(Val { repr, ty });
    }

    pub fn pop(&mut self) -> Val {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    pub fn popn(&mut self, n: usize) -> Vec<Val> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    /// Branches to a shared cold block raising `kind` when `cond` (an i1) holds.
    pub fn trap_if(&mut self, cond: &str, kind: TrapKind) {
        self.traps.insert(kind);
        let cont = self.label();
        self.emit(format!(
            "br i1 {cond}, label %trap{}, label %{cont}, !prof !0",
            kind as u8
        ));
        self.start_block(&cont);
    }

    /// Raises `kind` unconditionally; the rest of the block is unreachable.
    pub fn trap(&mut self, kind: TrapKind) {
        self.traps.insert(kind);
        self.emit(format!("br label %trap{}", kind as u8));
        self.reachable = false;
    }

    /// Memory 0's base address, loaded once per function (constant for the instance's
    /// lifetime on guard-page targets, hence `!invariant.load`).
    pub fn memory_base(&mut self) -> String {
        if !self.target.guard_pages {
            // The base moves when memory grows: reload it at every access (GVN merges the
            // loads between calls).
            return self.inst("load ptr, ptr %vmctx, align 8, !align !7");
        }
        if let Some(base) = &self.memory_base {
            return base.clone();
        }
        let name = self.fresh();
        let _ = writeln!(
            self.entry,
            "  {name} = load ptr, ptr %vmctx, align {}, !invariant.load !1, !align !7",
            self.target.ptr_bytes
        );
        self.memory_base = Some(name.clone());
        name
    }

    /// A pointer `offset` bytes into the vmctx.
    pub fn vmctx_field(&mut self, offset: i64) -> String {
        if offset == 0 {
            return "%vmctx".into();
        }
        self.inst(format!("getelementptr i8, ptr %vmctx, i64 {offset}"))
    }

    /// Loads a pointer stored `offset` bytes into the vmctx that never changes for the
    /// instance's lifetime (funcrefs, tables, imported globals).
    pub fn load_invariant_ptr(&mut self, offset: i64) -> String {
        let field = self.vmctx_field(offset);
        let align = self.target.ptr_bytes;
        self.inst(format!(
            "load ptr, ptr {field}, align {align}, !invariant.load !1"
        ))
    }

    fn block_type(&self, blockty: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        match blockty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![t]),
            BlockType::FuncType(index) => {
                let ty = &self.m.env.types[index as usize];
                (ty.params().to_vec(), ty.results().to_vec())
            }
        }
    }

    fn new_slots(&mut self, types: &[ValType]) -> Vec<(String, ValType)> {
        types.iter().map(|&t| (self.slot(t), t)).collect()
    }

    /// Stores the top `slots.len()` stack values (left in place) into `slots`.
    fn store_top(&mut self, slots: &[(String, ValType)]) {
        let base = self.stack.len() - slots.len();
        for (i, (slot, ty)) in slots.iter().enumerate() {
            let value = self.stack[base + i].repr.clone();
            self.emit(format!("store {} {value}, ptr {slot}", ir::ty(*ty)));
        }
    }

    fn load_slots(&mut self, slots: &[(String, ValType)]) {
        for (slot, ty) in slots {
            let v = self.inst(format!("load {}, ptr {slot}", ir::ty(*ty)));
            self.push(v, *ty);
        }
    }

    /// Branch to the frame `depth` levels out: store its values, jump.
    fn branch(&mut self, depth: u32) {
        let index = self.frames.len() - 1 - depth as usize;
        let slots = self.frames[index].branch_slots().to_vec();
        self.store_top(&slots);
        let label = self.frames[index].branch_label().to_string();
        self.frames[index].end_used |= !matches!(self.frames[index].kind, FrameKind::Loop { .. });
        self.emit(format!("br label %{label}"));
    }

    /// An edge block for a conditional branch to frame `depth`: its label.
    fn branch_edge(&mut self, depth: u32) -> String {
        let index = self.frames.len() - 1 - depth as usize;
        if self.frames[index].branch_slots().is_empty() {
            if !matches!(self.frames[index].kind, FrameKind::Loop { .. }) {
                self.frames[index].end_used = true;
            }
            return self.frames[index].branch_label().to_string();
        }
        // The edge block is emitted out of line, after the current one.
        let edge = self.label();
        let saved = std::mem::take(&mut self.out);
        self.start_block(&edge);
        self.branch(depth);
        let edge_code = std::mem::replace(&mut self.out, saved);
        self.pending_edges.push_str(&edge_code);
        edge
    }

    fn push_frame(&mut self, kind: FrameKind, params: &[ValType], results: &[ValType]) {
        let end_label = self.label();
        let results = self.new_slots(results);
        let param_slots = match kind {
            FrameKind::Loop { .. } => self.new_slots(params),
            _ => Vec::new(),
        };
        let height = self.stack.len() - params.len();
        self.frames.push(Frame {
            kind,
            end_label,
            results,
            params: param_slots,
            height,
            end_used: false,
            handler: None,
        });
    }

    fn translate_block(&mut self, blockty: BlockType) {
        let (params, results) = self.block_type(blockty);
        self.push_frame(FrameKind::Block, &params, &results);
    }

    fn translate_loop(&mut self, blockty: BlockType) {
        let (params, results) = self.block_type(blockty);
        let header = self.label();
        self.push_frame(
            FrameKind::Loop {
                header: header.clone(),
            },
            &params,
            &results,
        );
        let slots = self.frames.last().expect("pushed").params.clone();
        self.store_top(&slots);
        self.popn(params.len());
        self.emit(format!("br label %{header}"));
        self.start_block(&header);
        self.load_slots(&slots);
    }

    fn translate_if(&mut self, blockty: BlockType) {
        let cond = self.pop();
        let (params, results) = self.block_type(blockty);
        let then_label = self.label();
        let else_label = self.label();
        let param_vals = self.stack[self.stack.len() - params.len()..].to_vec();
        let c = self.inst(format!("icmp ne i32 {}, 0", cond.repr));
        self.emit(format!(
            "br i1 {c}, label %{then_label}, label %{else_label}"
        ));
        self.push_frame(
            FrameKind::If {
                else_label,
                has_else: false,
                params: param_vals,
            },
            &params,
            &results,
        );
        self.start_block(&then_label);
    }

    fn translate_else(&mut self) {
        let frame = self.frames.last().expect("validated: else in if").clone();
        if self.reachable {
            self.branch(0);
        }
        self.stack.truncate(frame.height);
        let FrameKind::If {
            else_label, params, ..
        } = frame.kind
        else {
            unreachable!("validated: else in if")
        };
        self.start_block(&else_label);
        self.stack.extend(params.iter().cloned());
        if let Some(Frame {
            kind: FrameKind::If { has_else, .. },
            ..
        }) = self.frames.last_mut()
        {
            *has_else = true;
        }
        self.reachable = true;
    }

    /// Ends the innermost frame; returns true when it was the function's.
    fn translate_end(&mut self) -> bool {
        self.free_at_catch_body_end();
        let mut frame = self.frames.pop().expect("validated: end matches a frame");
        self.fall_through(&mut frame);
        self.finish_legacy_try(&frame);
        if let FrameKind::If {
            else_label,
            has_else: false,
            params,
        } = &frame.kind
        {
            // The missing else passes the parameters through as the results.
            self.start_block(else_label);
            for (value, (slot, ty)) in params.iter().zip(&frame.results) {
                self.emit(format!("store {} {}, ptr {slot}", ir::ty(*ty), value.repr));
            }
            self.emit(format!("br label %{}", frame.end_label));
            frame.end_used = true;
        }
        let is_function = matches!(frame.kind, FrameKind::Function);
        self.enter_end(&frame);
        if is_function {
            if self.reachable {
                self.emit_return();
            }
            return true;
        }
        false
    }

    /// Falling off the end of `frame` (popped; for a loop too) carries its results; then the
    /// stack drops to the frame's base.
    fn fall_through(&mut self, frame: &mut Frame) {
        if self.reachable {
            self.store_top(&frame.results);
            self.emit(format!("br label %{}", frame.end_label));
            frame.end_used = true;
        }
        self.stack.truncate(frame.height);
    }

    /// Continues after popped `frame`'s end, which is reachable if any path reached it.
    fn enter_end(&mut self, frame: &Frame) {
        self.reachable = frame.end_used;
        if frame.end_used {
            self.start_block(&frame.end_label);
            self.load_slots(&frame.results);
        }
    }

    /// `ret` with the values on top of the stack.
    fn emit_return(&mut self) {
        let results = self.m.env.func_type(self.func_index).results().to_vec();
        let vals = self.popn(results.len());
        if self.tail_entry {
            let tag = self.fresh();
            let stores = tail_entries::store_values(
                vals.iter().map(|v| (ir::ty(v.ty), v.repr.as_str())),
                &tag[1..],
            );
            self.out.push_str(&stores);
            self.emit("ret void");
            self.reachable = false;
            return;
        }
        match vals.as_slice() {
            [] => self.emit("ret void"),
            [one] => self.emit(format!("ret {} {}", ir::ty(one.ty), one.repr)),
            many => {
                let agg = self.aggregate(many, &results);
                self.emit(format!("ret {} {agg}", ir::ret_ty(&results)));
            }
        }
        self.reachable = false;
    }

    /// Packs values into the literal struct of a multi-value return.
    pub fn aggregate(&mut self, vals: &[Val], types: &[ValType]) -> String {
        let struct_ty = ir::ret_ty(types);
        let mut agg = "undef".to_string();
        for (i, v) in vals.iter().enumerate() {
            agg = self.inst(format!(
                "insertvalue {struct_ty} {agg}, {} {}, {i}",
                ir::ty(v.ty),
                v.repr
            ));
        }
        agg
    }

    fn translate_br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> TranslateResult<()> {
        let index = self.pop();
        let mut labels = Vec::new();
        for depth in targets.targets() {
            let depth = depth.map_err(|e| e.message().to_string())?;
            labels.push(self.branch_edge(depth));
        }
        let default = self.branch_edge(targets.default());
        let mut text = format!("switch i32 {}, label %{default} [", index.repr);
        for (i, label) in labels.iter().enumerate() {
            let _ = write!(text, " i32 {i}, label %{label}");
        }
        text.push_str(" ]");
        self.emit(text);
        self.reachable = false;
        Ok(())
    }

    fn translate_br_if(&mut self, depth: u32) {
        let cond = self.pop();
        let c = self.inst(format!("icmp ne i32 {}, 0", cond.repr));
        let target = self.branch_edge(depth);
        let cont = self.label();
        self.emit(format!("br i1 {c}, label %{target}, label %{cont}"));
        self.start_block(&cont);
    }

    fn translate_select(&mut self) {
        let cond = self.pop();
        let b = self.pop();
        let a = self.pop();
        let c = self.inst(format!("icmp ne i32 {}, 0", cond.repr));
        let t = ir::ty(a.ty);
        let v = self.inst(format!("select i1 {c}, {t} {}, {t} {}", a.repr, b.repr));
        self.push(v, a.ty);
    }

    fn translate_op(&mut self, op: &Operator<'_>) -> TranslateResult<bool> {
        if !self.reachable {
            return Ok(self.skip_dead(op));
        }
        self.dispatch(op)?;
        Ok(self.finished)
    }

    /// Skips an operator in unreachable code; returns true at the function's final `end`.
    fn skip_dead(&mut self, op: &Operator<'_>) -> bool {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => self.dead_depth += 1,
            Operator::Else if self.dead_depth == 0 => self.translate_else(),
            Operator::Catch { tag_index } if self.dead_depth == 0 => {
                self.translate_catch(Some(*tag_index))
            }
            Operator::CatchAll if self.dead_depth == 0 => self.translate_catch(None),
            Operator::Delegate { relative_depth } if self.dead_depth == 0 => {
                self.translate_delegate(*relative_depth)
            }
            Operator::End if self.dead_depth == 0 => {
                self.finished = self.translate_end();
                return self.finished;
            }
            Operator::End | Operator::Delegate { .. } => self.dead_depth -= 1,
            _ => {}
        }
        false
    }

    fn dispatch(&mut self, op: &Operator<'_>) -> TranslateResult<()> {
        match op {
            Operator::Nop => {}
            Operator::Unreachable => self.trap(TrapKind::Unreachable),
            Operator::Block { blockty } => self.translate_block(*blockty),
            Operator::Loop { blockty } => self.translate_loop(*blockty),
            Operator::If { blockty } => self.translate_if(*blockty),
            Operator::Else => self.translate_else(),
            Operator::End => {
                self.finished = self.translate_end();
            }
            Operator::Br { relative_depth } => {
                self.branch(*relative_depth);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => self.translate_br_if(*relative_depth),
            Operator::BrTable { targets } => self.translate_br_table(targets)?,
            Operator::Return => {
                self.branch(self.frames.len() as u32 - 1);
                self.reachable = false;
            }
            // A dropped load still runs: linear-memory loads are volatile (memory.rs).
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => self.translate_select(),
            Operator::LocalGet { local_index } => {
                let (slot, ty) = self.locals[*local_index as usize].clone();
                let v = self.inst(format!("load {}, ptr {slot}", ir::ty(ty)));
                self.push(v, ty);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                let (slot, ty) = self.locals[*local_index as usize].clone();
                self.emit(format!("store {} {}, ptr {slot}", ir::ty(ty), v.repr));
            }
            Operator::LocalTee { local_index } => {
                let v = self.stack.last().expect("validated").clone();
                let (slot, ty) = self.locals[*local_index as usize].clone();
                self.emit(format!("store {} {}, ptr {slot}", ir::ty(ty), v.repr));
            }
            _ => {
                if !(self.translate_call_op(op)?
                    || self.translate_exception_op(op)
                    || self.translate_numeric(op)?
                    || self.translate_memory_op(op)?
                    || self.translate_table_op(op)?
                    || self.translate_simd(op)?
                    || self.translate_atomic(op)?)
                {
                    return Err(unsupported(op));
                }
            }
        }
        Ok(())
    }
}

/// The refusal of an operator the LLVM backend does not compile yet.
pub fn unsupported(op: &Operator<'_>) -> String {
    let debug = format!("{op:?}");
    let name = debug
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .next()
        .unwrap_or("?");
    format!(
        "the LLVM backend does not compile the `{name}` instruction yet (use --backend cranelift)"
    )
}

/// The IR text of defined function `func_index`, and whether it needs the unit to declare
/// intrinsics (recorded in `intrinsics`).
pub fn translate_function(
    m: &ModuleCtx<'_>,
    target: &Target,
    func_index: u32,
    body: &FunctionBody<'_>,
    intrinsics: &mut Intrinsics,
) -> TranslateResult<String> {
    let reader_error = |e: wasmparser::BinaryReaderError| e.message().to_string();
    let ty = m.env.func_type(func_index);
    let symbol = m.func_symbol(func_index);
    let tail_entry = target.tail_entries && tail_entries::tail_calls_in(body)?;
    let mut t = FuncTranslator {
        m,
        target,
        entry: String::new(),
        out: String::new(),
        next: 0,
        stack: Vec::new(),
        frames: Vec::new(),
        locals: Vec::new(),
        reachable: true,
        dead_depth: 0,
        traps: BTreeSet::new(),
        intrinsics,
        memory_base: None,
        has_calls: false,
        func_index,
        finished: false,
        pending_edges: String::new(),
        exc: Default::default(),
        tail_entry,
    };
    let mut params = vec!["ptr %vmctx".to_string()];
    if tail_entry {
        t.entry
            .push_str(&tail_entries::load_values(ty.params(), "p"));
    }
    for (i, &p) in ty.params().iter().enumerate() {
        params.push(format!("{} %p{i}", ir::ty(p)));
        let slot = t.slot(p);
        let _ = writeln!(t.entry, "  store {} %p{i}, ptr {slot}", ir::ty(p));
        t.locals.push((slot, p));
    }
    for local in body.get_locals_reader().map_err(reader_error)? {
        let (count, local_ty) = local.map_err(reader_error)?;
        for _ in 0..count {
            let slot = t.slot(local_ty);
            let _ = writeln!(
                t.entry,
                "  store {} {}, ptr {slot}",
                ir::ty(local_ty),
                ir::zero(local_ty)
            );
            t.locals.push((slot, local_ty));
        }
    }
    t.push_frame(FrameKind::Function, &[], ty.results());
    let mut reader = body.get_operators_reader().map_err(reader_error)?;
    let start = t.label();
    t.start_block(&start);
    while !reader.eof() {
        let op = reader.read().map_err(reader_error)?;
        if t.translate_op(&op)? {
            break;
        }
    }
    let edges = std::mem::take(&mut t.pending_edges);
    t.out.push_str(&edges);
    let ret_ty = if tail_entry {
        "void".to_string()
    } else {
        ir::ret_ty(ty.results())
    };
    t.finish_exceptions(&ret_ty);

    let mut text = String::new();
    if tail_entry {
        // The ordinary entry comes first: the function's code range starts at its symbol.
        text.push_str(&tail_entries::wrapper(target, &symbol, ty));
        let _ = writeln!(
            text,
            "define hidden {} void @{}(ptr %vmctx) {} {{",
            tail_entries::CC,
            tail_entries::symbol(&symbol),
            ir::FUNC_ATTRS,
        );
    } else {
        let prefix = if target.tail_entries {
            tail_entries::prefix(target, &symbol)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "define hidden {} {ret_ty} @{symbol}({}) {}{prefix} {{",
            target.wasm_cc(ty),
            params.join(", "),
            ir::FUNC_ATTRS,
        );
    }
    text.push_str("entry:\n");
    text.push_str(&t.entry);
    if t.has_calls {
        // A function that calls can recurse: check the stack against the runtime's limit.
        t.stack_check(&mut text);
    }
    let _ = writeln!(text, "  br label %{start}");
    text.push_str(&t.out);
    for kind in &t.traps {
        let _ = writeln!(text, "trap{}:", *kind as u8);
        let _ = writeln!(
            text,
            "  call {} void @w2e_raise_trap(i32 {} {}) #1",
            target.builtin_cc, target.c_u32_ext, *kind as u8
        );
        text.push_str("  unreachable\n");
    }
    text.push_str("}\n\n");
    if target.tail_entries && !tail_entry {
        text.push_str(&tail_entries::adapter(target, &symbol, ty));
    }
    Ok(text)
}

impl FuncTranslator<'_> {
    /// The prologue's stack check: the frame address against `vmctx->stack_limit`.
    fn stack_check(&mut self, text: &mut String) {
        let iptr = self.target.iptr;
        let limit_offset = self.target.vmctx_offset("stack_limit");
        let _ = writeln!(
            text,
            "  %fa = call ptr @llvm.frameaddress.p0(i32 0)\n  %fai = ptrtoint ptr %fa to {iptr}\n  \
             %limp = getelementptr i8, ptr %vmctx, i64 {limit_offset}\n  \
             %lim = load {iptr}, ptr %limp\n  %low = icmp ult {iptr} %fai, %lim\n  \
             br i1 %low, label %trap{k}, label %checked, !prof !0\nchecked:",
            k = TrapKind::StackExhausted as u8
        );
        self.traps.insert(TrapKind::StackExhausted);
        self.intrinsics
            .use_decl("declare ptr @llvm.frameaddress.p0(i32)");
    }
}
