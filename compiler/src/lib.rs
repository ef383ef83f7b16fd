//! wasm2exe-compiler: WebAssembly module bytes in, one relocatable native object out.
//!
//! The module is parsed and validated with wasmparser, every function is translated to
//! Cranelift IR by our own translator (`cranelift::translate`) and compiled in parallel, and
//! cranelift-object writes the code together with the module descriptor the runtime
//! instantiates from (`cranelift`). The layout of that descriptor and of the per-instance context
//! is the ABI in `abi` (mirrored by `runtime-headless/include/w2e_abi.h`).
//!
//! This crate does no I/O: no files, no linking. The CLI glues it to the runtime.

pub mod abi;
mod cranelift;
pub mod descriptor;
mod layout;
mod llvm;
pub mod module_env;
mod static_tables;

pub use llvm::{CodeUnit, LlvmModule, merge_units as merge_llvm_units};
pub use target_lexicon::Triple;
pub use wasmparser::ValType;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// How to compile a module.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// The target to generate code for.
    pub triple: Triple,
    /// Prefix of every symbol the object defines; the module descriptor is
    /// `{symbol_prefix}module`. Distinct prefixes let several modules share one executable.
    pub symbol_prefix: String,
    /// Imported functions (by function index) to replace with generated stubs, which the
    /// runtime then does not resolve.
    pub stubbed_imports: BTreeMap<u32, StubKind>,
    /// Which CPU features the code may use beyond the target's baseline.
    pub cpu: CpuLevel,
}

/// The CPU an executable is for, beyond its target's baseline (x86_64: x86-64-v2, SSE4.2).
/// The levels apply to x86_64 targets; other CPUs always get their baseline. An executable
/// that needs more than the baseline must check the CPU when it starts (`cpu_features` lists
/// what to check).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CpuLevel {
    /// Runs on every CPU of the target (x86_64: any x86-64-v2 CPU, 2009 on).
    #[default]
    Baseline,
    /// x86-64-v3: AVX2, BMI1/2, LZCNT, FMA (Haswell, Zen 1 and later).
    X86_64V3,
    /// x86-64-v4: v3 plus AVX-512 (F, VL, DQ: what Cranelift uses).
    X86_64V4,
    /// Every feature of the CPU compiling, as a JIT would: for executables that run here.
    Native,
}

/// The CPU features (CPUID names: `avx2`, `bmi2`, ...) that code compiled for `triple` with
/// `cpu` needs beyond the target's baseline.
pub fn cpu_features(triple: &Triple, cpu: CpuLevel) -> Vec<&'static str> {
    cranelift::cpu_features(triple, cpu)
}

/// What a stubbed import does when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StubKind {
    /// Traps with "call to a stubbed import"; the backtrace names the import.
    Trap,
    /// Returns zeros of its result types.
    Zero,
}

/// An import, as `summarize` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub module: String,
    pub name: String,
    /// The function index for function imports; `None` for tables, memories, globals, tags.
    pub func_index: Option<u32>,
}

/// An exported function, as `summarize` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    pub name: String,
    pub params: usize,
    pub results: Vec<ValType>,
}

/// What a module needs and offers: enough for a tool to decide how to build it.
#[derive(Clone, Debug, Default)]
pub struct ModuleSummary {
    pub imports: Vec<ImportSummary>,
    pub exported_functions: Vec<ExportSummary>,
}

/// Validates `wasm` and reports its imports and exported functions, without generating code.
pub fn summarize(wasm: &[u8]) -> Result<ModuleSummary, CompileError> {
    reject_component(wasm)?;
    let env = module_env::parse(wasm)?;
    let mut func_index = 0;
    let imports = env
        .imports
        .iter()
        .map(|import| {
            let is_func = import.kind == crate::abi::ExternKind::Func;
            let summary = ImportSummary {
                module: import.module.clone(),
                name: import.name.clone(),
                func_index: is_func.then_some(func_index),
            };
            func_index += u32::from(is_func);
            summary
        })
        .collect();
    let exported_functions = env
        .exports
        .iter()
        .filter(|export| export.kind == crate::abi::ExternKind::Func)
        .map(|export| {
            let ty = env.func_type(export.index);
            ExportSummary {
                name: export.name.clone(),
                params: ty.params().len(),
                results: ty.results().to_vec(),
            }
        })
        .collect();
    Ok(ModuleSummary {
        imports,
        exported_functions,
    })
}

