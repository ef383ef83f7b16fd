//! Every difference the fuzzer found, reduced and kept in `tests/fuzz-regressions/` (`.wasm`
//! as the reducer left it, or `.wat` minimized by hand): each must now run the same natively,
//! through both backends, as in wasmtime, with plans drawn from fixed seeds.

use std::path::Path;

use fuzz::compare::Verdict;
use fuzz::generate::{Case, Step, plan};
use fuzz::native::{self, Backend};

#[test]
fn fuzz_regressions_agree_with_wasmtime_cranelift() {
    regressions_agree(Backend::Cranelift);
}

#[test]
fn fuzz_regressions_agree_with_wasmtime_llvm() {
    regressions_agree(Backend::Llvm);
}

fn regressions_agree(backend: Backend) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fuzz-regressions");
    let build = tempfile::tempdir().unwrap();
    let tc = native::toolchain(build.path(), backend).unwrap();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let wasm = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => std::fs::read(&path).unwrap(),
            Some("wat") => wat::parse_file(&path).unwrap(),
            _ => continue,
        };
        for seed in 0..4 {
            let mut steps = plan(&wasm, seed);
            // Hand-written cases also get the edge arguments that found them.
            steps.extend(edge_calls(&steps));
            let case = Case {
                seed,
                wasm: wasm.clone(),
                steps,
            };
            let work = tempfile::tempdir_in(build.path()).unwrap();
            let verdict = fuzz::campaign::verdict_alone(backend, &tc, &case, work.path()).unwrap();
            // The LLVM backend may refuse a module by name (a tail call it cannot guarantee).
            let refused = |reason: &str| {
                backend == Backend::Llvm && reason.starts_with("refused by the LLVM backend")
            };
            assert!(
                matches!(&verdict, Verdict::Same { .. })
                    || matches!(&verdict, Verdict::Explained(reason) if refused(reason)),
                "{} ({}): {verdict:?}",
                path.display(),
                backend.name()
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no regression cases in {}", dir.display());
}

/// Each one-i32-parameter call again with addresses just below 64 KiB and 4 GiB.
fn edge_calls(steps: &[Step]) -> Vec<Step> {
    use spectest::values::Value;
    let mut extra = Vec::new();
    for step in steps {
        if let Step::Call {
            name,
            args,
            results,
        } = step
            && matches!(args.as_slice(), [Value::I32(_)])
        {
            for address in [65533u32, 65535, 0xffff_fffd, 1] {
                extra.push(Step::Call {
                    name: name.clone(),
                    args: vec![Value::I32(address)],
                    results: results.clone(),
                });
            }
        }
    }
    extra
}
