//! Differential fuzzing of wasm2exe's backends against wasmtime (`campaign`), and bad-input
//! fuzzing of the compiler and the CLI (`bad_input`).
//!
//! A campaign generates modules with wasm-smith (`generate`), runs a batch of them through the
//! real pipeline in one executable (`native`) and through the oracle (`oracle`), compares each
//! module's outcomes (`compare`), and shrinks every difference to a regression test
//! (`reduce`).

pub mod bad_input;
pub mod campaign;
pub mod compare;
pub mod generate;
pub mod native;
pub mod observed;
pub mod oracle;
pub mod reduce;
pub mod replay;
