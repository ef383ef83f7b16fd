//! One batch at a time: generate, run both sides (in parallel), compare, count.

use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use spectest::run::Toolchain;

use crate::compare::{Verdict, compare};
use crate::generate::{self, Case};
use crate::native::{self, Backend};
use crate::observed::Observed;
use crate::oracle::{self, ModuleRun};

/// Totals over a campaign.
#[derive(Debug, Default)]
pub struct Totals {
    pub modules: usize,
    pub executions: usize,
    pub differences: usize,
    pub explained: usize,
    /// The explained modules by kind of explanation.
    pub explained_by: std::collections::BTreeMap<&'static str, usize>,
    pub skipped: usize,
}

/// A module on which the two sides differ.
pub struct Difference {
    pub case: Case,
    pub what: String,
}

/// Generates the cases for `seeds` (wasm-smith cannot use every byte string: those are left
/// out).
pub fn cases(seeds: impl IntoParallelIterator<Item = u64>) -> Vec<Case> {
    seeds.into_par_iter().filter_map(generate::case).collect()
}

/// Runs both sides on `cases` (the oracle in parallel with the native build and run).
pub fn run_both(
    backend: Backend,
    tc: &Toolchain,
    cases: &[Case],
    work: &Path,
) -> anyhow::Result<(Vec<ModuleRun>, Vec<ModuleRun>)> {
    let (native, oracle) = std::thread::scope(|s| {
        let oracle = s.spawn(|| oracle::run(cases, work));
        let native = run_native_isolated(backend, tc, cases, work);
        (native, oracle.join().expect("the oracle thread panicked"))
    });
    Ok((native?, oracle?))
}

/// Whether a module's compile error is its LLVM unit's: the LLVM backend compiles many modules'
/// code in one merged unit, so one module that crashes clang fails them all.
fn unit_failure(run: &ModuleRun) -> bool {
    matches!(&run.instantiate, Observed::Error(e) if e.contains("LLVM rejected the generated IR"))
}

/// Runs `cases` natively; while a unit's compile failure is reported by several modules, runs
/// each half of them again (in a folder of its own) until every such failure belongs to the
/// module that causes it, so one bad module counts as one difference and is the one reduced,
/// and the others are compared (about 2 log2(n) more builds per bad module).
fn run_native_isolated(
    backend: Backend,
    tc: &Toolchain,
    cases: &[Case],
    work: &Path,
) -> anyhow::Result<Vec<ModuleRun>> {
    let mut runs = native::run(backend, tc, cases, work)?;
    let failed: Vec<usize> = (0..runs.len())
        .filter(|&i| unit_failure(&runs[i]))
        .collect();
    if failed.len() > 1 {
        let (low, high) = failed.split_at(failed.len() / 2);
        for half in [low, high] {
            let subset: Vec<Case> = half.iter().map(|&i| cases[i].clone()).collect();
            let sub_work = tempfile::tempdir_in(work)?;
            let sub_runs = run_native_isolated(backend, tc, &subset, sub_work.path())?;
            for (&i, run) in half.iter().zip(sub_runs) {
                runs[i] = run;
            }
        }
    }
    Ok(runs)
}

/// Judges every module of a batch; `totals` counts them, the differences come back.
pub fn judge(
    cases: Vec<Case>,
    native: &[ModuleRun],
    oracle: &[ModuleRun],
    totals: &mut Totals,
) -> Vec<Difference> {
    let mut differences = Vec::new();
    let mut driver_stopped = false;
    for (n, case) in cases.into_iter().enumerate() {
        let (Some(native_run), Some(oracle_run)) = (native.get(n), oracle.get(n)) else {
            totals.skipped += 1;
            continue;
        };
        totals.modules += 1;
        // Modules after the one that stopped the driver never ran: not a difference of theirs.
        let missing = native::is_missing(&native_run.instantiate);
        if missing && driver_stopped {
            totals.skipped += 1;
            continue;
        }
        let verdict = compare(&case, native_run, oracle_run);
        driver_stopped |= missing || native_run.steps.iter().any(native::is_missing);
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            eprintln!("fuzz: seed {}: {verdict:?}", case.seed);
        }
        match verdict {
            Verdict::Same { calls } => totals.executions += calls,
            Verdict::Explained(why) => {
                totals.explained += 1;
                *totals
                    .explained_by
                    .entry(crate::compare::explanation_kind(&why))
                    .or_default() += 1;
            }
            Verdict::Skipped(_) => totals.skipped += 1,
            Verdict::Different(what) => {
                totals.differences += 1;
                differences.push(Difference { case, what });
            }
        }
    }
    differences
}

/// Runs the batch of `seeds` and judges it.
pub fn batch(
    backend: Backend,
    tc: &Toolchain,
    seeds: std::ops::Range<u64>,
    work: &Path,
    totals: &mut Totals,
) -> anyhow::Result<Vec<Difference>> {
    let cases = cases(seeds);
    let (native, oracle) = run_both(backend, tc, &cases, work).context("running a batch")?;
    Ok(judge(cases, &native, &oracle, totals))
}

/// Runs one module alone on both sides and judges it (the reducer's and the regression tests'
/// question).
pub fn verdict_alone(
    backend: Backend,
    tc: &Toolchain,
    case: &Case,
    work: &Path,
) -> anyhow::Result<Verdict> {
    let cases = std::slice::from_ref(case);
    let (native, oracle) = run_both(backend, tc, cases, work)?;
    let (Some(n), Some(o)) = (native.first(), oracle.first()) else {
        anyhow::bail!("a side reported nothing");
    };
    Ok(compare(case, n, o))
}
