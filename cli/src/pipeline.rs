//! Building one module for several cells at once.
//!
//! The module is read, validated and summarized once; the import and entry policies are
//! decided once, and it is parsed once for all cells. Then each cell gets its own thread:
//! generate code (the compiler spreads the functions over the rayon pool itself, and cells of
//! one architecture share it: the first compiles, the others wait and only write their
//! objects), write the capabilities object, find the runtime archive (cached per target) and
//! link. Keeping the links off the rayon pool means a cell
//! waiting on its linker never idles a thread another cell could compile on. A cell that
//! fails reports its one-line error and the others carry on.

use crate::link::{self, Linker};
use crate::select::Naming;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;
use target_lexicon::Triple;
use wasm2exe_compiler::{CompileOptions, ParsedModule};
use wasm2exe_targets::matrix::Backend as CellBackend;
use wasm2exe_targets::{Target, Zig, runtime};

/// The code generator (`--backend`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Cranelift: fast builds, wasmtime's code.
    Cranelift,
    /// LLVM through zig: slower builds, faster code.
    Llvm,
}

impl Backend {
    /// The matrix's name for it.
    pub fn cell(self) -> CellBackend {
        match self {
            Backend::Cranelift => CellBackend::Cranelift,
            Backend::Llvm => CellBackend::Llvm,
        }
    }
}

/// What every cell's build shares.
pub struct Job<'a> {
    pub wasm: &'a [u8],
    /// The options for the host triple; each cell replaces the triple.
    pub options: CompileOptions,
    pub capabilities: crate::config::Capabilities,
    /// `--bundle`s: embedded read-only directories.
    pub bundles: crate::bundle::Bundles,
    pub emit_object: bool,
    /// `--backend`; `None`: each cell's own.
    pub backend: Option<Backend>,
    pub naming: Naming,
    /// `--runtime PATH`.
    pub runtime: Option<PathBuf>,
    /// `--linker CMD`.
    pub linker: Option<String>,
    /// The name errors give the input.
    pub input: String,
}

/// One cell's output.
pub struct Built {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub seconds: f64,
    /// The code generator that built it.
    pub backend: CellBackend,
}

/// Builds every cell, in parallel; the results are in `targets`' order.
pub fn build_all(job: &Job, targets: &[Target]) -> Vec<Result<Built>> {
    let module = match ParsedModule::parse(job.wasm) {
        Ok(module) => module,
        Err(e) => {
            return targets
                .iter()
                .map(|_| Err(anyhow::anyhow!("cannot compile {}: {e}", job.input)))
                .collect();
        }
    };
    let zig = OnceLock::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|target| scope.spawn(|| build_one(job, &module, target, &zig)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| Err(crate::panic_error(panic)))
            })
            .collect()
    })
}

fn build_one(
    job: &Job,
    module: &ParsedModule<'_>,
    target: &Target,
    zig: &OnceLock<Result<Option<Zig>, String>>,
) -> Result<Built> {
    let start = Instant::now();
    let requested = job
        .backend
        .map(Backend::cell)
        .or_else(|| riscv64_simd_backend(target, job.wasm));
    let backend = target.backend_for(requested)?;
    let triple: Triple = target
        .triple
        .parse()
        .map_err(|e| anyhow::anyhow!("targets.toml: {}: {e}", target.triple))?;
    let mut options = job.options.clone();
    options.triple = triple.clone();
    let output = job.naming.path(target, job.emit_object);
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    if job.emit_object {
        let object = module
            .compile(&options)
            .with_context(|| format!("cannot compile {}", job.input))?;
        std::fs::write(&output, &object)
            .with_context(|| format!("cannot write {}", output.display()))?;
    } else {
        let capabilities = job.capabilities.object(&triple)?;
        let bundle = job.bundles.object(&triple)?;
        let use_host_cc = target.is_host() && job.linker.is_none();
        // Looked for once, by whichever cell asks first.
        let find_zig = || match zig
            .get_or_init(|| Zig::find(job.linker.as_deref()).map_err(|e| format!("{e:#}")))
        {
            Ok(found) => Ok(found.as_ref()),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        let objects = match backend {
            CellBackend::Cranelift => vec![
                module
                    .compile(&options)
                    .with_context(|| format!("cannot compile {}", job.input))?,
            ],
            CellBackend::Llvm => {
                let zig = find_zig()?.ok_or_else(wasm2exe_targets::llvm::zig_missing)?;
                crate::llvm::objects(module, &options, target, zig, &job.input)?
            }
        };
        let zig = if use_host_cc {
            None
        } else {
            Some(find_zig()?.ok_or_else(|| Zig::missing(&target.triple))?)
        };
        let host_archive;
        let archive: &Path = match (&job.runtime, zig) {
            (Some(path), _) => path,
            (None, None) => {
                host_archive = HostArchive::write()?;
                host_archive.path()
            }
            (None, Some(zig)) => {
                host_archive =
                    HostArchive::Cached(runtime::archive(&target.triple, &target.zig_target, zig)?);
                host_archive.path()
            }
        };
        let linker = match zig {
            Some(zig) => Linker::Zig(zig),
            None => Linker::HostCc,
        };
        link::link(
            &linker,
            target,
            &objects
                .iter()
                .chain([&capabilities, &bundle])
                .map(Vec::as_slice)
                .collect::<Vec<_>>(),
            archive,
            &output,
        )?;
    }
    let bytes =
        std::fs::read(&output).with_context(|| format!("cannot read {}", output.display()))?;
    Ok(Built {
        path: output,
        size: bytes.len() as u64,
        sha256: hex(&Sha256::digest(&bytes)),
        seconds: start.elapsed().as_secs_f64(),
        backend,
    })
}

/// riscv64's baseline is RV64GC, without V: Cranelift's SIMD code needs V (most boards sold
/// so far lack it), LLVM's for RV64GC does not. So a module using SIMD is built for riscv64
/// with LLVM unless `--backend cranelift` asks for the V code (the executable then checks for
/// V at start-up).
fn riscv64_simd_backend(target: &Target, wasm: &[u8]) -> Option<CellBackend> {
    (target.zig_target.starts_with("riscv64") && wasm2exe_compiler::uses_simd(wasm))
        .then_some(CellBackend::Llvm)
}

/// The runtime archive a link uses: the host's, written to a temporary file, or a cached one.
enum HostArchive {
    /// The directory lives as long as the link needs the file.
    Temp {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Cached(PathBuf),
}

impl HostArchive {
    fn write() -> Result<HostArchive> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let path = dir.path().join(runtime::ARCHIVE_NAME);
        std::fs::write(&path, wasm2exe_runtime::HOST_ARCHIVE)
            .context("cannot write the runtime archive")?;
        Ok(HostArchive::Temp { _dir: dir, path })
    }

    fn path(&self) -> &Path {
        match self {
            HostArchive::Temp { path, .. } | HostArchive::Cached(path) => path,
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
