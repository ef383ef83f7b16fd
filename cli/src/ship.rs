//! `wasm2exe runtime`: the runtime archive of targets, for linking `--emit obj` objects
//! yourself or for `--runtime PATH`. The host's is the archive built into wasm2exe; the
//! others are built with zig (or taken from the cache, see wasm2exe_targets::runtime).

use crate::select;
use anyhow::{Context, Result};
use std::path::Path;
use wasm2exe_targets::{Zig, runtime};

/// Writes `DIR/libw2e_runtime-TRIPLE.a` per target; returns the failures of single targets.
pub fn run(targets: &[String], out_dir: &Path, linker: Option<&str>) -> Result<Vec<anyhow::Error>> {
    let targets = select::targets(targets)?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the directory {}", out_dir.display()))?;
    let zig = std::sync::OnceLock::new();
    let mut failures = Vec::new();
    for target in &targets {
        let path = out_dir.join(format!("libw2e_runtime-{}.a", target.triple));
        if !target.slices.is_empty() {
            // Its executables link with its slices' archives; `all` covers those.
            if !targets.iter().any(|t| target.slices.contains(&t.triple)) {
                failures.push(anyhow::anyhow!(
                    "{} has no runtime archive of its own; ask for {}",
                    target.triple,
                    target.slices.join(" and ")
                ));
            }
            continue;
        }
        let result = (|| -> Result<()> {
            if target.is_host() && linker.is_none() {
                return std::fs::write(&path, wasm2exe_runtime::HOST_ARCHIVE)
                    .with_context(|| format!("cannot write {}", path.display()));
            }
            let zig = match zig.get_or_init(|| Zig::find(linker).map_err(|e| format!("{e:#}"))) {
                Ok(Some(zig)) => zig,
                Ok(None) => return Err(Zig::missing(&target.triple)),
                Err(e) => anyhow::bail!("{e}"),
            };
            let archive = runtime::archive(&target.triple, &target.zig_target, zig)?;
            std::fs::copy(&archive, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        })();
        match result {
            Ok(()) => println!("{}", path.display()),
            Err(e) => failures.push(e),
        }
    }
    Ok(failures)
}
