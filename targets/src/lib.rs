//! wasm2exe-targets: the cross-target matrix and the toolchain that serves it.
//!
//! The matrix lives in `targets.toml` at the repository root, as data, embedded here at build
//! time. Both the CLI and the spec harness use this crate, so a cell is linked and run the
//! same way everywhere: `matrix` parses the table, `zig` finds the cross linker, `runtime`
//! builds (and caches) the C runtime archive per target, and `runner` says how an executable
//! of a cell runs on this machine (natively, under qemu or wine, or not at all).

pub mod llvm;
pub mod matrix;
pub mod runner;
pub mod runtime;
pub mod zig;

pub use matrix::{Format, Target, all, find};
pub use runner::Runner;
pub use zig::Zig;
