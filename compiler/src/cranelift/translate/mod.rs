//! Function translation: one validated wasm function body becomes one Cranelift function.
//!
//! The translator keeps the wasm operand stack as Cranelift SSA values and the control stack as
//! frames holding the blocks that `br` targets. Code after an unconditional branch is skipped
//! (only its nesting is tracked) until an `else` or `end` makes the position reachable again.
//! Every v128 value on the operand stack is kept as `i8x16`; SIMD operations bitcast to their
//! lane shape and back, which costs nothing in generated code.
//!
//! Operators are dispatched by family: control flow and calls here, integer and float
//! arithmetic in `numeric`, linear memory in `memory`, globals, references and tables in
//! `table`, 128-bit SIMD in `simd`.

mod atomics;
mod calls;
mod exceptions;
mod memory;
mod numeric;
mod simd;
mod table;

use crate::abi::{Builtin, BuiltinParam, Param, TrapKind, vmctx};
use crate::cranelift::traps::CraneliftTrap;
use crate::layout::{SymbolIds, VmctxLayout};
use crate::module_env::ModuleEnv;
use cranelift_codegen::ir::{
    self, AbiParam, ArgumentPurpose, Block, BlockArg, ExtFuncData, ExternalName, FuncRef,
    GlobalValueData, InstBuilder, JumpTableData, MemFlagsData, SigRef, Signature, Type,
    UserExternalName, UserFuncName, Value, types,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use std::collections::HashMap;
use wasmparser::{BlockType, FuncType, FunctionBody, Operator, ValType};

/// The Cranelift type a wasm value type is carried in. References are pointers.
pub fn ir_type(ty: ValType) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        ValType::Ref(_) => types::I64,
    }
}

/// The native signature of a wasm function: the callee's vmctx, then the wasm parameters.
/// Wasm functions use the `tail` convention (any number of results, and tail calls).
pub fn wasm_signature(ty: &FuncType) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params
        .push(AbiParam::special(types::I64, ArgumentPurpose::VMContext));
    sig.params
        .extend(ty.params().iter().map(|&p| AbiParam::new(ir_type(p))));
    sig.returns
        .extend(ty.results().iter().map(|&r| AbiParam::new(ir_type(r))));
    sig
}

/// The native C signature of a host function with this wasm type (see w2e_abi.h).
pub fn host_signature(ty: &FuncType, call_conv: CallConv) -> Signature {
    let mut sig = wasm_signature(ty);
    sig.call_conv = call_conv;
    // C callees on s390x (and riscv64) expect 32-bit values extended to the whole register.
    for param in sig.params.iter_mut().chain(sig.returns.iter_mut()) {
        if param.value_type == types::I32 {
            *param = param.uext();
        }
    }
    sig
}

/// The C signature of a runtime builtin.
pub fn builtin_signature(builtin: Builtin, call_conv: CallConv) -> Signature {
    // 32-bit values are extended to the register, as C callees on s390x expect.
    let abi = |param: &Param| match param.kind {
        BuiltinParam::Vmctx | BuiltinParam::Ptr | BuiltinParam::I64 => AbiParam::new(types::I64),
        BuiltinParam::I32 => AbiParam::new(types::I32).uext(),
    };
    let decl = builtin.decl();
    let mut sig = Signature::new(call_conv);
    sig.params.extend(decl.params.iter().map(abi));
    sig.returns.extend(decl.result.iter().map(abi));
    sig
}

/// Module-wide facts every function translation shares.
pub struct ModuleContext<'a> {
    pub env: &'a ModuleEnv<'a>,
    pub layout: &'a VmctxLayout,
    pub symbols: SymbolIds,
    /// The calling convention of calls into the runtime's builtins: one per architecture
    /// (`emit::builtin_call_conv`), so that wasm functions compile to the same machine code
    /// for every OS of that architecture.
    pub builtin_call_conv: CallConv,
    pub frontend_config: cranelift_codegen::isa::TargetFrontendConfig,
    /// Tables whose contents are fixed at compile time (`call_indirect` reads their arrays).
    pub static_tables: &'a crate::static_tables::StaticTables,
}

