//! Shrinking a difference to a small regression test with wasm-shrink: a candidate is
//! interesting while it still differs (run alone, with a plan drawn from the same seed).

use std::path::Path;
use std::time::{Duration, Instant};

use spectest::run::Toolchain;

use crate::campaign::verdict_alone;
use crate::compare::Verdict;
use crate::generate::{Case, plan};
use crate::native::Backend;

/// Shrinks `case` for at most `budget`; returns the smallest module that still differs.
pub fn reduce(
    backend: Backend,
    tc: &Toolchain,
    case: &Case,
    work: &Path,
    budget: Duration,
) -> Vec<u8> {
    let start = Instant::now();
    let seed = case.seed;
    let still_differs = |wasm: &[u8]| -> anyhow::Result<bool> {
        if start.elapsed() > budget {
            return Ok(false);
        }
        let candidate = Case {
            seed,
            wasm: wasm.to_vec(),
            steps: plan(wasm, seed),
        };
        Ok(matches!(
            verdict_alone(backend, tc, &candidate, work),
            Ok(Verdict::Different(_))
        ))
    };
    match wasm_shrink::WasmShrink::default()
        .attempts(500)
        .seed(seed)
        .run(case.wasm.clone(), still_differs)
    {
        Ok(info) => info.output,
        Err(_) => case.wasm.clone(),
    }
}
