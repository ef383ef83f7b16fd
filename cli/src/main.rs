//! `wasm2exe`: compile a WebAssembly WASI command module into a standalone native executable.
//!
//! The CLI glues the pieces: it reads the input (`.wasm`, or `.wat` text), asks the compiler
//! library for an object, and links that object with the runtime archive. Every failure ends
//! in one line on stderr that names the cause and, where there is one, the fix.

mod bundle;
mod cache;
mod config;
mod embed;
mod input;
mod inspect;
mod link;
mod list;
mod llvm;
mod manifest;
mod pipeline;
mod policy;
mod progress;
mod report;
mod retarget;
mod select;
mod ship;
mod universal;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wasm2exe_compiler::{CompileOptions, CpuLevel, StubKind, Triple};

/// Exit code of every failure of wasm2exe itself (bad input, compile or link error).
const EXIT_FAILURE: u8 = 1;

const AFTER_HELP: &str = "\
Examples:
  wasm2exe hello.wasm -o hello        compile for this machine
  wasm2exe hello.wat                  text input works too; writes ./hello
  wasm2exe app.wasm --emit obj -o app.o   only the object file (link it yourself)
  wasm2exe app.wasm --dir . --env LANG=C  let it use the directory it starts in
  wasm2exe app.wasm --dir /srv/data::/data  grant /srv/data, seen as /data
  wasm2exe app.wasm --target aarch64-unknown-linux-musl   cross-compile (links with zig)
  wasm2exe app.wasm --target all --out-dir out/   one executable per target: out/app-TRIPLE
  wasm2exe targets                    the targets, and which this machine can link and run
  wasm2exe runtime --target x86_64-pc-windows-gnu --out-dir lib/   the runtime archive
  wasm2exe app.wasm --embed-module -o app   keep the module inside, to retarget it later
  wasm2exe retarget app --target aarch64-unknown-linux-musl   the same program for aarch64
  wasm2exe inspect app                what an executable was built from, and with which grants
  wasm2exe cache info                 where the compile cache is, and how full

Sandbox: by default the program sees no files and an empty environment; it can touch only
the directories and variables granted with --dir, --env and --inherit-env.

Exit codes of wasm2exe: 0 success, 1 any error (the message says which and how to fix it).
Exit codes of the executables it makes: the program's own (proc_exit, or 0 when _start
returns), 134 when a wasm trap ends it, 70 when the runtime cannot start the module.";

/// Compiles a WebAssembly WASI module into a standalone, sandboxed native executable.
#[derive(Parser, Debug)]
#[command(
    name = "wasm2exe",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    build: Args,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the targets: which this machine can link and run, and which are unavailable.
    Targets,
    /// Build the runtime archive for targets, to link objects from `--emit obj` yourself.
    Runtime {
        /// A target triple, `host`, or `all`. Repeatable.
        #[arg(long = "target", value_name = "TRIPLE", required = true)]
        targets: Vec<String>,
        /// Where to write `libw2e_runtime-TRIPLE.a`.
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
        /// The zig to build with [default: `zig`, else `python3 -m ziglang`].
        #[arg(long, value_name = "ZIG")]
        linker: Option<String>,
    },
    /// Show what an executable was built from: module sha256, target, grants, bundles, ...
    Inspect {
        /// A file wasm2exe built.
        exe: PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build an executable made with --embed-module again for other targets, with the same
    /// grants, bundles and options. Outputs are named NAME-TRIPLE (in the current directory
    /// unless -o or --out-dir says otherwise).
    Retarget {
        /// An executable built with --embed-module.
        exe: PathBuf,
        /// Options for the new build: --target (required), -o, --out-dir, --linker,
        /// --message-format, --no-cache.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        build_args: Vec<String>,
    },
    /// Manage the compile cache (machine code kept between builds).
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
}

#[derive(Subcommand, Debug)]
enum CacheAction {
    /// Where the cache is, its size and its limit.
    Info,
    /// Delete every cached entry.
    Clean,
}

/// The build options alone, to parse a rebuild's arguments (`retarget`).
#[derive(Parser, Debug)]
#[command(name = "wasm2exe retarget")]
struct Rebuild {
    #[command(flatten)]
    build: Args,
}

