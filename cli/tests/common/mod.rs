//! What the CLI's integration tests share: running `wasm2exe`, finding the fixtures and the
//! examples, and building a text module into an executable.

// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `wasm2exe` binary under test with `args`.
pub fn wasm2exe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
        .args(args)
        .output()
        .expect("run wasm2exe")
}

/// Runs `wasm2exe` with `args` and fails the test, showing wasm2exe's message, unless it
/// succeeds.
pub fn wasm2exe_ok(args: &[&str]) {
    let out = wasm2exe(args);
    assert!(out.status.success(), "wasm2exe failed: {}", stderr(&out));
}

/// A file of `cli/tests/fixtures`.
pub fn fixture(name: &str) -> String {
    manifest_relative("tests/fixtures", name)
}

/// A file of the repository's `examples`.
pub fn example(name: &str) -> String {
    manifest_relative("../examples", name)
}

fn manifest_relative(dir: &str, name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(dir)
        .join(name)
        .display()
        .to_string()
}

/// A process's standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes `wat` to `dir/NAME.wat` and builds it with `flags` into `dir/NAME`; `Err` is
/// wasm2exe's message.
pub fn try_build_wat(dir: &Path, name: &str, wat: &str, flags: &[&str]) -> Result<PathBuf, String> {
    let input = dir.join(format!("{name}.wat"));
    std::fs::write(&input, wat).expect("write the test module");
    let exe = dir.join(name);
    let mut args = vec![input.to_str().unwrap(), "-o", exe.to_str().unwrap()];
    args.extend_from_slice(flags);
    let out = wasm2exe(&args);
    if out.status.success() {
        Ok(exe)
    } else {
        Err(stderr(&out))
    }
}

/// `try_build_wat`, failing the test with wasm2exe's message if the build fails.
pub fn build_wat(dir: &Path, name: &str, wat: &str, flags: &[&str]) -> PathBuf {
    try_build_wat(dir, name, wat, flags).unwrap_or_else(|e| panic!("wasm2exe failed: {e}"))
}
