//! `wasm2exe retarget EXE --target T`: builds the program of an executable made with
//! `--embed-module` again, for other targets, with the same grants, bundles and options.
//! The module and the recipe come from the executable (embed.rs), the bundles from the
//! executable's own bundle blob (found by the digest its manifest records).

use crate::bundle::Bundles;
use crate::embed;
use crate::manifest::{self, Manifest};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// What `retarget` is asked for, besides the executable.
pub struct Request<'a> {
    pub exe: &'a Path,
    /// Options for the new build: `--target`s, `-o`/`--out-dir`, `--linker`, ...
    pub build_args: Vec<String>,
}

/// The module of `exe`, the arguments that build it again (the recipe's, then the request's,
/// the module's path first), and its bundles.
pub fn prepare(request: &Request, scratch: &Path) -> Result<(PathBuf, Vec<String>, Bundles)> {
    let exe = request.exe;
    let data = std::fs::read(exe).with_context(|| format!("cannot read {}", exe.display()))?;
    let slices = manifest::read(exe, &data)?;
    let Some(section) = slices.iter().find_map(|s| s.module.as_deref()) else {
        bail!(
            "{} was built without --embed-module, so it does not contain its module; rebuild it \
             from the module: {}",
            exe.display(),
            rebuild_hint(&slices[0].manifest)
        );
    };
    let (wasm, recipe) = embed::read(section).with_context(|| exe.display().to_string())?;
    // Named after the executable, so the outputs are NAME-TRIPLE (NAME without the triple
    // a multi-target build gave it: app-x86_64-pc-windows-gnu.exe gives app-TRIPLE).
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "module".into());
    let stem = wasm2exe_targets::matrix::all()
        .iter()
        .find_map(|t| stem.strip_suffix(&format!("-{}", t.triple)))
        .filter(|name| !name.is_empty())
        .map_or(stem.clone(), str::to_string);
    let module = scratch.join(format!("{stem}.wasm"));
    std::fs::write(&module, &wasm).context("cannot write the module to a temporary file")?;
    let bundles = match &recipe.bundles_sha256 {
        None => Bundles::read(&[])?,
        Some(sha256) => Bundles::find_in(&data, recipe.bundle_guests.clone(), sha256)
            .with_context(|| {
                format!(
                    "{}: its bundles (sha256 {sha256}) are not intact in the file; rebuild it \
                     from the module with its --bundle directories",
                    exe.display()
                )
            })?,
    };
    let mut args = recipe.args;
    args.extend(request.build_args.iter().cloned());
    Ok((module, args, bundles))
}

/// The command that builds what `manifest` describes (environment values are not recorded).
fn rebuild_hint(m: &Manifest) -> String {
    let mut hint = format!(
        "wasm2exe MODULE.wasm (sha256 {}) --target TRIPLE",
        m.module_sha256
    );
    for (host, guest) in &m.grants.dirs {
        hint += &format!(" --dir {host}::{guest}");
    }
    for key in &m.grants.env_keys {
        hint += &format!(" --env {key}=...");
    }
    for bundle in &m.bundles {
        hint += &format!(" --bundle DIR::{}", bundle.guest);
    }
    if m.grants.inherit_env {
        hint += " --inherit-env";
    }
    if m.grants.runtime_grants {
        hint += " --runtime-grants";
    }
    if let Some(entry) = &m.grants.entry {
        hint += &format!(" --entry {entry}");
    }
    if let Some(stub) = &m.stub_imports {
        hint += &format!(" --stub-imports {stub}");
    }
    if m.cpu != "baseline" {
        hint += &format!(" --cpu {}", m.cpu);
    }
    hint + " --embed-module"
}
