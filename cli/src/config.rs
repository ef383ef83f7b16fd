//! The capabilities an executable is built with (`--dir`, `--env`, `--inherit-env`,
//! `--runtime-grants`), written as the `w2e_main_config` object the runtime reads at start-up.
//! The record format is documented in runtime-headless/include/w2e_config.h.

use anyhow::{Context, Result, bail};
use object::write::{Object, StandardSection, Symbol, SymbolSection};
use object::{SymbolFlags, SymbolKind, SymbolScope};
use target_lexicon::Triple;

/// What the program may touch. The default grants nothing.
#[derive(Clone, Debug, Default)]
pub struct Capabilities {
    /// Preopened directories: (host path, guest path).
    pub dirs: Vec<(String, String)>,
    /// Environment variables, as `KEY=VALUE`.
    pub env: Vec<String>,
    pub inherit_env: bool,
    pub runtime_grants: bool,
    /// The export to run instead of `_start` (after `_initialize`, if exported).
    pub entry: Option<String>,
    /// Guest names of the bundles (`--bundle`), in blob order (see bundle.rs).
    pub bundles: Vec<String>,
    /// `--cpu`: the executable checks at start-up that the CPU has what the code uses.
    pub cpu: wasm2exe_compiler::CpuLevel,
    /// Whether the module uses SIMD: riscv64 executables built by Cranelift then check for the
    /// V extension (pipeline.rs clears it for cells LLVM builds).
    pub uses_simd: bool,
    /// `--max-memory`, in bytes: `memory.grow` fails beyond it.
    pub max_memory: Option<u64>,
    /// `--stack-size`, in bytes: how much stack wasm code may use.
    pub stack_size: Option<u64>,
}

/// Parses a size: bytes, or a number with K, M or G (powers of 1024; `KiB`, `MB`... too).
pub fn parse_size(option: &str, text: &str) -> Result<u64> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => bail!("{option} {text:?}: unknown unit {unit:?}; use bytes or K, M, G (e.g. 64M)"),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .with_context(|| format!("{option} {text:?}: expected a size such as 65536, 512K or 64M"))
}

impl Capabilities {
    /// Parses one `--dir HOST[::GUEST]` argument.
    pub fn add_dir(&mut self, spec: &str) -> Result<()> {
        let (host, guest) = match spec.split_once("::") {
            Some((host, guest)) => (host, guest),
            None => (spec, spec),
        };
        if host.is_empty() || guest.is_empty() {
            bail!("--dir {spec:?}: expected HOST or HOST::GUEST, e.g. --dir ./data::/data");
        }
        if host.contains('\0') || guest.contains('\0') {
            bail!("--dir {spec:?}: paths cannot contain NUL bytes");
        }
        self.dirs.push((host.to_string(), guest.to_string()));
        Ok(())
    }

    /// Parses one `--env KEY=VALUE` argument.
    pub fn add_env(&mut self, spec: &str) -> Result<()> {
        match spec.split_once('=') {
            Some((key, _)) if !key.is_empty() && !spec.contains('\0') => {
                self.env.push(spec.to_string());
                Ok(())
            }
            _ => bail!("--env {spec:?}: expected KEY=VALUE, e.g. --env HOME=/home"),
        }
    }

    /// The record bytes for an executable of `triple` (see w2e_config.h).
    pub fn records(&self, triple: &Triple) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut record = |fields: &[&str]| {
            for field in fields {
                bytes.extend_from_slice(field.as_bytes());
                bytes.push(0);
            }
        };
        for (host, guest) in &self.dirs {
            record(&["dir", host, guest]);
        }
        for (index, guest) in self.bundles.iter().enumerate() {
            record(&["bundle", guest, &index.to_string()]);
        }
        for entry in &self.env {
            record(&["env", entry]);
        }
        if self.inherit_env {
            record(&["inherit-env"]);
        }
        if self.runtime_grants {
            record(&["runtime-grants"]);
        }
        if let Some(entry) = &self.entry {
            record(&["entry", entry]);
        }
        for feature in wasm2exe_compiler::cpu_features(triple, self.cpu) {
            record(&["cpu", feature]);
        }
        // Cranelift lowers wasm SIMD with the V extension on riscv64.
        if self.uses_simd
            && matches!(
                triple.architecture,
                target_lexicon::Architecture::Riscv64(_)
            )
        {
            record(&["cpu", "v"]);
        }
        if let Some(bytes) = self.max_memory {
            record(&["max-memory", &bytes.to_string()]);
        }
        if let Some(bytes) = self.stack_size {
            record(&["stack-size", &bytes.to_string()]);
        }
        bytes.push(0);
        bytes
    }

    /// A relocatable object for `triple` defining `w2e_main_config`.
    pub fn object(&self, triple: &Triple) -> Result<Vec<u8>> {
        let mut obj = new_object(triple)?;
        let section = obj.section_id(StandardSection::ReadOnlyData);
        let records = self.records(triple);
        // Aligned: s390x code addresses it with larl, which needs an even address.
        let offset = obj.append_section_data(section, &records, 8);
        obj.add_symbol(Symbol {
            name: b"w2e_main_config".to_vec(),
            value: offset,
            size: records.len() as u64,
            kind: SymbolKind::Data,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(section),
            flags: SymbolFlags::None,
        });
        obj.write().context("cannot write the capabilities object")
    }
}

