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
//!
//! Machine code comes from the compile cache when it has it (cache.rs), once per code key;
//! each executable gets the manifest object (manifest.rs, with the embedded module if asked).
//! A universal cell (one with `slices`) is built from its slices' executables, which are built
//! like any cell (into a temporary directory when they were not asked for themselves).

use crate::cache::{CodeCache, KeyParts};
use crate::link::{self, Linker};
use crate::manifest::Manifest;
use crate::progress::Progress;
use crate::select::Naming;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use target_lexicon::Triple;
use wasm2exe_compiler::{CompileOptions, ParsedModule};
use wasm2exe_targets::matrix::Backend as CellBackend;
use wasm2exe_targets::{Target, Zig, matrix, runtime};

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
    /// `--backend`; `None`: each cell's own (the cell's backend names the code in the cache
    /// key and the manifest).
    pub requested_backend: Option<Backend>,
    /// `--cpu rva23`: riscv64 SIMD code may use the V extension (Cranelift's).
    pub riscv64_v: bool,
    pub naming: Naming,
    /// `--runtime PATH`.
    pub runtime: Option<PathBuf>,
    /// `--linker CMD`.
    pub linker: Option<String>,
    /// The name errors give the input.
    pub input: String,
    /// The compile cache; `None` with `--no-cache`.
    pub cache: Option<CodeCache>,
    /// `--stub-imports` as the cache key spells it: none, trap or zero.
    pub stub_policy: &'static str,
    /// The manifest of every executable; each cell fills in its target and backend.
    pub manifest: Manifest,
    /// `--embed-module`: the module section (embed.rs).
    pub embedded: Option<Vec<u8>>,
    pub progress: Option<Progress>,
}

/// Per code key, what the cache did for it in this build (`Built::cache`).
type CacheSlots = Mutex<HashMap<String, Arc<OnceLock<&'static str>>>>;

/// One cell's output.
pub struct Built {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub seconds: f64,
    /// The code generator that built it.
    pub backend: CellBackend,
    /// Where its machine code came from: `hit` (the compile cache), `miss` (compiled and
    /// stored), `off` (compiled; --no-cache, or the LLVM backend).
    pub cache: &'static str,
}

/// Builds every cell, in parallel; the results are in `targets`' order.
pub fn build_all(job: &Job, targets: &[Target]) -> Vec<Result<Built>> {
    let mut module = match ParsedModule::parse(job.wasm) {
        Ok(module) => module,
        Err(e) => {
            return targets
                .iter()
                .map(|_| Err(anyhow::anyhow!("cannot compile {}: {e}", job.input)))
                .collect();
        }
    };
    if let Some(progress) = &job.progress {
        let progress = progress.clone();
        module.on_function_compiled(Arc::new(move || progress.compiled(1)));
    }
    let cells = match Cells::plan(targets, job) {
        Ok(cells) => cells,
        Err(e) => {
            return targets
                .iter()
                .map(|_| Err(anyhow::anyhow!("{e:#}")))
                .collect();
        }
    };
    let zig = OnceLock::new();
    let slots = CacheSlots::default();
    let thin: Vec<Result<Built>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cells
            .thin
            .iter()
            .map(|(target, output)| {
                scope.spawn(|| build_one(job, &module, target, output, &zig, &slots))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| Err(crate::panic_error(panic)))
            })
            .collect()
    });
    if let Some(progress) = &job.progress {
        progress.finish();
    }
    cells.results(job, targets, thin)
}

/// The thin cells a build makes: the targets asked for, and the slices of universal targets.
struct Cells {
    /// (cell, output path).
    thin: Vec<(Target, PathBuf)>,
    /// Where slices nobody asked for are written.
    _scratch: Option<tempfile::TempDir>,
}

