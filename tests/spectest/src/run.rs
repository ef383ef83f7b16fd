//! Runs one `.wast` file through the real pipeline and judges every assertion.
//!
//! Per file: compile each module to an object (in parallel, with prefix `m{n}_`), link them
//! with the driver object, a generated table of their descriptors and the runtime archive
//! into one executable (`cc`), run it on the script `script::Script` renders to, and read
//! back one outcome line per executed step. Judging happens here, step by step, so that a
//! module that failed to compile or instantiate explains the failures of the steps that
//! needed it, and a crash or timeout fails exactly the assertions that never reported.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rayon::prelude::*;
use wasm2exe_compiler::{CompileError, CompileOptions, Triple};
use wasm2exe_targets::{Runner, Target, Zig, runtime};

use crate::script::{Expect, InstanceExpect, Script, StepKind, UNCAUGHT_EXCEPTION};
use crate::values::{Value, check_results};

/// The C compiler driver: `$CC` or `cc`, as the CLI links (and with its default PIE output).
fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// The code generator under test (`--backend`): the one the target matrix names.
pub use wasm2exe_targets::matrix::Backend;

/// What every link shares: the target, the driver object and the runtime archive, built once
/// per run.
pub struct Toolchain {
    pub(crate) target: Target,
    pub(crate) triple: Triple,
    /// The code generator under test.
    pub backend: Backend,
    /// The zig that compiles LLVM IR (`--backend llvm`, every target).
    pub(crate) llvm_zig: Option<Zig>,
    /// `None` for the host target, which links with `cc` like the CLI does.
    zig: Option<Zig>,
    runner: Runner,
    driver_obj: PathBuf,
    runtime_lib: PathBuf,
    wine_prefix: PathBuf,
    pub timeout: Duration,
}

impl Toolchain {
    /// Prepares `target` (a row of targets.toml): writes or builds the runtime archive and
    /// compiles the driver into `dir`. Any target but the host's needs zig.
    /// `runtime` replaces the runtime archive (to try a runtime change on a target).
    pub fn new(
        dir: &Path,
        timeout: Duration,
        target: &Target,
        runtime: Option<&Path>,
        backend: Backend,
    ) -> anyhow::Result<Toolchain> {
        let triple: Triple = target
            .triple
            .parse()
            .map_err(|e| anyhow::anyhow!("{}: {e}", target.triple))?;
        let runner = Runner::for_target(target)?;
        if let Err(why) = runner.availability(target) {
            bail!("cannot run {} executables here: {why}", target.triple);
        }
        let zig = if target.is_host() {
            None
        } else {
            Some(Zig::find(None)?.ok_or_else(|| Zig::missing(&target.triple))?)
        };
        let runtime_lib = match (runtime, &zig) {
            (Some(path), _) => path.to_path_buf(),
            (None, None) => {
                let path = dir.join("libw2e_runtime.a");
                std::fs::write(&path, wasm2exe_runtime::HOST_ARCHIVE)
                    .context("writing the runtime archive")?;
                path
            }
            (None, Some(zig)) => runtime::archive(&target.triple, &target.zig_target, zig)?,
        };
        let driver_src = dir.join("driver.c");
        std::fs::write(&driver_src, include_str!("../driver.c"))?;
        let driver_obj = dir.join("driver.o");
        let mut command = match &zig {
            None => Command::new(cc()),
            Some(zig) => zig.cc(&target.zig_target),
        };
        let out = command
            .args([
                "-std=c11",
                "-O1",
                "-Wall",
                "-c",
                "-I",
                wasm2exe_runtime::INCLUDE_DIR,
            ])
            .arg(&driver_src)
            .arg("-o")
            .arg(&driver_obj)
            .output()
            .context("running the C compiler")?;
        if !out.status.success() {
            bail!(
                "compiling driver.c failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let llvm_zig = match backend {
            Backend::Cranelift => None,
            Backend::Llvm => {
                Some(Zig::find(None)?.ok_or_else(wasm2exe_targets::llvm::zig_missing)?)
            }
        };
        Ok(Toolchain {
            target: target.clone(),
            triple,
            backend,
            llvm_zig,
            zig,
            runner,
            driver_obj,
            runtime_lib,
            // Creating a Wine prefix takes seconds and ~700 MB: keep one across runs.
            wine_prefix: match std::env::var_os("WINEPREFIX") {
                Some(prefix) => prefix.into(),
                None => runtime::cache_root()?.join("wineprefix"),
            },
            timeout,
        })
    }

    /// The linker command: `cc` for the host (default PIE, like the CLI), else zig with the
    /// target's flags from targets.toml (-O2: zig's cached optimized libc).
    fn linker(&self) -> Command {
        match &self.zig {
            None => {
                let mut command = Command::new(cc());
                command.arg("-O0");
                command
            }
            Some(zig) => {
                let mut command = zig.cc(&self.target.zig_target);
                command.arg("-O2").args(&self.target.link_flags);
                command
            }
        }
    }
}

/// The verdict on one `.wast` file.
#[derive(Debug)]
pub struct FileReport {
    /// Number of assertion directives.
    pub total: usize,
    /// (line, reason) of each failed assertion, in file order.
    pub failures: Vec<(u32, String)>,
}

/// Runs the `.wast` file at `path`, building in `work` (an empty directory).
pub fn run_file(tc: &Toolchain, path: &Path, work: &Path) -> FileReport {
    let script = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| crate::script::parse(&t))
    {
        Ok(script) => script,
        Err(e) => {
            return FileReport {
                total: 1,
                failures: vec![(0, format!("cannot parse the file: {e}"))],
            };
        }
    };
    let (objects, outcomes) = run_script(tc, &script, work);
    judge(&script, &objects, &outcomes)
}

