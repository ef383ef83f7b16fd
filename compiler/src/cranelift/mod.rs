//! The Cranelift backend: from a parsed module to object bytes. Declare every symbol, translate
//! (`translate`) and compile the functions in parallel, add the boundary stubs and the
//! descriptor, write the object with cranelift-object.

mod code_bytes;
mod descriptor;
mod inline;
mod isa;
mod stubs;
pub mod translate;
mod traps;

pub use code_bytes::{decode as decode_code, encode as encode_code};
pub use isa::{cpu_features, target_isa};

use crate::abi::PtrWidth;
use crate::abi::{Builtin, TrapKind};
use crate::cranelift::translate::{
    ModuleContext, builtin_signature, translate_function, wasm_signature,
};
use crate::descriptor::{CallSite, CompiledFunction};
use crate::layout::{SymbolIds, VmctxLayout};
use crate::module_env::ModuleEnv;
use crate::static_tables::{self, StaticTables};
use crate::{CompileError, CompileOptions};
use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, Function, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa, TargetIsa};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::DataDescription;
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc};
use cranelift_object::{ObjectBuilder, ObjectModule};
use rayon::prelude::*;
use target_lexicon::Architecture;

/// Machine code of one function, ready to be placed in the object.
struct Compiled {
    func_id: FuncId,
    alignment: u64,
    bytes: Vec<u8>,
    relocs: Vec<ModuleReloc>,
    traps: Vec<(u32, TrapKind)>,
    call_sites: Vec<CallSite>,
}

/// The machine code of every defined function for one ISA: what dominates compile time, and
/// what every target with that ISA can share, whatever its OS and object format.
///
/// Wasm functions use Cranelift's own tail-call convention among themselves and
/// `builtin_call_conv` into the runtime, and every reference to another symbol is a
/// relocation, so their code depends only on the architecture and the code-generation
/// settings (`code_key`). The OS-specific parts (trampolines and host adapters, which speak
/// the OS's C convention, and the object format) are made per target by `write_object`.
pub struct FunctionCode {
    functions: Vec<Compiled>,
}

/// What decides the machine code of wasm functions: the architecture and every Cranelift
/// setting. Targets with equal keys get byte-identical function code.
pub fn code_key(isa: &dyn TargetIsa) -> String {
    let isa_flags: Vec<String> = isa.isa_flags().iter().map(|v| v.to_string()).collect();
    format!(
        "{}|{:?}|{}|{}",
        isa.triple().architecture,
        builtin_call_conv(isa),
        isa.flags(),
        isa_flags.join(",")
    )
}

/// The convention of calls from wasm code into the runtime's builtins: the same on every OS
/// of an architecture, so the code can be shared (the runtime declares its builtins with
/// it: `W2E_BUILTIN` in w2e_abi.h makes them `sysv_abi` on x86_64 Windows). On aarch64 the
/// builtins take at most eight 32- or 64-bit integer arguments, for which Apple's convention
/// and AAPCS64 agree.
pub fn builtin_call_conv(isa: &dyn TargetIsa) -> CallConv {
    match isa.triple().architecture {
        Architecture::X86_64 | Architecture::Aarch64(_) => CallConv::SystemV,
        _ => isa.default_call_conv(),
    }
}

