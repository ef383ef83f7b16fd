//! The oracle: wasmtime, through its PyPI bindings (`fuzz/oracle.py`), one Python process per
//! batch. Why this oracle: it implements every proposal the fuzzer enables (exceptions
//! included, which wasmi lacks), it is already installed for the WASI and program tests, and
//! it costs no build time (the wasmtime crate would compile a second Cranelift on 2 cores).
//! Its code generator is Cranelift too, but its translation from wasm is wasmtime's own,
//! independent of wasm2exe's, and fuzzed continuously on OSS-Fuzz.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::generate::{Case, Step};
use crate::observed::{Observed, value_hex};

/// What one module did: its instantiation, then each step of its plan.
#[derive(Clone, Debug)]
pub struct ModuleRun {
    pub instantiate: Observed,
    pub steps: Vec<Observed>,
}

fn kind_name(ty: &wasmparser::ValType) -> &'static str {
    match ty {
        wasmparser::ValType::I32 => "i32",
        wasmparser::ValType::I64 => "i64",
        wasmparser::ValType::F32 => "f32",
        wasmparser::ValType::F64 => "f64",
        wasmparser::ValType::V128 => "v128",
        wasmparser::ValType::Ref(r) if r.is_func_ref() => "funcref",
        wasmparser::ValType::Ref(_) => "externref",
    }
}

fn step_json(step: &Step) -> serde_json::Value {
    use serde_json::json;
    match step {
        Step::Call {
            name,
            args,
            results,
        } => {
            let args: Vec<_> = args
                .iter()
                .map(|a| {
                    let encoded = a.encode();
                    let kind = encoded.split_once(':').map_or("", |(k, _)| k).to_string();
                    json!([kind, value_hex(a)])
                })
                .collect();
            let results: Vec<_> = results.iter().map(kind_name).collect();
            json!(["call", name, args, results])
        }
        Step::Global { name, ty } => json!(["global", name, kind_name(ty)]),
        Step::Memory { name } => json!(["memory", name]),
    }
}

/// Runs `cases` in wasmtime, writing their modules into `work`.
pub fn run(cases: &[Case], work: &Path) -> anyhow::Result<Vec<ModuleRun>> {
    let mut modules = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let path = work.join(format!("oracle{n}.wasm"));
        std::fs::write(&path, &case.wasm).with_context(|| format!("writing {}", path.display()))?;
        let steps: Vec<_> = case.steps.iter().map(step_json).collect();
        modules.push(serde_json::json!({"wasm": path, "steps": steps}));
    }
    let batch = work.join("oracle.json");
    std::fs::write(
        &batch,
        serde_json::json!({ "modules": modules }).to_string(),
    )?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("oracle.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&batch)
        .output()
        .context("running python3 (the oracle needs PyPI's wasmtime: pip install wasmtime)")?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        bail!(
            "the oracle failed: {}",
            stderr.lines().last().unwrap_or("(no output)")
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("reading the oracle's results")?;
    let runs = json
        .as_array()
        .context("the oracle's results are not a list")?;
    Ok(runs
        .iter()
        .map(|run| ModuleRun {
            instantiate: Observed::from_oracle(&run["inst"]),
            steps: run["steps"]
                .as_array()
                .map(|s| s.iter().map(Observed::from_oracle).collect())
                .unwrap_or_default(),
        })
        .collect())
}
