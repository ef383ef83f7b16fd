//! Decisions about what a module needs before it is built: which imports the executable can
//! provide (WASI) and what happens to the rest (`--stub-imports`), and which export runs
//! (`_start`, or `--entry` for reactors).

use anyhow::{Result, bail};
use std::collections::BTreeMap;
use wasm2exe_compiler::{ModuleSummary, StubKind, ValType};

/// The import module every executable provides.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// How many names an error lists before it says "and N more".
const LISTED: usize = 8;

/// The function imports to replace with stubs. Fails when the module needs something the
/// executable cannot provide and no policy says what to do about it.
pub fn plan_imports(
    summary: &ModuleSummary,
    policy: Option<StubKind>,
) -> Result<BTreeMap<u32, StubKind>> {
    let foreign: Vec<_> = summary
        .imports
        .iter()
        .filter(|i| i.module != WASI_MODULE)
        .collect();
    if let Some(spawn) = foreign.iter().find(|i| i.name == "thread-spawn") {
        bail!(
            "the module spawns threads (it imports \"{}\".\"thread-spawn\" from wasi-threads), \
             but a wasm2exe executable runs one thread: build the program for wasm32-wasi \
             (without threads)",
            spawn.module
        );
    }
    if let Some(other) = foreign.iter().find(|i| i.func_index.is_none()) {
        bail!(
            "the module imports \"{}\".\"{}\", a table, memory, global or tag from outside WASI, \
             which an executable cannot provide",
            other.module,
            other.name
        );
    }
    if foreign.is_empty() {
        return Ok(BTreeMap::new());
    }
    let Some(kind) = policy else {
        let names: Vec<String> = foreign
            .iter()
            .map(|i| format!("{}.{}", i.module, i.name))
            .collect();
        bail!(
            "the module imports functions from outside WASI that an executable cannot provide: \
             {}; choose what calling one does with --stub-imports trap or --stub-imports zero",
            list(&names)
        );
    };
    Ok(foreign
        .iter()
        .filter_map(|i| Some((i.func_index?, kind)))
        .collect())
}

/// Checks the function the executable runs: `_start`, or `entry`.
pub fn check_entry(summary: &ModuleSummary, entry: Option<&str>) -> Result<()> {
    let exported: Vec<String> = summary
        .exported_functions
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let Some(entry) = entry else {
        if exported.iter().any(|name| name == "_start") {
            return Ok(());
        }
        bail!(
            "the module has no _start export (it is a reactor, not a command): choose the \
             function to run with --entry NAME; exported functions: {}",
            list(&exported)
        );
    };
    let Some(function) = summary.exported_functions.iter().find(|f| f.name == entry) else {
        bail!(
            "--entry {entry}: the module exports no function of that name; exported functions: {}",
            list(&exported)
        );
    };
    if function.params > 0 {
        bail!(
            "--entry {entry}: the function takes {} parameters; it must take none",
            function.params
        );
    }
    match function.results.as_slice() {
        [] | [ValType::I32] => Ok(()),
        other => bail!(
            "--entry {entry}: the function returns {other:?}; it must return nothing or one i32 \
             (the exit code)"
        ),
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    let shown = names
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().checked_sub(LISTED) {
        Some(more) if more > 0 => format!("{shown} (and {more} more)"),
        _ => shown,
    }
}
