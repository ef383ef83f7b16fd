//! End-to-end behaviour of the `wasm2exe` binary: what a user sees on success and on every
//! kind of bad input, and how the executables it makes end.

mod common;

use common::{example, fixture, stderr, wasm2exe, wasm2exe_ok};
use std::path::PathBuf;
use std::process::{Command, Output};

/// Compiles `input` into a temporary directory and returns the executable's path.
fn build(input: &str, dir: &tempfile::TempDir) -> PathBuf {
    let exe = dir.path().join("program");
    wasm2exe_ok(&[input, "-o", exe.to_str().unwrap()]);
    exe
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
fn thread_spawning_and_unsupported_proposals_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    for (source, proposal) in [
        (
            r#"(module (import "wasi" "thread-spawn" (func (param i32) (result i32)))
                (memory 1 1 shared) (func (export "_start")))"#,
            "spawns threads",
        ),
        (
            "(module (memory i64 1) (func (export \"_start\")))",
            "memory64",
        ),
        (
            "(module (memory 1) (memory 1) (func (export \"_start\")))",
            "multi-memory",
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
fn exceptions_are_caught_across_functions_and_uncaught_ones_trap() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(build(&fixture("exceptions.wat"), &dir))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: uncaught exception"),
        "{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(134),
        "caught one first (else exit 1): {err}"
    );
}

fn build_with(input: &str, flags: &[&str], dir: &tempfile::TempDir) -> PathBuf {
    let exe = dir.path().join("program");
    let mut args = vec![input, "-o", exe.to_str().unwrap()];
    args.extend_from_slice(flags);
    let out = wasm2exe(&args);
    assert!(out.status.success(), "wasm2exe failed: {}", stderr(&out));
    exe
}

#[test]
fn reactor_runs_initialize_then_entry_whose_result_is_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--entry", "run", "--stub-imports", "zero"];
    let exe = build_with(&fixture("reactor_with_foreign_import.wat"), &flags, &dir);
    let out = Command::new(exe).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ready\n");
    assert_eq!(
        out.status.code(),
        Some(7),
        "_initialize set 7, the zero stub added 0"
    );
}

#[test]
fn trap_stub_names_the_import_when_called() {
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--entry", "run", "--stub-imports", "trap"];
    let exe = build_with(&fixture("reactor_with_foreign_import.wat"), &flags, &dir);
    let out = Command::new(exe).output().unwrap();
    let err = stderr(&out);
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: call to a stubbed import"),
        "{err}"
    );
    assert_eq!(err.lines().nth(1), Some("  at env.get_answer"), "{err}");
    assert_eq!(out.status.code(), Some(134));
}

#[test]
fn atomics_on_a_single_threaded_shared_memory_compile_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atomics.wat");
    std::fs::write(
        &path,
        r#"(module (memory 1 1 shared)
            (func (export "_start")
              (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 5)))
              (if (i32.ne (i32.atomic.load (i32.const 8)) (i32.const 5)) (then unreachable))))"#,
    )
    .unwrap();
    let out = Command::new(build(path.to_str().unwrap(), &dir))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn foreign_import_without_policy_lists_imports_and_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.wat");
    std::fs::write(
        &path,
        r#"(module (import "env" "get_answer" (func (result i32)))
            (import "env" "log" (func (param i32))) (func (export "_start")))"#,
    )
    .unwrap();
    let out = wasm2exe(&[
        path.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "env.get_answer, env.log");
    assert_one_line_error(&out, "--stub-imports trap");
}

#[test]
fn reactor_without_entry_lists_exports_and_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reactor.wat");
    std::fs::write(
        &path,
        r#"(module (func (export "_initialize")) (func (export "run") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let out = wasm2exe(&[
        path.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "--entry NAME");
    assert_one_line_error(&out, "_initialize, run");
}

#[test]
fn entry_must_name_an_exported_function_without_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reactor.wat");
    std::fs::write(
        &path,
        r#"(module (func (export "add") (param i32) (result i32) (local.get 0)))"#,
    )
    .unwrap();
    let exe = dir.path().join("x");
    let missing = wasm2exe(&[
        path.to_str().unwrap(),
        "--entry",
        "run",
        "-o",
        exe.to_str().unwrap(),
    ]);
    assert_one_line_error(
        &missing,
        "exports no function of that name; exported functions: add",
    );
    let with_params = wasm2exe(&[
        path.to_str().unwrap(),
        "--entry",
        "add",
        "-o",
        exe.to_str().unwrap(),
    ]);
    assert_one_line_error(&with_params, "takes 1 parameters");
}

#[test]
fn help_shows_examples_and_version_prints() {
    let help = wasm2exe(&["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Examples:"));
    let version = wasm2exe(&["--version"]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("wasm2exe "));
}

/// Builds hello with `--cpu LEVEL` and runs it here.
fn run_hello_for_cpu(level: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("hello");
    let out = wasm2exe(&[
        &example("hello.wat"),
        "--cpu",
        level,
        "-o",
        exe.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "wasm2exe failed: {}", stderr(&out));
    Command::new(exe).output().unwrap()
}

#[test]
fn cpu_native_executable_runs_on_the_machine_that_built_it() {
    let out = run_hello_for_cpu("native");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello from wasm2exe, world!\n"
    );
}

#[cfg(target_arch = "x86_64")]
#[test]
fn cpu_level_this_machine_lacks_refuses_to_start_naming_the_feature() {
    use std::arch::is_x86_feature_detected as has;
    let has_v4 = has!("avx512f") && has!("avx512vl") && has!("avx512dq");
    let out = run_hello_for_cpu("x86-64-v4");
    if !has_v4 {
        assert_eq!(out.status.code(), Some(70), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        let message = stderr(&out);
        assert!(
            message.starts_with("wasm2exe: cannot start: the program was built for newer CPUs")
                && message.contains("avx512")
                && message
                    .trim_end()
                    .ends_with("rebuild it with --cpu baseline"),
            "{message}"
        );
    } else {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}
