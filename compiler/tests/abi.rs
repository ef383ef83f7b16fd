//! The ABI cannot drift between the compiler and the C runtime without a test failing.
//!
//! `compiler/src/abi/` declares every struct, enum and builtin once. These tests check that
//! `runtime-headless/include/w2e_abi.h` is exactly what those declarations render, and that C
//! compilers see the same layouts: the native one for 64-bit targets and zig for 32-bit ones
//! (x86 and ARM) and for x86_64 Windows (whose builtins take `sysv_abi`). The probe
//! (`abi::header::c_probe`) static-asserts every `offsetof`, `sizeof` and `_Alignof`, every enum
//! value, and assigns every builtin to a pointer of the declared prototype under `-Werror`.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasm2exe_compiler::abi::PtrWidth;
use wasm2exe_compiler::abi::header::{c_header, c_probe};

fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime-headless/include")
}

#[test]
fn header_is_rendered_from_the_compiler_declarations() {
    let path = include_dir().join("w2e_abi.h");
    let expected = c_header();
    if std::env::var("W2E_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("write w2e_abi.h");
    }
    let actual = std::fs::read_to_string(&path).expect("read w2e_abi.h");
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .map_or(actual.lines().count().min(expected.lines().count()), |i| i);
        panic!(
            "{} differs from what compiler/src/abi declares (first at line {}):\n  file:     {:?}\n  declared: {:?}\n\
             Change the declaration in compiler/src/abi, then rewrite the header with\n  \
             W2E_BLESS=1 cargo test -p wasm2exe-compiler --test abi",
            path.display(),
            line + 1,
            actual.lines().nth(line).unwrap_or(""),
            expected.lines().nth(line).unwrap_or(""),
        );
    }
}

/// Compiles the probe for `width` with `compiler` (and its target arguments).
fn compile_probe(width: PtrWidth, compiler: &[&str], what: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let probe = dir.path().join("probe.c");
    std::fs::write(&probe, c_probe(width)).expect("write probe");
    let output = Command::new(compiler[0])
        .args(&compiler[1..])
        .args(["-std=c11", "-c", "-Werror", "-Wall", "-I"])
        .arg(include_dir())
        .arg(&probe)
        .arg("-o")
        .arg(dir.path().join("probe.o"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} for {what}: {e}", compiler[0]));
    assert!(
        output.status.success(),
        "the C compiler ({what}) disagrees with compiler/src/abi:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn native_c_compiler_agrees_on_64_bit_layouts_enums_and_prototypes() {
    compile_probe(PtrWidth::P64, &["cc"], "native cc, 64-bit");
}

#[test]
fn zig_agrees_on_32_bit_layouts_enums_and_prototypes() {
    for target in ["x86-linux-musl", "arm-linux-musleabihf"] {
        let compiler = ["python3", "-m", "ziglang", "cc", "-target", target];
        compile_probe(PtrWidth::P32, &compiler, target);
    }
}

#[test]
fn zig_agrees_on_windows_and_big_endian_64_bit_targets() {
    for target in ["x86_64-windows-gnu", "s390x-linux-musl"] {
        let compiler = ["python3", "-m", "ziglang", "cc", "-target", target];
        compile_probe(PtrWidth::P64, &compiler, target);
    }
}

#[test]
fn a_probe_for_the_wrong_width_fails() {
    // The probe is a real check: the 32-bit layouts do not hold for a 64-bit compiler.
    let dir = tempfile::tempdir().expect("temp dir");
    let probe = dir.path().join("probe.c");
    std::fs::write(&probe, c_probe(PtrWidth::P32)).expect("write probe");
    let status = Command::new("cc")
        .args(["-std=c11", "-fsyntax-only", "-I"])
        .arg(include_dir())
        .arg(&probe)
        .output()
        .expect("run cc")
        .status;
    assert!(!status.success());
}
