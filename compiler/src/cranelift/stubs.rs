//! Small generated functions at the boundary between C and wasm code.
//!
//! - A trampoline per function type lets C call any wasm function with its arguments and
//!   results in a `w2e_value` array: `tramp(code, vmctx, values)` (C convention).
//! - A host adapter per imported function lets wasm code (tail convention) call a C host
//!   function stored in the vmctx's `host_code` slot (C convention).

use crate::abi::{TrapKind, VALUE_SIZE};
use crate::cranelift::translate::{host_signature, ir_type, trusted, wasm_signature};
use crate::cranelift::traps::CraneliftTrap;
use cranelift_codegen::ir::{
    AbiParam, Endianness, Function, InstBuilder, MemFlagsData, Signature, UserFuncName, types,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmparser::{FuncType, ValType};

/// Starts the function's body: its entry block, holding the parameters.
fn enter(b: &mut FunctionBuilder<'_>) -> cranelift_codegen::ir::Block {
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    entry
}

/// The C signature of a trampoline.
pub fn trampoline_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend([AbiParam::new(types::I64); 3]);
    sig
}

fn value_flags(ty: ValType) -> MemFlagsData {
    match ty {
        ValType::V128 => trusted().with_endianness(Endianness::Little),
        _ => trusted(),
    }
}

/// `void tramp(const void *code, w2e_vmctx *vmctx, w2e_value *values)`.
pub fn build_trampoline(
    name: UserFuncName,
    ty: &FuncType,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
    ctx: &mut FunctionBuilderContext,
) -> Function {
    let mut func = Function::with_name_signature(name, trampoline_signature(call_conv));
    let mut b = FunctionBuilder::new(&mut func, ctx);
    let entry = enter(&mut b);
    let [code, vmctx, values] = b.block_params(entry).try_into().expect("three parameters");
    let mut args = vec![vmctx];
    for (i, &p) in ty.params().iter().enumerate() {
        let offset = (i as u32 * VALUE_SIZE) as i32;
        args.push(b.ins().load(ir_type(p), value_flags(p), values, offset));
    }
    let sig = b.import_signature(wasm_signature(ty));
    let call = b.ins().call_indirect(sig, code, &args);
    let results = b.inst_results(call).to_vec();
    for (i, (&r, value)) in ty.results().iter().zip(results).enumerate() {
        let offset = (i as u32 * VALUE_SIZE) as i32;
        b.ins().store(value_flags(r), value, values, offset);
    }
    b.ins().return_(&[]);
    b.finalize(frontend);
    func
}

/// The body of a stubbed import: it traps, or returns zeros.
pub fn build_import_stub(
    name: UserFuncName,
    ty: &FuncType,
    kind: crate::StubKind,
    frontend: TargetFrontendConfig,
    ctx: &mut FunctionBuilderContext,
) -> Function {
    let mut func = Function::with_name_signature(name, wasm_signature(ty));
    let mut b = FunctionBuilder::new(&mut func, ctx);
    enter(&mut b);
    match kind {
        crate::StubKind::Trap => {
            b.ins().trap(TrapKind::StubImport.trap_code());
        }
        crate::StubKind::Zero => {
            let zeros: Vec<_> = ty
                .results()
                .iter()
                .map(|&r| match r {
                    ValType::I32 => b.ins().iconst(types::I32, 0),
                    ValType::I64 | ValType::Ref(_) => b.ins().iconst(types::I64, 0),
                    ValType::F32 => b.ins().f32const(0.0),
                    ValType::F64 => b.ins().f64const(0.0),
                    ValType::V128 => {
                        let zero = b.func.dfg.constants.insert(vec![0u8; 16].into());
                        b.ins().vconst(types::I8X16, zero)
                    }
                })
                .collect();
            b.ins().return_(&zeros);
        }
    }
    b.finalize(frontend);
    func
}

/// The tail-convention entry of imported function `func_index` that calls its host function.
pub fn build_host_adapter(
    name: UserFuncName,
    ty: &FuncType,
    host_code_offset: i32,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
    ctx: &mut FunctionBuilderContext,
) -> Function {
    let mut func = Function::with_name_signature(name, wasm_signature(ty));
    let mut b = FunctionBuilder::new(&mut func, ctx);
    let entry = enter(&mut b);
    if ty.results().len() > 1 {
        // C host functions return at most one value; only wasm functions can satisfy such an
        // import, and those are called directly through their own funcref.
        b.ins().trap(TrapKind::StubImport.trap_code());
    } else {
        let args = b.block_params(entry).to_vec();
        let flags = trusted().with_readonly();
        let host = b.ins().load(types::I64, flags, args[0], host_code_offset);
        let sig = b.import_signature(host_signature(ty, call_conv));
        let call = b.ins().call_indirect(sig, host, &args);
        let results = b.inst_results(call).to_vec();
        b.ins().return_(&results);
    }
    b.finalize(frontend);
    func
}