/// Translates defined function `func_index` into a Cranelift function.
pub fn translate_function(
    module: &ModuleContext<'_>,
    func_index: u32,
    body: &FunctionBody<'_>,
    builder_ctx: &mut FunctionBuilderContext,
) -> Result<ir::Function, String> {
    let reader_error = |e: wasmparser::BinaryReaderError| e.message().to_string();
    let ty = module.env.func_type(func_index);
    let name = UserFuncName::user(0, module.symbols.func(func_index));
    let mut func = ir::Function::with_name_signature(name, wasm_signature(ty));
    let mut builder = FunctionBuilder::new(&mut func, builder_ctx);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    builder.seal_block(entry);
    let vmctx = builder.block_params(entry)[0];
    let params: Vec<Value> = builder.block_params(entry)[1..].to_vec();

    let mut t = FuncTranslator::new(module, builder, vmctx);
    t.install_stack_limit();
    for (param, &value) in ty.params().iter().zip(&params) {
        let var = t.builder.declare_var(ir_type(*param));
        t.builder.def_var(var, value);
        t.locals.push(var);
    }
    for local in body.get_locals_reader().map_err(reader_error)? {
        let (count, ty) = local.map_err(reader_error)?;
        for _ in 0..count {
            let var = t.builder.declare_var(ir_type(ty));
            let zero = t.zero(ty);
            t.builder.def_var(var, zero);
            t.locals.push(var);
        }
    }
    t.load_memory_base();

    let results: Vec<Type> = ty.results().iter().map(|&r| ir_type(r)).collect();
    let exit = t.builder.create_block();
    for &r in &results {
        t.builder.append_block_param(exit, r);
    }
    t.control.push(ControlFrame {
        kind: FrameKind::Block,
        exit,
        num_params: 0,
        num_results: results.len(),
        stack_base: 0,
        exit_reached: false,
        handler: None,
    });

    let mut reader = body.get_operators_reader().map_err(reader_error)?;
    while !reader.eof() {
        let op = reader.read().map_err(reader_error)?;
        t.translate_operator(&op)?;
    }
    t.builder.finalize(module.frontend_config);
    Ok(func)
}

#[derive(Clone, Debug)]
enum FrameKind {
    Block,
    Loop {
        header: Block,
    },
    If {
        else_block: Block,
        /// The `if`'s parameters, passed again to the else arm.
        params: Vec<Value>,
        else_seen: bool,
    },
    TryTable {
        dispatch: Block,
    },
    LegacyTry(exceptions::LegacyTry),
}

#[derive(Clone, Debug)]
struct ControlFrame {
    kind: FrameKind,
    /// Where control continues after `end`; its parameters are the block's results.
    exit: Block,
    num_params: usize,
    num_results: usize,
    /// Operand-stack height below the block's parameters.
    stack_base: usize,
    /// Whether anything jumps to `exit`.
    exit_reached: bool,
    /// The dispatch block for exceptions raised by calls in this frame's body (try blocks).
    handler: Option<Block>,
}

impl ControlFrame {
    /// The block a `br` to this frame jumps to, and how many values it carries.
    fn branch_target(&self) -> (Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.num_params),
            _ => (self.exit, self.num_results),
        }
    }
}

/// Whether a call returns here or replaces the caller's frame (`return_call*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
    Call,
    TailCall,
}

/// The state of one function's translation.
pub(crate) struct FuncTranslator<'m, 'b> {
    pub builder: FunctionBuilder<'b>,
    pub module: &'m ModuleContext<'m>,
    pub vmctx: Value,
    pub stack: Vec<Value>,
    pub locals: Vec<Variable>,
    memory_base: Option<Value>,
    control: Vec<ControlFrame>,
    reachable: bool,
    /// Number of blocks opened while unreachable (skipped wholesale).
    unreachable_depth: u32,
    wasm_sigs: HashMap<u32, SigRef>,
    direct_funcs: HashMap<u32, FuncRef>,
    builtins: HashMap<Builtin, FuncRef>,
    /// The arrays of static tables this function calls through, by data-object index.
    static_tables: HashMap<u32, ir::GlobalValue>,
}

