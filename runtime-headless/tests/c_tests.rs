//! Runs the runtime's own C test suite (`tests/run.sh`): instantiation, traps, memory and
//! tables on hand-built descriptors, the process entry, the WASI calls under random arguments
//! (plain and with AddressSanitizer/UBSan), capability records, and the comparison of raw WASI
//! calls with wasmtime. It needs a C compiler, and for the comparison zig and the wasmtime
//! Python bindings (`pip install ziglang wasmtime`). The Windows trap test runs under wine.

use std::process::Command;

#[test]
fn runtime_c_test_suite_passes() {
    let out = Command::new("sh")
        .arg("tests/run.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run sh tests/run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/run.sh failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("0 failed") || stderr.contains("0 failed"),
        "{stdout}\n{stderr}"
    );
}

/// `tests/test_windows.sh`: on x86_64 Windows (under wine), a trap returns to w2e_call's caller
/// with every callee-saved register (XMM6-15 included) as it was, traps repeat, and none leaves
/// a stale w2e_call behind. Needs zig and wine (`.ci/setup`).
#[test]
fn windows_traps_keep_callee_saved_registers_under_wine() {
    let prefix = std::env::var_os("WINEPREFIX")
        .unwrap_or_else(|| format!("{}/wineprefix", env!("CARGO_TARGET_TMPDIR")).into());
    let out = Command::new("sh")
        .arg("tests/test_windows.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WINEPREFIX", prefix)
        .output()
        .expect("run sh tests/test_windows.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("6 passed, 0 failed"),
        "tests/test_windows.sh failed:\n{stdout}\n{stderr}"
    );
}
