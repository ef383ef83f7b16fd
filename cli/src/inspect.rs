//! `wasm2exe inspect EXE`: what an executable says about itself (its manifest, manifest.rs),
//! as text or JSON. A universal Mach-O shows each slice's.

use crate::manifest::{self, Manifest, Slice};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Prints the manifest of `path`.
pub fn run(path: &Path, json: bool) -> Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let slices = manifest::read(path, &data)?;
    let text = if json {
        match slices.as_slice() {
            [one] => serde_json::to_string_pretty(&one.manifest)?,
            several => serde_json::to_string_pretty(&serde_json::json!({
                "universal": true,
                "slices": several.iter().map(|s| &s.manifest).collect::<Vec<_>>(),
            }))?,
        }
    } else {
        text(path, &slices)
    };
    // A closed pipe (`| head`) is not an error worth a line.
    let _ = writeln!(std::io::stdout(), "{text}");
    Ok(())
}

fn text(path: &Path, slices: &[Slice]) -> String {
    let mut out = format!("{}: a wasm2exe executable", path.display());
    if slices.len() > 1 {
        let _ = write!(out, ", universal ({} slices)", slices.len());
    }
    for slice in slices {
        if slices.len() > 1 {
            let _ = write!(out, "\n\nslice {}:", slice.architecture);
        }
        describe(&mut out, &slice.manifest);
    }
    out
}

fn describe(out: &mut String, m: &Manifest) {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut row = |label: &str, value: String| {
        let _ = write!(out, "\n  {label:<16}{value}");
    };
    row("target", m.target.clone());
    row(
        "built by",
        format!("wasm2exe {} ({} backend)", m.wasm2exe_version, m.backend),
    );
    row("cpu", m.cpu.clone());
    row(
        "module",
        format!("sha256 {} ({} bytes)", m.module_sha256, m.module_size),
    );
    row(
        "module embedded",
        if m.module_embedded {
            "yes (wasm2exe retarget can rebuild it)".into()
        } else {
            "no".into()
        },
    );
    let dirs: Vec<String> = m
        .grants
        .dirs
        .iter()
        .map(|(host, guest)| format!("{host} as {guest}"))
        .collect();
    row("dirs", list(&dirs));
    row("env keys", list(&m.grants.env_keys));
    row("inherit env", yes_no(m.grants.inherit_env).into());
    row("runtime grants", yes_no(m.grants.runtime_grants).into());
    row(
        "entry",
        m.grants.entry.clone().unwrap_or_else(|| "_start".into()),
    );
    let bundles: Vec<String> = m
        .bundles
        .iter()
        .map(|b| format!("{} (sha256 {})", b.guest, b.sha256))
        .collect();
    row("bundles", list(&bundles));
    row(
        "stub imports",
        m.stub_imports.clone().unwrap_or_else(|| "no".into()),
    );
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
