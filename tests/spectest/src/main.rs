//! The WebAssembly core spec tests, run through the real wasm2exe pipeline.
//!
//! Each `.wast` file becomes one native executable: its modules compiled by
//! `wasm2exe-compiler`, a small C driver that plays the script, and the runtime archive,
//! linked with `cc`. Running real executables (rather than an in-process embedding) tests
//! exactly what users get: object emission, relocations, the runtime's instantiation and
//! signal-based traps. See `run` for the pipeline, `script` for how directives map to steps,
//! `values` for values and result patterns, `known` for `tests/KNOWN_FAILURES`.
//!
//! ```text
//! cargo run --release -p spectest -- ../shared/testsuite            # a directory of .wast
//! cargo run --release -p spectest -- ../shared/testsuite/i32.wast   # or single files
//! ```
//!
//! Prints one line per file and ends with `spec total: PASSED/TOTAL assertions`. Exits 1 when
//! an assertion fails that KNOWN_FAILURES (or, for `--target TRIPLE`, KNOWN_FAILURES.TRIPLE)
//! does not list.

use spectest::{known, run};

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};
use rayon::prelude::*;

use known::{Failure, KnownFailures};

const USAGE: &str = "usage: spectest [OPTIONS] PATH...
  PATH                      a .wast file, or a directory: all its top-level .wast files
  -j N                      files run in parallel (default 2)
  --timeout SECS            per-file limit for the executable (default 120)
  --known-failures FILE     default: tests/KNOWN_FAILURES of this checkout; FILE.TRIPLE,
                            when it exists, adds the failures of the target TRIPLE only
  --write-known-failures    rewrite FILE from this run's failures (with --target another
                            cell: FILE.TRIPLE, with the failures FILE does not list)
  --keep-temp               keep the build directory (objects, script, executable)
  --all-failures            list every unexpected failure, not the first 10 per file
  --target TRIPLE           build for a cell of targets.toml (linked with zig) and run the
                            driver the way that table says (natively, qemu-ARCH, wine)
  --runtime ARCHIVE         link this runtime archive instead (built for the target)
  --backend cranelift|llvm  the code generator (default cranelift; llvm compiles with zig)";

/// `println!` without the panic when stdout is a closed pipe (`spectest ... | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Unexpected failures shown per file unless `--all-failures`.
const SHOWN_PER_FILE: usize = 10;

struct Args {
    paths: Vec<PathBuf>,
    jobs: usize,
    timeout: Duration,
    known_failures: PathBuf,
    write_known_failures: bool,
    keep_temp: bool,
    all_failures: bool,
    target: wasm2exe_targets::Target,
    runtime: Option<PathBuf>,
    backend: run::Backend,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        paths: Vec::new(),
        jobs: 2,
        timeout: Duration::from_secs(120),
        known_failures: Path::new(env!("CARGO_MANIFEST_DIR")).join("../KNOWN_FAILURES"),
        write_known_failures: false,
        keep_temp: false,
        all_failures: false,
        target: wasm2exe_targets::matrix::host(),
        runtime: None,
        backend: run::Backend::Cranelift,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "-j" | "--jobs" => args.jobs = value("-j")?.parse().context("-j N")?,
            "--timeout" => {
                args.timeout =
                    Duration::from_secs(value("--timeout")?.parse().context("--timeout")?)
            }
            "--known-failures" => args.known_failures = value("--known-failures")?.into(),
            "--write-known-failures" => args.write_known_failures = true,
            "--keep-temp" => args.keep_temp = true,
            "--all-failures" => args.all_failures = true,
            "--runtime" => args.runtime = Some(value("--runtime")?.into()),
            "--backend" => {
                args.backend = match value("--backend")?.as_str() {
                    "cranelift" => run::Backend::Cranelift,
                    "llvm" => run::Backend::Llvm,
                    other => bail!("--backend {other}: expected cranelift or llvm\n{USAGE}"),
                }
            }
            "--target" => args.target = wasm2exe_targets::find(&value("--target")?)?.clone(),
            "-h" | "--help" => {
                say!("{USAGE}");
                std::process::exit(0);
            }
            s if s.starts_with('-') => bail!("unknown option {s}\n{USAGE}"),
            _ => args.paths.push(arg.into()),
        }
    }
    if args.paths.is_empty() {
        bail!("no .wast files given\n{USAGE}");
    }
    args.jobs = args.jobs.max(1);
    Ok(args)
}

