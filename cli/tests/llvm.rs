//! `--backend llvm` end to end: an executable that runs, traps with the usual message, exit
//! code and wasm backtrace, byte-reproducible builds, exceptions, and the refusals (by name) of
//! what the backend does not compile. Needs zig, like the backend.

mod common;

use common::{example, try_build_wat, wasm2exe};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the text module `wat` with the LLVM backend; `Err` is wasm2exe's stderr.
fn build_wat(wat: &str, dir: &Path, name: &str) -> Result<PathBuf, String> {
    try_build_wat(dir, name, wat, &["--backend", "llvm"])
}

#[test]
fn hello_runs_and_builds_are_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let mut hashes = Vec::new();
    for name in ["a", "b"] {
        let exe = dir.path().join(name);
        let out = wasm2exe(&[
            &example("hello.wat"),
            "-o",
            exe.to_str().unwrap(),
            "--backend",
            "llvm",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run = Command::new(&exe).output().unwrap();
        assert_eq!(run.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "Hello from wasm2exe, world!\n"
        );
        hashes.push(std::fs::read(&exe).unwrap());
    }
    assert!(hashes[0] == hashes[1], "two builds of hello differ");
}

#[test]
fn traps_name_the_kind_and_the_wasm_functions() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (memory 1)
      (func $divide (param i32) (result i32) (i32.div_s (i32.const 7) (local.get 0)))
      (type $t (func (param i32) (result i32)))
      (table funcref (elem $divide))
      ;; Through the table, so that LLVM cannot inline it (inlined frames do not show).
      (func $outer (param i32) (result i32)
        (call_indirect (type $t) (local.get 0) (i32.const 0)) (i32.const 1) (i32.add))
      (func (export "_start") (drop (call $outer (i32.const 0)))))"#;
    let exe = build_wat(wat, dir.path(), "div").unwrap();
    let run = Command::new(&exe).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(134), "{stderr}");
    assert!(
        stderr.starts_with("wasm trap: integer divide by zero\n"),
        "{stderr}"
    );
    assert!(stderr.contains("at divide"), "{stderr}");
}

#[test]
fn out_of_bounds_and_stack_exhaustion_trap_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let oob = r#"(module (memory 1)
      (func (export "_start") (drop (i32.load (i32.const 65536)))))"#;
    let exe = build_wat(oob, dir.path(), "oob").unwrap();
    let run = Command::new(&exe).output().unwrap();
    assert_eq!(run.status.code(), Some(134));
    assert!(
        String::from_utf8_lossy(&run.stderr).starts_with("wasm trap: out of bounds memory access")
    );

    let deep = r#"(module
      (func $down (param i32) (result i32) (i32.add (call $down (local.get 0)) (i32.const 1)))
      (func (export "_start") (drop (call $down (i32.const 0)))))"#;
    let exe = build_wat(deep, dir.path(), "deep").unwrap();
    let run = Command::new(&exe).output().unwrap();
    assert_eq!(run.status.code(), Some(134));
    assert!(String::from_utf8_lossy(&run.stderr).starts_with("wasm trap: call stack exhausted"));
}

