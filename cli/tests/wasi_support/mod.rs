//! The machinery of the WASI differential tests: compile a C program in `tests/wasi/` to wasm
//! (with zig, cached by content), build it with wasm2exe, run it both as that executable and
//! under wasmtime in two identical fresh fixture trees, and capture what each did.
//!
//! wasmtime is the reference: a wasm2exe executable must print the same, exit the same and
//! leave the same files behind. Tools are found through `python3` (`pip install ziglang
//! wasmtime`); a missing tool fails the test with that instruction instead of skipping it.

mod cell;
mod deviations;
mod fixture;
mod process;

pub use cell::cell;
pub use fixture::{Node, SECRET, Tree, create as fixture_create, snapshot};

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

/// What both runs are started with besides the grants: argv[0], so `args_get` agrees.
const ARG0: &str = "prog";

/// The process environment of every run, before a test's own variables. Python adds
/// LC_CTYPE to its own environment when it starts in the C locale (PEP 538), which wasmtime
/// would pass on with --inherit-env; a set LC_ALL turns that off, and both runs see it.
const BASE_ENV: &[(&str, &str)] = &[("LC_ALL", "C")];

/// Compiler flags for the test programs; part of the wasm cache key.
const ZIG_FLAGS: &[&str] = &[
    "cc",
    "--target=wasm32-wasi",
    "-O2",
    "-s",
    "-Wall",
    "-Werror",
];

const INSTALL_HINT: &str =
    "the WASI tests need zig and wasmtime for python3: pip install ziglang wasmtime";

/// What a program may use: written into the executable by wasm2exe, and given to wasmtime
/// as the same words on its command line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grants {
    pub dirs: Vec<String>,
    pub env: Vec<String>,
    pub inherit_env: bool,
    /// Executable only: accept WASM2EXE_DIRS / WASM2EXE_ENV at run time.
    pub runtime_grants: bool,
}

impl Grants {
    /// Nothing at all: the default-deny executable.
    pub fn none() -> Grants {
        Grants::default()
    }

    /// `--dir .`: the directory the program starts in.
    pub fn cwd() -> Grants {
        Grants::none().dir(".")
    }

    pub fn dir(mut self, grant: &str) -> Grants {
        self.dirs.push(grant.into());
        self
    }

    pub fn env(mut self, grant: &str) -> Grants {
        self.env.push(grant.into());
        self
    }

    pub fn inherit_env(mut self) -> Grants {
        self.inherit_env = true;
        self
    }

    pub fn runtime_grants(mut self) -> Grants {
        self.runtime_grants = true;
        self
    }

    /// The options shared by `wasm2exe` and `run_wasmtime.py`.
    fn common_flags(&self) -> Vec<String> {
        let dirs = self.dirs.iter().flat_map(|d| ["--dir".into(), d.clone()]);
        let env = self.env.iter().flat_map(|e| ["--env".into(), e.clone()]);
        let mut flags: Vec<String> = dirs.chain(env).collect();
        if self.inherit_env {
            flags.push("--inherit-env".into());
        }
        flags
    }

    fn wasm2exe_flags(&self) -> Vec<String> {
        let mut flags = self.common_flags();
        if self.runtime_grants {
            flags.push("--runtime-grants".into());
        }
        flags
    }
}

/// One program run both ways. Build it with the methods, then call [`Run::compare`].
#[derive(Clone, Debug)]
pub struct Run {
    program: String,
    args: Vec<String>,
    grants: Grants,
    reference_grants: Option<Grants>,
    env: Vec<(String, String)>,
    cwd: String,
}

/// What one run did.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    /// None when a signal (or the test's timeout) ended it.
    pub code: Option<i32>,
    /// The whole fixture root afterwards (sandbox and outside).
    pub tree: Tree,
    /// The run differed from wasmtime as a known deviation of the cell lists.
    pub deviates: bool,
}

impl Run {
    /// Runs `tests/wasi/<program>.c` with no grants, no arguments, an empty environment, from
    /// the fixture's `sandbox` directory.
    pub fn new(program: &str) -> Run {
        Run {
            program: program.into(),
            args: Vec::new(),
            grants: Grants::none(),
            reference_grants: None,
            env: Vec::new(),
            cwd: "sandbox".into(),
        }
    }

