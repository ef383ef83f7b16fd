//! Bundles (`--bundle HOST_DIR::GUEST_DIR`): a directory embedded in the executable and served
//! read-only. The program `tests/fixtures/bundle_probe.c` reads a tree as a bundle, from an
//! executable moved alone to an empty directory after the tree was deleted, and must print
//! what it prints under wasmtime with the tree granted by `--dir`; its attempts to write must
//! fail with the read-only errnos.
//!
//! `W2E_TEST_TARGET=TRIPLE` builds and runs the executables for another cell (under qemu or
//! wine), as for the WASI tests.
//!
//! Needs zig and wasmtime for python3 (`pip install ziglang wasmtime`), as the WASI tests.

#[path = "wasi_support/cell.rs"]
#[allow(dead_code)] // shared with the WASI tests, which use all of it
mod cell;

use cell::cell;

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INSTALL_HINT: &str =
    "the bundle tests need zig and wasmtime for python3: pip install ziglang wasmtime";

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `tests/fixtures/bundle_probe.c` compiled with zig, cached by the source's content.
fn probe_wasm() -> PathBuf {
    let source = manifest_path("tests/fixtures/bundle_probe.c");
    let text = fs::read(&source).unwrap();
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bundle-wasm");
    fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join(format!("bundle_probe-{:016x}.wasm", hasher.finish()));
    if !wasm.exists() {
        let partial = wasm.with_extension(format!("partial{}", std::process::id()));
        let out = Command::new("python3")
            .args(["-m", "ziglang", "cc", "--target=wasm32-wasi", "-O2", "-s"])
            .args(["-Wall", "-Werror"])
            .arg(&source)
            .arg("-o")
            .arg(&partial)
            .output()
            .unwrap_or_else(|e| panic!("{INSTALL_HINT} (cannot run python3: {e})"));
        assert!(
            out.status.success(),
            "{INSTALL_HINT}\nzig cannot compile {}:\n{}",
            source.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        fs::rename(&partial, &wasm).unwrap();
    }
    wasm
}

/// The tree the probe reads: files of several sizes, nested and empty directories.
fn make_fixture(root: &Path) {
    fs::create_dir_all(root.join("sub/deep")).unwrap();
    fs::create_dir_all(root.join("sub/nothing")).unwrap();
    fs::write(root.join("hello.txt"), "hello bundle world\n").unwrap();
    fs::write(root.join("sub/deep/n.txt"), "nested\n").unwrap();
    fs::write(root.join("sub/a"), "x\n").unwrap();
    fs::write(root.join("empty"), "").unwrap();
    let big: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(7) + i / 251) as u8)
        .collect();
    fs::write(root.join("big.bin"), big).unwrap();
}

/// Runs wasm2exe; a build (one with `-o`) is for the selected cell.
fn wasm2exe(args: &[&str], cwd: &Path) -> Output {
    let builds = args.contains(&"-o");
    Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
        .args(args)
        .args(if builds {
            cell().build_flags()
        } else {
            Vec::new()
        })
        .current_dir(cwd)
        .output()
        .expect("run wasm2exe")
}

/// Runs `exe` of the selected cell in its own directory, with an empty environment.
fn run_alone(exe: &Path, args: &[&str]) -> Output {
    cell()
        .command(exe, "probe")
        .args(args)
        .current_dir(exe.parent().unwrap())
        .env_clear()
        .envs(cell().runner_env())
        .output()
        .expect("run the executable")
}