/// ARM's hard-float ABI flag in e_flags (the `object` crate does not name it).
const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;

/// An empty relocatable object for `triple` (bundle.rs writes one too).
pub fn new_object(triple: &Triple) -> Result<Object<'static>> {
    let format = match triple.binary_format {
        target_lexicon::BinaryFormat::Elf => object::BinaryFormat::Elf,
        target_lexicon::BinaryFormat::Macho => object::BinaryFormat::MachO,
        target_lexicon::BinaryFormat::Coff => object::BinaryFormat::Coff,
        other => bail!("cannot write a {other} object for {triple}"),
    };
    let architecture = match triple.architecture {
        target_lexicon::Architecture::X86_64 => object::Architecture::X86_64,
        target_lexicon::Architecture::Aarch64(_) => object::Architecture::Aarch64,
        target_lexicon::Architecture::Riscv64(_) => object::Architecture::Riscv64,
        target_lexicon::Architecture::S390x => object::Architecture::S390x,
        target_lexicon::Architecture::Arm(_) => object::Architecture::Arm,
        target_lexicon::Architecture::X86_32(_) => object::Architecture::I386,
        target_lexicon::Architecture::Powerpc64le => object::Architecture::PowerPc64,
        target_lexicon::Architecture::LoongArch64 => object::Architecture::LoongArch64,
        other => bail!("cannot write an object for the {other} architecture"),
    };
    let endian = match triple.endianness() {
        Ok(target_lexicon::Endianness::Big) => object::Endianness::Big,
        _ => object::Endianness::Little,
    };
    let mut obj = Object::new(format, architecture, endian);
    if format == object::BinaryFormat::Elf {
        // Linkers refuse to mix ABIs: declare the one the compilers' objects and zig's libc
        // declare (riscv64 lp64d, ARM EABI 5 hard float, LoongArch lp64d, ppc64 ELFv2).
        let e_flags = match architecture {
            object::Architecture::Riscv64 => object::elf::EF_RISCV_FLOAT_ABI_DOUBLE,
            object::Architecture::Arm => object::elf::EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD,
            object::Architecture::LoongArch64 => {
                object::elf::EF_LARCH_ABI_DOUBLE_FLOAT | object::elf::EF_LARCH_OBJABI_V1
            }
            object::Architecture::PowerPc64 => 2,
            _ => 0,
        };
        obj.flags = object::FileFlags::Elf {
            os_abi: 0,
            abi_version: 0,
            e_flags,
        };
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_grants_is_just_the_terminator() {
        assert_eq!(Capabilities::default().records(&Triple::host()), vec![0]);
    }

    #[test]
    fn dir_without_guest_uses_host_name() {
        let mut caps = Capabilities::default();
        caps.add_dir(".").unwrap();
        caps.add_dir("/srv/data::/data").unwrap();
        caps.add_env("HOME=/home").unwrap();
        assert_eq!(
            caps.records(&Triple::host()),
            b"dir\0.\0.\0dir\0/srv/data\0/data\0env\0HOME=/home\0\0"
        );
    }

    #[test]
    fn cpu_records_name_the_features_for_x86_64_targets_only() {
        let caps = Capabilities {
            cpu: wasm2exe_compiler::CpuLevel::X86_64V3,
            ..Capabilities::default()
        };
        let x86: Triple = "x86_64-pc-windows-gnu".parse().unwrap();
        assert_eq!(
            caps.records(&x86),
            b"cpu\0avx\0cpu\0avx2\0cpu\0bmi1\0cpu\0bmi2\0cpu\0lzcnt\0cpu\0fma\0\0"
        );
        let arm: Triple = "aarch64-apple-darwin".parse().unwrap();
        assert_eq!(caps.records(&arm), vec![0]);
    }

    #[test]
    fn malformed_specs_are_refused() {
        let mut caps = Capabilities::default();
        assert!(caps.add_dir("::/x").is_err());
        assert!(caps.add_env("NOVALUE").is_err());
        assert!(caps.add_env("=x").is_err());
    }
}
