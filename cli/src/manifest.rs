//! Provenance: every executable carries a small manifest in its own section, saying which
//! module, target, backend, CPU level, grants, environment keys and bundles it was built
//! with, and by which wasm2exe. `wasm2exe inspect` reads it back (inspect.rs).
//!
//! The manifest is JSON, in a section of its own that the program never reads, so the
//! runtime knows nothing of it: `.w2e_man` in ELF and PE, `__TEXT,__w2e_man` in Mach-O
//! (`S_ATTR_NO_DEAD_STRIP`, so `-dead_strip` keeps it). With `--embed-module`, a second
//! section (`.w2e_mod`, `__TEXT,__w2e_mod`) keeps the module and how to rebuild it
//! (embed.rs). In ELF both sections are not loaded at run time; in PE and Mach-O they are
//! mapped but never touched. Environment values are left out of the manifest: they may be
//! secrets, and the manifest is for anyone holding the file to read.

use anyhow::{Context, Result, bail};
use object::write::Object;
use object::{SectionFlags, SectionKind};
use serde::{Deserialize, Serialize};
use target_lexicon::Triple;

/// The manifest format version.
pub const VERSION: u32 = 1;
/// The manifest section's name in ELF and PE (PE allows 8 characters) and in Mach-O.
pub const MANIFEST_SECTION: (&str, &str) = (".w2e_man", "__w2e_man");
/// The embedded module's section (embed.rs).
pub const MODULE_SECTION: (&str, &str) = (".w2e_mod", "__w2e_mod");

/// What an executable says about itself.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub manifest_version: u32,
    pub wasm2exe_version: String,
    /// sha256 of the module's binary bytes (a `.wat` input: of the bytes it assembles to).
    pub module_sha256: String,
    pub module_size: u64,
    pub target: String,
    pub backend: String,
    /// `--cpu`: baseline, x86-64-v3, x86-64-v4 or native.
    pub cpu: String,
    pub grants: Grants,
    /// `--bundle`s, in order: guest directory and content digest.
    pub bundles: Vec<BundleDigest>,
    /// sha256 of the embedded bundle blob (all bundles, as the runtime serves them).
    pub bundles_sha256: Option<String>,
    /// `--stub-imports`, if given.
    pub stub_imports: Option<String>,
    /// Whether the module is embedded (`--embed-module`): then `wasm2exe retarget` works.
    pub module_embedded: bool,
}

/// What the program may touch.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Grants {
    /// `--dir`: (host, guest).
    pub dirs: Vec<(String, String)>,
    /// `--env`: the keys only.
    pub env_keys: Vec<String>,
    pub inherit_env: bool,
    pub runtime_grants: bool,
    pub entry: Option<String>,
}

/// One `--bundle`: its guest directory and the sha256 of its contents (`Bundles::digests`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BundleDigest {
    pub guest: String,
    pub sha256: String,
}

impl Manifest {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest always serializes")
    }
}

/// A relocatable object for `triple` holding the manifest and, if given, the module section.
pub fn object(triple: &Triple, manifest: &Manifest, module: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut obj = crate::config::new_object(triple)?;
    if let object::write::FileFlags::Elf { os_abi, .. } = &mut obj.flags {
        // GNU ld honours SHF_GNU_RETAIN only in objects of the GNU OS ABI.
        *os_abi = object::elf::ELFOSABI_GNU;
    } else if obj.format() == object::BinaryFormat::Elf {
        obj.flags = object::write::FileFlags::Elf {
            os_abi: object::elf::ELFOSABI_GNU,
            abi_version: 0,
            e_flags: 0,
        };
    }
    add_section(&mut obj, MANIFEST_SECTION, manifest.to_json().as_bytes());
    if let Some(module) = module {
        add_section(&mut obj, MODULE_SECTION, module);
    }
    obj.write().context("cannot write the manifest object")
}

fn add_section(obj: &mut Object<'static>, (plain, macho): (&str, &str), data: &[u8]) {
    let format = obj.format();
    let (segment, name, kind, flags) = match format {
        object::BinaryFormat::MachO => (
            &b"__TEXT"[..],
            macho.as_bytes(),
            SectionKind::ReadOnlyData,
            SectionFlags::MachO {
                flags: object::macho::S_REGULAR | object::macho::S_ATTR_NO_DEAD_STRIP,
            },
        ),
        // Read-only data the loader maps, never discarded by the linker.
        object::BinaryFormat::Coff => (
            &b""[..],
            plain.as_bytes(),
            SectionKind::ReadOnlyData,
            SectionFlags::Coff {
                characteristics: object::pe::IMAGE_SCN_CNT_INITIALIZED_DATA
                    | object::pe::IMAGE_SCN_MEM_READ
                    | object::pe::IMAGE_SCN_ALIGN_1BYTES,
            },
        ),
        // Not SHF_ALLOC: not loaded at run time. SHF_GNU_RETAIN: GNU ld's --gc-sections would
        // drop an unreferenced section otherwise (lld honours it too).
        _ => (
            &b""[..],
            plain.as_bytes(),
            SectionKind::Other,
            SectionFlags::Elf {
                sh_flags: u64::from(object::elf::SHF_GNU_RETAIN),
            },
        ),
    };
    let id = obj.add_section(segment.to_vec(), name.to_vec(), kind);
    obj.section_mut(id).flags = flags;
    obj.set_section_data(id, data.to_vec(), 1);
}

