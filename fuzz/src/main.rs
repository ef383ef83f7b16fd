//! `cargo run --release -p fuzz -- --seconds N --backend cranelift|llvm|both [--seed S]`
//! differential fuzzing, ending with `fuzz: M modules, E executions, D differences`;
//! `cargo run --release -p fuzz -- bad-input [--count N] [--cli-sample K] [--seed S]`
//! feeds the compiler and the CLI mutated, truncated and oversized modules.
//! See the crate's library docs for how it works.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fuzz::campaign::{self, Totals};
use fuzz::native::{self, Backend};
use fuzz::reduce::reduce;

const USAGE: &str =
    "usage: fuzz [--seconds N] [--backend cranelift|llvm|both] [--seed S] [--batch M]
            [--save DIR] [--no-reduce] [--keep-temp]
       fuzz replay [--backend cranelift|llvm] [--seed S] [--keep] FILE.wasm|FILE.wat...
       fuzz bad-input [--count N] [--cli-sample K] [--seed S] [--seconds-per-input T]
  --seconds N     run for N seconds per backend (default 60)
  --seed S        first seed (default: derived from the time, printed); batch k uses
                  seeds S + k*M .. S + (k+1)*M, so a seed reproduces a module
  --batch M       modules per executable (default 40)
  --save DIR      where reduced differences go (default tests/fuzz-regressions)
  --no-reduce     keep differences as generated (no wasm-shrink)";

struct Args {
    seconds: u64,
    backends: Vec<Backend>,
    seed: u64,
    batch: u64,
    save: PathBuf,
    reduce: bool,
    keep_temp: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut args = Args {
        seconds: 60,
        backends: vec![Backend::Cranelift],
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .wrapping_mul(1_000_003),
        batch: 40,
        save: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-regressions"),
        reduce: true,
        keep_temp: false,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .with_context(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--seconds" => args.seconds = value("--seconds")?.parse().context("--seconds N")?,
            "--seed" => args.seed = value("--seed")?.parse().context("--seed S")?,
            "--batch" => {
                args.batch = value("--batch")?
                    .parse::<u64>()
                    .context("--batch M")?
                    .max(1)
            }
            "--save" => args.save = value("--save")?.into(),
            "--no-reduce" => args.reduce = false,
            "--keep-temp" => args.keep_temp = true,
            "--backend" => {
                args.backends = match value("--backend")?.as_str() {
                    "cranelift" => vec![Backend::Cranelift],
                    "llvm" => vec![Backend::Llvm],
                    "both" => vec![Backend::Cranelift, Backend::Llvm],
                    other => bail!("unknown backend {other:?}: use cranelift, llvm or both"),
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

fn differential(args: Args) -> anyhow::Result<usize> {
    let dir = tempfile::Builder::new().prefix("w2e-fuzz").tempdir()?;
    println!(
        "fuzz: seed {}, {} modules per executable",
        args.seed, args.batch
    );
    let mut differences_total = 0;
    for &backend in &args.backends {
        let tc_dir = dir.path().join(backend.name());
        std::fs::create_dir_all(&tc_dir)?;
        let tc = native::toolchain(&tc_dir, backend)?;
        let mut totals = Totals::default();
        let start = Instant::now();
        let mut first = args.seed;
        while start.elapsed() < Duration::from_secs(args.seconds) {
            let work = tempfile::tempdir_in(dir.path())?;
            let differences = campaign::batch(
                backend,
                &tc,
                first..first + args.batch,
                work.path(),
                &mut totals,
            )?;
            for difference in differences {
                println!(
                    "fuzz: {}: difference at seed {}: {}",
                    backend.name(),
                    difference.case.seed,
                    difference.what
                );
                save(&args, backend, &tc, &difference, dir.path())?;
            }
            if args.keep_temp {
                println!("fuzz: batch kept in {}", work.keep().display());
            }
            first += args.batch;
        }
        let seconds = start.elapsed().as_secs_f64();
        let kinds: Vec<String> = totals
            .explained_by
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let explained = if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        };
        println!(
            "fuzz: {}: {:.1} modules/s in {seconds:.0} s; {} explained{}, {} not compared; seeds {}..{}",
            backend.name(),
            totals.modules as f64 / seconds,
            totals.explained,
            explained,
            totals.skipped,
            args.seed,
            first
        );
        println!(
            "fuzz: {} modules, {} executions, {} differences",
            totals.modules, totals.executions, totals.differences
        );
        differences_total += totals.differences;
    }
    if args.keep_temp {
        let _ = dir.keep();
    }
    Ok(differences_total)
}

/// Reduces a difference and writes it into the regression directory.
fn save(
    args: &Args,
    backend: Backend,
    tc: &spectest::run::Toolchain,
    difference: &campaign::Difference,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let wasm = if args.reduce {
        let work = tempfile::tempdir_in(dir)?;
        reduce(
            backend,
            tc,
            &difference.case,
            work.path(),
            Duration::from_secs(300),
        )
    } else {
        difference.case.wasm.clone()
    };
    std::fs::create_dir_all(&args.save)?;
    let stem = format!("{}-seed{}", backend.name(), difference.case.seed);
    let path = args.save.join(format!("{stem}.wasm"));
    std::fs::write(&path, &wasm).with_context(|| format!("writing {}", path.display()))?;
    std::fs::write(
        args.save.join(format!("{stem}.txt")),
        format!("seed {}\n{}\n", difference.case.seed, difference.what),
    )?;
    println!("fuzz: reduced to {} bytes: {}", wasm.len(), path.display());
    Ok(())
}

fn main() -> ExitCode {
    spectest::run::quiet_compiler_panics();
    let mut argv = std::env::args().skip(1).peekable();
    let result = if argv.peek().map(String::as_str) == Some("bad-input") {
        argv.next();
        fuzz::bad_input::main(argv).map(|bad| bad as usize)
    } else if argv.peek().map(String::as_str) == Some("replay") {
        argv.next();
        fuzz::replay::main(argv)
    } else {
        parse_args(argv).and_then(differential)
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("fuzz: {e:#}");
            ExitCode::FAILURE
        }
    }
}
