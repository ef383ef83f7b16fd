//! riscv64's baseline is RV64GC without V: a module using SIMD is built with LLVM for it and
//! runs on a CPU without V (qemu's sifive-u54, most RV64GC boards). The V level
//! (`--cpu rva23`) keeps Cranelift's V code; that executable checks for V at start-up: without
//! it, it says so in one line and exits 70 instead of dying on SIGILL. A module without SIMD
//! runs everywhere (the baseline's SIMD build is tested in
//! targets.rs). Needs zig and qemu-riscv64 (`.ci/setup`); a missing tool fails the test.

mod common;

use std::path::Path;
use std::process::Command;

const TARGET: &str = "riscv64gc-unknown-linux-musl";
/// The cell's own CPU model (targets.toml): RVA23-like, with V.
const WITH_V: &[&str] = &["-cpu", "rv64,v=true,vlen=128,vext_spec=v1.0"];
const WITHOUT_V: &[&str] = &["-cpu", "sifive-u54"];

fn build(dir: &Path, name: &str, wat: &str, extra: &[&str]) -> std::path::PathBuf {
    common::build_wat(dir, name, wat, &[&["--target", TARGET], extra].concat())
}

fn qemu(cpu: &[&str], exe: &Path) -> (Option<i32>, String) {
    let out = Command::new("qemu-riscv64")
        .args(cpu)
        .arg(exe)
        .output()
        .expect("qemu-riscv64 (apt-get install qemu-user)");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SIMD: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start")
    (call $exit (i32x4.extract_lane 2
      (i32x4.add (i32x4.splat (i32.const 20)) (i32x4.splat (i32.const 22)))))))"#;

#[test]
fn simd_executable_for_the_v_level_without_v_says_so_in_one_line_and_exits_70() {
    let dir = tempfile::tempdir().unwrap();
    let simd = build(dir.path(), "simd", SIMD, &["--cpu", "rva23"]);
    assert_eq!(qemu(WITH_V, &simd).0, Some(42), "runs where V exists");
    let (code, err) = qemu(WITHOUT_V, &simd);
    assert_eq!(code, Some(70), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("vector version"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("RISC-V vector extension (V)"), "{err}");

    let scalar = build(
        dir.path(),
        "scalar",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (func (export "_start") (call $exit (i32.add (i32.const 20) (i32.const 22)))))"#,
        &["--cpu", "rva23"],
    );
    assert_eq!(qemu(WITHOUT_V, &scalar).0, Some(42), "no SIMD, no V needed");
}
