//! `fuzz replay [--backend B] [--seed S] FILE...`: runs saved modules (`.wasm` or `.wat`, e.g.
//! a regression or an open finding) alone on both sides and prints every step's outcome side
//! by side, then the verdict: the first thing to look at when diagnosing a difference. `--keep`
//! keeps each build's folder (objects, the LLVM backend's `.ll` units, the executable).

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::campaign::run_both;
use crate::compare::compare;
use crate::generate::{Case, plan};
use crate::native::{self, Backend};

/// Runs the command; the number of files whose verdict is a difference.
pub fn main(mut it: impl Iterator<Item = String>) -> anyhow::Result<usize> {
    let mut backend = Backend::Cranelift;
    let mut seed = 0;
    let mut keep = false;
    let mut files: Vec<PathBuf> = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--backend" => {
                backend = match value("--backend")?.as_str() {
                    "cranelift" => Backend::Cranelift,
                    "llvm" => Backend::Llvm,
                    other => bail!("unknown backend {other:?}: use cranelift or llvm"),
                }
            }
            "--seed" => seed = value("--seed")?.parse().context("--seed S")?,
            "--keep" => keep = true,
            other if other.starts_with('-') => bail!("replay: unknown argument {other:?}"),
            file => files.push(file.into()),
        }
    }
    if files.is_empty() {
        bail!(
            "usage: fuzz replay [--backend cranelift|llvm] [--seed S] [--keep] FILE.wasm|FILE.wat..."
        );
    }
    let dir = tempfile::Builder::new().prefix("w2e-replay").tempdir()?;
    let tc = native::toolchain(dir.path(), backend)?;
    let mut different = 0;
    for file in files {
        let wasm = match file.extension().and_then(|e| e.to_str()) {
            Some("wat") => wat::parse_file(&file)?,
            _ => std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?,
        };
        let case = Case {
            seed,
            steps: plan(&wasm, seed),
            wasm,
        };
        let work = tempfile::tempdir_in(dir.path())?;
        let (native, oracle) = run_both(backend, &tc, std::slice::from_ref(&case), work.path())?;
        let (Some(n), Some(o)) = (native.first(), oracle.first()) else {
            bail!("{}: a side reported nothing", file.display());
        };
        println!("{}:", file.display());
        println!(
            "  instantiate: wasm2exe {:?}, wasmtime {:?}",
            n.instantiate, o.instantiate
        );
        for (i, step) in case.steps.iter().enumerate() {
            println!(
                "  {step:?}\n    wasm2exe {:?}\n    wasmtime {:?}",
                n.steps.get(i),
                o.steps.get(i)
            );
        }
        let verdict = compare(&case, n, o);
        println!("  verdict: {verdict:?}");
        different += matches!(verdict, crate::compare::Verdict::Different(_)) as usize;
        if keep {
            println!("  build kept in {}", work.keep().display());
        }
    }
    if keep {
        let _ = dir.keep();
    }
    Ok(different)
}