#[derive(clap::Args, Debug)]
struct Args {
    /// The module to compile: a binary `.wasm` file or a `.wat` text file.
    #[arg(required = true)]
    input: Option<PathBuf>,

    /// Where to write the result [default: the input's name without extension].
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// What to produce: a linked executable, or only the relocatable object.
    #[arg(long, value_enum, default_value_t = Emit::Exe)]
    emit: Emit,

    /// The target to build for: a triple (`wasm2exe targets` lists them), `host`, or `all`.
    /// Repeatable; each target is built in parallel. Default: this machine.
    #[arg(long = "target", value_name = "TRIPLE")]
    targets: Vec<String>,

    /// Write the outputs into DIR, named NAME-TRIPLE (NAME: -o's name or the input's stem).
    /// Several targets without --out-dir go next to -o, or into the current directory.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// The zig that links targets other than this machine's [default: `zig`, else
    /// `python3 -m ziglang`]. Given for the host target, it links that too.
    #[arg(long, value_name = "ZIG")]
    linker: Option<String>,

    /// The CPU the executables are for. baseline runs on every CPU of the target (x86_64:
    /// x86-64-v2); x86-64-v3 (AVX2, BMI2: 2013 on) and x86-64-v4 (AVX-512) need newer CPUs;
    /// native uses every feature of this machine's CPU, as a JIT would. The executable checks
    /// the CPU when it starts. Applies to x86_64 targets, and rva23 (RV64GC plus the vector
    /// extension V) to riscv64: SIMD code then uses V, through Cranelift, where the baseline
    /// (RV64GC, most boards sold so far) builds SIMD modules with LLVM without V.
    /// Other targets get their baseline.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = Cpu::Baseline)]
    cpu: Cpu,

    /// The most linear memory the program may have (bytes, or K, M, G): `memory.grow` fails
    /// beyond it, as the spec allows. Default: the module's own maximum (at most 4 GiB).
    #[arg(long, value_name = "SIZE")]
    max_memory: Option<String>,

    /// The stack wasm code may use (bytes, or K, M, G); deeper recursion traps "call stack
    /// exhausted". Default: the OS's main-thread stack (ulimit -s, 8 MiB on Linux) minus 256 KiB
    /// for the runtime. Linux raises its limit for a larger size; macOS and Windows refuse one
    /// above their stack (8 MiB, 16 MiB) at start-up.
    #[arg(long, value_name = "SIZE")]
    stack_size: Option<String>,

    /// The code generator. cranelift builds fast, and its code runs at wasmtime's speed.
    /// llvm optimizes like a C compiler (through zig's LLVM): a slower build, faster code
    /// (it needs zig for every target, this machine's too). Default: each target's own
    /// (`wasm2exe targets` shows it): cranelift, or llvm for the CPUs Cranelift lacks.
    #[arg(long, value_enum)]
    backend: Option<pipeline::Backend>,

    /// Link this runtime archive (from `wasm2exe runtime`) instead of the built-in one.
    #[arg(long, value_name = "PATH")]
    runtime: Option<PathBuf>,

    /// How to report the outputs: nothing for one target, a line each for several (human),
    /// or one JSON object per output on stdout: target, backend, path, size, sha256, seconds,
    /// cache (hit: the machine code came from the compile cache; miss; off) (json).
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    message_format: report::Format,

    /// Grant the program a directory: HOST on the machine it runs on, seen as GUEST (default:
    /// the same path). A relative HOST resolves where the program starts (`--dir .`).
    /// Repeatable. Without it the program sees no files.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,

    /// Embed the files of HOST_DIR in the executable, served read-only to the program as the
    /// directory GUEST_DIR: one file carries the program and its data. Repeatable.
    #[arg(long = "bundle", value_name = "HOST_DIR::GUEST_DIR")]
    bundles: Vec<String>,

    /// Set an environment variable the program sees. Repeatable. Without it (or
    /// --inherit-env) the program sees an empty environment.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,

    /// Let the program see the whole environment it is started with.
    #[arg(long)]
    inherit_env: bool,

