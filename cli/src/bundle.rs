//! Bundles: `--bundle HOST_DIR::GUEST_DIR` embeds the files of HOST_DIR in the executable,
//! which the runtime serves from memory as a read-only preopened directory GUEST_DIR
//! (runtime-headless/src/wasi/wasi_bundle.c), so one file carries a program and its data.
//!
//! All bundles go into one blob, the read-only symbol `w2e_main_bundle` (one data section,
//! aligned to 4096, so large bundles link fast and the OS maps them lazily from the file), and
//! each gets a capability record `"bundle\0" GUEST "\0" INDEX "\0"` (see config.rs). The blob,
//! every integer little-endian:
//!
//! ```text
//! header, 32 bytes:  "W2EB", u32 version (1), u32 bundle count B, u32 entry count N,
//!                    u64 blob size in bytes, u64 zero
//! bundle table:      B x { u32 root entry index, u32 zero }, then zeros up to 8-alignment
//! entries:           N x 40 bytes:
//!                      u64 file: offset of its bytes in the blob; directory: first child
//!                      u64 file: size in bytes;                   directory: child count
//!                      u64 mtime, nanoseconds since 1970 (the host file's)
//!                      u32 offset of the name in the blob, u32 name length (roots: empty)
//!                      u8 type: 3 directory, 4 regular file (WASI filetypes); 7 zeros
//! names:             UTF-8, each followed by a NUL (not counted in its length)
//! file data:         from a 4096-aligned offset, each file at a 16-aligned offset
//! ```
//!
//! Each bundle's entries are laid out breadth-first from its root, so a directory's children
//! are consecutive entries sorted by name (bytewise) and a lookup binary-searches them.
//!
//! What goes in: regular files and directories, recursively. A symlink is stored as what it
//! points to (a copy of the file, or of the directory's tree) when that lies inside HOST_DIR;
//! one pointing outside, a dangling one, one that loops, or a special file (fifo, socket,
//! device) is an error naming the path. Names must be UTF-8 (WASI paths are strings).

use anyhow::{Context, Result, anyhow, bail};
use object::write::{StandardSection, Symbol, SymbolSection};
use object::{SymbolFlags, SymbolKind, SymbolScope};
use sha2::Digest as _;
use std::collections::VecDeque;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use target_lexicon::Triple;

const MAGIC: &[u8; 4] = b"W2EB";
const VERSION: u32 = 1;
const HEADER_SIZE: usize = 32;
const ENTRY_SIZE: usize = 40;
const DATA_ALIGN: usize = 4096;
const FILE_ALIGN: usize = 16;
const TYPE_DIR: u8 = 3;
const TYPE_FILE: u8 = 4;

/// The bundles of one executable, laid out as the blob.
pub struct Bundles {
    /// Guest names, in command-line order: bundle `i` of the blob is `guests[i]`.
    pub guests: Vec<String>,
    blob: Vec<u8>,
}

impl Bundles {
    /// Reads every `HOST_DIR::GUEST_DIR` spec's tree and lays the blob out.
    pub fn read(specs: &[String]) -> Result<Bundles> {
        let mut guests = Vec::new();
        let mut roots = Vec::new();
        for spec in specs {
            let (host, guest) = match spec.split_once("::") {
                Some((host, guest)) if !host.is_empty() && !guest.is_empty() => (host, guest),
                _ => bail!(
                    "--bundle {spec:?}: expected HOST_DIR::GUEST_DIR, e.g. --bundle ./lib::/usr/lib"
                ),
            };
            if spec.contains('\0') {
                bail!("--bundle {spec:?}: paths cannot contain NUL bytes");
            }
            roots.push(read_tree(spec, Path::new(host))?);
            guests.push(guest.to_string());
        }
        let blob = layout(&roots)?;
        Ok(Bundles { guests, blob })
    }

