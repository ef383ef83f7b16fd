//! macOS executables cannot run here, so their check goes past structure: every load command
//! well formed and inside the file, every undefined symbol exported by the libSystem that zig
//! ships (`lib/libc/darwin/libSystem.tbd`, what the link resolved against), and, where there
//! is a code signature (always on arm64), every page hash of its code directory matching the
//! file. Each check is shown to fail on a deliberately broken image.
//! Needs zig (`pip install ziglang`); a missing zig fails the test.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use object::macho;
use object::macho::MachHeader64;
use object::read::macho::MachHeader;
use sha2::{Digest, Sha256};

const TRIPLES: [&str; 2] = ["x86_64-apple-darwin", "aarch64-apple-darwin"];

fn build_hello(dir: &Path, triple: &str) -> PathBuf {
    let exe = dir.join(format!("hello-{triple}"));
    let hello = common::example("hello.wat");
    common::wasm2exe_ok(&[&hello, "--target", triple, "-o", exe.to_str().unwrap()]);
    exe
}

/// The symbols zig's libSystem.tbd exports (every name in its exports lists; the few YAML
/// keys among them match no symbol).
fn libsystem_symbols() -> HashSet<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import ziglang, os; print(os.path.dirname(ziglang.__file__))",
        ])
        .output()
        .expect("python3");
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let tbd = Path::new(&root).join("lib/libc/darwin/libSystem.tbd");
    let text = std::fs::read_to_string(&tbd)
        .unwrap_or_else(|e| panic!("{}: {e} (pip install ziglang)", tbd.display()));
    let exports = text.split_once("exports:").map_or("", |(_, rest)| rest);
    exports
        .split(|c: char| c.is_whitespace() || ",[]'".contains(c))
        .filter(|token| !token.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every problem found in the Mach-O image `data`.
fn check(data: &[u8], libsystem: &HashSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let header = match MachHeader64::<object::Endianness>::parse(data, 0) {
        Ok(header) => header,
        Err(e) => return vec![format!("not a 64-bit Mach-O: {e}")],
    };
    let endian = header.endian().unwrap();
    let sizeofcmds = header.sizeofcmds(endian) as usize;
    if size_of::<MachHeader64<object::Endianness>>() + sizeofcmds > data.len() {
        problems.push("load commands run past the end of the file".into());
    }
    let mut commands = match header.load_commands(endian, data, 0) {
        Ok(commands) => commands,
        Err(e) => return vec![format!("malformed load commands: {e}")],
    };
    let (mut symtab, mut signature) = (None, None);
    loop {
        let command = match commands.next() {
            Ok(Some(command)) => command,
            Ok(None) => break,
            Err(e) => {
                problems.push(format!("malformed load command: {e}"));
                break;
            }
        };
        let size = command.raw_data().len();
        if size < 8 || size % 8 != 0 {
            problems.push(format!(
                "load command {:#x}: cmdsize {size} is not a multiple of 8",
                command.cmd()
            ));
        }
        match command.variant() {
            Ok(object::read::macho::LoadCommandVariant::Segment64(segment, _)) => {
                let end = segment.fileoff.get(endian) + segment.filesize.get(endian);
                if end > data.len() as u64 {
                    problems.push(format!("segment ends at {end:#x}, past the file"));
                }
            }
            Ok(object::read::macho::LoadCommandVariant::Symtab(s)) => symtab = Some(*s),
            Ok(object::read::macho::LoadCommandVariant::LinkeditData(d))
                if command.cmd() == macho::LC_CODE_SIGNATURE =>
            {
                signature = Some((
                    d.dataoff.get(endian) as usize,
                    d.datasize.get(endian) as usize,
                ))
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("malformed load command {:#x}: {e}", command.cmd())),
        }
    }
    match symtab {
        Some(symtab) => match symtab.symbols::<MachHeader64<object::Endianness>, _>(endian, data) {
            Ok(symbols) => {
                for symbol in symbols.iter() {
                    use object::read::macho::Nlist;
                    let undefined_external = symbol.n_type() & macho::N_TYPE == macho::N_UNDF
                        && symbol.n_type() & macho::N_EXT != 0;
                    if !undefined_external {
                        continue;
                    }
                    let name = symbol
                        .name(endian, symbols.strings())
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .unwrap_or_default();
                    if !libsystem.contains(&name) {
                        problems.push(format!("undefined symbol {name} is not in libSystem"));
                    }
                }
            }
            Err(e) => problems.push(format!("malformed symbol table: {e}")),
        },
        None => problems.push("no LC_SYMTAB".into()),
    }
    if let Some((offset, size)) = signature {
        problems.extend(check_signature(data, offset, size).err());
    }
    problems
}

fn be32(data: &[u8], at: usize) -> Result<u32, String> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes(b.try_into().unwrap()))
        .ok_or_else(|| format!("code signature truncated at {at:#x}"))
}

