//! The cell of the target matrix the executables are built for and run in: the host, or the
//! one `W2E_TEST_TARGET` names (e.g. `W2E_TEST_TARGET=x86_64-pc-windows-gnu`). A cross cell
//! is built with `wasm2exe --target TRIPLE` and run the way targets.toml says (qemu, wine);
//! wasmtime, the reference, always runs on the host.
//!
//! A cell that cannot run here (no qemu, no wine, macOS) fails every test with the reason,
//! never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use wasm2exe_targets::{Runner, Target, matrix};

/// The variable that selects the cell.
pub const VARIABLE: &str = "W2E_TEST_TARGET";
/// The variable naming the code generator the tests build with (default: wasm2exe's).
pub const BACKEND_VARIABLE: &str = "W2E_TEST_BACKEND";

pub struct Cell {
    pub target: Target,
    pub runner: Runner,
    /// The host's own cell: built without `--target`, run directly.
    host: bool,
    /// Absolute path of the runner program (qemu-ARCH, wine), found on the PATH once, since
    /// every run starts with an empty environment.
    runner_program: Option<PathBuf>,
}

/// The selected cell, checked once.
pub fn cell() -> &'static Cell {
    static CELL: OnceLock<Cell> = OnceLock::new();
    CELL.get_or_init(|| {
        let triple = std::env::var(VARIABLE).unwrap_or_default();
        if triple.is_empty() || triple == "host" || triple == matrix::host_triple() {
            return Cell {
                target: matrix::host(),
                runner: Runner::Native,
                host: true,
                runner_program: None,
            };
        }
        let target = matrix::find(&triple).unwrap_or_else(|e| panic!("{VARIABLE}: {e}"));
        let runner = Runner::for_target(target).unwrap_or_else(|e| panic!("{e}"));
        if let Err(why) = runner.availability(target) {
            panic!("{VARIABLE}={triple}: its executables cannot run on this machine: {why}");
        }
        let runner_program = match &runner {
            Runner::Qemu { program, .. } => Some(which(program)),
            Runner::Wine => Some(which("wine")),
            _ => None,
        };
        Cell {
            target: target.clone(),
            runner,
            host: false,
            runner_program,
        }
    })
}

fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on the PATH"))
}

/// Shared by every Wine run (and with cli/tests/targets.rs): creating a prefix takes seconds
/// and ~700 MB.
pub fn wine_prefix() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("wineprefix")
}

impl Cell {
    pub fn triple(&self) -> &str {
        &self.target.triple
    }

    pub fn is_host(&self) -> bool {
        self.host
    }

    pub fn is_windows(&self) -> bool {
        self.runner == Runner::Wine
    }

    /// What wasm2exe needs besides the module to build for this cell.
    /// `W2E_TEST_BACKEND=llvm` builds with that backend (`--backend`).
    pub fn build_flags(&self) -> Vec<String> {
        let mut flags = if self.is_host() {
            Vec::new()
        } else {
            vec!["--target".into(), self.target.triple.clone()]
        };
        if let Ok(backend) = std::env::var(BACKEND_VARIABLE) {
            flags.extend(["--backend".into(), backend]);
        }
        flags
    }

    /// The file name of an executable called `stem` in this cell.
    pub fn exe_name(&self, stem: &str) -> String {
        format!("{stem}{}", self.target.exe_suffix)
    }

    /// A command that runs `exe` with argv[0] `arg0` (where the runner can choose it; see
    /// [`Cell::arg0_seen`]). The caller clears the environment: the runner's own variables
    /// are set after that by [`Cell::runner_env`].
    pub fn command(&self, exe: &Path, arg0: &str) -> Command {
        match (&self.runner, &self.runner_program) {
            (Runner::Qemu { args, .. }, Some(qemu)) => {
                let mut command = Command::new(qemu);
                command.args(args).args(["-0", arg0]).arg(exe);
                command
            }
            (Runner::Wine, Some(wine)) => {
                let mut command = Command::new(wine);
                command.arg(exe);
                command
            }
            _ => {
                let mut command = Command::new(exe);
                std::os::unix::process::CommandExt::arg0(&mut command, arg0);
                command
            }
        }
    }

    /// The variables the runner itself needs, set after the environment is cleared. Wine
    /// passes them on to the program (with its own Windows variables): see the deviations.
    pub fn runner_env(&self) -> Vec<(String, String)> {
        if self.is_windows() {
            wasm2exe_targets::runner::fresh_wine_prefix(&wine_prefix());
            vec![
                ("WINEDEBUG".into(), "-all".into()),
                ("WINEPREFIX".into(), wine_prefix().display().to_string()),
                // Wine converts the Unix arguments to UTF-16 with the locale's charset.
                ("LC_ALL".into(), "C.UTF-8".into()),
            ]
        } else {
            Vec::new()
        }
    }

    /// The argv[0] the program sees when started with `arg0`: Windows has no separate
    /// argv[0]; the command line Wine makes starts with the executable's DOS path.
    pub fn arg0_seen(&self, exe: &Path, arg0: &str) -> String {
        if self.is_windows() {
            format!("Z:{}", exe.display()).replace('/', "\\")
        } else {
            arg0.to_string()
        }
    }
}