/// The name of an executable called `stem` in the selected cell (`.exe` on Windows).
fn exe_name(stem: &str) -> String {
    cell().exe_name(stem)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bundled_tree_reads_like_a_granted_directory_and_refuses_writes() {
    let wasm = probe_wasm();
    let root = tempfile::tempdir().unwrap();
    make_fixture(&root.path().join("fixture"));

    // A relative HOST_DIR is read where wasm2exe runs, at build time.
    let built = root.path().join(exe_name("probe"));
    let out = wasm2exe(
        &[
            wasm.to_str().unwrap(),
            "--bundle",
            "fixture::/data",
            "-o",
            built.to_str().unwrap(),
        ],
        root.path(),
    );
    assert!(out.status.success(), "wasm2exe: {}", text(&out.stderr));

    let reference = Command::new("python3")
        .arg(manifest_path("../tests/programs/wasmtime_run.py"))
        .arg(&wasm)
        .args(["--dir", "fixture::/data", "--", "probe"])
        .current_dir(root.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("{INSTALL_HINT} (cannot run python3: {e})"));
    assert_eq!(
        reference.status.code(),
        Some(0),
        "{INSTALL_HINT}\nwasmtime: {}",
        text(&reference.stderr)
    );

    // The executable alone: the tree deleted, moved to an empty directory.
    fs::remove_dir_all(root.path().join("fixture")).unwrap();
    let alone_dir = root.path().join("alone");
    fs::create_dir(&alone_dir).unwrap();
    let alone = alone_dir.join(exe_name("probe"));
    fs::rename(&built, &alone).unwrap();

    let native = run_alone(&alone, &[]);
    assert_eq!(native.status.code(), Some(0), "{}", text(&native.stderr));
    assert_eq!(text(&native.stdout), text(&reference.stdout));
    // What the comparison covered, so a probe printing nothing cannot pass.
    let stdout = text(&native.stdout);
    for line in [
        "cat /data/big.bin: 300000 bytes",
        "list /data: ../ ./ big.bin empty hello.txt sub/",
        "list /data/sub: ../ ./ a deep/ nothing/",
        "cat /data/sub/../../data/hello.txt: Operation not permitted",
        "openat ../hello.txt: Operation not permitted",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }

    let writes = run_alone(&alone, &["write"]);
    assert_eq!(writes.status.code(), Some(0), "{}", text(&writes.stderr));
    let expected = "\
fopen w new: Read-only file system
fopen w existing: Read-only file system
fopen a existing: Read-only file system
open rdwr: Read-only file system
open trunc: Read-only file system
open creat excl existing: File exists
open creat existing readonly: ok
open dir for writing: Is a directory
mkdir new: Read-only file system
mkdir existing: File exists
rmdir: Read-only file system
unlink: Read-only file system
unlink missing: No such file or directory
rename: Read-only file system
symlink: Read-only file system
link: Read-only file system
utimes: Read-only file system
mkdir escape: Operation not permitted
write: Bad file descriptor
ftruncate: Invalid argument
futimens: Read-only file system
fsync: ok
";
    assert_eq!(text(&writes.stdout), expected);
    // Still intact afterwards.
    let again = run_alone(&alone, &[]);
    assert_eq!(text(&again.stdout), text(&reference.stdout));
}

#[test]
fn bundle_of_a_missing_directory_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("empty.wat");
    fs::write(&wat, "(module (func (export \"_start\")))").unwrap();
    for (spec, says) in [
        ("missing::/x", "cannot read directory missing"),
        ("empty.wat::/x", "empty.wat is not a directory"),
        ("nothing", "expected HOST_DIR::GUEST_DIR"),
    ] {
        let out = wasm2exe(&["empty.wat", "--bundle", spec, "-o", "out"], dir.path());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{spec}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{spec}: {stderr}");
        assert!(stderr.starts_with("wasm2exe: error: --bundle"), "{stderr}");
        assert!(stderr.contains(says), "{spec}: {stderr}");
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn bundles_and_dirs_are_preopened_dirs_first() {
    // Preopens in record order: --dir grants, then bundles, each in command-line order.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("b1")).unwrap();
    fs::create_dir(dir.path().join("b2")).unwrap();
    fs::write(dir.path().join("b2/f"), "two\n").unwrap();
    fs::create_dir(dir.path().join("host")).unwrap();
    let wat = dir.path().join("prestat.wat");
    fs::write(&wat, PRESTAT_WAT).unwrap();
    let out = wasm2exe(
        &[
            "prestat.wat",
            "--bundle",
            "b1::/one",
            "--dir",
            "host::/h",
            "--bundle",
            "b2::/two",
            "-o",
            &exe_name("prestat"),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run = cell()
        .command(&dir.path().join(exe_name("prestat")), "prestat")
        .current_dir(dir.path())
        .env_clear()
        .envs(cell().runner_env())
        .output()
        .unwrap();
    assert_eq!(
        text(&run.stdout),
        "/h\n/one\n/two\n",
        "{}",
        text(&run.stderr)
    );
}

/// Writes the name of every preopen, fd 3 on, one per line.
const PRESTAT_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "\n")
  (func (export "_start") (local $fd i32)
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (call $get (local.get $fd) (i32.const 0)))
        (drop (call $name (local.get $fd) (i32.const 100) (i32.load (i32.const 4))))
        ;; one write for the name (iovec at 16), one for the newline (iovec at 24)
        (i32.store (i32.const 16) (i32.const 100))
        (i32.store (i32.const 20) (i32.load (i32.const 4)))
        (i32.store (i32.const 24) (i32.const 200))
        (i32.store (i32.const 28) (i32.const 1))
        (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
        (drop (call $write (i32.const 1) (i32.const 24) (i32.const 1) (i32.const 32)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))))
"#;