/// Translates and compiles every defined function of `env` for `isa`, in parallel, calling
/// `compiled` after each function.
pub fn compile_functions(
    env: &ModuleEnv<'_>,
    static_tables: &StaticTables,
    isa: &dyn TargetIsa,
    compiled: &(dyn Fn() + Sync),
) -> Result<FunctionCode, CompileError> {
    let layout = VmctxLayout::new(env, PtrWidth::P64);
    let symbols = SymbolIds::new(env);
    let module = ModuleContext {
        env,
        layout: &layout,
        symbols,
        builtin_call_conv: builtin_call_conv(isa),
        frontend_config: isa.frontend_config(),
        static_tables,
    };
    let num_imported = env.num_imported_funcs;
    let translate = |builder_ctx: &mut FunctionBuilderContext, defined: usize| {
        let func_index = num_imported + defined as u32;
        translate_function(&module, func_index, &env.bodies[defined], builder_ctx).map_err(|e| {
            CompileError::Unsupported(format!("{e} in {}", env.func_display_name(func_index)))
        })
    };
    // First pass: find the small leaf functions worth inlining (only their IR is kept).
    let candidates: Vec<Option<ir::Function>> = (0..env.bodies.len())
        .into_par_iter()
        .map_init(FunctionBuilderContext::new, |builder_ctx, defined| {
            let func = translate(builder_ctx, defined)?;
            Ok(inline::is_candidate(&func).then_some(func))
        })
        .collect::<Result<_, CompileError>>()?;
    // Second pass: translate again, inline, compile.
    let functions: Vec<Compiled> = (0..env.bodies.len())
        .into_par_iter()
        .map_init(FunctionBuilderContext::new, |builder_ctx, defined| {
            let func_index = num_imported + defined as u32;
            let func = translate(builder_ctx, defined)?;
            let mut ctx = Context::for_function(func);
            let inliner = inline::Inliner {
                candidates: &candidates,
                num_imported,
            };
            ctx.inline(inliner).map_err(|e| CompileError::Codegen {
                function: env.func_display_name(func_index),
                message: format!("inlining: {e:?}"),
            })?;
            let code =
                compile_context(isa, ctx, FuncId::from_u32(symbols.func(func_index)), || {
                    env.func_display_name(func_index)
                });
            compiled();
            code
        })
        .collect::<Result<_, _>>()?;
    Ok(FunctionCode { functions })
}

/// Writes the object for `options.triple`: `code` (made by `compile_functions` for an ISA
/// with the same `code_key` as `isa`), the boundary stubs, the descriptor.
pub fn write_object(
    env: &ModuleEnv<'_>,
    static_tables: &StaticTables,
    options: &CompileOptions,
    isa: &OwnedTargetIsa,
    code: &FunctionCode,
) -> Result<Vec<u8>, CompileError> {
    let prefix = &options.symbol_prefix;
    let builder = ObjectBuilder::new(
        isa.clone(),
        format!("{prefix}module"),
        cranelift_module::default_libcall_names(),
    )
    .map_err(module_error)?;
    let mut object = ObjectModule::new(builder);
    let layout = VmctxLayout::new(env, PtrWidth::P64);
    let symbols = SymbolIds::new(env);
    declare_symbols(&mut object, env, prefix, symbols, &**isa)?;
    define_static_tables(&mut object, env, static_tables, options, symbols)?;

    let stubs = build_stubs(env, &layout, symbols, &**isa, &options.stubbed_imports);
    let stubs: Vec<Compiled> = stubs
        .into_par_iter()
        .map(|(func_id, func)| compile_function(&**isa, func, func_id, || "a boundary stub".into()))
        .collect::<Result<_, _>>()?;

    for compiled in code.functions.iter().chain(&stubs) {
        object
            .define_function_bytes(
                compiled.func_id,
                compiled.alignment,
                &compiled.bytes,
                &compiled.relocs,
            )
            .map_err(module_error)?;
    }
    // Every wasm function's code (host adapters for imports), by function index.
    let num_imported = env.num_imported_funcs;
    let compiled_info: Vec<CompiledFunction> = stubs
        .iter()
        .filter(|c| c.func_id.as_u32() < num_imported)
        .chain(&code.functions)
        .map(|c| CompiledFunction {
            code_size: c.bytes.len() as u32,
            traps: &c.traps,
            call_sites: &c.call_sites,
        })
        .collect();
    let data = crate::descriptor::build(options, env, &layout, &compiled_info);
    descriptor::define_descriptor(&mut object, data, symbols)?;
    object.finish().emit().map_err(|e| CompileError::Codegen {
        function: "object".into(),
        message: e.to_string(),
    })
}