    pub fn args(mut self, args: &[&str]) -> Run {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    pub fn grants(mut self, grants: Grants) -> Run {
        self.grants = grants;
        self
    }

    /// What wasmtime is given when it differs from what the executable was built with (the
    /// run-time grants test: the executable gets its grants from its environment instead).
    pub fn reference_grants(mut self, grants: Grants) -> Run {
        self.reference_grants = Some(grants);
        self
    }

    /// Adds a variable to the process environment of both runs (otherwise empty).
    pub fn process_env(mut self, key: &str, value: &str) -> Run {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Where both runs start, relative to the fixture root.
    pub fn cwd(mut self, cwd: &str) -> Run {
        self.cwd = cwd.into();
        self
    }

    /// Runs the program as a wasm2exe executable of the selected cell (see `cell.rs`).
    pub fn native(&self) -> Outcome {
        let exe = build_executable(&self.program, &self.grants);
        let mut command = cell().command(&exe, ARG0);
        command.args(&self.args);
        self.run_in_fresh_fixture(command, &cell().runner_env())
    }

    /// Runs the program under wasmtime through `tests/wasi/run_wasmtime.py`.
    pub fn reference(&self) -> Outcome {
        let wasm = compile_wasm(&self.program);
        let grants = self.reference_grants.as_ref().unwrap_or(&self.grants);
        // The argv[0] the executable sees in this cell (on Windows, its path).
        let arg0 = cell().arg0_seen(&build_executable(&self.program, &self.grants), ARG0);
        let mut command = Command::new(&tools().python);
        command
            .arg(repo_path("tests/wasi/run_wasmtime.py"))
            .arg(wasm)
            .args(["--arg0", &arg0])
            .args(grants.common_flags())
            .arg("--")
            .args(&self.args);
        self.run_in_fresh_fixture(command, &[])
    }

    /// Runs both ways and asserts equal stdout, exit code and resulting file tree; in a cross
    /// cell, a run with a known deviation (`deviations.rs`) must differ by exactly the listed
    /// lines. Returns the executable's outcome for further checks of the test's own.
    pub fn compare(&self) -> Outcome {
        let mut native = self.native();
        let reference = self.reference();
        let context = || {
            format!(
                "{self:?}\n--- wasm2exe stderr:\n{}\n--- wasmtime stderr:\n{}",
                native.stderr, reference.stderr
            )
        };
        let run = self.key();
        if let Some(deviation) = deviations::listed(cell().triple(), &run) {
            let diff: Vec<String> = line_diff(&observation(&native), &observation(&reference))
                .into_iter()
                .map(|(sign, _, line)| format!("{sign} {line}"))
                .collect();
            eprintln!(
                "known deviation on {} for `{run}`: {}\n  {}",
                cell().triple(),
                deviation.why,
                deviation.diff.join("\n  ")
            );
            assert!(
                deviation.matches(&diff),
                "the differences from wasmtime are not the listed ones (deviations/{}.txt); now:\n== {run}\nwhy: {}\n{}\n{}",
                cell().triple(),
                deviation.why,
                diff.join("\n"),
                context()
            );
            native.deviates = true;
            return native;
        }
        let listing = || {
            if cell().is_host() {
                return String::new();
            }
            let diff = line_diff(&observation(&native), &observation(&reference));
            let lines: Vec<String> = diff.iter().map(|(s, _, l)| format!("{s} {l}")).collect();
            format!(
                "(in deviations/{}.txt, a known deviation would read:\n== {run}\nwhy: ...\n{})\n",
                cell().triple(),
                lines.join("\n")
            )
        };
        assert_eq!(
            native.stdout,
            reference.stdout,
            "stdout differs (left: wasm2exe, right: wasmtime)\n{}\n{}{}",
            differing_lines(&native.stdout, &reference.stdout),
            listing(),
            context()
        );
        assert_eq!(
            native.code,
            reference.code,
            "exit code differs (left: wasm2exe, right: wasmtime)\n{}{}",
            listing(),
            context()
        );
        assert_eq!(
            native.tree,
            reference.tree,
            "the files left behind differ (left: wasm2exe, right: wasmtime)\n{}{}",
            listing(),
            context()
        );
        native
    }

    /// How the run is named in the deviation lists: program, arguments, grants, and the
    /// working directory when it is not the sandbox.
    fn key(&self) -> String {
        let mut words = vec![self.program.clone()];
        words.extend(self.args.iter().cloned());
        words.push("|".into());
        words.extend(self.grants.wasm2exe_flags());
        if self.cwd != "sandbox" {
            words.push(format!("(in {})", self.cwd));
        }
        words.join(" ")
    }

    fn run_in_fresh_fixture(
        &self,
        mut command: Command,
        runner_env: &[(String, String)],
    ) -> Outcome {
        let root = tempfile::tempdir().expect("create a fixture directory");
        fixture::create(root.path());
        command
            .current_dir(root.path().join(&self.cwd))
            .env_clear()
            .envs(BASE_ENV.iter().copied())
            .envs(runner_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let output = process::output_with_timeout(command);
        Outcome {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code(),
            tree: snapshot(root.path()),
            deviates: false,
        }
    }
}

/// Everything a run is compared by, as lines: stdout, the exit code, the files left behind.
fn observation(outcome: &Outcome) -> Vec<String> {
    let mut lines: Vec<String> = outcome
        .stdout
        .lines()
        .map(|l| format!("stdout: {l}"))
        .collect();
    lines.push(format!("exit code: {:?}", outcome.code));
    lines.extend(
        outcome
            .tree
            .iter()
            .map(|(path, node)| format!("file {path}: {node:?}")),
    );
    lines
}

/// A minimal line diff of `a` (wasm2exe) against `b` (wasmtime): `('-', n, line)` for a line
/// only `a` has (its line number n), `('+', n, line)` for one only `b` has.
fn line_diff<S: AsRef<str>>(a: &[S], b: &[S]) -> Vec<(char, usize, String)> {
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i].as_ref() == b[j].as_ref() {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut diff) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i].as_ref() == b[j].as_ref() {
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && common[i + 1][j] >= common[i][j + 1]) {
            diff.push(('-', i + 1, a[i].as_ref().to_string()));
            i += 1;
        } else {
            diff.push(('+', j + 1, b[j].as_ref().to_string()));
            j += 1;
        }
    }
    diff
}

