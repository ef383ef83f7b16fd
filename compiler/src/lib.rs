//! wasm2exe-compiler: WebAssembly module bytes in, one relocatable native object out.
//!
//! The module is parsed and validated with wasmparser, every function is translated to
//! Cranelift IR by our own translator (`translate`) and compiled in parallel, and
//! cranelift-object writes the code together with the module descriptor the runtime
//! instantiates from (`emit`). The layout of that descriptor and of the per-instance context
//! is the ABI in `abi` (mirrored by `runtime-headless/include/w2e_abi.h`).
//!
//! This crate does no I/O: no files, no linking. The CLI glues it to the runtime.

pub mod abi;
mod emit;
mod layout;
pub mod module_env;
mod translate;

pub use target_lexicon::Triple;

/// How to compile a module.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// The target to generate code for.
    pub triple: Triple,
    /// Prefix of every symbol the object defines; the module descriptor is
    /// `{symbol_prefix}module`. Distinct prefixes let several modules share one executable.
    pub symbol_prefix: String,
}

impl CompileOptions {
    /// Options for the host target with the prefix the runtime's `main` expects
    /// (`w2e_main_module`).
    pub fn host() -> Self {
        CompileOptions {
            triple: Triple::host(),
            symbol_prefix: "w2e_main_".to_string(),
        }
    }
}

/// Why a module could not be compiled. Each displays as one line a person can act on.
#[derive(Debug, thiserror::Error)]
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

/// Validates `wasm` with the features wasm2exe accepts, without generating code.
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    module_env::validate_features(wasm)
}

/// Compiles `wasm` into the bytes of one relocatable object file for `options.triple`.
pub fn compile(wasm: &[u8], options: &CompileOptions) -> Result<Vec<u8>, CompileError> {
    let env = module_env::parse(wasm)?;
    emit::compile_module(&env, options)
}