    /// The bundles of an executable built with `guests`, whose blob is somewhere in `exe`
    /// (found by its header and checked against its sha256, as recorded in its manifest).
    pub fn find_in(exe: &[u8], guests: Vec<String>, sha256: &str) -> Option<Bundles> {
        let header = [&MAGIC[..], &VERSION.to_le_bytes()].concat();
        let mut at = 0;
        while let Some(found) = exe[at..].windows(8).position(|w| w == header) {
            let start = at + found;
            let size = exe
                .get(start + 16..start + 24)
                .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize);
            if let Some(blob) = size.and_then(|size| exe.get(start..start.checked_add(size)?))
                && crate::pipeline::hex(&sha2::Sha256::digest(blob)) == sha256
            {
                return Some(Bundles {
                    guests,
                    blob: blob.to_vec(),
                });
            }
            at = start + 1;
        }
        None
    }

    /// Each bundle's content digest, in order: the sha256 of its entries in blob order (type,
    /// child count or size, name, file bytes), so equal trees give equal digests whatever
    /// their modification times.
    pub fn digests(&self) -> Vec<String> {
        let blob = &self.blob;
        let u32_at = |at: usize| u32::from_le_bytes(blob[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(blob[at..at + 8].try_into().expect("8 bytes"));
        let bundles = u32_at(8) as usize;
        let entries = u32_at(12) as usize;
        let table = (HEADER_SIZE + 8 * bundles).next_multiple_of(8);
        let roots: Vec<usize> = (0..bundles)
            .map(|k| u32_at(HEADER_SIZE + 8 * k) as usize)
            .chain([entries])
            .collect();
        roots
            .windows(2)
            .map(|range| {
                let mut hash = sha2::Sha256::new();
                for i in range[0]..range[1] {
                    let at = table + ENTRY_SIZE * i;
                    let (first, count) = (u64_at(at) as usize, u64_at(at + 8));
                    let (name_at, name_len) = (u32_at(at + 24) as usize, u32_at(at + 28) as usize);
                    let kind = blob[at + 32];
                    hash.update([kind]);
                    hash.update(count.to_le_bytes());
                    hash.update((name_len as u64).to_le_bytes());
                    hash.update(&blob[name_at..name_at + name_len]);
                    if kind == TYPE_FILE {
                        hash.update(&blob[first..first + count as usize]);
                    }
                }
                crate::pipeline::hex(&hash.finalize())
            })
            .collect()
    }

    /// The sha256 of the blob (all bundles, as embedded), if there are bundles.
    pub fn sha256(&self) -> Option<String> {
        (!self.guests.is_empty()).then(|| crate::pipeline::hex(&sha2::Sha256::digest(&self.blob)))
    }

    /// A relocatable object for `triple` defining `w2e_main_bundle` (an empty blob without
    /// bundles: the symbol is always there).
    pub fn object(&self, triple: &Triple) -> Result<Vec<u8>> {
        let mut obj = crate::config::new_object(triple)?;
        let section = obj.section_id(StandardSection::ReadOnlyData);
        let align = if self.guests.is_empty() {
            8
        } else {
            DATA_ALIGN as u64
        };
        obj.set_section_data(section, &self.blob[..], align);
        obj.add_symbol(Symbol {
            name: b"w2e_main_bundle".to_vec(),
            value: 0,
            size: self.blob.len() as u64,
            kind: SymbolKind::Data,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(section),
            flags: SymbolFlags::None,
        });
        obj.write().context("cannot write the bundle object")
    }
}

struct Node {
    name: String,
    mtime: u64,
    kind: Kind,
}

enum Kind {
    Dir(Vec<Node>),
    /// The file to read (a symlink's target already resolved).
    File(PathBuf),
}

/// The tree under `host` (the root node has an empty name).
fn read_tree(spec: &str, host: &Path) -> Result<Node> {
    let cannot = |e: std::io::Error| {
        anyhow!(
            "--bundle {spec:?}: cannot read directory {}: {e}; give the directory to embed, \
             e.g. --bundle ./lib::/usr/lib",
            host.display()
        )
    };
    let meta = fs::metadata(host).map_err(cannot)?;
    if !meta.is_dir() {
        bail!(
            "--bundle {spec:?}: {} is not a directory; give the directory to embed, e.g. \
             --bundle ./lib::/usr/lib",
            host.display()
        );
    }
    let real = fs::canonicalize(host).map_err(cannot)?;
    let mut walk = Walk {
        spec,
        host,
        root: real.clone(),
        ancestors: vec![real.clone()],
    };
    let children = walk.dir(host, &real)?;
    Ok(Node {
        name: String::new(),
        mtime: mtime(&meta),
        kind: Kind::Dir(children),
    })
}

struct Walk<'a> {
    spec: &'a str,
    host: &'a Path,
    /// HOST_DIR, canonical: nothing outside it is read.
    root: PathBuf,
    /// The canonical directories being walked, to refuse symlink loops.
    ancestors: Vec<PathBuf>,
}