/// Compiles, links and runs `script` in `work`: each module's object (or compile error), and
/// what the driver reported (or why nothing ran).
pub fn run_script(
    tc: &Toolchain,
    script: &Script,
    work: &Path,
) -> (Vec<Result<PathBuf, String>>, Result<Outcomes, String>) {
    let (objects, extra_objects) = match tc.backend {
        Backend::Cranelift => (compile_modules(tc, script, work), Vec::new()),
        Backend::Llvm => crate::llvm::compile_modules(tc, script, work),
    };
    let outcomes = link(tc, script, &objects, &extra_objects, work)
        .and_then(|exe| execute(tc, script, &objects, &exe, work));
    (objects, outcomes)
}

/// Compiles every module; `Ok` holds the object's path.
fn compile_modules(tc: &Toolchain, script: &Script, work: &Path) -> Vec<Result<PathBuf, String>> {
    script
        .modules
        .par_iter()
        .enumerate()
        .map(|(n, wasm)| {
            let options = CompileOptions::new(tc.triple.clone(), format!("m{n}_"));
            let object = quietly_catch(|| wasm2exe_compiler::compile(wasm, &options))
                .map_err(|panic| format!("compiler panicked: {panic}"))?
                .map_err(|e| e.to_string())?;
            let path = work.join(format!("m{n}.o"));
            std::fs::write(&path, object)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

thread_local! {
    /// Set while the compiler runs: its panics become compile errors, reported once.
    static IN_COMPILER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps compiler panics (caught, and reported as that module's compile error) off stderr;
/// other panics still print as usual.
pub fn quiet_compiler_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_COMPILER.get() {
            default(info);
        }
    }));
}

/// Runs compiler code, turning a panic into its message (and keeping it off stderr).
pub(crate) fn quietly_catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    IN_COMPILER.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_COMPILER.set(false);
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(no message)".into())
    })
}