/// Flags for loads of runtime data that never trap (vmctx fields, tables, funcrefs).
pub fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'m, 'b> FuncTranslator<'m, 'b> {
    fn new(module: &'m ModuleContext<'m>, builder: FunctionBuilder<'b>, vmctx: Value) -> Self {
        FuncTranslator {
            builder,
            module,
            vmctx,
            stack: Vec::new(),
            locals: Vec::new(),
            memory_base: None,
            control: Vec::new(),
            reachable: true,
            unreachable_depth: 0,
            wasm_sigs: HashMap::new(),
            direct_funcs: HashMap::new(),
            builtins: HashMap::new(),
            static_tables: HashMap::new(),
        }
    }

    /// The prologue traps when the stack would grow below `vmctx->stack_limit`.
    fn install_stack_limit(&mut self) {
        let base = self.builder.create_global_value(GlobalValueData::VMContext);
        let flags = self
            .builder
            .func
            .dfg
            .mem_flags
            .insert_unchecked(trusted().with_readonly());
        let limit = self.builder.create_global_value(GlobalValueData::Load {
            base,
            offset: vmctx::STACK_LIMIT.into(),
            global_type: types::I64,
            flags,
        });
        self.builder.func.stack_limit = Some(limit);
    }

    /// Loads memory 0's base once, in the entry block (it never moves).
    fn load_memory_base(&mut self) {
        if !self.module.env.memories.is_empty() {
            let flags = trusted().with_readonly().with_can_move();
            let base = self
                .builder
                .ins()
                .load(types::I64, flags, self.vmctx, vmctx::MEMORY_BASE);
            self.memory_base = Some(base);
        }
    }

    pub fn memory_base(&self) -> Value {
        self.memory_base
            .expect("validated: the module has a memory")
    }

    pub fn zero(&mut self, ty: ValType) -> Value {
        match ty {
            ValType::I32 => self.builder.ins().iconst(types::I32, 0),
            ValType::I64 | ValType::Ref(_) => self.builder.ins().iconst(types::I64, 0),
            ValType::F32 => self.builder.ins().f32const(0.0),
            ValType::F64 => self.builder.ins().f64const(0.0),
            ValType::V128 => self.v128_const(&[0; 16]),
        }
    }

    pub fn v128_const(&mut self, bytes: &[u8; 16]) -> Value {
        let constant = self
            .builder
            .func
            .dfg
            .constants
            .insert(bytes.to_vec().into());
        self.builder.ins().vconst(types::I8X16, constant)
    }

    // ---- operand stack ----

    pub fn push(&mut self, value: Value) {
        self.stack.push(value);
    }

    pub fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    pub fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    pub fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    pub fn popn(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    fn peekn(&self, n: usize) -> Vec<Value> {
        self.stack[self.stack.len() - n..].to_vec()
    }

    // ---- calls into the runtime ----

    /// Calls a runtime builtin with the vmctx prepended (when its signature takes one).
    pub fn call_builtin(&mut self, builtin: Builtin, args: &[Value]) -> Option<Value> {
        let func_ref = match self.builtins.get(&builtin) {
            Some(&f) => f,
            None => {
                let index = Builtin::ALL
                    .iter()
                    .position(|&b| b == builtin)
                    .expect("listed");
                let sig = builtin_signature(builtin, self.module.builtin_call_conv);
                let f = self.import_function(self.module.symbols.builtin(index), sig);
                self.builtins.insert(builtin, f);
                f
            }
        };
        let mut call_args = Vec::with_capacity(args.len() + 1);
        if builtin.takes_vmctx() {
            call_args.push(self.vmctx);
        }
        call_args.extend_from_slice(args);
        let call = self.builder.ins().call(func_ref, &call_args);
        self.builder.inst_results(call).first().copied()
    }

    fn import_function(&mut self, func_id: u32, sig: Signature) -> FuncRef {
        let signature = self.builder.import_signature(sig);
        let name = self
            .builder
            .func
            .declare_imported_user_function(UserExternalName {
                namespace: 0,
                index: func_id,
            });
        self.builder.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: true,
            patchable: false,
        })
    }

    pub fn wasm_sig(&mut self, type_index: u32) -> SigRef {
        if let Some(&sig) = self.wasm_sigs.get(&type_index) {
            return sig;
        }
        let ty = &self.module.env.types[type_index as usize];
        let sig = self.builder.import_signature(wasm_signature(ty));
        self.wasm_sigs.insert(type_index, sig);
        sig
    }

    /// Emits a trap of `kind` when `condition` is nonzero.
    pub fn trap_if(&mut self, condition: Value, kind: TrapKind) {
        self.builder.ins().trapnz(condition, kind.trap_code());
    }

    // ---- translation ----

    fn translate_operator(&mut self, op: &Operator<'_>) -> Result<(), String> {
        if !self.reachable {
            self.translate_unreachable(op);
            return Ok(());
        }
        match op {
            Operator::Nop => {}
            Operator::Unreachable => {
                self.builder.ins().trap(TrapKind::Unreachable.trap_code());
                self.reachable = false;
            }
            Operator::Block { blockty } => {
                let (params, results) = self.block_arity(*blockty);
                let exit = self.block_with_params(results.iter().copied());
                self.open_frame(FrameKind::Block, exit, params.len(), results.len());
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_arity(*blockty);
                let header = self.block_with_params(params.iter().copied());
                let exit = self.block_with_params(results.iter().copied());
                let args = self.peekn(params.len());
                self.jump(header, &args);
                self.builder.switch_to_block(header);
                let header_params = self.builder.block_params(header).to_vec();
                let base = self.stack.len() - params.len();
                self.stack.truncate(base);
                self.stack.extend(header_params);
                self.open_frame(
                    FrameKind::Loop { header },
                    exit,
                    params.len(),
                    results.len(),
                );
            }
            Operator::If { blockty } => {
                let condition = self.pop();
                let (params, results) = self.block_arity(*blockty);
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                let exit = self.block_with_params(results.iter().copied());
                self.builder
                    .ins()
                    .brif(condition, then_block, &[], else_block, &[]);
                self.builder.seal_block(then_block);
                self.builder.seal_block(else_block);
                self.builder.switch_to_block(then_block);
                let params_values = self.peekn(params.len());
                let kind = FrameKind::If {
                    else_block,
                    params: params_values,
                    else_seen: false,
                };
                self.open_frame(kind, exit, params.len(), results.len());
            }
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::TryTable { try_table } => self.translate_try_table(try_table),
            Operator::Try { blockty } => self.translate_legacy_try(*blockty),
            Operator::Catch { tag_index } => self.translate_catch(Some(*tag_index)),
            Operator::CatchAll => self.translate_catch(None),
            Operator::Delegate { relative_depth } => self.translate_delegate(*relative_depth),
            Operator::Rethrow { relative_depth } => self.translate_rethrow(*relative_depth),
            Operator::Throw { tag_index } => self.translate_throw(*tag_index),
            Operator::ThrowRef => self.translate_throw_ref(),
            Operator::Br { relative_depth } => self.translate_br(*relative_depth),
            Operator::BrIf { relative_depth } => {
                let condition = self.pop();
                let (target, arity) = self.frame_target(*relative_depth);
                let args = self.peekn(arity);
                let next = self.builder.create_block();
                let args: Vec<BlockArg> = args.into_iter().map(BlockArg::from).collect();
                self.builder.ins().brif(condition, target, &args, next, &[]);
                self.builder.seal_block(next);
                self.builder.switch_to_block(next);
            }
            Operator::BrTable { targets } => {
                let index = self.pop();
                let default = targets.default();
                let depths: Vec<u32> = targets
                    .targets()
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                let (_, arity) = self.frame_target(default);
                let args: Vec<BlockArg> =
                    self.peekn(arity).into_iter().map(BlockArg::from).collect();
                let mut calls = Vec::with_capacity(depths.len());
                for &depth in &depths {
                    let (block, _) = self.frame_target(depth);
                    calls.push(self.builder.func.dfg.block_call(block, &args));
                }
                let (default_block, _) = self.frame_target(default);
                let default_call = self.builder.func.dfg.block_call(default_block, &args);
                let table = self
                    .builder
                    .create_jump_table(JumpTableData::new(default_call, &calls));
                self.builder.ins().br_table(index, table);
                self.reachable = false;
            }
            Operator::Return => self.translate_br(self.control.len() as u32 - 1),
            Operator::Call { function_index } => self.translate_call(*function_index),
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.translate_call_indirect(*type_index, *table_index, CallKind::Call),
            Operator::ReturnCall { function_index } => {
                self.translate_return_call(*function_index);
            }
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.translate_call_indirect(*type_index, *table_index, CallKind::TailCall),
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } | Operator::TypedSelectMulti { .. } => {
                let (a, b, condition) = self.pop3();
                let value = self.builder.ins().select(condition, a, b);
                self.push(value);
            }
            Operator::LocalGet { local_index } => {
                let value = self.builder.use_var(self.locals[*local_index as usize]);
                self.push(value);
            }
            Operator::LocalSet { local_index } => {
                let value = self.pop();
                self.builder
                    .def_var(self.locals[*local_index as usize], value);
            }
            Operator::LocalTee { local_index } => {
                let value = *self.stack.last().expect("validated");
                self.builder
                    .def_var(self.locals[*local_index as usize], value);
            }
            _ => {
                if !(self.translate_numeric(op)
                    || self.translate_memory(op)
                    || self.translate_atomic(op)
                    || self.translate_table(op)
                    || self.translate_simd(op))
                {
                    return Err(format!(
                        "instruction {op:?} is not supported by wasm2exe yet"
                    ));
                }
            }
        }
        Ok(())
    }

    /// While unreachable, only the nesting of blocks matters.
    fn translate_unreachable(&mut self, op: &Operator<'_>) {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => {
                self.unreachable_depth += 1;
            }
            Operator::Else if self.unreachable_depth == 0 => self.translate_else(),
            Operator::Catch { tag_index } if self.unreachable_depth == 0 => {
                self.translate_catch(Some(*tag_index))
            }
            Operator::CatchAll if self.unreachable_depth == 0 => self.translate_catch(None),
            Operator::End if self.unreachable_depth == 0 => self.translate_end(),
            Operator::Delegate { relative_depth } if self.unreachable_depth == 0 => {
                self.translate_delegate(*relative_depth)
            }
            Operator::End | Operator::Delegate { .. } => self.unreachable_depth -= 1,
            _ => {}
        }
    }

    fn block_arity(&self, blockty: BlockType) -> (Vec<Type>, Vec<Type>) {
        match blockty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(ty) => (vec![], vec![ir_type(ty)]),
            BlockType::FuncType(index) => {
                let ty = &self.module.env.types[index as usize];
                (
                    ty.params().iter().map(|&p| ir_type(p)).collect(),
                    ty.results().iter().map(|&r| ir_type(r)).collect(),
                )
            }
        }
    }

    fn block_with_params(&mut self, params: impl IntoIterator<Item = Type>) -> Block {
        let block = self.builder.create_block();
        for ty in params {
            self.builder.append_block_param(block, ty);
        }
        block
    }

    fn open_frame(&mut self, kind: FrameKind, exit: Block, num_params: usize, num_results: usize) {
        let stack_base = self.stack.len() - num_params;
        self.control.push(ControlFrame {
            kind,
            exit,
            num_params,
            num_results,
            stack_base,
            exit_reached: false,
            handler: None,
        });
    }

    fn jump(&mut self, block: Block, args: &[Value]) {
        let args: Vec<BlockArg> = args.iter().copied().map(BlockArg::from).collect();
        self.builder.ins().jump(block, &args);
    }

    fn frame_target(&mut self, depth: u32) -> (Block, usize) {
        let index = self.control.len() - 1 - depth as usize;
        let frame = &mut self.control[index];
        if !matches!(frame.kind, FrameKind::Loop { .. }) {
            frame.exit_reached = true;
        }
        frame.branch_target()
    }

    fn translate_br(&mut self, depth: u32) {
        let (target, arity) = self.frame_target(depth);
        let args = self.peekn(arity);
        self.jump(target, &args);
        self.reachable = false;
    }

    /// Ends the current arm: jumps to the exit with the results if control falls through.
    fn fall_through_to_exit(&mut self) {
        let frame = self.control.last().expect("validated");
        let (exit, num_results, base) = (frame.exit, frame.num_results, frame.stack_base);
        if self.reachable {
            let results = self.peekn(num_results);
            self.jump(exit, &results);
            self.control.last_mut().expect("validated").exit_reached = true;
        }
        self.stack.truncate(base);
    }

    fn translate_else(&mut self) {
        self.fall_through_to_exit();
        let frame = self.control.last_mut().expect("validated");
        let FrameKind::If {
            else_block,
            params,
            else_seen,
        } = &mut frame.kind
        else {
            unreachable!("validated: else without if");
        };
        *else_seen = true;
        let else_block = *else_block;
        let params = params.clone();
        self.builder.switch_to_block(else_block);
        self.stack.extend(params);
        self.reachable = true;
    }

    fn translate_end(&mut self) {
        // The last catch body of a legacy `try` (no-op for other frames).
        self.free_at_catch_body_end();
        self.fall_through_to_exit();
        let frame = self.control.pop().expect("validated");
        match &frame.kind {
            FrameKind::Loop { header } => self.builder.seal_block(*header),
            FrameKind::TryTable { dispatch } => self.builder.seal_block(*dispatch),
            FrameKind::LegacyTry(_) => self.finish_legacy_try(&frame),
            FrameKind::If {
                else_block,
                params,
                else_seen: false,
            } => {
                // No else arm: the parameters pass through to the results.
                self.builder.switch_to_block(*else_block);
                self.jump(frame.exit, params);
                return self.enter_exit(frame.exit, true, frame.stack_base);
            }
            _ => {}
        }
        self.enter_exit(frame.exit, frame.exit_reached, frame.stack_base);
    }

    /// Continues after a frame's `end`; the function body's own `end` returns.
    fn enter_exit(&mut self, exit: Block, reached: bool, stack_base: usize) {
        self.stack.truncate(stack_base);
        if !reached {
            self.reachable = false;
            if self.control.is_empty() {
                // Nothing reaches the return block; it is never placed in the layout.
                self.reachable = false;
            }
            return;
        }
        self.builder.switch_to_block(exit);
        self.builder.seal_block(exit);
        let results = self.builder.block_params(exit).to_vec();
        if self.control.is_empty() {
            self.builder.ins().return_(&results);
            self.reachable = false;
        } else {
            self.stack.extend(results);
            self.reachable = true;
        }
    }
}
