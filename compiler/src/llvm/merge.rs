//! Merging IR units of several modules into one LLVM module, so that a test harness compiles
//! many small modules with one zig invocation. Symbols never clash (each module has its own
//! prefix); only the shared declarations (builtins, intrinsics, the other units' functions),
//! the trailing attribute and metadata lines and the shared `linkonce_odr` globals must appear
//! once, and a declaration must go when the merged text defines the symbol.

use std::collections::BTreeSet;

/// The symbol a `define`/`declare` line names.
fn symbol(line: &str) -> Option<&str> {
    let at = line.find('@')?;
    let rest = &line[at + 1..];
    Some(&rest[..rest.find('(')?])
}

/// One LLVM module holding every unit of `units`, in order.
pub fn merge_units(units: &[&str]) -> String {
    let defined: BTreeSet<&str> = units
        .iter()
        .flat_map(|u| u.lines())
        .filter(|l| l.starts_with("define "))
        .filter_map(symbol)
        .collect();
    let mut declared = BTreeSet::new();
    let mut trailer = BTreeSet::new();
    let mut text = String::from("source_filename = \"merged\"\n");
    for unit in units {
        for line in unit.lines() {
            if line.starts_with("; ModuleID") || line.starts_with("source_filename") {
                continue;
            }
            if line.starts_with("declare ") {
                let name = symbol(line).unwrap_or(line);
                if defined.contains(name) || !declared.insert(name.to_string()) {
                    continue;
                }
            }
            // Shared definitions (`linkonce_odr`, e.g. the tail-call buffer) appear once.
            if line.starts_with("attributes #")
                || line.starts_with('!')
                || line.contains(" = linkonce_odr ")
            {
                trailer.insert(line.to_string());
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
    }
    for line in trailer {
        text.push_str(&line);
        text.push('\n');
    }
    text
}