/// Links the executable; the error is the reason every executed step fails.
fn link(
    tc: &Toolchain,
    script: &Script,
    objects: &[Result<PathBuf, String>],
    extra_objects: &[PathBuf],
    work: &Path,
) -> Result<PathBuf, String> {
    // Modules may share an object (the LLVM backend merges them): link each once.
    let mut link_objects: Vec<&PathBuf> = Vec::new();
    for path in objects.iter().flatten().chain(extra_objects) {
        if !link_objects.contains(&path) {
            link_objects.push(path);
        }
    }
    let mut table = String::from("#include \"w2e_abi.h\"\n");
    for (n, _) in objects.iter().enumerate().filter(|(_, o)| o.is_ok()) {
        let _ = writeln!(table, "extern const w2e_module m{n}_module;");
    }
    table.push_str("const w2e_module *const spec_modules[] = {\n");
    for (n, object) in objects.iter().enumerate() {
        let _ = writeln!(
            table,
            "  {},",
            if object.is_ok() {
                format!("&m{n}_module")
            } else {
                "0".into()
            }
        );
    }
    let _ = writeln!(
        table,
        "  0\n}};\nconst unsigned spec_num_modules = {};",
        script.modules.len()
    );
    let table_src = work.join("modules.c");
    std::fs::write(&table_src, table).map_err(|e| format!("writing modules.c: {e}"))?;

    let exe = work.join(format!("spec{}", tc.target.exe_suffix));
    let out = tc
        .linker()
        .args(["-I", wasm2exe_runtime::INCLUDE_DIR, "-o"])
        .arg(&exe)
        .arg(&tc.driver_obj)
        .arg(&table_src)
        .args(link_objects)
        .arg(&tc.runtime_lib)
        .arg("-lm")
        .output()
        .map_err(|e| format!("running the linker: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr
            .lines()
            .find(|l| l.contains("error") || l.contains("undefined"))
            .unwrap_or("");
        return Err(format!("link failed: {}", truncate(first.trim(), 200)));
    }
    Ok(exe)
}

/// What the driver reported for one step.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Ok,
    Ret(Vec<Value>),
    Trap(String),
    Link(String),
    Error(String),
}

/// All outcomes of a run, by step index, and why the missing ones are missing.
#[derive(Debug)]
pub struct Outcomes {
    pub by_step: HashMap<usize, Outcome>,
    /// Set when the driver did not finish normally: the reason for every missing outcome.
    pub missing_reason: String,
}

/// Writes the script the driver reads: one command per step that executes.
pub fn render_script(script: &Script, objects: &[Result<PathBuf, String>]) -> String {
    fn hex(name: &str) -> String {
        std::iter::once("x".to_string())
            .chain(name.bytes().map(|b| format!("{b:02x}")))
            .collect()
    }
    let mut out = format!("slots {}\n", script.num_slots);
    for (id, step) in script.steps.iter().enumerate() {
        let _ = match &step.kind {
            StepKind::Instantiate { slot, module, .. } if objects[*module].is_ok() => {
                writeln!(out, "inst {id} {slot} {module}")
            }
            StepKind::Register { slot, name } => writeln!(out, "reg {id} {slot} {}", hex(name)),
            StepKind::Invoke {
                slot, name, args, ..
            } => {
                let args: String = args.iter().map(|a| format!(" {}", a.encode())).collect();
                writeln!(out, "call {id} {slot} {}{args}", hex(name))
            }
            StepKind::Get { slot, name, .. } => writeln!(out, "get {id} {slot} {}", hex(name)),
            _ => Ok(()),
        };
    }
    out
}