/// The proposals wasm2exe compiles, whose spec files join a directory run (`proposals/NAME`
/// under the given directory, with its subdirectories).
const PROPOSALS: &[&str] = &["tail-call", "threads", "exceptions"];

/// The `.wast` files to run, largest first so the long SIMD files do not finish last. A
/// directory contributes its own `.wast` files and those of the supported proposals.
fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            wast_files_in(path, false, &mut files)?;
            for proposal in PROPOSALS {
                let dir = path.join("proposals").join(proposal);
                if dir.is_dir() {
                    wast_files_in(&dir, true, &mut files)?;
                }
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            bail!("{} does not exist", path.display());
        }
    }
    files.sort();
    files.dedup();
    files.sort_by_key(|p| std::cmp::Reverse(p.metadata().map(|m| m.len()).unwrap_or(0)));
    Ok(files)
}

/// Appends the `.wast` files of `dir` (and, when `recursive`, of its subdirectories).
fn wast_files_in(dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = entry?.path();
        if p.is_file() && p.extension().is_some_and(|e| e == "wast") {
            files.push(p);
        } else if recursive && p.is_dir() {
            wast_files_in(&p, true, files)?;
        }
    }
    Ok(())
}

/// The name a file goes by in the output and in KNOWN_FAILURES: its file name, or for the
/// proposal tests its path from `proposals/` on (`proposals/exceptions/legacy/throw.wast`
/// and `proposals/exceptions/throw.wast` must not collide), however it was named on the
/// command line.
fn file_name(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
    match parts.iter().rposition(|p| p == "proposals") {
        Some(i) => parts[i..].join("/"),
        None => path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
    }
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("spectest: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> anyhow::Result<ExitCode> {
    let args = parse_args()?;
    let shared = read_known(&args.known_failures)?;
    // The cell's own list; the host cell normally has none.
    let mut cell_list = args.known_failures.clone().into_os_string();
    cell_list.push(format!(".{}", args.target.triple));
    let cell_list = PathBuf::from(cell_list);
    let cell = read_known(&cell_list)?;
    let mut known = shared.merged(&cell);
    if args.backend == run::Backend::Llvm {
        // What the LLVM backend alone does not compile yet.
        let mut backend_list = args.known_failures.clone().into_os_string();
        backend_list.push(".llvm");
        known = known.merged(&read_known(&PathBuf::from(&backend_list))?);
        // And on this cell only (riscv64: tail calls LLVM cannot guarantee there).
        backend_list.push(format!(".{}", args.target.triple));
        known = known.merged(&read_known(&PathBuf::from(backend_list))?);
    }
    let on_host = args.target.triple == wasm2exe_targets::matrix::host().triple;
    let files = collect_files(&args.paths)?;
    run::quiet_compiler_panics();

    let temp = tempfile::Builder::new()
        .prefix("spectest-")
        .tempdir()
        .context("creating a temp dir")?;
    let toolchain = run::Toolchain::new(
        temp.path(),
        args.timeout,
        &args.target,
        args.runtime.as_deref(),
        args.backend,
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()?;

    let failures = Mutex::new(Vec::<Failure>::new());
    let totals = Mutex::new((0usize, 0usize));
    pool.install(|| {
        files.iter().enumerate().par_bridge().for_each(|(i, path)| {
            let name = file_name(path);
            let work = temp.path().join(format!("{i}-{}", name.replace('/', "_")));
            let report = match std::fs::create_dir(&work) {
                Ok(()) => run::run_file(&toolchain, path, &work),
                Err(e) => run::FileReport {
                    total: 1,
                    failures: vec![(0, format!("creating {}: {e}", work.display()))],
                },
            };
            if !args.keep_temp {
                let _ = std::fs::remove_dir_all(&work);
            }
            print_report(&name, &report, &known, args.all_failures);
            let mut t = totals.lock().unwrap();
            t.0 += report.total - report.failures.len();
            t.1 += report.total;
            let mut all = failures.lock().unwrap();
            all.extend(report.failures.into_iter().map(|(line, reason)| Failure {
                file: name.clone(),
                line,
                reason,
            }));
        });
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let (passed, total) = totals.into_inner().unwrap();
    let files_run: BTreeSet<String> = files.iter().map(|p| file_name(p)).collect();
    let comparison = known.compare(&files_run, &failures);
    let mut code = ExitCode::SUCCESS;

    if args.write_known_failures {
        if on_host {
            write_known(&args.known_failures, &shared, &files_run, &failures)?;
        } else {
            // Another cell: what the shared list covers stays there.
            let own: Vec<Failure> = failures
                .iter()
                .filter(|f| !shared.is_known(&f.file, f.line))
                .cloned()
                .collect();
            let base = if cell.is_empty() {
                KnownFailures::with_header(&format!(
                    "# Spec-test assertions that fail on {} only, in the format of KNOWN_FAILURES\n\
                     # (which lists what fails everywhere), used by `spectest --target {0}`.",
                    args.target.triple
                ))
            } else {
                cell
            };
            write_known(&cell_list, &base, &files_run, &own)?;
        }
    } else {
        if !comparison.stale.is_empty() {
            say!(
                "{} KNOWN_FAILURES entries now pass (remove them, or --write-known-failures):",
                comparison.stale.len()
            );
            for entry in &comparison.stale {
                say!("  {entry}");
            }
        }
        if !comparison.unexpected.is_empty() {
            say!(
                "{} failures not in KNOWN_FAILURES (regressions)",
                comparison.unexpected.len()
            );
            code = ExitCode::FAILURE;
        }
    }
    if args.keep_temp {
        say!("build directory kept: {}", temp.keep().display());
    }
    say!("spec total: {passed}/{total} assertions");
    Ok(code)
}

/// The list in `path`; an empty one when there is no such file.
fn read_known(path: &Path) -> anyhow::Result<KnownFailures> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            KnownFailures::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KnownFailures::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Rewrites the list `path` (read as `list`) from a run's failures.
fn write_known(
    path: &Path,
    list: &KnownFailures,
    files_run: &BTreeSet<String>,
    failures: &[Failure],
) -> anyhow::Result<()> {
    std::fs::write(path, list.rewrite(files_run, failures))
        .with_context(|| format!("writing {}", path.display()))?;
    say!("wrote {} ({} failures)", path.display(), failures.len());
    Ok(())
}

/// One line per file, then its unexpected failures.
fn print_report(name: &str, report: &run::FileReport, known: &KnownFailures, all: bool) {
    let unexpected: Vec<_> = report
        .failures
        .iter()
        .filter(|(line, _)| !known.is_known(name, *line))
        .collect();
    let known_count = report.failures.len() - unexpected.len();
    let mut out = format!(
        "{name}: {}/{}",
        report.total - report.failures.len(),
        report.total
    );
    if known_count > 0 {
        out.push_str(&format!(" ({known_count} known failures)"));
    }
    out.push('\n');
    let shown = if all {
        unexpected.len()
    } else {
        SHOWN_PER_FILE
    };
    for (line, reason) in unexpected.iter().take(shown) {
        out.push_str(&format!("  {name}:{line} {reason}\n"));
    }
    if unexpected.len() > shown {
        out.push_str(&format!("  ... and {} more\n", unexpected.len() - shown));
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            file_name(Path::new("../shared/testsuite/i32.wast")),
            "i32.wast"
        );
        assert_eq!(file_name(Path::new("i32.wast")), "i32.wast");
        assert_eq!(
            file_name(Path::new(
                "/x/testsuite/proposals/exceptions/legacy/throw.wast"
            )),
            "proposals/exceptions/legacy/throw.wast"
        );
    }
}