impl Cells {
    fn plan(targets: &[Target], job: &Job) -> Result<Cells> {
        let mut thin: Vec<(Target, PathBuf)> = targets
            .iter()
            .filter(|t| t.slices.is_empty())
            .map(|t| (t.clone(), job.naming.path(t, job.emit_object)))
            .collect();
        let mut scratch = None;
        // (`select::with_objects` left universal targets out of object builds.)
        for universal in targets.iter().filter(|t| !t.slices.is_empty()) {
            for slice in &universal.slices {
                if thin.iter().any(|(t, _)| &t.triple == slice) {
                    continue;
                }
                if scratch.is_none() {
                    scratch =
                        Some(tempfile::tempdir().context("cannot create a temporary directory")?);
                }
                let dir = scratch.as_ref().expect("just made").path();
                let cell = matrix::find(slice)?.clone();
                let output = dir.join(&cell.triple);
                thin.push((cell, output));
            }
        }
        Ok(Cells {
            thin,
            _scratch: scratch,
        })
    }

    /// Every asked-for target's result, universal ones assembled from their slices.
    fn results(
        &self,
        job: &Job,
        targets: &[Target],
        thin: Vec<Result<Built>>,
    ) -> Vec<Result<Built>> {
        let mut by_triple: HashMap<&str, Result<Built>> = self
            .thin
            .iter()
            .map(|(t, _)| t.triple.as_str())
            .zip(thin)
            .collect();
        let universal: Vec<(String, Result<Built>)> = targets
            .iter()
            .filter(|t| !t.slices.is_empty())
            .map(|t| (t.triple.clone(), self.universal(job, t, &by_triple)))
            .collect();
        let mut universal: HashMap<String, Result<Built>> = universal.into_iter().collect();
        targets
            .iter()
            .map(|t| match universal.remove(&t.triple) {
                Some(result) => result,
                None => by_triple
                    .remove(t.triple.as_str())
                    .unwrap_or_else(|| Err(anyhow::anyhow!("{} was not built", t.triple))),
            })
            .collect()
    }

    fn universal(
        &self,
        job: &Job,
        target: &Target,
        slices: &HashMap<&str, Result<Built>>,
    ) -> Result<Built> {
        let start = Instant::now();
        let mut images = Vec::new();
        for slice in &target.slices {
            match slices.get(slice.as_str()) {
                Some(Ok(built)) => images.push(
                    std::fs::read(&built.path)
                        .with_context(|| format!("cannot read {}", built.path.display()))?,
                ),
                Some(Err(e)) => {
                    anyhow::bail!("its {slice} slice failed: {}", crate::report::one_line(e))
                }
                None => anyhow::bail!("its {slice} slice was not built"),
            }
        }
        let cache = target
            .slices
            .iter()
            .filter_map(|s| slices.get(s.as_str())?.as_ref().ok())
            .map(|b| b.cache)
            .find(|&c| c != "hit")
            .unwrap_or("hit");
        let backend = target
            .slices
            .iter()
            .filter_map(|s| slices.get(s.as_str())?.as_ref().ok())
            .map(|b| b.backend)
            .next()
            .unwrap_or(target.backend);
        let fat = crate::universal::fat(&images)?;
        let output = job.naming.path(target, false);
        write_output(&output, &fat)?;
        set_executable(&output)?;
        Ok(Built {
            size: fat.len() as u64,
            sha256: hex(&Sha256::digest(&fat)),
            path: output,
            seconds: start.elapsed().as_secs_f64()
                + target
                    .slices
                    .iter()
                    .filter_map(|s| slices.get(s.as_str())?.as_ref().ok())
                    .map(|b| b.seconds)
                    .fold(0.0, f64::max),
            backend,
            cache,
        })
    }
}

fn write_output(output: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    std::fs::write(output, bytes).with_context(|| format!("cannot write {}", output.display()))
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> Result<()> {
    Ok(())
}

/// Fills the module's machine code for `options` from the cache, once per code key and
/// build; what the cache lacks is compiled now and stored. A cache that cannot be read or
/// written never fails the build: the code is compiled as without it.
fn use_cache(
    job: &Job,
    module: &ParsedModule<'_>,
    options: &CompileOptions,
    slots: &CacheSlots,
) -> Result<&'static str> {
    let code_key = module
        .code_key(options)
        .with_context(|| format!("cannot compile {}", job.input))?;
    let slot = slots
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(code_key.clone())
        .or_default()
        .clone();
    let status = slot.get_or_init(|| {
        let functions = module.defined_functions();
        if let Some(progress) = &job.progress {
            progress.add_functions(functions);
        }
        let Some(cache) = &job.cache else {
            return "off";
        };
        let key = CodeCache::key(
            job.wasm,
            &KeyParts {
                // Only Cranelift's code is cached.
                backend: CellBackend::Cranelift.name(),
                code_key: &code_key,
                stub_policy: job.stub_policy,
            },
        );
        if let Some(bytes) = cache.get(&key)
            && module.load_machine_code(options, &bytes).is_ok()
        {
            if let Some(progress) = &job.progress {
                progress.compiled(functions);
            }
            return "hit";
        }
        if let Ok(bytes) = module.machine_code(options) {
            let _ = cache.put(&key, &bytes);
        }
        "miss"
    });
    Ok(status)
}