/// The arrays of the static tables, as the first data objects (`StaticTables::data_index`).
fn define_static_tables(
    object: &mut ObjectModule,
    env: &ModuleEnv<'_>,
    static_tables: &StaticTables,
    options: &CompileOptions,
    symbols: SymbolIds,
) -> Result<(), CompileError> {
    let big_endian = options.triple.endianness() == Ok(target_lexicon::Endianness::Big);
    for (k, table) in static_tables.laid_out().enumerate() {
        let name = format!("{}static_table{k}", options.symbol_prefix);
        let id = object
            .declare_data(&name, Linkage::Local, false, false)
            .map_err(module_error)?;
        debug_assert_eq!(id.as_u32(), k as u32);
        let entry = static_tables::ENTRY_SIZE as usize;
        let mut bytes = vec![0u8; table.slots.len() * entry];
        let mut description = DataDescription::new();
        for (slot, func) in table.slots.iter().enumerate() {
            let type_number = match func {
                Some(f) => {
                    let ty = static_tables.type_numbers[env.func_types[*f as usize] as usize];
                    let func_ref = object
                        .declare_func_in_data(FuncId::from_u32(symbols.func(*f)), &mut description);
                    description.write_function_addr((slot * entry) as u32, func_ref);
                    ty
                }
                None => static_tables::NULL_TYPE,
            };
            let at = slot * entry + static_tables::ENTRY_TYPE as usize;
            let encoded = if big_endian {
                type_number.to_be_bytes()
            } else {
                type_number.to_le_bytes()
            };
            bytes[at..at + 4].copy_from_slice(&encoded);
        }
        description.define(bytes.into_boxed_slice());
        description.set_align(16);
        object.define_data(id, &description).map_err(module_error)?;
    }
    Ok(())
}

/// Declares functions, stubs and builtins in the order `SymbolIds` assumes.
fn declare_symbols(
    object: &mut ObjectModule,
    env: &ModuleEnv<'_>,
    prefix: &str,
    symbols: SymbolIds,
    isa: &dyn TargetIsa,
) -> Result<(), CompileError> {
    let host_cc = isa.default_call_conv();
    let builtin_cc = builtin_call_conv(isa);
    for (index, &type_index) in env.func_types.iter().enumerate() {
        let sig = wasm_signature(&env.types[type_index as usize]);
        let name = if (index as u32) < env.num_imported_funcs {
            format!("{prefix}import{index}")
        } else {
            format!("{prefix}f{index}")
        };
        let id = object
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(module_error)?;
        debug_assert_eq!(id.as_u32(), symbols.func(index as u32));
    }
    for type_index in 0..env.types.len() {
        let sig = stubs::trampoline_signature(host_cc);
        let id = object
            .declare_function(&format!("{prefix}tramp{type_index}"), Linkage::Local, &sig)
            .map_err(module_error)?;
        debug_assert_eq!(id.as_u32(), symbols.trampoline(type_index as u32));
    }
    for (index, builtin) in Builtin::ALL.iter().enumerate() {
        let sig = builtin_signature(*builtin, builtin_cc);
        let id = object
            .declare_function(builtin.symbol(), Linkage::Import, &sig)
            .map_err(module_error)?;
        debug_assert_eq!(id.as_u32(), symbols.builtin(index));
    }
    Ok(())
}

