//! How an executable of a cell runs on this machine.
//!
//! binfmt_misc is not mounted on the build machines, so foreign Linux executables run under
//! an explicit `qemu-ARCH`; Windows ones under `wine` (quiet, in a prefix the caller picks:
//! the first run creates a ~700 MB prefix); macOS and Windows-on-ARM ones cannot run here,
//! and the tests check their structure instead. i686 Linux executables run natively on an
//! x86_64 Linux host (its kernel runs 32-bit x86 code).

use crate::matrix::{Target, host_triple};
use anyhow::{Result, bail};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// A cell's runner, from the `run`/`run_args` fields of targets.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runner {
    /// Runs directly (when the host's CPU and OS match the cell's).
    Native,
    /// Runs under the user-mode emulator `program` (e.g. `qemu-riscv64`) with `args`.
    Qemu { program: String, args: Vec<String> },
    /// Runs under wine.
    Wine,
    /// Cannot run here: the Mach-O structure is checked instead.
    CheckMacho,
    /// Cannot run here: the PE structure is checked instead (Windows on ARM).
    CheckPe,
    /// Cannot be built.
    None,
}

impl Runner {
    pub fn for_target(target: &Target) -> Result<Runner> {
        Ok(match target.run.as_str() {
            "native" => Runner::Native,
            "wine" => Runner::Wine,
            "check-macho" => Runner::CheckMacho,
            "check-pe" => Runner::CheckPe,
            "none" => Runner::None,
            qemu if qemu.starts_with("qemu-") => Runner::Qemu {
                program: qemu.to_string(),
                args: target.run_args.clone(),
            },
            other => bail!("targets.toml: {}: unknown run = {other:?}", target.triple),
        })
    }

    /// Whether executables of `target` can run on this machine with this runner, and if not,
    /// why (one phrase, naming what to install).
    pub fn availability(&self, target: &Target) -> std::result::Result<(), String> {
        match self {
            Runner::Native => {
                let arch = |t: &str| t.split('-').next().unwrap_or("").to_string();
                let os = |t: &str| t.contains("linux");
                let (cell, host) = (arch(&target.triple), arch(host_triple()));
                let compatible = cell == host || (cell == "i686" && host == "x86_64");
                if compatible && os(&target.triple) == os(host_triple()) {
                    Ok(())
                } else {
                    Err(format!("not this machine's CPU/OS ({})", host_triple()))
                }
            }
            Runner::Qemu { program, .. } => {
                on_path(program).ok_or(format!("{program} not found (apt-get install qemu-user)"))
            }
            Runner::Wine => on_path("wine").ok_or("wine not found (apt-get install wine)".into()),
            Runner::CheckMacho => Err("no macOS here: structure checked only".into()),
            Runner::CheckPe => Err("no Windows on ARM here: structure checked only".into()),
            Runner::None => Err("cannot be built".into()),
        }
    }

    /// The command that runs `exe` (for Wine, in `wine_prefix`), or `None` when it cannot
    /// run here at all.
    pub fn command(&self, exe: &Path, wine_prefix: &Path) -> Option<Command> {
        match self {
            Runner::Native => Some(Command::new(exe)),
            Runner::Qemu { program, args } => {
                let mut command = Command::new(program);
                command.args(args).arg(exe);
                Some(command)
            }
            Runner::Wine => {
                fresh_wine_prefix(wine_prefix);
                let mut command = Command::new("wine");
                command
                    .arg(exe)
                    .env("WINEDEBUG", "-all")
                    .env("WINEPREFIX", wine_prefix);
                Some(command)
            }
            Runner::CheckMacho | Runner::CheckPe | Runner::None => None,
        }
    }

    /// How it is shown in `wasm2exe targets`.
    pub fn describe(&self) -> String {
        match self {
            Runner::Native => "native".into(),
            Runner::Qemu { program, args } if args.is_empty() => program.clone(),
            Runner::Qemu { program, args } => format!("{program} {}", args.join(" ")),
            Runner::Wine => "wine".into(),
            Runner::CheckMacho => "check-macho".into(),
            Runner::CheckPe => "check-pe".into(),
            Runner::None => "-".into(),
        }
    }
}

/// Whether `program` is an executable file in a PATH directory.
pub fn on_path(program: &str) -> Option<()> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(OsStr::new(program)))
        .any(|candidate| is_executable(&candidate))
        .then_some(())
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Removes a Wine prefix made by another Wine installation than this one (which of its 32-bit
/// and 64-bit halves were installed), so that Wine creates it anew on the next run. Why: a
/// prefix created before `wine32` was installed stays without its 32-bit half (Wine updates a
/// prefix only when its own version changes), and every 32-bit program then dies with "could
/// not load kernel32.dll". The installation is recorded in `PREFIX.installed` beside it; a
/// prefix without that record is kept when it has its 32-bit half. Done once per process; the
/// threads of one test binary share it.
pub fn fresh_wine_prefix(prefix: &Path) {
    static DONE: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if done.iter().any(|p| p == prefix) {
        return;
    }
    done.push(prefix.to_path_buf());
    let installed: String = ["i386-linux-gnu", "x86_64-linux-gnu"]
        .iter()
        .filter(|arch| Path::new("/usr/lib").join(arch).join("wine").is_dir())
        .map(|arch| format!("{arch}\n"))
        .collect();
    let stamp = prefix.with_extension("installed");
    match std::fs::read_to_string(&stamp) {
        Ok(recorded) if recorded == installed => return,
        // Made by hand (e.g. `wineboot --init`): kept if it has its 32-bit half, or needs none.
        Err(_)
            if !installed.starts_with("i386")
                || prefix
                    .join("drive_c/windows/syswow64/kernel32.dll")
                    .is_file() => {}
        // Best effort: a prefix that cannot be removed only means Wine keeps it.
        _ => {
            let _ = std::fs::remove_dir_all(prefix);
        }
    }
    let _ = std::fs::write(&stamp, installed);
}