fn build_one(
    job: &Job,
    module: &ParsedModule<'_>,
    target: &Target,
    output: &Path,
    zig: &OnceLock<Result<Option<Zig>, String>>,
    slots: &CacheSlots,
) -> Result<Built> {
    let start = Instant::now();
    let requested = job
        .requested_backend
        .map(Backend::cell)
        .or_else(|| riscv64_simd_backend(target, job));
    let backend = target.backend_for(requested)?;
    let triple: Triple = target
        .triple
        .parse()
        .map_err(|e| anyhow::anyhow!("targets.toml: {}: {e}", target.triple))?;
    let mut options = job.options.clone();
    options.triple = triple.clone();
    // Cranelift's code goes through the compile cache; the LLVM backend's is not cached.
    let cranelift = backend == CellBackend::Cranelift || job.emit_object;
    let cache = match cranelift {
        true => use_cache(job, module, &options, slots)?,
        false => "off",
    };
    let compile_cranelift = || {
        module
            .compile(&options)
            .with_context(|| format!("cannot compile {}", job.input))
    };
    if job.emit_object {
        write_output(output, &compile_cranelift()?)?;
    } else {
        if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
        // Only Cranelift's riscv64 SIMD code needs V (and checks for it).
        let capabilities = crate::config::Capabilities {
            uses_simd: job.capabilities.uses_simd && backend == CellBackend::Cranelift,
            ..job.capabilities.clone()
        }
        .object(&triple)?;
        let bundle = job.bundles.object(&triple)?;
        let manifest = Manifest {
            target: target.triple.clone(),
            backend: backend.name().into(),
            ..job.manifest.clone()
        };
        let manifest = crate::manifest::object(&triple, &manifest, job.embedded.as_deref())?;
        let use_host_cc = target.is_host() && job.linker.is_none();
        // Looked for once, by whichever cell asks first.
        let find_zig = || match zig
            .get_or_init(|| Zig::find(job.linker.as_deref()).map_err(|e| format!("{e:#}")))
        {
            Ok(found) => Ok(found.as_ref()),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        let objects = match backend {
            CellBackend::Cranelift => vec![compile_cranelift()?],
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
        let line = job.progress.as_ref().map(|p| p.linking(&target.triple));
        let linked = link::link(
            &linker,
            target,
            &objects
                .iter()
                .chain([&capabilities, &bundle, &manifest])
                .map(Vec::as_slice)
                .collect::<Vec<_>>(),
            archive,
            output,
        );
        if let Some(line) = line {
            crate::progress::linked(line);
        }
        linked?;
    }
    let bytes =
        std::fs::read(output).with_context(|| format!("cannot read {}", output.display()))?;
    Ok(Built {
        path: output.to_path_buf(),
        size: bytes.len() as u64,
        sha256: hex(&Sha256::digest(&bytes)),
        seconds: start.elapsed().as_secs_f64(),
        backend,
        cache,
    })
}

/// riscv64's baseline is RV64GC, without V: Cranelift's SIMD code needs V (most boards sold
/// so far lack it), LLVM's for RV64GC does not. So a module using SIMD is built for riscv64
/// with LLVM unless `--cpu rva23` or `--backend cranelift` asks for the V code (the
/// executable then checks for V at start-up).
fn riscv64_simd_backend(target: &Target, job: &Job) -> Option<CellBackend> {
    (target.zig_target.starts_with("riscv64") && !job.riscv64_v && job.capabilities.uses_simd)
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
