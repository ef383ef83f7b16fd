//! Thrown exceptions are freed once caught: a loop of ten million throws runs in 100 MB of data
//! (RLIMIT_DATA), where the 32 bytes each leaked before would need 320 MB and more. An
//! exception wasm keeps as an exnref (catch_ref) is never freed: that variant runs out of the
//! same limit, which shows the limit catches a leak. `W2E_TEST_BACKEND=llvm` runs it through
//! the LLVM backend.

mod common;

use std::path::Path;
use std::process::Command;

fn build(dir: &Path, name: &str, wat: &str) -> std::path::PathBuf {
    // `W2E_TEST_BACKEND=llvm` builds through the LLVM backend, as the other program tests.
    let backend = std::env::var("W2E_TEST_BACKEND").unwrap_or_else(|_| "cranelift".into());
    common::build_wat(dir, name, wat, &["--backend", &backend])
}

/// Runs `exe` with at most 100 MB of data segment (malloc's heap and anonymous mappings).
fn run_limited(exe: &Path) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -d 100000 && exec \"$0\"")
        .arg(exe)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Ten million throws of a one-i64 exception (32 bytes each), caught by `CATCH`.
fn program(catch: &str) -> String {
    format!(
        r#"(module
  (tag $e (param i64))
  (func $thrower (param i64) (throw $e (local.get 0)))
  (func (export "_start") (local $i i32)
    (loop $again
      {catch}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 10000000))))))"#
    )
}

#[test]
fn caught_exceptions_are_freed() {
    let dir = tempfile::tempdir().unwrap();
    let try_table = program(
        "(block $h (result i64) (try_table (catch $e $h) (call $thrower (i64.const 7))) (i64.const 0)) drop",
    );
    let legacy = program("try i64.const 7 call $thrower catch $e drop end");
    let catch_all = program("(block $h (try_table (catch_all $h) (call $thrower (i64.const 7))))");
    for (name, wat) in [
        ("try_table", try_table),
        ("legacy", legacy),
        ("catch_all", catch_all),
    ] {
        let (code, err) = run_limited(&build(dir.path(), name, &wat));
        assert_eq!(code, Some(0), "{name}: {err}");
    }
}

#[test]
fn the_limit_catches_a_leak() {
    let dir = tempfile::tempdir().unwrap();
    let kept = program(
        "(block $h (result i64 exnref) (try_table (catch_ref $e $h) (call $thrower (i64.const 7))) (i64.const 0) (ref.null exn)) drop drop",
    );
    let (code, err) = run_limited(&build(dir.path(), "kept", &kept));
    assert_eq!(code, Some(70), "{err}");
    assert!(err.contains("out of memory while throwing"), "{err}");
}