    /// Run this exported function instead of `_start` (for reactors: `_initialize` runs
    /// first). An i32 result becomes the exit code.
    #[arg(long, value_name = "NAME")]
    entry: Option<String>,

    /// What calling an import from outside WASI does: trap (with the import's name), or
    /// return zeros. Without it such imports are an error.
    #[arg(long, value_enum, value_name = "POLICY")]
    stub_imports: Option<StubPolicy>,

    /// Let the executable accept more grants when it runs, from the variables WASM2EXE_DIRS
    /// ("HOST[::GUEST]" per line) and WASM2EXE_ENV ("KEY=VALUE" per line). Off by default.
    #[arg(long)]
    runtime_grants: bool,

    /// Keep the module (compressed) and its build options in the executable, so that
    /// `wasm2exe retarget` can build it for another target from the executable alone.
    #[arg(long)]
    embed_module: bool,

    /// Neither use nor fill the compile cache (`wasm2exe cache info` shows where it is).
    #[arg(long)]
    no_cache: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Cpu {
    Baseline,
    #[value(name = "x86-64-v3")]
    X86_64V3,
    #[value(name = "x86-64-v4")]
    X86_64V4,
    Rva23,
    Native,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum StubPolicy {
    /// Calling a stubbed import traps, naming it.
    Trap,
    /// Calling a stubbed import returns zeros.
    Zero,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Emit {
    /// A linked executable.
    Exe,
    /// The relocatable object file only.
    Obj,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a wasm2exe bug: report it in one line, not a backtrace. (The compiler also
    // catches Cranelift panics per function and turns them into errors.)
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| match &cli.command {
        Some(Command::Targets) => list::print().map(|()| Vec::new()),
        Some(Command::Runtime {
            targets,
            out_dir,
            linker,
        }) => ship::run(targets, out_dir, linker.as_deref()),
        Some(Command::Inspect { exe, json }) => inspect::run(exe, *json).map(|()| Vec::new()),
        Some(Command::Retarget { exe, build_args }) => retarget(exe, build_args),
        Some(Command::Cache { action }) => manage_cache(action).map(|()| Vec::new()),
        None => build(&cli.build),
    })
    .unwrap_or_else(|panic| Err(panic_error(panic)));
    let errors = match result {
        Ok(errors) => errors,
        Err(error) => vec![error],
    };
    for error in &errors {
        eprintln!("wasm2exe: error: {}", report::one_line(error));
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILURE)
    }
}

/// Builds the module for every target. `Err` is a failure before any target was built; the
/// `Ok` list holds the failures of single targets (the others were built).
fn build(args: &Args) -> Result<Vec<anyhow::Error>> {
    let input = args.input.as_ref().expect("clap requires INPUT");
    let wasm = input::read_module(input)?;
    let bundles = bundle::Bundles::read(&args.bundles)?;
    build_module(args, &wasm, bundles)
}

/// `wasm2exe retarget EXE ARGS...`.
fn retarget(exe: &std::path::Path, build_args: &[String]) -> Result<Vec<anyhow::Error>> {
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let request = retarget::Request {
        exe,
        build_args: build_args.to_vec(),
    };
    let (module, mut recipe_args, bundles) = retarget::prepare(&request, scratch.path())?;
    let names_output = build_args
        .iter()
        .any(|a| a == "-o" || a.starts_with("--output") || a.starts_with("--out-dir"));
    if !names_output {
        recipe_args.extend(["--out-dir".to_string(), ".".to_string()]);
    }
    let argv = std::iter::once("wasm2exe retarget".to_string())
        .chain(std::iter::once(module.display().to_string()))
        .chain(recipe_args);
    let rebuild = Rebuild::try_parse_from(argv).map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("invalid arguments");
        anyhow::anyhow!("retarget: {}", first.trim_start_matches("error: "))
    })?;
    if rebuild.build.targets.is_empty() {
        anyhow::bail!("retarget needs --target TRIPLE (or all): the target to build for");
    }
    let wasm = std::fs::read(&module).context("cannot read the module back")?;
    build_module(&rebuild.build, &wasm, bundles)
}