fn execute(
    tc: &Toolchain,
    script: &Script,
    objects: &[Result<PathBuf, String>],
    exe: &Path,
    work: &Path,
) -> Result<Outcomes, String> {
    let script_path = work.join("script.txt");
    std::fs::write(&script_path, render_script(script, objects))
        .map_err(|e| format!("writing the script: {e}"))?;
    let stdout_path = work.join("stdout.txt");
    let stderr_path = work.join("stderr.txt");
    let file =
        |p: &Path| std::fs::File::create(p).map_err(|e| format!("creating {}: {e}", p.display()));
    let mut command = tc
        .runner
        .command(exe, &tc.wine_prefix)
        .ok_or_else(|| format!("{} executables cannot run here", tc.target.triple))?;
    let mut child = command
        .arg(&script_path)
        .stdin(Stdio::null())
        .stdout(file(&stdout_path)?)
        .stderr(file(&stderr_path)?)
        .spawn()
        .map_err(|e| format!("starting the driver: {e}"))?;

    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > tc.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(
                (start.elapsed() / 8).clamp(Duration::from_millis(1), Duration::from_millis(50)),
            ),
            Err(e) => return Err(format!("waiting for the driver: {e}")),
        }
    };

    let stdout = std::fs::read(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read(&stderr_path).unwrap_or_default();
    let by_step = parse_output(&String::from_utf8_lossy(&stdout));
    let last_line = by_step.keys().max().map(|&id| script.steps[id].line);
    let how = match (timed_out, status) {
        (true, _) => format!("driver timed out after {} s", tc.timeout.as_secs()),
        (false, Some(status)) => describe_exit(status),
        (false, None) => unreachable!(),
    };
    let after = last_line.map_or_else(
        || "before any output".to_string(),
        |l| format!("after line {l}"),
    );
    let stderr = String::from_utf8_lossy(&stderr);
    let detail = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| format!(": {}", truncate(l, 150)));
    Ok(Outcomes {
        by_step,
        missing_reason: format!("{how} {after}{}", detail.unwrap_or_default()),
    })
}

fn describe_exit(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("driver crashed (signal {signal})");
        }
    }
    match status.code() {
        Some(0) => "driver exited without reporting this step".to_string(),
        Some(code) => format!("driver exited with status {code}"),
        None => "driver died".to_string(),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Parses the driver's lines (`ID ok`, `ID ret V...`, `ID trap MSG`, ...). Garbage lines
/// (e.g. a half-written last line) are ignored: their step counts as missing.
pub fn parse_output(text: &str) -> HashMap<usize, Outcome> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(id), Some(what)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(id) = id.parse::<usize>() else {
            continue;
        };
        let rest = parts.next().unwrap_or("");
        let outcome = match what {
            "ok" => Outcome::Ok,
            "ret" => match rest
                .split_whitespace()
                .map(Value::parse)
                .collect::<Result<Vec<_>, _>>()
            {
                Ok(values) => Outcome::Ret(values),
                Err(e) => Outcome::Error(e),
            },
            "trap" => Outcome::Trap(rest.to_string()),
            "link" => Outcome::Link(rest.to_string()),
            "error" => Outcome::Error(rest.to_string()),
            _ => continue,
        };
        map.insert(id, outcome);
    }
    map
}

/// As other harnesses do: either message may be a prefix of the other ("uninitialized
/// element" vs "uninitialized element 2").
pub fn trap_matches(expected: &str, actual: &str) -> bool {
    !actual.is_empty() && (actual.starts_with(expected) || expected.starts_with(actual))
}