impl CompileOptions {
    /// Options for `triple` with symbols prefixed by `symbol_prefix`, stubbing nothing.
    pub fn new(triple: Triple, symbol_prefix: impl Into<String>) -> Self {
        CompileOptions {
            triple,
            symbol_prefix: symbol_prefix.into(),
            stubbed_imports: BTreeMap::new(),
            cpu: CpuLevel::Baseline,
        }
    }

    /// Options for the host target with the prefix the runtime's `main` expects
    /// (`w2e_main_module`).
    pub fn host() -> Self {
        Self::new(Triple::host(), "w2e_main_")
    }
}

/// Why a module could not be compiled. Each displays as one line a person can act on.
#[derive(Clone, Debug, thiserror::Error)]
pub enum CompileError {
    /// The bytes are not a valid WebAssembly module.
    #[error("invalid module: {message} (at byte offset {offset:#x})")]
    Invalid { message: String, offset: usize },
    /// The module uses a feature wasm2exe does not compile yet.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The target cannot be generated for.
    #[error("unsupported target {triple}: {reason}")]
    Target { triple: String, reason: String },
    /// Cranelift rejected generated code (a bug in wasm2exe).
    #[error("internal compiler error in {function}: {message}")]
    Codegen { function: String, message: String },
}

/// Whether a valid module uses 128-bit SIMD (riscv64 code for it needs the V extension): it
/// does when it fails to validate without the SIMD feature.
pub fn uses_simd(wasm: &[u8]) -> bool {
    let features = module_env::SUPPORTED_FEATURES.difference(wasmparser::WasmFeatures::SIMD);
    wasmparser::Validator::new_with_features(features)
        .validate_all(wasm)
        .is_err()
}

/// Validates `wasm` with the features wasm2exe accepts, without generating code.
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    reject_component(wasm)?;
    module_env::validate_features(wasm)
}

/// Compiles `wasm` into the bytes of one relocatable object file for `options.triple`.
pub fn compile(wasm: &[u8], options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
    ParsedModule::parse(wasm)?.compile(options)
}

/// Refuses a component (the component model's binary, which WASI 0.2 programs are) with its own
/// message: its header differs from a core module's only in the version field, so the
/// validator's "unknown binary version" would not tell the user what they have.
fn reject_component(wasm: &[u8]) -> Result<(), CompileError> {
    // Magic, then version 0x0d and layer 1 (a core module has version 1, layer 0).
    if wasm.len() >= 8 && wasm[..4] == *b"\0asm" && wasm[4..8] == [0x0d, 0x00, 0x01, 0x00] {
        return Err(CompileError::Unsupported(
            "this is a WebAssembly component (the component model, e.g. a WASI 0.2 program), \
             not a core module; wasm2exe compiles core modules (WASI preview1): build for \
             wasm32-wasip1 instead"
                .into(),
        ));
    }
    Ok(())
}

/// A module parsed and validated once, to be compiled for any number of targets.
///
/// Targets whose machine code would be identical (the same architecture and code-generation
/// settings: e.g. x86_64 Linux, macOS and Windows) share it: the functions are compiled for
/// the first of them, and every further one only writes its object (the OS's boundary stubs,
/// the descriptor, the object format). `compile` may be called from several threads at once;
/// a call that needs code another thread is already generating waits for it.
pub struct ParsedModule<'a> {
    env: module_env::ModuleEnv<'a>,
    tables: static_tables::StaticTables,
    code: Mutex<HashMap<String, SharedCode>>,
    /// Called after each function is compiled (`on_function_compiled`).
    progress: Option<ProgressCallback>,
}

/// A callback `compile` calls after each function it compiles, from any thread.
pub type ProgressCallback = Arc<dyn Fn() + Send + Sync>;