impl Walk<'_> {
    /// The children of directory `shown` (its path as given, for messages), which is `real`.
    fn dir(&mut self, shown: &Path, real: &Path) -> Result<Vec<Node>> {
        let spec = self.spec;
        let unreadable = |e: std::io::Error| {
            anyhow!(
                "--bundle {spec:?}: cannot read directory {}: {e}; make it readable \
                 (chmod u+rx) or move it out of the bundled tree",
                shown.display()
            )
        };
        let mut nodes = Vec::new();
        for entry in fs::read_dir(real).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let path = shown.join(entry.file_name());
            let name = entry.file_name().into_string().map_err(|_| {
                anyhow!(
                    "--bundle {spec:?}: {} is not a UTF-8 name, which WASI paths must be; rename it",
                    path.display()
                )
            })?;
            nodes.push(self.node(name, &path, &real.join(entry.file_name()))?);
        }
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(nodes)
    }

    fn node(&mut self, name: String, shown: &Path, real: &Path) -> Result<Node> {
        let spec = self.spec;
        let cannot = |e: std::io::Error| {
            anyhow!(
                "--bundle {spec:?}: cannot read {}: {e}; make it readable or move it out of \
                 the bundled tree",
                shown.display()
            )
        };
        let mut meta = fs::symlink_metadata(real).map_err(cannot)?;
        let mut real = real.to_path_buf();
        if meta.file_type().is_symlink() {
            let target = fs::canonicalize(&real).map_err(|e| {
                anyhow!(
                    "--bundle {spec:?}: {} is a symlink that cannot be followed ({e}); \
                     remove it or make it point inside {}",
                    shown.display(),
                    self.host.display()
                )
            })?;
            if !target.starts_with(&self.root) {
                bail!(
                    "--bundle {spec:?}: {} is a symlink to {}, outside {}; a bundle holds only \
                     what is inside its directory: copy the file in instead",
                    shown.display(),
                    target.display(),
                    self.host.display()
                );
            }
            if self.ancestors.contains(&target) {
                bail!(
                    "--bundle {spec:?}: {} is a symlink to {}, which contains it: a bundle \
                     cannot hold a loop; remove the link",
                    shown.display(),
                    target.display()
                );
            }
            meta = fs::metadata(&target).map_err(cannot)?;
            real = target;
        }
        let kind = if meta.is_dir() {
            self.ancestors.push(real.clone());
            let children = self.dir(shown, &real)?;
            self.ancestors.pop();
            Kind::Dir(children)
        } else if meta.is_file() {
            Kind::File(real)
        } else {
            bail!(
                "--bundle {spec:?}: {} is neither a file nor a directory (a fifo, socket or \
                 device); move it out of the bundled tree",
                shown.display()
            );
        };
        Ok(Node {
            name,
            mtime: mtime(&meta),
            kind,
        })
    }
}