/// Trampolines for every type and host adapters for every imported function.
fn build_stubs(
    env: &ModuleEnv<'_>,
    layout: &VmctxLayout,
    symbols: SymbolIds,
    isa: &dyn TargetIsa,
    stubbed_imports: &std::collections::BTreeMap<u32, crate::StubKind>,
) -> Vec<(FuncId, Function)> {
    let mut ctx = FunctionBuilderContext::new();
    let host_cc = isa.default_call_conv();
    let frontend = isa.frontend_config();
    let mut stubs = Vec::new();
    for (type_index, ty) in env.types.iter().enumerate() {
        let id = symbols.trampoline(type_index as u32);
        let func =
            stubs::build_trampoline(UserFuncName::user(0, id), ty, host_cc, frontend, &mut ctx);
        stubs.push((FuncId::from_u32(id), func));
    }
    for index in 0..env.num_imported_funcs {
        let id = symbols.func(index);
        let name = UserFuncName::user(0, id);
        let ty = env.func_type(index);
        let func = match stubbed_imports.get(&index) {
            Some(&kind) => stubs::build_import_stub(name, ty, kind, frontend, &mut ctx),
            None => stubs::build_host_adapter(
                name,
                ty,
                layout.host_code(index),
                host_cc,
                frontend,
                &mut ctx,
            ),
        };
        stubs.push((FuncId::from_u32(id), func));
    }
    stubs
}

/// A cranelift-module error: always a bug in wasm2exe's object layout.
pub(crate) fn module_error(e: cranelift_module::ModuleError) -> CompileError {
    CompileError::Codegen {
        function: "object".into(),
        message: e.to_string(),
    }
}

fn compile_function(
    isa: &dyn TargetIsa,
    func: Function,
    func_id: FuncId,
    describe: impl Fn() -> String,
) -> Result<Compiled, CompileError> {
    compile_context(isa, Context::for_function(func), func_id, describe)
}

fn compile_context(
    isa: &dyn TargetIsa,
    mut ctx: Context,
    func_id: FuncId,
    describe: impl Fn() -> String,
) -> Result<Compiled, CompileError> {
    let codegen_error = |message: String| CompileError::Codegen {
        function: describe(),
        message,
    };
    // A Cranelift panic is a bug (ours or Cranelift's) but must not take the caller down.
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ctx.compile(isa, &mut ControlPlane::default())
            .map(|_| ())
            .map_err(|e| format!("{:?}", e.inner))
    }));
    match compiled {
        Ok(Ok(())) => {}
        Ok(Err(message)) => return Err(codegen_error(message)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            return Err(codegen_error(format!("Cranelift panicked: {message}")));
        }
    }
    let compiled = ctx.compiled_code().expect("just compiled");
    let buffer = &compiled.buffer;
    let relocs = buffer
        .relocs()
        .iter()
        .map(|reloc| ModuleReloc::from_mach_reloc(reloc, &ctx.func, func_id))
        .collect();
    let mut traps: Vec<(u32, TrapKind)> = buffer
        .traps()
        .iter()
        .filter_map(|trap| Some((trap.offset, traps::trap_kind(trap.code)?)))
        .collect();
    traps.sort();
    let call_sites = exception_call_sites(buffer).map_err(codegen_error)?;
    Ok(Compiled {
        func_id,
        alignment: u64::from(buffer.alignment),
        bytes: buffer.data().to_vec(),
        relocs,
        traps,
        call_sites,
    })
}

/// The calls whose exceptions this function handles, for the runtime's unwinder.
fn exception_call_sites(
    buffer: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> Result<Vec<CallSite>, String> {
    use cranelift_codegen::FinalizedMachExceptionHandler as Handler;
    let mut sites = Vec::new();
    for site in buffer.call_sites() {
        let Some(handler_offset) = site.exception_handlers.iter().find_map(|h| match h {
            Handler::Default(offset) => Some(*offset),
            _ => None,
        }) else {
            continue;
        };
        let frame_offset = site
            .frame_offset
            .ok_or_else(|| "a try_call site without a frame offset".to_string())?;
        sites.push(CallSite {
            ret_offset: site.ret_addr,
            frame_offset,
            handler_offset,
        });
    }
    sites.sort_by_key(|s| s.ret_offset);
    Ok(sites)
}