fn manage_cache(action: &CacheAction) -> Result<()> {
    let cache = cache::CodeCache::user()?;
    match action {
        CacheAction::Info => println!("{}", cache.info()),
        CacheAction::Clean => {
            let removed = cache.clean()?;
            println!("removed {removed} entries from {}", cache.dir().display());
        }
    }
    Ok(())
}

/// Builds `wasm` (read from `args.input`) with `bundles` for every target of `args`.
fn build_module(args: &Args, wasm: &[u8], bundles: bundle::Bundles) -> Result<Vec<anyhow::Error>> {
    let input = args.input.as_ref().expect("clap requires INPUT");
    let mut targets = select::targets(&args.targets)?;
    if args.emit == Emit::Obj {
        targets = select::with_objects(targets)?;
    }
    if args.runtime.is_some() && targets.len() > 1 {
        anyhow::bail!(
            "--runtime names one archive, for one target; build one --target at a time with it"
        );
    }
    let llvm_cell = targets.iter().any(|t| {
        t.backend_for(args.backend.map(pipeline::Backend::cell))
            .is_ok_and(|b| b == wasm2exe_targets::matrix::Backend::Llvm)
    });
    if llvm_cell && args.emit == Emit::Obj {
        anyhow::bail!(
            "--emit obj makes one object, and --backend llvm makes several; build the \
             executable, or use --backend cranelift for --emit obj"
        );
    }
    let summary = wasm2exe_compiler::summarize(wasm)
        .with_context(|| format!("cannot compile {}", input.display()))?;
    policy::check_entry(&summary, args.entry.as_deref())?;
    let stub_kind = args.stub_imports.map(|policy| match policy {
        StubPolicy::Trap => StubKind::Trap,
        StubPolicy::Zero => StubKind::Zero,
    });
    let mut options = CompileOptions::new(Triple::host(), "w2e_main_");
    options.stubbed_imports = policy::plan_imports(&summary, stub_kind)?;
    let cpu = match args.cpu {
        Cpu::Baseline => CpuLevel::Baseline,
        Cpu::X86_64V3 => CpuLevel::X86_64V3,
        Cpu::X86_64V4 => CpuLevel::X86_64V4,
        // A riscv64 level: Cranelift's riscv64 code always assumes V; the backend choice
        // (pipeline.rs) is what differs.
        Cpu::Rva23 => CpuLevel::Baseline,
        Cpu::Native => CpuLevel::Native,
    };
    options.cpu = cpu;
    let capabilities = config::Capabilities {
        bundles: bundles.guests.clone(),
        cpu,
        uses_simd: targets.iter().any(|t| t.triple.starts_with("riscv64"))
            && wasm2exe_compiler::uses_simd(wasm),
        ..capabilities(args)?
    };
    let manifest = manifest_of(args, wasm, &capabilities, &bundles);
    let embedded = args.embed_module.then(|| {
        let recipe = embed::Recipe {
            input_name: input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            args: recipe_args(args),
            bundle_guests: bundles.guests.clone(),
            bundles_sha256: bundles.sha256(),
        };
        embed::section(wasm, &recipe)
    });
    let job = pipeline::Job {
        wasm,
        options,
        capabilities,
        bundles,
        emit_object: args.emit == Emit::Obj,
        requested_backend: args.backend,
        riscv64_v: args.cpu == Cpu::Rva23,
        naming: select::Naming::new(
            input,
            args.output.as_deref(),
            args.out_dir.as_deref(),
            targets.len(),
        )?,
        runtime: args.runtime.clone(),
        linker: args.linker.clone(),
        input: input.display().to_string(),
        cache: if args.no_cache {
            None
        } else {
            cache::CodeCache::user().ok()
        },
        stub_policy: args.stub_imports.map_or("none", StubPolicy::name),
        manifest,
        embedded,
        progress: progress::Progress::for_terminal(args.message_format == report::Format::Json),
    };
    let results = pipeline::build_all(&job, &targets);
    let named = !args.targets.is_empty();
    Ok(report::outputs(
        args.message_format,
        &targets,
        results,
        named,
    ))
}