/// Runs `exe` and returns (exit code, stdout, stderr).
fn run(exe: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(exe).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A module whose `_start` runs `BODY`; `$thrower` throws `$e` with its argument, three frames
/// down (through `call_indirect` and a `return_call`), and `$print` writes an i32 as a byte.
fn exception_module(body: &str) -> String {
    format!(
        r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory 1)
      (tag $e (param i32))
      (type $t (func (param i32)))
      (table funcref (elem $thrower))
      (global $kept (mut exnref) (ref.null exn))
      (func $thrower (param i32) (throw $e (local.get 0)))
      (func $tail (param i32) (return_call_indirect (type $t) (local.get 0) (i32.const 0)))
      (func $middle (param i32) (call $tail (local.get 0)) (call $print (i32.const 88)))
      (func $print (param i32)
        (i32.store8 (i32.const 100) (local.get 0))
        (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
      (func (export "_start") {body}))"#
    )
}

#[test]
fn exceptions_cross_frames_and_uncaught_ones_trap() {
    let dir = tempfile::tempdir().unwrap();
    // Caught by try_table three frames up, then by a legacy try, then kept as an exnref in a
    // global and rethrown from there into a catch_all.
    let caught = exception_module(
        r#"(call $print (block $h (result i32)
            (try_table (catch $e $h) (call $middle (i32.const 65))) (i32.const 0)))
          try (call $middle (i32.const 66)) catch $e (call $print) end
          (global.set $kept (block $h (result exnref)
            (try_table (catch_all_ref $h) (call $middle (i32.const 67))) (ref.null exn)))
          (block $h (try_table (catch_all $h) (throw_ref (global.get $kept))))
          (call $print (i32.const 10))"#,
    );
    let exe = build_wat(&caught, dir.path(), "caught").unwrap();
    assert_eq!(run(&exe), (Some(0), "AB\n".into(), String::new()));

    let uncaught = exception_module("(call $middle (i32.const 65)) (call $print (i32.const 89))");
    let exe = build_wat(&uncaught, dir.path(), "uncaught").unwrap();
    let (code, stdout, stderr) = run(&exe);
    assert_eq!((code, stdout.as_str()), (Some(134), ""), "{stderr}");
    assert!(
        stderr.starts_with("wasm trap: uncaught exception\n"),
        "{stderr}"
    );

    let null = exception_module("(throw_ref (ref.null exn))");
    let exe = build_wat(&null, dir.path(), "null").unwrap();
    let (code, _, stderr) = run(&exe);
    assert_eq!(code, Some(134), "{stderr}");
    assert!(
        stderr.starts_with("wasm trap: null exception reference\n"),
        "{stderr}"
    );
}

#[test]
fn emit_obj_is_refused() {
    let out = wasm2exe(&[&example("hello.wat"), "--emit", "obj", "--backend", "llvm"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--backend cranelift for --emit obj"));
}

/// On riscv64 (no `tailcc` in LLVM) tail calls go through uniform tail entries: direct, indirect
/// and to an import, between functions of different types (a v128, a float and nine integer
/// arguments: some on the stack in the ordinary convention), 3 million deep (a growing stack
/// would need far more than its 8 MiB). Run under qemu-riscv64.
#[test]
fn riscv64_tail_calls_of_any_type_keep_the_stack_flat() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
      (type $odd_t (func (param i32 f64 v128 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i64)))
      (table funcref (elem $odd))
      (func $even (param $n i64) (param $x i32) (param i32 i32 i32 i32 i32 i32 i32 i32)
        (result i64)
        (if (result i64) (i64.eqz (local.get $n)) (then (i64.const 44))
          (else (return_call_indirect (type $odd_t)
            (i32.wrap_i64 (i64.sub (local.get $n) (i64.const 1)))
            (f64.convert_i32_s (local.get $x)) (v128.const i32x4 1 2 3 4)
            (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
            (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9)
            (i32.const 0)))))
      (func $odd (type $odd_t)
        (if (result i64) (i32.eqz (local.get 0))
          (then (i64.add (i64.const 99)
            (i64.add (i64.trunc_f64_s (local.get 1))
              (i64.extend_i32_u (i32x4.extract_lane 3 (local.get 2))))))
          (else (return_call $even (i64.extend_i32_u (i32.sub (local.get 0) (i32.const 1)))
            (local.get 11) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
            (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))
      (func $finish (param i64) (return_call $proc_exit (i32.wrap_i64 (local.get 0))))
      (func (export "_start")
        (call $finish (call $even (i64.const 3000001) (i32.const 3)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))"#;
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--backend",
        "llvm",
        "--target",
        "riscv64gc-unknown-linux-musl",
    ];
    let exe = try_build_wat(dir.path(), "tail", wat, &flags).unwrap();
    let run = Command::new("qemu-riscv64").arg(&exe).output().unwrap();
    // 99 + 9 (the f64 made from $x: the ninth integer argument passed back) + 4 (lane 3).
    assert_eq!(
        run.status.code(),
        Some(112),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
