//! Runs the runtime's own C test suite (`tests/run.sh`): instantiation, traps, memory and
//! tables on hand-built descriptors, the process entry, the WASI calls under random arguments
//! (plain and with AddressSanitizer/UBSan), capability records, and the comparison of raw WASI
//! calls with wasmtime. It needs a C compiler, and for the comparison zig and the wasmtime
//! Python bindings (`pip install ziglang wasmtime`).

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
