//! The C runtime as a static archive for a cell, built with zig and cached.
//!
//! The runtime crate embeds every runtime source (`wasm2exe_runtime::SOURCES`), so an
//! installed `wasm2exe` can build the runtime for any target without this source tree. A
//! build takes seconds (zig's first libc build for a target takes minutes, but that happens
//! at link time, in zig's own cache), so the archive is kept under the user's cache
//! directory, keyed by a hash of everything that goes into it: the sources, the zig target,
//! zig's version and the flags. A second build for the same target is then a file lookup.

use crate::zig::Zig;
use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The flags the runtime is compiled with: those of runtime-headless/build.rs for the host.
pub const CFLAGS: &[&str] = &[
    "-std=c11",
    // Size over speed: the runtime's hot work is in libc (memcpy, memset) and system calls; its
    // own code runs at start-up, in WASI calls and on traps. This keeps hello under 100 KB.
    "-Os",
    // One section per function and datum, so `--gc-sections` drops what a module never uses.
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-omit-frame-pointer",
    "-D_GNU_SOURCE",
    "-Iinclude",
    "-Isrc",
];

/// The archive's file name.
pub const ARCHIVE_NAME: &str = "libw2e_runtime.a";

/// `$XDG_CACHE_HOME/wasm2exe` or `~/.cache/wasm2exe`.
pub fn cache_root() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".cache"),
            None => bail!(
                "cannot find a cache directory for runtime archives: neither $XDG_CACHE_HOME nor \
                 $HOME is set; set one of them"
            ),
        },
    };
    Ok(base.join("wasm2exe"))
}

/// The cache key of the runtime archive for `zig_target` built by `zig`.
pub fn cache_key(zig_target: &str, zig: &Zig) -> String {
    let mut hash = Sha256::new();
    for (path, text) in wasm2exe_runtime::SOURCES {
        for part in [path.as_bytes(), text.as_bytes()] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    for part in [zig_target, &zig.version]
        .into_iter()
        .chain(CFLAGS.iter().copied())
    {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The cached archive for `zig_target`, built first if it is not there yet. `triple` names
/// the target in errors.
pub fn archive(triple: &str, zig_target: &str, zig: &Zig) -> Result<PathBuf> {
    let dir = cache_root()?.join("runtime");
    let final_dir = dir.join(cache_key(zig_target, zig));
    let archive = final_dir.join(ARCHIVE_NAME);
    if archive.is_file() {
        return Ok(archive);
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
    // Build beside the final place and rename: a concurrent build of the same archive, or an
    // interrupted one, never leaves a partial archive where it would be found.
    let work = tempfile::Builder::new()
        .prefix("build-")
        .tempdir_in(&dir)
        .with_context(|| format!("cannot create a directory in {}", dir.display()))?;
    build(triple, zig_target, zig, work.path())?;
    let built = work.path().join("out");
    match std::fs::rename(&built, &final_dir) {
        Ok(()) => Ok(archive),
        Err(_) if archive.is_file() => Ok(archive),
        Err(e) => Err(e).with_context(|| format!("cannot store {}", final_dir.display())),
    }
}

/// Writes the sources into `work`, compiles each `.c` file the target needs (the portable
/// folders and its own platform folder) and archives the objects into
/// `work/out/libw2e_runtime.a`.
fn build(triple: &str, zig_target: &str, zig: &Zig, work: &Path) -> Result<()> {
    let src = work.join("src");
    let mut c_files = Vec::new();
    let windows = zig_target.contains("-windows");
    for (path, text) in wasm2exe_runtime::SOURCES {
        let file = src.join(path);
        std::fs::create_dir_all(file.parent().expect("a source has a directory"))
            .context("cannot write the runtime sources")?;
        std::fs::write(&file, text).context("cannot write the runtime sources")?;
        if wasm2exe_runtime::is_compiled_for(path, windows) {
            c_files.push(*path);
        }
    }
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let objects: Vec<Result<PathBuf>> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<&str>> = (0..jobs)
            .map(|j| c_files.iter().skip(j).step_by(jobs).copied().collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let src = &src;
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|path| compile(triple, zig_target, zig, src, path))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("compile thread"))
            .collect()
    });
    let objects: Vec<PathBuf> = objects.into_iter().collect::<Result<_>>()?;

    let out = work.join("out");
    std::fs::create_dir(&out).context("cannot create the archive directory")?;
    let result = zig
        .subcommand("ar")
        .arg("rcs")
        .arg(out.join(ARCHIVE_NAME))
        .args(&objects)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run `{} ar`", zig.display()))?;
    if !result.status.success() {
        bail!(
            "archiving the runtime for {triple} with `{} ar` failed: {}",
            zig.display(),
            first_error(&result.stderr)
        );
    }
    Ok(())
}

/// Compiles `src/PATH` into `src/PATH.o`.
fn compile(triple: &str, zig_target: &str, zig: &Zig, src: &Path, path: &str) -> Result<PathBuf> {
    let object = src.join(format!("{path}.o"));
    let result = zig
        .cc(zig_target)
        .current_dir(src)
        .args(CFLAGS)
        .arg("-c")
        .arg(path)
        .arg("-o")
        .arg(&object)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run `{} cc`", zig.display()))?;
    if !result.status.success() {
        bail!(
            "the runtime does not compile for {triple} ({zig_target}): {}",
            first_error(&result.stderr)
        );
    }
    Ok(object)
}

/// The line of a compiler's or linker's output that says what went wrong: an undefined
/// symbol, else the first error (not the driver's "ld returned 1" summary), else the first.
pub fn first_error(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let summary = |l: &&&str| l.contains("collect2") || l.contains("linker command failed");
    lines
        .iter()
        .find(|l| l.contains("undefined") && !summary(l))
        .or_else(|| lines.iter().find(|l| l.contains("error") && !summary(l)))
        .or(lines.first())
        .map_or_else(|| "no output".to_string(), |l| l.to_string())
}