type SharedCode = Arc<OnceLock<Result<cranelift::FunctionCode, CompileError>>>;

impl<'a> ParsedModule<'a> {
    /// Parses and validates `wasm`.
    pub fn parse(wasm: &'a [u8]) -> Result<Self, CompileError> {
        reject_component(wasm)?;
        let env = module_env::parse(wasm)?;
        Ok(ParsedModule {
            tables: static_tables::StaticTables::new(&env),
            env,
            code: Mutex::new(HashMap::new()),
            progress: None,
        })
    }

    /// Calls `callback` after each function `compile` compiles (for a progress display; the
    /// functions of one machine code are `defined_functions`, and machine code shared by
    /// several targets is compiled once).
    pub fn on_function_compiled(&mut self, callback: ProgressCallback) {
        self.progress = Some(callback);
    }

    /// How many functions the module defines (imports excluded).
    pub fn defined_functions(&self) -> usize {
        self.env.bodies.len()
    }

    /// What decides the machine code `compile(options)` generates (architecture, settings,
    /// CPU level): targets with equal keys share it, and a cache of `machine_code` bytes can
    /// be keyed by it.
    pub fn code_key(&self, options: &CompileOptions) -> Result<String, CompileError> {
        let isa = cranelift::target_isa(&options.triple, options.cpu)?;
        Ok(cranelift::code_key(&*isa))
    }

    /// The machine code of every function for `options`' code key, as bytes that
    /// `load_machine_code` accepts; compiled first if no target has needed it yet.
    pub fn machine_code(&self, options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
        let (_, slot) = self.slot(options)?;
        let code = slot.get_or_init(|| self.compile_functions(options));
        code.as_ref()
            .map(cranelift::encode_code)
            .map_err(Clone::clone)
    }

    /// Uses `bytes` (from `machine_code` of this module with the same code key) as the
    /// machine code for `options`' code key, so `compile` only writes objects. Malformed
    /// bytes are an error and change nothing; so does a key whose code already exists.
    pub fn load_machine_code(
        &self,
        options: &CompileOptions,
        bytes: &[u8],
    ) -> Result<(), CompileError> {
        let code = cranelift::decode_code(bytes, self.env.bodies.len())?;
        let (_, slot) = self.slot(options)?;
        let _ = slot.set(Ok(code));
        Ok(())
    }

    fn slot(
        &self,
        options: &CompileOptions,
    ) -> Result<(cranelift_codegen::isa::OwnedTargetIsa, SharedCode), CompileError> {
        let isa = cranelift::target_isa(&options.triple, options.cpu)?;
        let slot = self
            .code
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(cranelift::code_key(&*isa))
            .or_default()
            .clone();
        Ok((isa, slot))
    }

    fn compile_functions(
        &self,
        options: &CompileOptions,
    ) -> Result<cranelift::FunctionCode, CompileError> {
        let isa = cranelift::target_isa(&options.triple, options.cpu)?;
        let progress = || {
            if let Some(callback) = &self.progress {
                callback();
            }
        };
        cranelift::compile_functions(&self.env, &self.tables, &*isa, &progress)
    }

    /// The object for `options.triple`.
    pub fn compile(&self, options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
        let (isa, slot) = self.slot(options)?;
        let code = slot
            .get_or_init(|| self.compile_functions(options))
            .as_ref()
            .map_err(Clone::clone)?;
        cranelift::write_object(&self.env, &self.tables, options, &isa, code)
    }

    /// The module as LLVM IR code units for `options.triple` (the LLVM backend); the
    /// descriptor unit follows once the units are compiled (`LlvmModule::descriptor_unit`).
    pub fn llvm<'s>(&'s self, options: &'s CompileOptions) -> Result<LlvmModule<'s>, CompileError> {
        llvm::translate(&self.env, options)
    }

    /// How many functions the module has, imports included.
    pub fn num_functions(&self) -> usize {
        self.env.func_types.len()
    }

    /// How many distinct machine codes `compile` has generated so far (one per architecture
    /// and settings, however many targets shared it).
    pub fn code_generations(&self) -> usize {
        self.code
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}
