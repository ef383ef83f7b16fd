//! Finding zig, the C compiler and linker for every cell but the host's.
//!
//! zig carries libc (musl, glibc stubs, mingw, macOS stubs) and a linker for every format, so
//! one tool cross-links the whole matrix. It is looked for as `zig` on PATH, then as
//! `python3 -m ziglang` (the PyPI package, which CI installs), unless the user names one.
//! Nothing is ever downloaded: when none is found, the error says how to install it.

use anyhow::{Result, bail};
use std::process::{Command, Stdio};

/// A zig command line, e.g. `["zig"]` or `["python3", "-m", "ziglang"]`, and its version.
#[derive(Clone, Debug)]
pub struct Zig {
    pub command: Vec<String>,
    pub version: String,
}

impl Zig {
    /// The zig named by `linker` (a command, split on spaces), or else the first one found;
    /// `Ok(None)` when there is none (see `missing`).
    pub fn find(linker: Option<&str>) -> Result<Option<Zig>> {
        let Some(linker) = linker else {
            return Ok(Self::detect());
        };
        let command: Vec<String> = linker.split_whitespace().map(String::from).collect();
        if command.is_empty() {
            bail!("--linker is empty; give a zig command, e.g. --linker zig");
        }
        match version(&command) {
            Some(version) => Ok(Some(Zig { command, version })),
            None => bail!(
                "--linker {linker:?} does not run as zig (`{linker} version` failed); give a zig \
                 command, e.g. --linker zig or --linker \"python3 -m ziglang\""
            ),
        }
    }

    /// The one-line error for a cell that needs zig when none was found.
    pub fn missing(triple: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "linking for {triple} needs zig, which was not found (neither `zig` on PATH nor \
             `python3 -m ziglang`); install it with `pip install ziglang`, or pass --linker \
             PATH_TO_ZIG"
        )
    }

    /// The first zig found, if any.
    pub fn detect() -> Option<Zig> {
        let candidates: [&[&str]; 2] = [&["zig"], &["python3", "-m", "ziglang"]];
        candidates.iter().find_map(|candidate| {
            let command: Vec<String> = candidate.iter().map(|s| s.to_string()).collect();
            version(&command).map(|version| Zig { command, version })
        })
    }

    /// A command running `zig SUBCOMMAND`.
    pub fn subcommand(&self, subcommand: &str) -> Command {
        let mut command = Command::new(&self.command[0]);
        command.args(&self.command[1..]).arg(subcommand);
        command
    }

    /// A command running `zig cc -target ZIG_TARGET`, with the target's baseline CPU when
    /// zig's default would not run on every CPU of the cell (`baseline_cpu_flag`).
    pub fn cc(&self, zig_target: &str) -> Command {
        let mut command = self.subcommand("cc");
        command.args(["-target", zig_target]);
        command.args(baseline_cpu_flag(zig_target));
        command
    }

    /// How the user would type it, for messages.
    pub fn display(&self) -> String {
        self.command.join(" ")
    }
}

/// The `-mcpu` flag for targets where zig's default CPU is too new for the cell: zig picks
/// la464 for loongarch64, whose LSX vector instructions older LA64 CPUs (and qemu 7.2) lack.
/// The runtime, libc (zig builds it for the CPU of the link) and the generated code all get it.
pub fn baseline_cpu_flag(zig_target: &str) -> Option<&'static str> {
    zig_target
        .starts_with("loongarch64")
        .then_some("-mcpu=generic_la64")
}

/// `zig version`'s output, or `None` when the command does not run.
fn version(command: &[String]) -> Option<String> {
    let output = Command::new(&command[0])
        .args(&command[1..])
        .arg("version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}