/// Checks the code directory's page hashes (SHA-256) against the file.
fn check_signature(data: &[u8], offset: usize, size: usize) -> Result<(), String> {
    if offset + size > data.len() || be32(data, offset)? != 0xfade_0cc0 {
        return Err("LC_CODE_SIGNATURE does not point at a signature superblob".into());
    }
    let count = be32(data, offset + 8)? as usize;
    for i in 0..count {
        let (kind, blob) = (
            be32(data, offset + 12 + 8 * i)?,
            be32(data, offset + 16 + 8 * i)?,
        );
        if kind != 0 {
            continue; // only the code directory
        }
        let cd = offset + blob as usize;
        if be32(data, cd)? != 0xfade_0c02 {
            return Err("code directory has a bad magic number".into());
        }
        let hash_offset = be32(data, cd + 16)? as usize;
        let code_slots = be32(data, cd + 28)? as usize;
        let code_limit = be32(data, cd + 32)? as usize;
        let (hash_size, hash_type) = (data[cd + 36] as usize, data[cd + 37]);
        let page = 1usize << data[cd + 39];
        if hash_type != 2 || hash_size != 32 {
            return Err(format!(
                "code directory hash type {hash_type}: expected SHA-256"
            ));
        }
        for slot in 0..code_slots {
            let start = slot * page;
            let end = (start + page).min(code_limit);
            let want = data
                .get(cd + hash_offset + slot * 32..cd + hash_offset + slot * 32 + 32)
                .ok_or("code directory hashes truncated")?;
            let got = Sha256::digest(data.get(start..end).ok_or("code limit past the file")?);
            if got.as_slice() != want {
                return Err(format!(
                    "page {slot} (bytes {start:#x}..{end:#x}) does not match its code signature hash"
                ));
            }
        }
        return Ok(());
    }
    Err("code signature without a code directory".into())
}

#[test]
fn macos_executables_resolve_against_libsystem_and_match_their_signature() {
    let dir = tempfile::tempdir().unwrap();
    let libsystem = libsystem_symbols();
    assert!(libsystem.contains("_write") && libsystem.len() > 1000);
    for triple in TRIPLES {
        let exe = build_hello(dir.path(), triple);
        let data = std::fs::read(&exe).unwrap();
        assert_eq!(check(&data, &libsystem), Vec::<String>::new(), "{triple}");
    }
}

#[test]
fn the_checks_catch_broken_images() {
    let dir = tempfile::tempdir().unwrap();
    let libsystem = libsystem_symbols();
    let good = std::fs::read(build_hello(dir.path(), "aarch64-apple-darwin")).unwrap();
    let has = |data: &[u8], needle: &str| {
        let problems = check(data, &libsystem);
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "{needle:?} not in {problems:?}"
        );
    };

    // A byte of code changed after signing.
    let mut data = good.clone();
    data[0x4000 + 0x10] ^= 0xff;
    has(&data, "does not match its code signature hash");

    // A load command whose size is not a multiple of 8 (the first, right after the header).
    let mut data = good.clone();
    data[32 + 4..32 + 8].copy_from_slice(&13u32.to_le_bytes());
    has(&data, "load command");

    // An import libSystem does not export: rename it wherever the name is stored (the symbol
    // table's strings, the chained fixups' imports).
    let mut data = good.clone();
    let mut renamed = 0;
    for at in 0..data.len() - 8 {
        if &data[at..at + 8] == b"\0_write\0" {
            data[at + 3] = b'j'; // _wjite
            renamed += 1;
        }
    }
    assert!(renamed > 0, "hello imports _write");
    has(&data, "undefined symbol _wjite is not in libSystem");
}