fn mtime(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One entry of the blob, before its offsets are known.
struct Flat<'a> {
    node: &'a Node,
    /// Directories: (first child, count); files: (offset, size) once read.
    first: u64,
    count: u64,
    name_offset: u32,
}

fn put32(blob: &mut [u8], at: usize, value: u32) {
    blob[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put64(blob: &mut [u8], at: usize, value: u64) {
    blob[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn pad_to(blob: &mut Vec<u8>, align: usize) {
    blob.resize(blob.len().next_multiple_of(align), 0);
}

/// Lays out the blob for `roots` (one directory node per bundle).
fn layout(roots: &[Node]) -> Result<Vec<u8>> {
    // Entries breadth-first per bundle: a directory's children are consecutive.
    let mut flat: Vec<Flat> = Vec::new();
    let mut root_indices = Vec::new();
    for root in roots {
        root_indices.push(flat.len());
        let mut queue = VecDeque::from([flat.len()]);
        flat.push(Flat {
            node: root,
            first: 0,
            count: 0,
            name_offset: 0,
        });
        while let Some(index) = queue.pop_front() {
            if let Kind::Dir(children) = &flat[index].node.kind {
                flat[index].first = flat.len() as u64;
                flat[index].count = children.len() as u64;
                for child in children {
                    queue.push_back(flat.len());
                    flat.push(Flat {
                        node: child,
                        first: 0,
                        count: 0,
                        name_offset: 0,
                    });
                }
            }
        }
    }
    let too_big = || {
        anyhow!("--bundle: the bundled trees are too large (over 4 GiB of names or 2^32 entries)")
    };
    let count = u32::try_from(flat.len()).map_err(|_| too_big())?;
    let table = (HEADER_SIZE + 8 * roots.len()).next_multiple_of(8);
    let mut blob = vec![0u8; table + ENTRY_SIZE * flat.len()];
    // Names: the empty name first (the roots'), then each entry's.
    let empty = blob.len();
    blob.push(0);
    for entry in flat.iter_mut() {
        entry.name_offset = if entry.node.name.is_empty() {
            u32::try_from(empty).map_err(|_| too_big())?
        } else {
            let at = u32::try_from(blob.len()).map_err(|_| too_big())?;
            blob.extend_from_slice(entry.node.name.as_bytes());
            blob.push(0);
            at
        };
    }
    // File data.
    pad_to(&mut blob, DATA_ALIGN);
    for entry in flat.iter_mut() {
        if let Kind::File(path) = &entry.node.kind {
            pad_to(&mut blob, FILE_ALIGN);
            let start = blob.len();
            fs::File::open(path)
                .and_then(|mut file| file.read_to_end(&mut blob))
                .with_context(|| format!("--bundle: cannot read {}", path.display()))?;
            entry.first = start as u64;
            entry.count = (blob.len() - start) as u64;
        }
    }
    // Header, bundle table, entries.
    blob[0..4].copy_from_slice(MAGIC);
    put32(&mut blob, 4, VERSION);
    put32(&mut blob, 8, roots.len() as u32);
    put32(&mut blob, 12, count);
    let size = blob.len() as u64;
    put64(&mut blob, 16, size);
    for (k, root) in root_indices.iter().enumerate() {
        put32(&mut blob, HEADER_SIZE + 8 * k, *root as u32);
    }
    for (i, entry) in flat.iter().enumerate() {
        let at = table + ENTRY_SIZE * i;
        put64(&mut blob, at, entry.first);
        put64(&mut blob, at + 8, entry.count);
        put64(&mut blob, at + 16, entry.node.mtime);
        put32(&mut blob, at + 24, entry.name_offset);
        put32(&mut blob, at + 28, entry.node.name.len() as u32);
        blob[at + 32] = match entry.node.kind {
            Kind::Dir(_) => TYPE_DIR,
            Kind::File(_) => TYPE_FILE,
        };
    }
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(blob: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(blob[at..at + 4].try_into().unwrap())
    }

    fn u64_at(blob: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(blob[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn no_bundles_is_a_bare_header() {
        let bundles = Bundles::read(&[]).unwrap();
        assert_eq!(&bundles.blob[..4], b"W2EB");
        assert_eq!(u32_at(&bundles.blob, 8), 0);
        assert_eq!(u64_at(&bundles.blob, 16), bundles.blob.len() as u64);
    }

    #[test]
    fn a_tree_is_laid_out_breadth_first_with_sorted_children() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("b.txt"), "bee").unwrap();
        fs::write(dir.path().join("a.txt"), "a").unwrap();
        fs::write(dir.path().join("sub/c"), "sea").unwrap();
        let spec = format!("{}::/data", dir.path().display());
        let bundles = Bundles::read(&[spec]).unwrap();
        let blob = &bundles.blob;
        assert_eq!(bundles.guests, ["/data"]);
        assert_eq!(u32_at(blob, 12), 5); // root, a.txt, b.txt, sub, sub/c
        let entry = |i: usize| HEADER_SIZE + 8 + ENTRY_SIZE * i;
        let name = |i: usize| {
            let at = u32_at(blob, entry(i) + 24) as usize;
            let len = u32_at(blob, entry(i) + 28) as usize;
            String::from_utf8(blob[at..at + len].to_vec()).unwrap()
        };
        let names: Vec<String> = (0..5).map(name).collect();
        assert_eq!(names, ["", "a.txt", "b.txt", "sub", "c"]);
        assert_eq!((u64_at(blob, entry(0)), u64_at(blob, entry(0) + 8)), (1, 3));
        assert_eq!((u64_at(blob, entry(3)), u64_at(blob, entry(3) + 8)), (4, 1));
        let data = u64_at(blob, entry(2)) as usize;
        assert_eq!(data % FILE_ALIGN, 0);
        assert_eq!(&blob[data..data + 3], b"bee");
        assert!(u64_at(blob, entry(1)) as usize >= DATA_ALIGN);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_tree_are_refused_and_inside_ones_copied() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        fs::create_dir(&tree).unwrap();
        fs::write(dir.path().join("secret"), "s").unwrap();
        fs::write(tree.join("f"), "data").unwrap();
        std::os::unix::fs::symlink("f", tree.join("inside")).unwrap();
        let spec = format!("{}::/t", tree.display());
        assert!(Bundles::read(std::slice::from_ref(&spec)).is_ok());
        std::os::unix::fs::symlink("../secret", tree.join("out")).unwrap();
        let error = Bundles::read(std::slice::from_ref(&spec))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("outside"), "{error}");
        fs::remove_file(tree.join("out")).unwrap();
        std::os::unix::fs::symlink(".", tree.join("loop")).unwrap();
        let error = Bundles::read(&[spec]).err().unwrap().to_string();
        assert!(error.contains("loop"), "{error}");
    }

    #[test]
    fn each_bundle_has_a_content_digest_that_ignores_times() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a", "b", "c"] {
            fs::create_dir_all(dir.path().join(name).join("sub")).unwrap();
            fs::write(dir.path().join(name).join("sub/f"), "same").unwrap();
        }
        fs::write(dir.path().join("c/sub/f"), "other").unwrap();
        let spec = |name: &str| format!("{}::/{name}", dir.path().join(name).display());
        let bundles = Bundles::read(&[spec("a"), spec("b"), spec("c")]).unwrap();
        let digests = bundles.digests();
        assert_eq!(digests.len(), 3);
        assert_eq!(digests[0], digests[1]);
        assert_ne!(digests[0], digests[2]);
        assert!(Bundles::read(&[]).unwrap().digests().is_empty());
    }

    #[test]
    fn malformed_specs_are_refused() {
        for spec in ["nothing", "::/x", "dir::"] {
            assert!(Bundles::read(&[spec.to_string()]).is_err(), "{spec}");
        }
    }
}
