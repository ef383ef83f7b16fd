//! The harness on other targets: the self-test fixture, built with zig for a cell of
//! targets.toml and run under that cell's runner (qemu, wine), must fail exactly the marked
//! assertions, as on the host (one assertion spins until the time limit). This needs zig,
//! qemu-user and wine (`.ci/setup`).

use std::process::Command;

fn selftest_on(target: &str) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let out = Command::new(env!("CARGO_BIN_EXE_spectest"))
        .args(["--target", target, "--timeout", "10", "--known-failures"])
        .arg(format!("{dir}/selftest.known"))
        .arg(format!("{dir}/selftest.wast"))
        .output()
        .expect("running spectest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "spectest --target {target} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.trim_end().ends_with("spec total: 18/39 assertions"),
        "{target}: {stdout}"
    );
}

#[test]
fn selftest_passes_on_aarch64_under_qemu() {
    selftest_on("aarch64-unknown-linux-musl");
}

#[test]
fn selftest_passes_on_riscv64_under_qemu() {
    selftest_on("riscv64gc-unknown-linux-musl");
}

#[test]
fn selftest_passes_on_s390x_under_qemu() {
    selftest_on("s390x-unknown-linux-musl");
}

#[test]
fn selftest_passes_on_windows_under_wine() {
    selftest_on("x86_64-pc-windows-gnu");
}
