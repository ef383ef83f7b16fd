//! Bad input: mutated, truncated and oversized modules, binary and text, fed to the compiler
//! in-process (every panic caught, every input timed) and a sample of them to the `wasm2exe`
//! CLI. The compiler may accept an input that is still valid; otherwise it must answer with
//! one line, and the CLI with one line on stderr and exit code 1. Never a panic, a hang or a
//! signal.
//!
//! Inputs grow from wasm-smith modules (valid, using every feature wasm2exe compiles) and their
//! text form (wasmprinter), one mutation each, chosen by the input's number: truncation, byte
//! flips, a wasm-mutate rewrite (still valid: it reaches code generation), an oversized count
//! or length spliced in, a multi-megabyte tail, a component header, and text cut or garbled.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rayon::prelude::*;
use wasm2exe_compiler::CompileOptions;

use crate::generate::{self, Rng};

/// Valid modules the inputs are mutated from.
const BASE_MODULES: u64 = 256;

struct Args {
    count: u64,
    cli_sample: u64,
    seed: u64,
    limit: Duration,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut args = Args {
        count: 100_000,
        cli_sample: 1000,
        seed: 1,
        limit: Duration::from_secs(10),
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--count" => args.count = value("--count")?.parse().context("--count N")?,
            "--cli-sample" => {
                args.cli_sample = value("--cli-sample")?.parse().context("--cli-sample K")?
            }
            "--seed" => args.seed = value("--seed")?.parse().context("--seed S")?,
            "--seconds-per-input" => {
                args.limit = Duration::from_secs(
                    value("--seconds-per-input")?
                        .parse()
                        .context("--seconds-per-input T")?,
                )
            }
            other => bail!("bad-input: unknown argument {other:?}"),
        }
    }
    Ok(args)
}

/// One bad input: its bytes and whether it is text.
pub struct Input {
    pub bytes: Vec<u8>,
    pub is_text: bool,
    pub how: &'static str,
}

/// The base modules: binary and text.
fn bases(seed: u64) -> Vec<(Vec<u8>, String)> {
    (0..BASE_MODULES)
        .into_par_iter()
        .filter_map(|n| {
            let wasm = generate::module(seed.wrapping_mul(1_000_003).wrapping_add(n))?;
            let text = wasmprinter::print_bytes(&wasm).ok()?;
            Some((wasm, text))
        })
        .collect()
}

/// Input number `n`.
pub fn input(bases: &[(Vec<u8>, String)], seed: u64, n: u64) -> Input {
    let mut rng = Rng::new(seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (wasm, text) = &bases[rng.below(bases.len() as u64) as usize];
    let mut bytes = wasm.clone();
    let at = |len: usize, rng: &mut Rng| rng.below(len as u64 + 1) as usize;
    let (how, is_text) = match n % 9 {
        0 => {
            bytes.truncate(at(wasm.len(), &mut rng));
            ("truncated", false)
        }
        1 => {
            for _ in 0..1 + rng.below(16) {
                let i = at(bytes.len().saturating_sub(1), &mut rng);
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            ("bit flips", false)
        }
        2 => {
            let mut mutate = wasm_mutate::WasmMutate::default();
            mutate.seed(rng.next_u64()).fuel(1000);
            if let Ok(Some(Ok(mutated))) = mutate.run(wasm).map(|mut it| it.next()) {
                bytes = mutated;
            }
            ("wasm-mutate", false)
        }
        3 => {
            // A count or length of 2^32-1 (or 2^35-1: overlong) where any LEB could be.
            let i = at(wasm.len(), &mut rng);
            let huge: &[u8] = if rng.below(2) == 0 {
                &[0xff, 0xff, 0xff, 0xff, 0x0f]
            } else {
                &[0xff, 0xff, 0xff, 0xff, 0x7f]
            };
            bytes.splice(i..(i + 1).min(bytes.len()), huge.iter().copied());
            ("huge count", false)
        }
        4 => {
            // Oversized: megabytes of garbage after the module (a section with no end).
            let tail = rng.below(2 << 20) as usize;
            bytes.extend((0..tail / 8).flat_map(|_| rng.next_u64().to_le_bytes()));
            ("oversized", false)
        }
        5 => {
            // A component (what WASI 0.2 programs are), truncated anywhere after its header.
            bytes[4..8].copy_from_slice(&[0x0d, 0x00, 0x01, 0x00]);
            bytes.truncate(8 + at(wasm.len() - 8, &mut rng));
            ("component", false)
        }
        6 => {
            bytes = text.as_bytes().to_vec();
            bytes.truncate(at(text.len(), &mut rng));
            ("text truncated", true)
        }
        7 => {
            bytes = text.as_bytes().to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = at(bytes.len().saturating_sub(1), &mut rng);
                let garbage = b"()\"\\;$ 0x-+.:=\xff\x00abcdefghijklmnopqrstuvwxyz0123456789";
                if let Some(b) = bytes.get_mut(i) {
                    *b = garbage[rng.below(garbage.len() as u64) as usize];
                }
            }
            ("text garbled", true)
        }
        _ => {
            // Deep nesting: text the parser must not recurse on without bound.
            let depth = 1000 + rng.below(20_000) as usize;
            let mut t = String::from("(module (func ");
            t.push_str(&"(block ".repeat(depth));
            t.push_str(&")".repeat(if rng.below(2) == 0 { depth } else { depth / 2 }));
            t.push_str("))");
            bytes = t.into_bytes();
            ("text deeply nested", true)
        }
    };
    Input {
        bytes,
        is_text,
        how,
    }
}

/// What the compiler did with one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Compiled,
    /// Rejected with one line.
    Rejected,
    /// Rejected with an error spanning lines (a defect: users get one line).
    MultiLine(String),
    Panicked(String),
}

