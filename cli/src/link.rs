//! Linking: the module's objects plus the runtime archive become an executable.
//!
//! The host cell links with the system C compiler driver (`cc`, or `$CC`) and the runtime
//! archive built with wasm2exe itself, so a native build needs nothing else. Every other cell
//! links with `zig cc -target ZIG_TARGET` and the flags of its targets.toml row: zig brings
//! the libc and the linker of every format, so one tool covers the whole matrix.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasm2exe_targets::runtime::first_error;
use wasm2exe_targets::{Target, Zig};

/// Which linker a cell uses.
pub enum Linker<'a> {
    /// The system `cc` (or `$CC`), for the host cell.
    HostCc,
    /// zig, for every other cell (and for the host with --linker).
    Zig(&'a Zig),
}

/// Links `objects` with the runtime `archive` into `output` for `target`.
pub fn link(
    linker: &Linker,
    target: &Target,
    objects: &[&[u8]],
    archive: &Path,
    output: &Path,
) -> Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let object_paths = write_objects(dir.path(), objects)?;
    let (mut command, name) = match linker {
        Linker::HostCc => {
            let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
            let mut command = Command::new(&cc);
            // What the host archive was built with needs (the sanitizers' runtimes).
            command.args(wasm2exe_runtime::HOST_LINK_ARGS);
            (command, cc)
        }
        Linker::Zig(zig) => {
            let mut command = zig.cc(&target.zig_target);
            // zig builds libc once per optimization mode: -O2 picks the optimized one (and
            // the one CI warms), not a debug libc.
            command.arg("-O2");
            (command, format!("{} cc", zig.display()))
        }
    };
    command
        .args(&target.link_flags)
        .arg("-o")
        .arg(output)
        .args(&object_paths)
        .arg(archive)
        .arg("-lm");
    let result = command.output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run the linker `{name}`: {e}; install a C toolchain (Debian: apt-get install \
             gcc) or point $CC at one"
        )
    })?;
    if !result.status.success() {
        bail!(
            "linking {} with `{name}` failed: {}",
            output.display(),
            first_error(&result.stderr)
        );
    }
    Ok(())
}

fn write_objects(dir: &Path, objects: &[&[u8]]) -> Result<Vec<PathBuf>> {
    objects
        .iter()
        .enumerate()
        .map(|(index, object)| {
            let path = dir.join(format!("input{index}.o"));
            std::fs::write(&path, object).context("cannot write an object file")?;
            Ok(path)
        })
        .collect()
}
