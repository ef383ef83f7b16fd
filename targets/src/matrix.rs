//! The rows of `targets.toml`: one per OS/CPU cell.
//!
//! The table is parsed once, on first use. A malformed table is a bug in this repository
//! (the unit tests parse it), so parsing panics rather than returning an error every caller
//! would have to carry.

use anyhow::{Result, bail};
use serde::Deserialize;
use std::sync::OnceLock;

/// The embedded matrix.
pub const TARGETS_TOML: &str = include_str!("../../targets.toml");

/// An object file format.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Elf,
    Macho,
    Coff,
}

/// One cell of the matrix.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub triple: String,
    pub format: Format,
    /// The `zig cc -target` for the runtime archive and the link.
    pub zig_target: String,
    #[serde(default)]
    pub link_flags: Vec<String>,
    #[serde(default)]
    pub exe_suffix: String,
    /// `native`, `qemu-ARCH`, `wine`, `check-macho` or `none`.
    pub run: String,
    #[serde(default)]
    pub run_args: Vec<String>,
    /// Why the cell cannot be built, if it cannot.
    pub unavailable: Option<String>,
    /// A universal cell: the cells whose executables it joins into one fat Mach-O.
    #[serde(default)]
    pub slices: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    target: Vec<Target>,
}

/// Every cell, in the table's order.
pub fn all() -> &'static [Target] {
    static TABLE: OnceLock<Vec<Target>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table: Table = toml::from_str(TARGETS_TOML)
            .unwrap_or_else(|e| panic!("targets.toml is malformed: {e}"));
        table.target
    })
}

/// The cells that can be built (`--target all`).
pub fn available() -> impl Iterator<Item = &'static Target> {
    all().iter().filter(|t| t.unavailable.is_none())
}

/// The cell for `triple`, or a one-line error naming the choices.
pub fn find(triple: &str) -> Result<&'static Target> {
    if let Some(target) = all().iter().find(|t| t.triple == triple) {
        if let Some(reason) = &target.unavailable {
            bail!("target {triple} is not available: {reason}");
        }
        return Ok(target);
    }
    let known: Vec<&str> = available().map(|t| t.triple.as_str()).collect();
    bail!(
        "unknown target {triple}; use one of {} or `all` (`wasm2exe targets` lists them)",
        known.join(", ")
    )
}

/// The host's triple as the matrix spells it (the triple `rustc` built this program for).
pub fn host_triple() -> &'static str {
    env!("W2E_HOST_TRIPLE")
}

/// The host's cell: its row of the matrix, or (on a host the matrix does not list) a row
/// that links with the system `cc` and runs natively.
pub fn host() -> Target {
    let triple = host_triple();
    find(triple).cloned().unwrap_or_else(|_| Target {
        triple: triple.to_string(),
        format: if triple.contains("apple") {
            Format::Macho
        } else if triple.contains("windows") {
            Format::Coff
        } else {
            Format::Elf
        },
        zig_target: "native".into(),
        link_flags: Vec::new(),
        exe_suffix: if triple.contains("windows") {
            ".exe".into()
        } else {
            String::new()
        },
        run: "native".into(),
        run_args: Vec::new(),
        unavailable: None,
        slices: Vec::new(),
    })
}

impl Target {
    /// True for the host's own triple: linked with the system `cc` and the runtime archive
    /// built with the CLI, no zig needed.
    pub fn is_host(&self) -> bool {
        self.triple == host_triple()
    }

    /// The executable name for `name` in this cell, e.g. `hello-x86_64-pc-windows-gnu.exe`.
    pub fn output_name(&self, name: &str) -> String {
        format!("{name}-{}{}", self.triple, self.exe_suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_triples_are_unique() {
        let triples: Vec<&str> = all().iter().map(|t| t.triple.as_str()).collect();
        let mut sorted = triples.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), triples.len(), "{triples:?}");
        for required in [
            "x86_64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "riscv64gc-unknown-linux-musl",
            "s390x-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-gnu",
        ] {
            assert!(find(required).is_ok(), "{required}");
        }
    }

    #[test]
    fn aarch64_windows_is_unavailable_with_its_reason() {
        let error = find("aarch64-pc-windows-msvc").unwrap_err().to_string();
        assert!(error.contains("Aarch64AdrGotPage21"), "{error}");
    }

    #[test]
    fn unknown_triples_name_the_choices() {
        let error = find("mips-unknown-linux-gnu").unwrap_err().to_string();
        assert!(error.contains("x86_64-pc-windows-gnu"), "{error}");
    }

    #[test]
    fn every_runner_is_known() {
        for target in all() {
            assert!(
                crate::Runner::for_target(target).is_ok(),
                "{}: run = {:?}",
                target.triple,
                target.run
            );
        }
    }
}
