//! Linking: the module's object plus the runtime archive become an executable.
//!
//! For the host target the system C compiler driver (`cc`, or `$CC`) links; nothing else is
//! needed. Other targets (a later addition) link with `zig cc`.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Links `objects` with the host runtime archive into the executable `output`.
pub fn link_host_executable(objects: &[&[u8]], output: &Path) -> Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut object_paths = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        let path = dir.path().join(format!("input{index}.o"));
        std::fs::write(&path, object).context("cannot write an object file")?;
        object_paths.push(path);
    }
    let archive_path = dir.path().join("libw2e_runtime.a");
    std::fs::write(&archive_path, wasm2exe_runtime::HOST_ARCHIVE)
        .context("cannot write the runtime archive")?;

    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut command = Command::new(&cc);
    command
        .arg("-o")
        .arg(output)
        .args(&object_paths)
        .arg(&archive_path)
        .args(["-lm", "-Wl,--gc-sections", "-s"]);
    let result = command.output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run the linker `{cc}`: {e}; install a C toolchain (Debian: apt-get install gcc) \
             or point $CC at one"
        )
    })?;
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        bail!("linking {} with `{cc}` failed: {first}", output.display());
    }
    Ok(())
}
