//! End-to-end behaviour of the `wasm2exe` binary: what a user sees on success and on every
//! kind of bad input, and how the executables it makes end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wasm2exe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
        .args(args)
        .output()
        .expect("run wasm2exe")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

/// Compiles `input` into a temporary directory and returns the executable's path.
fn build(input: &str, dir: &tempfile::TempDir) -> PathBuf {
    let exe = dir.path().join("program");
    let out = wasm2exe(&[input, "-o", exe.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "wasm2exe failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn hello_example_prints_its_greeting() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(build(&example("hello.wat"), &dir))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello from wasm2exe, world!\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn divide_by_zero_traps_with_message_function_name_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(build(&fixture("divide_by_zero.wat"), &dir))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: integer divide by zero"),
        "{err}"
    );
    assert!(
        err.contains("at divide"),
        "backtrace names the function: {err}"
    );
    assert!(
        err.contains("at compute"),
        "backtrace names the caller: {err}"
    );
    assert_eq!(out.status.code(), Some(134));
}

#[test]
fn infinite_recursion_traps_as_stack_exhausted_not_sigsegv() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(build(&fixture("infinite_recursion.wat"), &dir))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: call stack exhausted"),
        "{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(134),
        "exits with the trap code, no signal"
    );
}

#[test]
fn out_of_bounds_load_traps() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(build(&fixture("out_of_bounds.wat"), &dir))
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out).lines().next(),
        Some("wasm trap: out of bounds memory access")
    );
    assert_eq!(out.status.code(), Some(134));
}

fn assert_one_line_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "exactly one line: {err}");
    assert!(err.starts_with("wasm2exe: error: "), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

#[test]
fn truncated_module_is_one_line_error_with_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("truncated.wasm");
    std::fs::write(&path, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let out = wasm2exe(&[
        path.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "byte offset 0xa");
}

#[test]
fn garbage_input_is_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.wasm");
    std::fs::write(
        &path,
        [0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0xff, 0xfe],
    )
    .unwrap();
    let out = wasm2exe(&[path.to_str().unwrap()]);
    assert_one_line_error(&out, "not a WebAssembly module");
}

#[test]
fn invalid_module_reports_validator_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invalid.wat");
    std::fs::write(&path, "(module (func (result i32) (i64.const 1)))").unwrap();
    let out = wasm2exe(&[
        path.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "type mismatch");
}

#[test]
fn missing_input_names_the_file() {
    let out = wasm2exe(&["/nonexistent/app.wasm"]);
    assert_one_line_error(&out, "/nonexistent/app.wasm");
}

#[test]
fn threads_and_exceptions_are_refused_by_proposal_name() {
    let dir = tempfile::tempdir().unwrap();
    for (source, proposal) in [
        (
            "(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))",
            "threads",
        ),
        (
            "(module (tag $e) (func $thrower (throw $e)))",
            "exception handling",
        ),
    ] {
        let path = dir.path().join("proposal.wat");
        std::fs::write(&path, source).unwrap();
        let out = wasm2exe(&[
            path.to_str().unwrap(),
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ]);
        assert_one_line_error(&out, proposal);
    }
}

#[test]
fn help_shows_examples_and_version_prints() {
    let help = wasm2exe(&["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
    let version = wasm2exe(&["--version"]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("wasm2exe "));
}