/// Judges every assertion from the outcomes (or the reason there are none).
pub fn judge(
    script: &Script,
    objects: &[Result<PathBuf, String>],
    outcomes: &Result<Outcomes, String>,
) -> FileReport {
    // Why each slot has no usable instance (None: it has one, or will).
    let mut broken: Vec<Option<String>> = vec![None; script.num_slots];
    let mut report = FileReport {
        total: 0,
        failures: Vec::new(),
    };
    for (id, step) in script.steps.iter().enumerate() {
        let outcome = || match outcomes {
            Ok(o) => o.by_step.get(&id).ok_or_else(|| o.missing_reason.clone()),
            Err(e) => Err(e.clone()),
        };
        let verdict: Result<(), String> = match &step.kind {
            StepKind::Instantiate {
                slot,
                module,
                expect,
            } => {
                let result = match &objects[*module] {
                    Err(e) => Err(format!("compile error: {e}")),
                    Ok(_) => outcome().and_then(|o| judge_instance(o, expect)),
                };
                if let (Err(e), InstanceExpect::Success) = (&result, expect) {
                    // Without an executable at all, "link failed" says it all.
                    broken[*slot] = Some(match outcomes {
                        Err(_) => e.clone(),
                        Ok(_) => format!("module at line {} unavailable: {e}", step.line),
                    });
                }
                result
            }
            StepKind::Register { .. } => Ok(()),
            StepKind::Invoke { slot, expect, .. } | StepKind::Get { slot, expect, .. } => {
                match &broken[*slot] {
                    Some(reason) => Err(reason.clone()),
                    None => outcome().and_then(|o| judge_action(o, expect)),
                }
            }
            StepKind::Reject { module, message } => match module {
                Err(_) => Ok(()), // the text did not even parse: malformed indeed
                Ok(bytes) => quietly_catch(|| wasm2exe_compiler::validate(bytes))
                    .map_err(|panic| format!("validator panicked: {panic}"))
                    .and_then(|result| judge_reject(result, message)),
            },
            StepKind::Broken { slot, reason } => {
                if let Some(slot) = slot {
                    broken[*slot] = Some(format!(
                        "module at line {} unavailable: {reason}",
                        step.line
                    ));
                }
                Err(reason.clone())
            }
        };
        if step.is_assertion {
            report.total += 1;
            if let Err(reason) = verdict {
                report.failures.push((step.line, reason));
            }
        }
    }
    report
}

fn judge_instance(outcome: &Outcome, expect: &InstanceExpect) -> Result<(), String> {
    match (outcome, expect) {
        (Outcome::Ok, InstanceExpect::Success) => Ok(()),
        (Outcome::Ok, InstanceExpect::Trap(m)) => {
            Err(format!("expected trap \"{m}\", instantiated fine"))
        }
        (Outcome::Ok, InstanceExpect::Unlinkable) => {
            Err("expected a link error, instantiated fine".into())
        }
        (Outcome::Trap(t), InstanceExpect::Trap(m)) if trap_matches(m, t) => Ok(()),
        (Outcome::Trap(t), InstanceExpect::Trap(m)) => {
            Err(format!("expected trap \"{m}\", got trap \"{t}\""))
        }
        (Outcome::Link(_), InstanceExpect::Unlinkable) => Ok(()),
        (Outcome::Trap(t), _) => Err(format!("instantiation trapped: {t}")),
        (Outcome::Link(l), _) => Err(format!("link error: {l}")),
        (Outcome::Error(e), _) => Err(format!("driver: {e}")),
        (Outcome::Ret(_), _) => Err("driver reported values for an instantiation".into()),
    }
}

fn judge_action(outcome: &Outcome, expect: &Expect) -> Result<(), String> {
    match (outcome, expect) {
        (_, Expect::Anything) => Ok(()),
        (Outcome::Ret(values), Expect::Return(expected)) => check_results(expected, values),
        (Outcome::Ret(values), Expect::Trap(m)) => {
            let got: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            Err(format!(
                "expected trap \"{m}\", returned ({})",
                got.join(", ")
            ))
        }
        (Outcome::Ret(_), Expect::Exhaustion) => Err("expected stack exhaustion, returned".into()),
        (Outcome::Ret(_), Expect::Exception) => {
            Err("expected an uncaught exception, returned".into())
        }
        (Outcome::Trap(t), Expect::Exception) if trap_matches(UNCAUGHT_EXCEPTION, t) => Ok(()),
        (Outcome::Trap(t), Expect::Trap(m)) if trap_matches(m, t) => Ok(()),
        (Outcome::Trap(t), Expect::Exhaustion) if trap_matches("call stack exhausted", t) => Ok(()),
        (Outcome::Trap(t), _) => Err(format!("trapped: {t}")),
        (Outcome::Error(e), _) => Err(format!("driver: {e}")),
        (Outcome::Ok | Outcome::Link(_), _) => Err("driver reported no values".into()),
    }
}

