//! Judging one module: the native run against the oracle's, step by step.
//!
//! Results and final state compare bit for bit: wasm-smith canonicalizes every NaN an
//! arithmetic instruction makes, so the bits the spec lets vary never arise (the other NaNs
//! come from bit operations, which are exact). Traps compare by kind. A difference in where the
//! stack runs out is explained, not a bug: the executables give wasm an 8 MiB stack and
//! wasmtime 2 MiB (`fuzz/oracle.py`), and frame sizes differ; the steps after it are not
//! compared. So is wasmtime running out of memory where wasm2exe answered (a grow it tries to
//! allocate; the oracle's table limit, wasm2exe's, now refuses huge `table.grow`s up front).

use crate::generate::{Case, Step};
use crate::observed::Observed;
use crate::oracle::ModuleRun;

/// The verdict on one module.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every step agreed; the number of calls compared.
    Same { calls: usize },
    /// A difference the spec allows; why.
    Explained(String),
    /// The oracle could not run the module (or the driver stopped before it): not compared.
    Skipped(String),
    /// A bug on one side: what differed.
    Different(String),
}

/// The short name of an explanation `compare` gave, for the campaign's totals.
pub fn explanation_kind(why: &str) -> &'static str {
    if why.starts_with("refused by the LLVM backend") {
        "refused by the LLVM backend"
    } else if why.contains("wasmtime ran out of memory") {
        "wasmtime out of memory"
    } else if why.ends_with("wasmtime's (2 MiB)") {
        "stack exhausted in wasmtime only"
    } else {
        "stack exhausted in wasm2exe only"
    }
}

fn same(native: &Observed, oracle: &Observed) -> bool {
    match (native, oracle) {
        (Observed::Trap(n), Observed::Trap(o)) if o == "table out of bounds" => {
            n == "undefined element" || n == "out of bounds table access"
        }
        (Observed::Trap(n), Observed::Trap(o)) => n.starts_with(o.as_str()),
        _ => native == oracle,
    }
}

fn describe(step: Option<&Step>) -> String {
    match step {
        None => "instantiation".into(),
        Some(Step::Call { name, args, .. }) => {
            let args: Vec<_> = args.iter().map(|a| a.encode()).collect();
            format!("call {name:?}({})", args.join(", "))
        }
        Some(Step::Global { name, .. }) => format!("global {name:?}"),
        Some(Step::Memory { name }) => format!("memory {name:?} (pages, crc32)"),
    }
}

/// Compares the two runs of `case`.
pub fn compare(case: &Case, native: &ModuleRun, oracle: &ModuleRun) -> Verdict {
    if let Observed::Error(e) = &oracle.instantiate {
        return Verdict::Skipped(format!("the oracle could not instantiate it: {e}"));
    }
    let pairs = std::iter::once((None, &native.instantiate, &oracle.instantiate)).chain(
        case.steps
            .iter()
            .zip(native.steps.iter().zip(&oracle.steps))
            .map(|(s, (n, o))| (Some(s), n, o)),
    );
    let mut calls = 0;
    for (step, n, o) in pairs {
        if same(n, o) {
            if let Some(Step::Call { .. }) = step {
                calls += 1;
            }
            // After a failed instantiation, neither side has steps.
            if *o != Observed::Ok && step.is_none() {
                break;
            }
            continue;
        }
        // A feature a backend does not compile yet is refused by name at compile time (never
        // miscompiled): the module is not comparable, which is not a difference.
        if let Observed::Error(e) = n
            && e.contains("compile error: unsupported: the LLVM backend does not compile")
        {
            return Verdict::Explained(format!("refused by the LLVM backend: {e}"));
        }
        if let Observed::Error(e) = o
            && e.contains("out of memory")
        {
            return Verdict::Explained(format!(
                "{}: wasmtime ran out of memory ({e}); wasm2exe answered {n:?}",
                describe(step)
            ));
        }
        if *n == Observed::Exhausted || *o == Observed::Exhausted {
            let side = if *o == Observed::Exhausted {
                "wasmtime's (2 MiB)"
            } else {
                "wasm2exe's (8 MiB)"
            };
            return Verdict::Explained(format!(
                "{}: the stack ran out on one side only: {side}",
                describe(step)
            ));
        }
        return Verdict::Different(format!(
            "{}: wasm2exe {n:?}, wasmtime {o:?}",
            describe(step)
        ));
    }
    Verdict::Same { calls }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_kinds_match_like_the_spec_harness() {
        let trap = |s: &str| Observed::Trap(s.into());
        assert!(same(
            &trap("undefined element"),
            &trap("table out of bounds")
        ));
        assert!(same(
            &trap("out of bounds table access"),
            &trap("table out of bounds")
        ));
        assert!(!same(&trap("unreachable"), &trap("table out of bounds")));
        assert!(same(
            &trap("uninitialized element 3"),
            &trap("uninitialized element")
        ));
        assert!(!same(
            &Observed::Ret(vec!["7fc00000".into()]),
            &Observed::Ret(vec!["ffc00000".into()])
        ));
    }

    #[test]
    fn exhaustion_on_one_side_is_explained() {
        let case = Case {
            seed: 0,
            wasm: Vec::new(),
            steps: vec![Step::Memory { name: "m".into() }],
        };
        let run = |step| ModuleRun {
            instantiate: Observed::Ok,
            steps: vec![step],
        };
        let verdict = compare(
            &case,
            &run(Observed::Exhausted),
            &run(Observed::Ret(vec![])),
        );
        assert!(matches!(verdict, Verdict::Explained(_)));
        let verdict = compare(
            &case,
            &run(Observed::Trap("unreachable".into())),
            &run(Observed::Ret(vec![])),
        );
        assert!(matches!(verdict, Verdict::Different(_)));
    }
}
