//! The cross-target matrix, end to end: every available cell of targets.toml is built from
//! one module and then run the way targets.toml says (natively, under qemu or wine), or for
//! macOS and Windows on ARM, checked structurally (a Mach-O executable with LC_MAIN, arm64
//! signed; a PE32+ ARM64 executable whose entry point is in its code and whose every import
//! is exported by the DLL it names, as wine's DLLs show).
//!
//! These tests need zig (`pip install ziglang`), qemu-user and wine (`.ci/setup` installs
//! them). A missing tool fails the cell with the reason; nothing is skipped silently. zig's
//! first libc build for a target takes minutes: the tests use zig's global cache (and
//! wasm2exe's runtime cache) so that happens once per machine, not per run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasm2exe_targets::{Runner, Target, matrix};

const GREETING: &str = "Hello from wasm2exe, world!\n";

fn wasm2exe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
        .args(args)
        .output()
        .expect("run wasm2exe")
}

fn hello() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/hello.wat")
        .display()
        .to_string()
}

/// Shared by every Wine run: creating a prefix takes seconds and ~700 MB.
fn wine_prefix() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("wineprefix")
}

/// Runs `exe` of `target` the way targets.toml says; `Err` says why it could not run or what
/// went wrong.
fn run_cell(target: &Target, exe: &Path) -> Result<(), String> {
    let runner = Runner::for_target(target).map_err(|e| e.to_string())?;
    if runner == Runner::CheckMacho {
        return check_macho(target, exe);
    }
    if runner == Runner::CheckPe {
        return check_pe_arm64(exe);
    }
    runner.availability(target)?;
    let mut command = runner
        .command(exe, &wine_prefix())
        .ok_or("no way to run it")?;
    let out = command
        .output()
        .map_err(|e| format!("cannot start {}: {e}", runner.describe()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout != GREETING || out.status.code() != Some(0) {
        return Err(format!(
            "under {}: exit {:?}, stdout {stdout:?}, stderr {:?}",
            runner.describe(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// A Mach-O executable of the right CPU, entered through LC_MAIN; arm64 ones must carry the
/// ad-hoc signature (LC_CODE_SIGNATURE) without which macOS kills them. A universal cell's
/// fat file must hold exactly its slices, each passing the same check.
fn check_macho(target: &Target, exe: &Path) -> Result<(), String> {
    let data = std::fs::read(exe).map_err(|e| e.to_string())?;
    if target.slices.is_empty() {
        return check_thin_macho(&data, target.triple.starts_with("aarch64"));
    }
    let fat = object::read::macho::MachOFatFile32::parse(&*data)
        .map_err(|e| format!("not a fat Mach-O: {e}"))?;
    let mut cpus = Vec::new();
    for arch in fat.arches() {
        use object::read::macho::FatArch;
        let slice = arch.data(&*data).map_err(|e| e.to_string())?;
        let arm64 = arch.cputype() == object::macho::CPU_TYPE_ARM64;
        check_thin_macho(slice, arm64)
            .map_err(|why| format!("slice {:#x}: {why}", arch.cputype()))?;
        if arch.align() < 12 || arch.offset() % (1 << arch.align()) != 0 {
            return Err(format!("slice {:#x} is not page-aligned", arch.cputype()));
        }
        cpus.push(arch.cputype());
    }
    cpus.sort();
    if cpus
        != [
            object::macho::CPU_TYPE_X86_64,
            object::macho::CPU_TYPE_ARM64,
        ]
    {
        return Err(format!("slices {cpus:#x?}, expected x86_64 and arm64"));
    }
    Ok(())
}

fn check_thin_macho(data: &[u8], arm64: bool) -> Result<(), String> {
    use object::macho::{self, MachHeader64};
    use object::read::macho::MachHeader;
    let header = MachHeader64::<object::Endianness>::parse(data, 0)
        .map_err(|e| format!("not a 64-bit Mach-O: {e}"))?;
    let endian = header.endian().map_err(|e| e.to_string())?;
    if header.filetype(endian) != macho::MH_EXECUTE {
        return Err(format!(
            "file type {} is not MH_EXECUTE",
            header.filetype(endian)
        ));
    }
    let cpu = if arm64 {
        macho::CPU_TYPE_ARM64
    } else {
        macho::CPU_TYPE_X86_64
    };
    if header.cputype(endian) != cpu {
        return Err(format!("CPU type {:#x}", header.cputype(endian)));
    }
    let (mut has_main, mut has_signature) = (false, false);
    let mut commands = header
        .load_commands(endian, data, 0)
        .map_err(|e| e.to_string())?;
    while let Some(command) = commands.next().map_err(|e| e.to_string())? {
        match command.cmd() {
            macho::LC_MAIN => has_main = true,
            macho::LC_CODE_SIGNATURE => has_signature = true,
            _ => {}
        }
    }
    if !has_main {
        return Err("no LC_MAIN entry point".into());
    }
    if arm64 && !has_signature {
        return Err("arm64 executable without LC_CODE_SIGNATURE".into());
    }
    Ok(())
}

/// Where wine keeps its 64-bit DLLs: their export tables stand for Windows' own (the names a
/// DLL exports do not depend on the CPU).
const WINE_DLLS: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";

/// A PE32+ ARM64 console executable whose entry point lies in an executable section and whose
/// every import is exported by the DLL it names (API sets `api-ms-win-crt-*` resolve to
/// ucrtbase.dll, as Windows' API set schema says).
fn check_pe_arm64(exe: &Path) -> Result<(), String> {
    use object::pe;
    use object::read::pe::{ImageNtHeaders, PeFile64};
    let data = std::fs::read(exe).map_err(|e| e.to_string())?;
    let file = PeFile64::parse(&*data).map_err(|e| format!("not a PE32+ executable: {e}"))?;
    let header = file.nt_headers();
    let machine = header.file_header().machine.get(object::LittleEndian);
    if machine != pe::IMAGE_FILE_MACHINE_ARM64 {
        return Err(format!("machine {machine:#x}, not ARM64"));
    }
    let optional = header.optional_header();
    use object::read::pe::ImageOptionalHeader;
    if optional.subsystem() != pe::IMAGE_SUBSYSTEM_WINDOWS_CUI {
        return Err(format!("subsystem {}, not console", optional.subsystem()));
    }
    let entry = optional.address_of_entry_point();
    let in_code = file.section_table().iter().any(|section| {
        let start = section.virtual_address.get(object::LittleEndian);
        let size = section.virtual_size.get(object::LittleEndian);
        let flags = section.characteristics.get(object::LittleEndian);
        flags & pe::IMAGE_SCN_MEM_EXECUTE != 0 && entry >= start && entry < start + size
    });
    if entry == 0 || !in_code {
        return Err(format!(
            "entry point {entry:#x} is not in an executable section"
        ));
    }
    let imports = object::Object::imports(&file).map_err(|e| e.to_string())?;
    if imports.is_empty() {
        return Err("no imports at all".into());
    }
    let mut exports: std::collections::HashMap<String, Vec<Vec<u8>>> = Default::default();
    for import in imports {
        let library = String::from_utf8_lossy(import.library()).to_lowercase();
        let dll = if library.starts_with("api-ms-win-crt-") {
            "ucrtbase.dll".to_string()
        } else {
            library.clone()
        };
        if !exports.contains_key(&dll) {
            exports.insert(dll.clone(), dll_exports(&Path::new(WINE_DLLS).join(&dll))?);
        }
        if !exports[&dll].iter().any(|name| name == import.name()) {
            return Err(format!(
                "imports {} from {library}, which does not export it",
                String::from_utf8_lossy(import.name())
            ));
        }
    }
    Ok(())
}

/// Every name `dll` exports, forwarded ones included.
fn dll_exports(dll: &Path) -> Result<Vec<Vec<u8>>, String> {
    let data = std::fs::read(dll).map_err(|e| {
        format!(
            "cannot read {} to check imports against: {e} (apt-get install wine64)",
            dll.display()
        )
    })?;
    let file = object::read::pe::PeFile64::parse(&*data).map_err(|e| e.to_string())?;
    let table = file
        .export_table()
        .map_err(|e| e.to_string())?
        .ok_or(format!("{} has no export table", dll.display()))?;
    table
        .name_iter()
        .map(|(pointer, _)| {
            table
                .name_from_pointer(pointer)
                .map(<[u8]>::to_vec)
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[test]
fn targets_lists_every_cell_with_what_this_machine_can_do() {
    let out = wasm2exe(&["targets"]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for target in matrix::all() {
        assert!(stdout.contains(&target.triple), "{stdout}");
    }
    assert!(stdout.contains("Aarch64AdrGotPage21"), "{stdout}");
    let armv7 = stdout
        .lines()
        .find(|l| l.starts_with("armv7-unknown-linux-musleabihf "))
        .expect("armv7 row");
    assert!(armv7.contains("llvm only"), "{armv7}");
    let host = stdout
        .lines()
        .find(|l| l.starts_with("x86_64-unknown-linux-gnu "))
        .expect("host row");
    assert!(host.contains("yes"), "{host}");
}

#[test]
fn hello_builds_for_every_cell_and_runs_or_checks_there() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = wasm2exe(&[
        &hello(),
        "--target",
        "all",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--message-format",
        "json",
        "--env",
        "KEY=secret-value",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matrix::available().count() >= 14,
        "the issue asks for at least 14 cells"
    );
    // Every wasm2exe error is one line: one per failed cell at most.
    assert!(
        stderr.lines().count() <= matrix::available().count(),
        "{stderr}"
    );
    let reports: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();

    let mut failures = Vec::new();
    for target in matrix::available() {
        let report = reports
            .iter()
            .find(|r| r["target"] == target.triple.as_str());
        let Some(report) = report else {
            failures.push(format!("{}: no JSON report", target.triple));
            continue;
        };
        if let Some(error) = report["error"].as_str() {
            failures.push(format!("{}: not built: {error}", target.triple));
            continue;
        }
        let exe = out_dir.join(target.output_name("hello"));
        assert_eq!(report["path"], exe.display().to_string());
        let bytes = std::fs::read(&exe).unwrap();
        assert_eq!(report["size"], bytes.len());
        assert_eq!(report["sha256"].as_str().map(str::len), Some(64));
        assert!(report["seconds"].as_f64().is_some());
        assert_eq!(
            report["backend"],
            target.backend.name(),
            "{}",
            target.triple
        );
        if let Err(why) = run_cell(target, &exe) {
            failures.push(format!("{}: built, but {why}", target.triple));
        }
        if let Err(why) = check_manifest(target, &exe) {
            failures.push(format!("{}: built, but its manifest: {why}", target.triple));
        }
    }
    assert!(
        failures.is_empty(),
        "cells that fail:\n  {}",
        failures.join("\n  ")
    );
    assert!(out.status.success(), "{stderr}");
}

/// `wasm2exe inspect --json` shows the manifest of `exe`: its target (each slice's, for a
/// universal file) and the environment keys without their values.
fn check_manifest(target: &Target, exe: &Path) -> Result<(), String> {
    let out = wasm2exe(&["inspect", "--json", exe.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || stdout.contains("secret-value") {
        return Err(format!("{out:?}"));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| e.to_string())?;
    let manifests = match json["slices"].as_array() {
        Some(slices) => slices.clone(),
        None => vec![json],
    };
    let targets: Vec<&str> = manifests
        .iter()
        .filter_map(|m| m["target"].as_str())
        .collect();
    let expected: Vec<&str> = if target.slices.is_empty() {
        vec![&target.triple]
    } else {
        target.slices.iter().map(String::as_str).collect()
    };
    if targets != expected {
        return Err(format!("targets {targets:?}, expected {expected:?}"));
    }
    for m in &manifests {
        if m["grants"]["env_keys"] != serde_json::json!(["KEY"])
            || m["backend"] != target.backend.name()
        {
            return Err(format!("{m}"));
        }
    }
    Ok(())
}

/// A Linux cell, linked with a runtime archive from `wasm2exe runtime`, runs.
#[test]
fn runtime_archive_from_the_runtime_command_links() {
    let dir = tempfile::tempdir().unwrap();
    let triple = "aarch64-unknown-linux-musl";
    let out = wasm2exe(&[
        "runtime",
        "--target",
        triple,
        "--out-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let archive = dir.path().join(format!("libw2e_runtime-{triple}.a"));
    assert!(archive.is_file());
    let exe = dir.path().join("hello");
    let out = wasm2exe(&[
        &hello(),
        "--target",
        triple,
        "--runtime",
        archive.to_str().unwrap(),
        "-o",
        exe.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    run_cell(matrix::find(triple).unwrap(), &exe).unwrap();
}

/// Without zig, a cross target fails with one line naming the target and the fix, and the
/// host target (system `cc`) is still built: exit code 1, one executable.
#[test]
fn missing_zig_is_one_line_and_the_other_targets_still_build() {
    let dir = tempfile::tempdir().unwrap();
    // A PATH holding only the host's C toolchain: no zig, no python3.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["cc", "as", "ld"] {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .map(|d| d.join(tool))
            .find(|p| p.is_file());
        if let Some(path) = found {
            std::os::unix::fs::symlink(std::fs::canonicalize(path).unwrap(), bin.join(tool))
                .unwrap();
        }
    }
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
        .args([
            &hello(),
            "--target",
            "host",
            "--target",
            "s390x-unknown-linux-musl",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ])
        .env("PATH", &bin)
        .env_remove("CC")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("s390x-unknown-linux-musl"), "{stderr}");
    assert!(stderr.contains("pip install ziglang"), "{stderr}");
    let built: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(built, ["hello-x86_64-unknown-linux-gnu"], "{stderr}");
}

#[test]
fn unknown_and_unavailable_targets_are_one_line_errors() {
    let out = wasm2exe(&[&hello(), "--target", "mips-unknown-linux-gnu"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("wasm2exe targets"), "{stderr}");

    let out = wasm2exe(&[&hello(), "--target", "aarch64-pc-windows-msvc"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("AdrPrelPgHi21"), "{stderr}");
}

/// Objects for several targets: `NAME-TRIPLE.o` beside -o's path, in each target's format.
#[test]
fn objects_for_several_targets_are_named_by_triple() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("app");
    let out = wasm2exe(&[
        &hello(),
        "--emit",
        "obj",
        "--target",
        "riscv64gc-unknown-linux-musl",
        "--target",
        "x86_64-pc-windows-gnu",
        "-o",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let riscv = std::fs::read(dir.path().join("app-riscv64gc-unknown-linux-musl.o")).unwrap();
    assert!(riscv.starts_with(b"\x7fELF"));
    let coff = std::fs::read(dir.path().join("app-x86_64-pc-windows-gnu.o")).unwrap();
    assert_eq!(&coff[..2], &[0x64, 0x86], "an x86_64 COFF object");
}

/// Every executable checks its architecture's baseline CPU at start-up: on a CPU without it,
/// one line naming the missing feature and exit 70, never SIGILL (qemu models the old CPUs).
#[test]
fn executables_on_cpus_below_the_baseline_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let cells = [
        ("i686-unknown-linux-musl", "qemu-i386", "pentium3", "sse2"),
        (
            "x86_64-unknown-linux-musl",
            "qemu-x86_64",
            "core2duo",
            "sse4.1",
        ),
    ];
    for (triple, qemu, cpu, feature) in cells {
        let out = wasm2exe(&[
            &hello(),
            "--target",
            triple,
            "--out-dir",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let exe = out_dir.join(format!("hello-{triple}"));
        let run = Command::new(qemu)
            .args(["-cpu", cpu])
            .arg(&exe)
            .output()
            .unwrap_or_else(|e| panic!("{qemu}: {e} (apt-get install qemu-user)"));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(70), "{triple}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&format!("lacks {feature}")), "{stderr}");
        assert!(run.stdout.is_empty());
    }
}

/// riscv64's baseline is RV64GC without V: a module using SIMD is built with LLVM by default
/// and runs on a board without V (qemu's sifive-u54); a scalar one stays with Cranelift.
#[test]
fn riscv64_simd_modules_run_on_boards_without_v() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("simd.wat");
    std::fs::write(
        &wat,
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    (call $exit (i32x4.extract_lane 2
      (i32x4.add (i32x4.splat (i32.const 40)) (v128.const i32x4 0 1 2 3))))))"#,
    )
    .unwrap();
    let triple = "riscv64gc-unknown-linux-musl";
    for (input, backend, code) in [
        (wat.to_str().unwrap(), "llvm", 42),
        (&hello(), "cranelift", 0),
    ] {
        let exe = dir.path().join(format!("{backend}-exe"));
        let out = wasm2exe(&[
            input,
            "--target",
            triple,
            "--message-format",
            "json",
            "-o",
            exe.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["backend"], backend, "{report}");
        let run = Command::new("qemu-riscv64")
            .args(["-cpu", "sifive-u54"])
            .arg(&exe)
            .output()
            .expect("qemu-riscv64 (apt-get install qemu-user)");
        assert_eq!(run.status.code(), Some(code), "{backend}: {run:?}");
    }
}