/// `assert_invalid` / `assert_malformed`: any error rejects the module. An "unsupported"
/// error counts too: such modules use post-2.0 features, so for the Wasm 2.0 suite they are
/// invalid, and what users observe is the same refusal.
fn judge_reject(result: Result<(), CompileError>, message: &str) -> Result<(), String> {
    match result {
        Err(_) => Ok(()),
        Ok(()) => Err(format!("module accepted, expected rejection \"{message}\"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script;

    const WAST: &str = r#"(module $A (func (export "f") (param i32) (result i32) (local.get 0)))
(register "A")
(assert_return (invoke "f" (i32.const 5)) (i32.const 5))
(assert_trap (invoke "f" (i32.const 0)) "unreachable")
(module $B (import "A" "f" (func)))
(assert_return (invoke $B "g"))
(assert_unlinkable (module (import "A" "g" (func))) "unknown import")
(assert_return (invoke $A "f" (i32.const 1)) (i32.const 1))
"#;

    #[test]
    fn renders_script() {
        let script = script::parse(WAST).unwrap();
        let objects = vec![Ok(PathBuf::new()), Err("nope".into()), Ok(PathBuf::new())];
        assert_eq!(
            render_script(&script, &objects),
            "slots 3\ninst 0 0 0\nreg 1 0 x41\ncall 2 0 x66 i32:5\ncall 3 0 x66 i32:0\ncall 5 1 x67\ninst 6 2 2\ncall 7 0 x66 i32:1\n"
        );
    }

    #[test]
    fn judges_outcomes() {
        let script = script::parse(WAST).unwrap();
        let objects = vec![Ok(PathBuf::new()), Err("nope".into()), Ok(PathBuf::new())];
        let by_step = parse_output(
            "0 ok\n1 ok\n2 ret i32:5\n3 trap unreachable executed\n6 link unknown import\n",
        );
        let outcomes = Ok(Outcomes {
            by_step,
            missing_reason: "driver crashed (signal 11) after line 7".into(),
        });
        let report = judge(&script, &objects, &outcomes);
        assert_eq!(report.total, 5);
        assert_eq!(
            report.failures,
            [
                (
                    6,
                    "module at line 5 unavailable: compile error: nope".to_string()
                ),
                (8, "driver crashed (signal 11) after line 7".to_string()),
            ]
        );

        let report = judge(&script, &objects, &Err("link failed: x".into()));
        assert_eq!(report.failures.len(), 5);
        assert_eq!(report.failures[0].1, "link failed: x");
    }

    #[test]
    fn output_lines() {
        let out =
            parse_output("4 ret i32:1 f64:0\n5 ret\n6 error unknown export\nxx\n7 ret i32:zz\n");
        assert_eq!(out[&4], Outcome::Ret(vec![Value::I32(1), Value::F64(0)]));
        assert_eq!(out[&5], Outcome::Ret(vec![]));
        assert_eq!(out[&6], Outcome::Error("unknown export".into()));
        assert!(matches!(out[&7], Outcome::Error(_)));
        assert_eq!(out.len(), 4);
    }

    #[cfg(unix)]
    #[test]
    fn describes_exits() {
        let status = |script: &str| Command::new("sh").args(["-c", script]).status().unwrap();
        assert_eq!(
            describe_exit(status("kill -SEGV $$")),
            "driver crashed (signal 11)"
        );
        assert_eq!(
            describe_exit(status("exit 3")),
            "driver exited with status 3"
        );
    }

    #[test]
    fn trap_messages() {
        assert!(trap_matches(
            "uninitialized element",
            "uninitialized element 2"
        ));
        assert!(trap_matches(
            "uninitialized element 2",
            "uninitialized element"
        ));
        assert!(!trap_matches("undefined element", "uninitialized element"));
        assert!(!trap_matches("unreachable", ""));
    }
}
