//! `--max-memory` and `--stack-size` (recorded in the executable, enforced by its runtime), the
//! folded backtrace of deep recursion, and the one-line refusal of a WebAssembly component.

mod common;

use common::{build_wat, wasm2exe};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `wat` with `flags` in `dir`; returns the executable.
fn build(dir: &Path, wat: &str, flags: &[&str]) -> PathBuf {
    let name = format!("program{}", flags.join("").replace(['-', ' '], ""));
    build_wat(dir, &name, wat, flags)
}

fn run(exe: &Path) -> (Option<i32>, String) {
    let out = Command::new(exe).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Grows memory a page at a time until memory.grow fails; exits with the final page count.
const GROW: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1 100)
  (func (export "_start")
    (loop $again (br_if $again (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (call $exit (memory.size))))"#;

#[test]
fn max_memory_makes_memory_grow_fail_beyond_it() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&build(dir.path(), GROW, &[])).0,
        Some(100),
        "the module's own maximum"
    );
    let limited = build(dir.path(), GROW, &["--max-memory", "256K"]);
    assert_eq!(run(&limited).0, Some(4), "256 KiB is 4 pages");
    let limited = build(dir.path(), GROW, &["--max-memory=1M"]);
    assert_eq!(run(&limited).0, Some(16));
}

#[test]
fn max_memory_below_the_initial_memory_is_one_line_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module (memory 8) (func (export "_start")))"#;
    let (code, err) = run(&build(dir.path(), wat, &["--max-memory", "64K"]));
    assert_eq!(code, Some(70), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--max-memory"), "{err}");
}

/// Recurses to the depth in its first global (frames of a few dozen bytes), then returns.
const DEEP: &str = r#"(module
  (func $down (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "_start") (drop (call $down (i32.const 1000000)))))"#;

#[test]
fn stack_size_sets_how_deep_wasm_may_recurse_and_exhaustion_still_traps_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = run(&build(dir.path(), DEEP, &[]));
    assert_eq!(
        code,
        Some(134),
        "a million frames do not fit in the default stack: {err}"
    );
    let (code, err) = run(&build(dir.path(), DEEP, &["--stack-size", "64M"]));
    assert_eq!(code, Some(0), "they fit in 64 MiB: {err}");
    let (code, err) = run(&build(dir.path(), DEEP, &["--stack-size", "128K"]));
    assert_eq!(code, Some(134), "{err}");
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: call stack exhausted"),
        "{err}"
    );
}

#[test]
fn stack_size_and_max_memory_reject_bad_sizes_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.wat");
    std::fs::write(&input, GROW).unwrap();
    for args in [
        ["--max-memory", "12Q"],
        ["--max-memory", "5G"],
        ["--stack-size", "1K"],
        ["--stack-size", "lots"],
    ] {
        let out = wasm2exe(&[input.to_str().unwrap(), args[0], args[1]]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(args[0]), "{err}");
    }
}

#[test]
fn help_shows_both_limits_with_their_defaults() {
    let help = String::from_utf8_lossy(&wasm2exe(&["--help"]).stdout).into_owned();
    assert!(help.contains("--max-memory <SIZE>"), "{help}");
    assert!(help.contains("--stack-size <SIZE>"), "{help}");
    assert!(help.contains("Default: the module's own maximum"), "{help}");
    assert!(
        help.contains("Default: the OS's main-thread stack"),
        "{help}"
    );
}

#[test]
fn stack_exhaustion_backtrace_folds_repeated_frames_into_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module
      (func $descend (param i32) (result i32) (i32.add (call $descend (local.get 0)) (i32.const 1)))
      (func $start (export "_start") (drop (call $descend (i32.const 1)))))"#;
    let (code, err) = run(&build(dir.path(), wat, &[]));
    assert_eq!(code, Some(134));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "wasm trap: call stack exhausted",
            "  at descend (64 frames)",
            "  ... (older frames not shown)"
        ],
        "{err}"
    );
}

#[test]
fn a_component_gets_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("c.wat", b"(component)".to_vec()),
        ("c.wasm", b"\0asm\x0d\0\x01\0".to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = wasm2exe(&[
            path.to_str().unwrap(),
            "-o",
            dir.path().join("c").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("is a WebAssembly component"), "{err}");
        assert!(err.contains("wasm2exe compiles core modules"), "{err}");
    }
}
