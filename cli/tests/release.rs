//! What release pipelines rely on: the compile cache (reuse across grants, corruption,
//! concurrent builds), `inspect` on files that are not ours, and retargeting an executable
//! built with `--embed-module` to aarch64, run under qemu with the same grants.
//!
//! Each test gets its own compile cache (`WASM2EXE_CACHE_DIR`); the runtime archives and zig's
//! caches stay the user's, so nothing is built twice. The manifest of every cell is checked by
//! `targets.rs` (its `--target all` build).

mod common;

use common::{example, fixture};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasm2exe_targets::{Runner, matrix};

fn hello() -> String {
    example("hello.wat")
}

/// A scratch directory with its own compile cache.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cache_dir(&self) -> PathBuf {
        self.path("code-cache")
    }

    fn wasm2exe(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
            .args(args)
            .env("WASM2EXE_CACHE_DIR", self.cache_dir())
            .current_dir(self.dir.path())
            .output()
            .expect("run wasm2exe")
    }

    /// Builds `args` with a JSON report; returns the report's `cache` field.
    fn build(&self, args: &[&str]) -> String {
        let out = self.wasm2exe(&[args, &["--message-format", "json"]].concat());
        assert!(out.status.success(), "{out:?}");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{out:?}: {e}"));
        report["cache"].as_str().unwrap().to_string()
    }

    fn entries(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.cache_dir()) {
            Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn run(exe: &Path) -> Output {
    Command::new(exe).output().expect("run the executable")
}

#[test]
fn a_rebuild_with_other_grants_or_output_reuses_the_cached_machine_code() {
    let s = Scratch::new();
    assert_eq!(s.build(&[&hello(), "-o", "a", "--dir", ".::/a"]), "miss");
    assert_eq!(s.entries().len(), 1);
    assert_eq!(
        s.build(&[&hello(), "-o", "b", "--dir", "/tmp::/b", "--env", "K=v"]),
        "hit"
    );
    // Another CPU level is other machine code: a second entry.
    assert_eq!(
        s.build(&[&hello(), "-o", "c", "--cpu", "x86-64-v3"]),
        "miss"
    );
    assert_eq!(s.entries().len(), 2);
    assert_eq!(s.build(&[&hello(), "-o", "d", "--no-cache"]), "off");
    for exe in ["a", "b", "d"] {
        let out = run(&s.path(exe));
        assert_eq!(out.stdout, b"Hello from wasm2exe, world!\n", "{exe}");
    }
    let out = s.wasm2exe(&["cache", "info"]);
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.contains("entries: 2"), "{info}");
    let out = s.wasm2exe(&["cache", "clean"]);
    assert!(out.status.success(), "{out:?}");
    assert!(s.entries().is_empty());
}

#[test]
fn a_damaged_cache_entry_is_rebuilt_never_linked() {
    let s = Scratch::new();
    assert_eq!(s.build(&[&hello(), "-o", "a"]), "miss");
    let entry = s.entries().pop().unwrap();
    let intact = std::fs::read(&entry).unwrap();
    // A flipped byte in the middle of the machine code, then a truncated entry.
    let mut flipped = intact.clone();
    flipped[intact.len() / 2 + 20] ^= 0x55;
    for damaged in [flipped, intact[..intact.len() / 2].to_vec()] {
        std::fs::write(&entry, &damaged).unwrap();
        assert_eq!(s.build(&[&hello(), "-o", "b"]), "miss");
        assert_eq!(std::fs::read(&entry).unwrap(), intact, "stored again");
        let out = run(&s.path("b"));
        assert_eq!(out.stdout, b"Hello from wasm2exe, world!\n");
    }
}

#[test]
fn concurrent_builds_share_the_cache_safely() {
    let s = Scratch::new();
    let exceptions = fixture("exceptions.wat");
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
                .args([&exceptions, "-o", &format!("e{i}")])
                .env("WASM2EXE_CACHE_DIR", s.cache_dir())
                .current_dir(s.dir.path())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    // One intact entry, no temporary file left behind, and it is used.
    assert_eq!(s.entries().len(), 1, "{:?}", s.entries());
    assert_eq!(s.build(&[&exceptions, "-o", "e4"]), "hit");
    let expected = run(&s.path("e0"));
    for i in 1..5 {
        let out = run(&s.path(&format!("e{i}")));
        assert_eq!(
            (out.status.code(), &out.stdout),
            (expected.status.code(), &expected.stdout)
        );
    }
}

#[test]
fn inspect_says_in_one_line_when_a_file_is_not_ours() {
    let s = Scratch::new();
    let this_test = std::env::current_exe().unwrap();
    for file in [this_test.to_str().unwrap(), &hello()] {
        let out = s.wasm2exe(&["inspect", file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("is not a wasm2exe executable"), "{stderr}");
    }
}

#[test]
fn an_executable_without_its_module_says_how_to_rebuild() {
    let s = Scratch::new();
    s.build(&[&hello(), "-o", "plain", "--dir", "/tmp::/t", "--env", "K=v"]);
    let out = s.wasm2exe(&[
        "retarget",
        "plain",
        "--target",
        "aarch64-unknown-linux-musl",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("built without --embed-module"), "{stderr}");
    assert!(stderr.contains("--dir /tmp::/t --env K=..."), "{stderr}");
}

/// The seeds' promise: an x86_64 Linux executable, alone, becomes an aarch64 one that does the
/// same with the same grants (a directory and a bundle), under qemu-aarch64.
#[test]
fn an_embedded_module_is_retargeted_to_aarch64_with_the_same_grants() {
    let s = Scratch::new();
    let data = s.path("data");
    let bundle = s.path("bundle");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(data.join("f.txt"), "from the granted directory\n").unwrap();
    std::fs::write(bundle.join("b.txt"), "from the bundle\n").unwrap();
    let dir_grant = format!("{}::/data", data.display());
    let bundle_grant = format!("{}::/bundle", bundle.display());
    s.build(&[
        &fixture("cat_grants.wat"),
        "-o",
        "app",
        "--dir",
        &dir_grant,
        "--bundle",
        &bundle_grant,
        "--embed-module",
    ]);
    let expected = "from the granted directory\nfrom the bundle\n";
    let native = run(&s.path("app"));
    assert_eq!(String::from_utf8_lossy(&native.stdout), expected);

    // Only the executable is left: the bundle's source is gone.
    std::fs::remove_dir_all(&bundle).unwrap();
    let triple = "aarch64-unknown-linux-musl";
    let out = s.wasm2exe(&["retarget", "app", "--target", triple]);
    assert!(out.status.success(), "{out:?}");
    let retargeted = s.path(&format!("app-{triple}"));
    let target = matrix::find(triple).unwrap();
    let runner = Runner::for_target(target).unwrap();
    runner
        .availability(target)
        .expect("qemu-aarch64 (.ci/setup)");
    let out = runner
        .command(&retargeted, &s.path("wine"))
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{out:?}");

    let inspect = |exe: &Path| -> serde_json::Value {
        let out = s.wasm2exe(&["inspect", "--json", exe.to_str().unwrap()]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (before, after) = (inspect(&s.path("app")), inspect(&retargeted));
    assert_eq!(after["target"], triple);
    for field in [
        "grants",
        "bundles",
        "bundles_sha256",
        "module_sha256",
        "cpu",
    ] {
        assert_eq!(before[field], after[field], "{field}");
    }
    assert_eq!(after["module_embedded"], true);
}