/// The manifest of this build's executables (the target and the backend are filled in per
/// cell).
fn manifest_of(
    args: &Args,
    wasm: &[u8],
    capabilities: &config::Capabilities,
    bundles: &bundle::Bundles,
) -> manifest::Manifest {
    use sha2::Digest as _;
    manifest::Manifest {
        manifest_version: manifest::VERSION,
        wasm2exe_version: env!("CARGO_PKG_VERSION").into(),
        module_sha256: pipeline::hex(&sha2::Sha256::digest(wasm)),
        module_size: wasm.len() as u64,
        target: String::new(),
        backend: String::new(),
        cpu: args.cpu.name().into(),
        grants: manifest::Grants {
            dirs: capabilities.dirs.clone(),
            env_keys: capabilities
                .env
                .iter()
                .map(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k).to_string())
                .collect(),
            inherit_env: capabilities.inherit_env,
            runtime_grants: capabilities.runtime_grants,
            entry: capabilities.entry.clone(),
        },
        bundles: bundles
            .guests
            .iter()
            .zip(bundles.digests())
            .map(|(guest, sha256)| manifest::BundleDigest {
                guest: guest.clone(),
                sha256,
            })
            .collect(),
        bundles_sha256: bundles.sha256(),
        stub_imports: args.stub_imports.map(|s| s.name().to_string()),
        module_embedded: args.embed_module,
    }
}

/// The options of `args` that shape the program, as arguments again (for `retarget`).
fn recipe_args(args: &Args) -> Vec<String> {
    let mut out = Vec::new();
    let mut pair = |flag: &str, value: &str| out.extend([flag.to_string(), value.to_string()]);
    for dir in &args.dirs {
        pair("--dir", dir);
    }
    for env in &args.env {
        pair("--env", env);
    }
    if let Some(entry) = &args.entry {
        pair("--entry", entry);
    }
    if let Some(size) = &args.max_memory {
        pair("--max-memory", size);
    }
    if let Some(size) = &args.stack_size {
        pair("--stack-size", size);
    }
    if let Some(stub) = args.stub_imports {
        pair("--stub-imports", stub.name());
    }
    pair("--cpu", args.cpu.name());
    for (on, flag) in [
        (args.inherit_env, "--inherit-env"),
        (args.runtime_grants, "--runtime-grants"),
        (args.embed_module, "--embed-module"),
    ] {
        if on {
            out.push(flag.to_string());
        }
    }
    out
}

impl Cpu {
    fn name(self) -> &'static str {
        match self {
            Cpu::Baseline => "baseline",
            Cpu::X86_64V3 => "x86-64-v3",
            Cpu::X86_64V4 => "x86-64-v4",
            Cpu::Rva23 => "rva23",
            Cpu::Native => "native",
        }
    }
}

impl StubPolicy {
    fn name(self) -> &'static str {
        match self {
            StubPolicy::Trap => "trap",
            StubPolicy::Zero => "zero",
        }
    }
}

fn capabilities(args: &Args) -> Result<config::Capabilities> {
    let mut caps = config::Capabilities {
        max_memory: args
            .max_memory
            .as_deref()
            .map(|text| limit("--max-memory", text, 0, 1 << 32))
            .transpose()?,
        stack_size: args
            .stack_size
            .as_deref()
            .map(|text| limit("--stack-size", text, 64 << 10, 1 << 30))
            .transpose()?,
        entry: args.entry.clone(),
        inherit_env: args.inherit_env,
        runtime_grants: args.runtime_grants,
        ..Default::default()
    };
    for dir in &args.dirs {
        caps.add_dir(dir)?;
    }
    for env in &args.env {
        caps.add_env(env)?;
    }
    Ok(caps)
}

/// A size option, within [min, max].
fn limit(option: &str, text: &str, min: u64, max: u64) -> Result<u64> {
    let bytes = config::parse_size(option, text)?;
    if bytes < min || bytes > max {
        anyhow::bail!(
            "{option} {text}: must be between {} KiB and {} MiB",
            min >> 10,
            max >> 20
        );
    }
    Ok(bytes)
}

/// A caught panic as the one-line error users see: it is always a bug of ours.
pub fn panic_error(panic: Box<dyn std::any::Any + Send>) -> anyhow::Error {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    anyhow::anyhow!("internal error, please report it: {message}")
}
