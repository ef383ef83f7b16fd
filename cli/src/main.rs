//! `wasm2exe`: compile a WebAssembly WASI command module into a standalone native executable.
//!
//! The CLI glues the pieces: it reads the input (`.wasm`, or `.wat` text), asks the compiler
//! library for an object, and links that object with the runtime archive. Every failure ends
//! in one line on stderr that names the cause and, where there is one, the fix.

mod config;
mod input;
mod link;
mod policy;

use anyhow::{Context, Result};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasm2exe_compiler::{CompileOptions, StubKind, Triple};

/// Exit code of every failure of wasm2exe itself (bad input, compile or link error).
const EXIT_FAILURE: u8 = 1;

const AFTER_HELP: &str = "\
Examples:
  wasm2exe hello.wasm -o hello        compile for this machine
  wasm2exe hello.wat                  text input works too; writes ./hello
  wasm2exe app.wasm --emit obj -o app.o   only the object file (link it yourself)
  wasm2exe app.wasm --dir . --env LANG=C  let it use the directory it starts in
  wasm2exe app.wasm --dir /srv/data::/data  grant /srv/data, seen as /data

Sandbox: by default the program sees no files and an empty environment; it can touch only
the directories and variables granted with --dir, --env and --inherit-env.

Exit codes of wasm2exe: 0 success, 1 any error (the message says which and how to fix it).
Exit codes of the executables it makes: the program's own (proc_exit, or 0 when _start
returns), 134 when a wasm trap ends it, 70 when the runtime cannot start the module.";

/// Compiles a WebAssembly WASI module into a standalone, sandboxed native executable.
#[derive(Parser, Debug)]
#[command(name = "wasm2exe", version, about, after_help = AFTER_HELP)]
struct Args {
    /// The module to compile: a binary `.wasm` file or a `.wat` text file.
    input: PathBuf,

    /// Where to write the result [default: the input's name without extension].
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// What to produce: a linked executable, or only the relocatable object.
    #[arg(long, value_enum, default_value_t = Emit::Exe)]
    emit: Emit,

    /// Grant the program a directory: HOST on the machine it runs on, seen as GUEST (default:
    /// the same path). A relative HOST resolves where the program starts (`--dir .`).
    /// Repeatable. Without it the program sees no files.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,

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
    let args = Args::parse();
    // A panic is a wasm2exe bug: report it in one line, not a backtrace. (The compiler also
    // catches Cranelift panics per function and turns them into errors.)
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| run(&args)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into());
        Err(anyhow::anyhow!(
            "internal error, please report it: {message}"
        ))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: the context chain joined, outermost first.
            let message: Vec<String> = error.chain().map(|e| e.to_string()).collect();
            eprintln!("wasm2exe: error: {}", message.join(": "));
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(args: &Args) -> Result<()> {
    let wasm = input::read_module(&args.input)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input, args.emit));
    let summary = wasm2exe_compiler::summarize(&wasm)
        .with_context(|| format!("cannot compile {}", args.input.display()))?;
    policy::check_entry(&summary, args.entry.as_deref())?;
    let stub_kind = args.stub_imports.map(|policy| match policy {
        StubPolicy::Trap => StubKind::Trap,
        StubPolicy::Zero => StubKind::Zero,
    });
    let mut options = CompileOptions::new(Triple::host(), "w2e_main_");
    options.stubbed_imports = policy::plan_imports(&summary, stub_kind)?;
    let object = wasm2exe_compiler::compile(&wasm, &options)
        .with_context(|| format!("cannot compile {}", args.input.display()))?;
    match args.emit {
        Emit::Obj => std::fs::write(&output, &object)
            .with_context(|| format!("cannot write {}", output.display())),
        Emit::Exe => {
            let capabilities = capabilities(args)?.object(&options.triple)?;
            link::link_host_executable(&[&object, &capabilities], &output)
        }
    }
}

fn capabilities(args: &Args) -> Result<config::Capabilities> {
    let mut caps = config::Capabilities {
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

fn default_output(input: &Path, emit: Emit) -> PathBuf {
    let stem = input
        .file_stem()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("a.out"));
    match emit {
        Emit::Exe => stem,
        Emit::Obj => stem.with_extension("o"),
    }
}