/// The lines where two outputs differ (`-` only wasm2exe printed it, `+` only wasmtime did),
/// for a readable failure.
fn differing_lines(native: &str, reference: &str) -> String {
    const SHOWN: usize = 30;
    let (a, b): (Vec<&str>, Vec<&str>) = (native.lines().collect(), reference.lines().collect());
    let mut diff: Vec<String> = line_diff(&a, &b)
        .into_iter()
        .map(|(sign, n, line)| match sign {
            '-' => format!("- wasm2exe line {n}: {line}"),
            _ => format!("+ wasmtime line {n}: {line}"),
        })
        .collect();
    let more = diff.len().saturating_sub(SHOWN);
    diff.truncate(SHOWN);
    if more > 0 {
        diff.push(format!("... and {more} more differing lines"));
    }
    diff.join("\n")
}

/// The tools every test needs, checked once.
struct Tools {
    /// The real interpreter (not a shim), so runs work with an empty environment.
    python: PathBuf,
}

fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let probe = Command::new("python3")
            .args(["-c", "import sys, wasmtime, ziglang; print(sys.executable)"])
            .output();
        let python = match probe {
            Ok(out) if out.status.success() => {
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            }
            Ok(out) => panic!("{INSTALL_HINT}\n{}", String::from_utf8_lossy(&out.stderr)),
            Err(error) => panic!("{INSTALL_HINT} (cannot run python3: {error})"),
        };
        Tools {
            python: python.into(),
        }
    })
}

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// Runs `make` once per key in this process, however many tests ask at the same time.
fn once_per_key(key: String, make: impl FnOnce() -> PathBuf) -> PathBuf {
    type Cells = Mutex<HashMap<String, Arc<OnceLock<PathBuf>>>>;
    static CELLS: OnceLock<Cells> = OnceLock::new();
    let cell = CELLS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_init(make).clone()
}

fn hash_of(parts: &[&[u8]]) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// `tests/wasi/<program>.c` compiled to wasm. Cached across runs by the content of the source,
/// the shared header and the flags, since zig takes seconds and the programs rarely change.
pub fn compile_wasm(program: &str) -> PathBuf {
    tools(); // fail with the install hint before anything else
    let source = repo_path(&format!("tests/wasi/{program}.c"));
    let read = |path: &Path| {
        std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    };
    let key = hash_of(&[
        &read(&source),
        &read(&repo_path("tests/wasi/common.h")),
        ZIG_FLAGS.join(" ").as_bytes(),
    ]);
    let wasm = scratch_dir("wasi-wasm").join(format!("{program}-{key:016x}.wasm"));
    once_per_key(format!("wasm {}", wasm.display()), || {
        if !wasm.exists() {
            zig_compile(&source, &wasm);
        }
        wasm.clone()
    })
}

fn zig_compile(source: &Path, wasm: &Path) {
    // Write beside and rename, so a concurrent test process never sees half a module.
    let partial = wasm.with_extension(format!("partial{}", std::process::id()));
    let out = Command::new(&tools().python)
        .args(["-m", "ziglang"])
        .args(ZIG_FLAGS)
        .arg(source)
        .arg("-o")
        .arg(&partial)
        .output()
        .expect("run zig");
    assert!(
        out.status.success(),
        "zig cannot compile {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&partial, wasm).expect("move the compiled module into the cache");
}

/// The wasm2exe executable of `program` with `grants` for the selected cell, built once per
/// test process (the compiler and runtime under test may have changed since the last one).
pub fn build_executable(program: &str, grants: &Grants) -> PathBuf {
    let wasm = compile_wasm(program);
    let mut flags = grants.wasm2exe_flags();
    flags.extend(cell().build_flags());
    let key = hash_of(&[program.as_bytes(), flags.join("\0").as_bytes()]);
    let dir = scratch_dir(&format!("wasi-exe/{}", cell().triple()));
    let exe = dir.join(cell().exe_name(&format!("{program}-{key:016x}")));
    once_per_key(format!("exe {}", exe.display()), || {
        let out = Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
            .arg(&wasm)
            .arg("-o")
            .arg(&exe)
            .args(&flags)
            .current_dir(build_directory())
            .output()
            .expect("run wasm2exe");
        assert!(
            out.status.success(),
            "wasm2exe {} {flags:?} failed:\n{}",
            wasm.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        exe.clone()
    })
}

/// What the building wasm2exe sees as its working directory: a decoy `hello.txt`, so a
/// `--dir .` resolved at build time instead of at run time shows in the output.
pub const DECOY: &str = "DECOY: the directory wasm2exe ran in";

fn build_directory() -> PathBuf {
    let dir = scratch_dir("wasi-build-cwd");
    std::fs::write(dir.join("hello.txt"), format!("{DECOY}\n")).expect("write the decoy");
    dir
}
