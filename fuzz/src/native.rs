//! The system under test: a batch of modules through the real pipeline (compile each module,
//! link them all with the spectest driver and the runtime into one executable, run it on a
//! script), by the spectest harness's own code. The backend is this module's one parameter.

use std::path::Path;
use std::time::Duration;

use spectest::run::{Toolchain, run_script};
use spectest::script::{Expect, InstanceExpect, Script, Step as ScriptStep, StepKind};

use crate::generate::{Case, Step};
use crate::observed::Observed;
use crate::oracle::ModuleRun;

/// The code generator under test: the one the target matrix and the spectest harness name.
pub use wasm2exe_targets::matrix::Backend;

/// The host toolchain (driver object, runtime archive, and for LLVM the zig that compiles
/// its IR) in `dir`, built once per run and backend.
pub fn toolchain(dir: &Path, backend: Backend) -> anyhow::Result<Toolchain> {
    Toolchain::new(
        dir,
        Duration::from_secs(60),
        &wasm2exe_targets::matrix::host(),
        None,
        backend,
    )
}

/// Runs `cases` natively with `backend`, building in `work`: one outcome per module.
pub fn run(
    backend: Backend,
    tc: &Toolchain,
    cases: &[Case],
    work: &Path,
) -> anyhow::Result<Vec<ModuleRun>> {
    debug_assert_eq!(tc.backend, backend, "a toolchain of another backend");
    let script = script(cases);
    let (objects, outcomes) = run_script(tc, &script, work);
    let mut step_id = 0;
    let mut runs = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let observe = |id: usize| match (&objects[n], &outcomes) {
            (Err(e), _) => Observed::Error(format!("compile error: {e}")),
            (Ok(_), Err(e)) => Observed::Error(e.clone()),
            (Ok(_), Ok(o)) => o.by_step.get(&id).map_or_else(
                || Observed::Error(format!("no outcome: {}", o.missing_reason)),
                Observed::from_native,
            ),
        };
        let instantiate = observe(step_id);
        let steps = (0..case.steps.len())
            .map(|i| observe(step_id + 1 + i))
            .collect();
        step_id += 1 + case.steps.len();
        runs.push(ModuleRun { instantiate, steps });
    }
    Ok(runs)
}

/// The driver's script: instantiate each module in its own slot, then play its steps.
fn script(cases: &[Case]) -> Script {
    let mut steps = Vec::new();
    let step = |kind| ScriptStep {
        line: 0,
        is_assertion: false,
        kind,
    };
    for (n, case) in cases.iter().enumerate() {
        steps.push(step(StepKind::Instantiate {
            slot: n,
            module: n,
            expect: InstanceExpect::Success,
        }));
        for s in &case.steps {
            steps.push(step(match s {
                Step::Call { name, args, .. } => StepKind::Invoke {
                    slot: n,
                    name: name.clone(),
                    args: args.clone(),
                    expect: Expect::Anything,
                },
                Step::Global { name, .. } | Step::Memory { name } => StepKind::Get {
                    slot: n,
                    name: name.clone(),
                    expect: Expect::Anything,
                },
            }));
        }
    }
    Script {
        modules: cases.iter().map(|c| c.wasm.clone()).collect(),
        num_slots: cases.len(),
        steps,
    }
}

/// Whether an outcome is missing because the driver stopped (crashed or timed out).
pub fn is_missing(observed: &Observed) -> bool {
    matches!(observed, Observed::Error(e) if e.starts_with("no outcome"))
}