/// The wasm2exe sections of one executable (one per slice of a universal Mach-O).
pub struct Slice {
    /// The slice's CPU (`x86_64`, `aarch64`, ...).
    pub architecture: String,
    pub manifest: Manifest,
    /// The module section's bytes, if the module is embedded.
    pub module: Option<Vec<u8>>,
}

/// Reads the wasm2exe sections of `data`, the bytes of `path`. A file that is no executable
/// or has no manifest is a one-line error saying so.
pub fn read(path: &std::path::Path, data: &[u8]) -> Result<Vec<Slice>> {
    let not_ours = || {
        anyhow::anyhow!(
            "{} is not a wasm2exe executable (it has no wasm2exe manifest section)",
            path.display()
        )
    };
    let kind = object::FileKind::parse(data).map_err(|_| not_ours())?;
    let images: Vec<&[u8]> = match kind {
        object::FileKind::MachOFat32 => {
            let fat = object::read::macho::MachOFatFile32::parse(data).map_err(|_| not_ours())?;
            fat.arches()
                .iter()
                .map(|arch| object::read::macho::FatArch::data(arch, data))
                .collect::<object::Result<_>>()
                .map_err(|_| not_ours())?
        }
        _ => vec![data],
    };
    let mut slices = Vec::new();
    for image in images {
        let file = object::File::parse(image).map_err(|_| not_ours())?;
        let Some(manifest) = section(&file, MANIFEST_SECTION)? else {
            return Err(not_ours());
        };
        // PE pads a section's bytes with zeros to its file alignment.
        let end = manifest.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let manifest: Manifest = serde_json::from_slice(&manifest[..end]).with_context(|| {
            format!(
                "{}: its wasm2exe manifest is damaged; rebuild the executable",
                path.display()
            )
        })?;
        if manifest.manifest_version > VERSION {
            bail!(
                "{}: its manifest (version {}) is newer than this wasm2exe reads; update wasm2exe",
                path.display(),
                manifest.manifest_version
            );
        }
        slices.push(Slice {
            architecture: format!("{:?}", object::Object::architecture(&file)).to_lowercase(),
            manifest,
            module: section(&file, MODULE_SECTION)?,
        });
    }
    Ok(slices)
}

/// The bytes of the section named `names` (plain, Mach-O) in `file`, if it has one.
fn section(file: &object::File, (plain, macho): (&str, &str)) -> Result<Option<Vec<u8>>> {
    use object::{Object as _, ObjectSection as _};
    let name = match file.format() {
        object::BinaryFormat::MachO => macho,
        _ => plain,
    };
    let Some(section) = file.section_by_name(name) else {
        return Ok(None);
    };
    let data = section
        .uncompressed_data()
        .with_context(|| format!("cannot read the {name} section"))?;
    Ok(Some(data.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Manifest {
        Manifest {
            manifest_version: VERSION,
            wasm2exe_version: "0.1.0".into(),
            module_sha256: "ab".into(),
            module_size: 8,
            target: "x86_64-unknown-linux-gnu".into(),
            backend: "cranelift".into(),
            cpu: "baseline".into(),
            grants: Grants::default(),
            bundles: Vec::new(),
            bundles_sha256: None,
            stub_imports: None,
            module_embedded: false,
        }
    }

    #[test]
    fn the_object_of_every_format_carries_the_sections() {
        use object::{Object as _, ObjectSection as _};
        for (triple, name) in [
            ("x86_64-unknown-linux-gnu", ".w2e_man"),
            ("aarch64-apple-darwin", "__w2e_man"),
            ("x86_64-pc-windows-gnu", ".w2e_man"),
        ] {
            let bytes = object(&triple.parse().unwrap(), &sample(), Some(b"module")).unwrap();
            let file = object::File::parse(&*bytes).unwrap();
            let section = file.section_by_name(name).expect(triple);
            assert_eq!(section.data().unwrap(), sample().to_json().as_bytes());
            if let object::SectionFlags::Elf { sh_flags } = section.flags() {
                assert_ne!(sh_flags & u64::from(object::elf::SHF_GNU_RETAIN), 0);
            }
        }
    }
}