/// Compiles `input` in-process as the CLI would (text through `wat` first).
pub fn compile(input: &Input) -> Answer {
    let result = std::panic::catch_unwind(|| {
        let wasm = if input.is_text {
            match wat::parse_bytes(&input.bytes) {
                Ok(wasm) => wasm.into_owned(),
                // The CLI keeps the first line of wat's messages (they quote the source).
                Err(_) => return Ok(()),
            }
        } else {
            input.bytes.clone()
        };
        wasm2exe_compiler::compile(&wasm, &CompileOptions::host())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(Ok(())) => Answer::Compiled,
        Ok(Err(message)) if message.contains('\n') => Answer::MultiLine(message),
        Ok(Err(_)) => Answer::Rejected,
        Err(panic) => Answer::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// The `wasm2exe` binary of this build (next to the fuzzer's).
fn wasm2exe() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?
        .parent()
        .context("no directory")?
        .join("wasm2exe");
    if !exe.exists() {
        bail!(
            "{} is missing: build it first (cargo build --release)",
            exe.display()
        );
    }
    Ok(exe)
}

/// Runs the CLI on `input`; `None` if it answered as it must (exit 0, or exit 1 with one
/// line on stderr), else what went wrong. `built` counts the executables written.
fn run_cli(
    wasm2exe: &Path,
    input: &Input,
    dir: &Path,
    n: u64,
    built: &AtomicUsize,
) -> Option<String> {
    let path = dir.join(format!(
        "in{n}.{}",
        if input.is_text { "wat" } else { "wasm" }
    ));
    let out = dir.join(format!("out{n}"));
    if let Err(e) = std::fs::write(&path, &input.bytes) {
        return Some(format!("cannot write the input: {e}"));
    }
    // Past the CLI's own checks to code generation and linking: run a function export when
    // there is no _start, and stub any import.
    let wasm = if input.is_text {
        wat::parse_bytes(&input.bytes).map(|b| b.into_owned()).ok()
    } else {
        Some(input.bytes.clone())
    };
    let entry = wasm.as_deref().and_then(first_function_export);
    let child = Command::new(wasm2exe)
        .arg(&path)
        .arg("-o")
        .arg(&out)
        .args(["--stub-imports", "trap"])
        .args(entry.iter().map(|e| format!("--entry={e}")))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return Some(format!("cannot start wasm2exe: {e}")),
    };
    let start = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            return Some("hang: no answer in 120 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    use std::io::Read as _;
    let _ = child.stderr.take()?.read_to_string(&mut stderr);
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&out);
    match status.code() {
        Some(0) => {
            built.fetch_add(1, Ordering::Relaxed);
            None
        }
        Some(1) if stderr.lines().count() == 1 && !stderr.contains("panicked") => None,
        code => Some(format!("exit {code:?}, stderr {stderr:?}")),
    }
}

/// An export the CLI accepts as `--entry` (no parameters, no result or an i32), unless the
/// module has `_start`.
fn first_function_export(wasm: &[u8]) -> Option<String> {
    use wasmparser::{ExternalKind, Payload, TypeRef, ValType};
    let (mut types, mut funcs, mut first) = (Vec::new(), Vec::new(), None);
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::TypeSection(reader)) => {
                for ty in reader.into_iter_err_on_gc_types().flatten() {
                    types.push(
                        ty.params().is_empty() && matches!(ty.results(), [] | [ValType::I32]),
                    );
                }
            }
            Ok(Payload::ImportSection(reader)) => {
                for import in reader.into_imports().flatten() {
                    if let TypeRef::Func(t) = import.ty {
                        funcs.push(t);
                    }
                }
            }
            Ok(Payload::FunctionSection(reader)) => funcs.extend(reader.into_iter().flatten()),
            Ok(Payload::ExportSection(reader)) => {
                for export in reader.into_iter().flatten() {
                    if export.kind != ExternalKind::Func {
                        continue;
                    }
                    if export.name == "_start" {
                        return None;
                    }
                    let runnable = funcs
                        .get(export.index as usize)
                        .and_then(|&t| types.get(t as usize))
                        .copied()
                        .unwrap_or(false);
                    if runnable && first.is_none() {
                        first = Some(export.name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    first
}

/// The bad-input run; returns the number of defects (panics, hangs, multi-line errors, CLI
/// misbehaviour), after printing each and a summary.
pub fn main(args: impl Iterator<Item = String>) -> anyhow::Result<u64> {
    let args = parse_args(args)?;
    let wasm2exe = wasm2exe()?;
    let start = Instant::now();
    let bases = bases(args.seed);
    let defects = Mutex::new(Vec::<String>::new());
    let (compiled, rejected, text) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    // The watchdog: any input still running after the limit is a hang; the process ends
    // there (a hung thread cannot be stopped).
    let running: Mutex<std::collections::HashMap<u64, Instant>> = Mutex::default();
    let limit = args.limit;
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| -> anyhow::Result<()> {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let running = running.lock().unwrap();
                if let Some((n, _)) = running.iter().find(|(_, t)| t.elapsed() > limit) {
                    println!(
                        "bad-input: HANG: input {n} (seed {}) ran over {} s",
                        args.seed,
                        limit.as_secs()
                    );
                    println!("bad-input: 1 hangs");
                    std::process::exit(1);
                }
            }
        });
        (0..args.count).into_par_iter().for_each(|n| {
            let input = input(&bases, args.seed, n);
            running.lock().unwrap().insert(n, Instant::now());
            let answer = compile(&input);
            running.lock().unwrap().remove(&n);
            if input.is_text {
                text.fetch_add(1, Ordering::Relaxed);
            }
            match answer {
                Answer::Compiled => _ = compiled.fetch_add(1, Ordering::Relaxed),
                Answer::Rejected => _ = rejected.fetch_add(1, Ordering::Relaxed),
                defect => defects
                    .lock()
                    .unwrap()
                    .push(format!("input {n} ({}): {defect:?}", input.how)),
            }
        });
        done.store(true, Ordering::Relaxed);
        Ok(())
    })?;
    let in_process = start.elapsed();
    let dir = tempfile::tempdir()?;
    let step = (args.count / args.cli_sample.max(1)).max(1);
    let sample: Vec<u64> = (0..args.count)
        .step_by(step as usize)
        .take(args.cli_sample as usize)
        .collect();
    let built = AtomicUsize::new(0);
    sample.par_iter().for_each(|&n| {
        let input = input(&bases, args.seed, n);
        if let Some(what) = run_cli(&wasm2exe, &input, dir.path(), n, &built) {
            defects
                .lock()
                .unwrap()
                .push(format!("CLI, input {n} ({}): {what}", input.how));
        }
    });
    let defects = defects.into_inner().unwrap();
    for defect in &defects {
        println!("bad-input: {defect}");
    }
    println!(
        "bad-input: {} inputs ({} text) in {:.0} s: {} compiled, {} rejected with one line; CLI: {} runs ({} built an executable) in {:.0} s; seed {}",
        args.count,
        text.into_inner(),
        in_process.as_secs_f64(),
        compiled.into_inner(),
        rejected.into_inner(),
        sample.len(),
        built.into_inner(),
        (start.elapsed() - in_process).as_secs_f64(),
        args.seed
    );
    println!(
        "bad-input: {} panics, 0 hangs, {} defects",
        defects.iter().filter(|d| d.contains("Panicked")).count(),
        defects.len()
    );
    Ok(defects.len() as u64)
}
