//! The compile cache: the machine code of a module for one CPU, kept between runs.
//!
//! Generating machine code is what a build costs (CPython: ~45 s); writing an object for an
//! OS and linking it are cheap. So the cache keeps exactly the part every OS of a CPU shares
//! (`ParsedModule::machine_code`), keyed by everything that decides it: the module's bytes,
//! this wasm2exe's version and build (the sha256 of its executable), the backend, the
//! compiler's code key (CPU, settings, CPU level) and the stub policy. A rebuild that
//! changes only grants, environment, bundles, the output name or the OS of the same CPU
//! therefore only writes its object and links.
//!
//! Entries live in `$XDG_CACHE_HOME/wasm2exe/code/` (next to the runtime archives; or in
//! `$WASM2EXE_CACHE_DIR`), one file
//! each: `"W2EC"`, the sha256 of the payload, the payload. An entry whose payload does not
//! match its hash (truncated, altered) is deleted and rebuilt, never used. Entries are written
//! to a temporary file in the same directory and renamed into place, so concurrent builds
//! never see half an entry. Reading an entry refreshes its modification time; after each
//! write the oldest entries are deleted until the cache fits its limit (LRU):
//! `DEFAULT_LIMIT_MB`, or `$WASM2EXE_CACHE_MB`.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The default size limit of the cache, in MiB (CPython's machine code takes 152 MiB: a
/// dozen such modules fit).
pub const DEFAULT_LIMIT_MB: u64 = 2048;
const MAGIC: &[u8; 4] = b"W2EC";
const HEADER: usize = 4 + 32;
const SUFFIX: &str = "code";

/// What goes into a cache key besides the module.
pub struct KeyParts<'a> {
    /// `cranelift` (or another backend's name).
    pub backend: &'a str,
    /// `ParsedModule::code_key`.
    pub code_key: &'a str,
    /// `none`, `trap` or `zero`.
    pub stub_policy: &'a str,
}

/// The sha256 of this wasm2exe executable: the version number alone does not change when a
/// development build's compiler does, and stale machine code must never be reused.
fn build_identity() -> &'static str {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IDENTITY.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::read)
            .map(|exe| crate::pipeline::hex(&Sha256::digest(exe)))
            // Unreadable: a key no other executable shares (this run still caches within).
            .unwrap_or_else(|_| format!("pid {}", std::process::id()))
    })
}

/// The cache directory and its size limit.
#[derive(Clone, Debug)]
pub struct CodeCache {
    dir: PathBuf,
    limit: u64,
}

impl CodeCache {
    /// The user's cache (`$XDG_CACHE_HOME/wasm2exe/code`), with its limit.
    pub fn user() -> Result<CodeCache> {
        let limit_mb = match std::env::var("WASM2EXE_CACHE_MB") {
            Ok(value) => value.trim().parse::<u64>().map_err(|_| {
                anyhow::anyhow!(
                    "WASM2EXE_CACHE_MB={value:?}: expected a size in MiB, e.g. WASM2EXE_CACHE_MB=4096"
                )
            })?,
            Err(_) => DEFAULT_LIMIT_MB,
        };
        let dir = match std::env::var_os("WASM2EXE_CACHE_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => wasm2exe_targets::runtime::cache_root()?.join("code"),
        };
        Ok(CodeCache::at(dir, limit_mb << 20))
    }

    /// A cache in `dir` holding at most `limit` bytes.
    pub fn at(dir: PathBuf, limit: u64) -> CodeCache {
        CodeCache { dir, limit }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of the machine code of `wasm` built as `parts` say.
    pub fn key(wasm: &[u8], parts: &KeyParts) -> String {
        let mut hash = Sha256::new();
        hash.update(Sha256::digest(wasm));
        for part in [
            env!("CARGO_PKG_VERSION"),
            build_identity(),
            parts.backend,
            parts.code_key,
            parts.stub_policy,
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        crate::pipeline::hex(&hash.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{SUFFIX}"))
    }

    /// The payload stored under `key`, if there is an intact one. A damaged entry is deleted.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key);
        let mut bytes = std::fs::read(&path).ok()?;
        let intact = bytes.len() >= HEADER
            && &bytes[..4] == MAGIC
            && Sha256::digest(&bytes[HEADER..])[..] == bytes[4..HEADER];
        if !intact {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        // Recently used: trimming deletes the least recently used entries first.
        if let Ok(file) = std::fs::File::options().append(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        bytes.drain(..HEADER);
        Some(bytes)
    }

    /// Stores `payload` under `key` (atomically: a temporary file renamed into place), then
    /// trims the cache to its limit.
    pub fn put(&self, key: &str, payload: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the cache directory {}", self.dir.display()))?;
        let mut file = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)
            .with_context(|| format!("cannot create a file in {}", self.dir.display()))?;
        let written = file
            .write_all(MAGIC)
            .and_then(|()| file.write_all(&Sha256::digest(payload)))
            .and_then(|()| file.write_all(payload));
        written.with_context(|| format!("cannot write to {}", self.dir.display()))?;
        file.persist(self.path(key))
            .with_context(|| format!("cannot store an entry in {}", self.dir.display()))?;
        self.trim()
    }

    /// The entries, oldest use first: (path, size, last use).
    fn entries(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut entries: Vec<_> = dir
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                if path.extension()? != SUFFIX {
                    return None;
                }
                let meta = std::fs::metadata(&path).ok()?;
                Some((path, meta.len(), meta.modified().ok()?))
            })
            .collect();
        entries.sort_by_key(|(_, _, used)| *used);
        entries
    }

    /// Deletes the least recently used entries until the cache fits its limit.
    pub fn trim(&self) -> Result<()> {
        let entries = self.entries();
        let mut total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        for (path, size, _) in entries {
            if total <= self.limit {
                break;
            }
            // Another build may have deleted it already.
            let _ = std::fs::remove_file(&path);
            total -= size;
        }
        Ok(())
    }

    /// `wasm2exe cache info`: where the cache is, how full, its limit.
    pub fn info(&self) -> String {
        let entries = self.entries();
        let total: u64 = entries.iter().map(|(_, size, _)| size).sum();
        let runtime = self.dir.with_file_name("runtime");
        format!(
            "compile cache: {}\nentries: {}\nsize: {:.1} MiB of {} MiB (set WASM2EXE_CACHE_MB to change)\n\
             runtime archives: {}",
            self.dir.display(),
            entries.len(),
            total as f64 / (1 << 20) as f64,
            self.limit >> 20,
            runtime.display()
        )
    }

    /// `wasm2exe cache clean`: deletes every entry (and leftover temporary files). Returns how
    /// many entries were deleted.
    pub fn clean(&self) -> Result<usize> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in dir.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let ours = path.extension().is_some_and(|e| e == SUFFIX)
                || name.to_string_lossy().starts_with(".tmp-");
            if ours {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot delete {}", path.display()))?;
                removed += usize::from(path.extension().is_some_and(|e| e == SUFFIX));
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(limit: u64) -> (tempfile::TempDir, CodeCache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = CodeCache::at(dir.path().join("code"), limit);
        (dir, cache)
    }

    #[test]
    fn a_stored_payload_comes_back() {
        let (_dir, cache) = cache(1 << 20);
        assert_eq!(cache.get("k"), None);
        cache.put("k", b"machine code").unwrap();
        assert_eq!(cache.get("k").as_deref(), Some(&b"machine code"[..]));
    }

    #[test]
    fn a_damaged_entry_is_deleted_not_used() {
        let (_dir, cache) = cache(1 << 20);
        cache.put("k", b"machine code").unwrap();
        let path = cache.path("k");
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.get("k"), None);
        assert!(!path.exists());
        cache.put("k", b"machine code").unwrap();
        std::fs::write(&path, &std::fs::read(&path).unwrap()[..20]).unwrap();
        assert_eq!(cache.get("k"), None);
    }

    #[test]
    fn trimming_deletes_the_least_recently_used() {
        let (_dir, cache) = cache(2500);
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        cache.put("a", &[1; 1000]).unwrap();
        cache.put("b", &[2; 1000]).unwrap();
        for key in ["a", "b"] {
            let file = std::fs::File::options()
                .append(true)
                .open(cache.path(key))
                .unwrap();
            file.set_modified(old).unwrap();
        }
        assert!(cache.get("a").is_some()); // a is now the most recent
        cache.put("c", &[3; 1000]).unwrap();
        assert!(cache.get("a").is_some());
        assert!(cache.get("c").is_some());
        assert_eq!(cache.get("b"), None);
    }

    #[test]
    fn concurrent_writers_leave_one_intact_entry() {
        let (_dir, cache) = cache(1 << 30);
        let payloads: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 1 << 20]).collect();
        let payloads = &payloads;
        std::thread::scope(|scope| {
            for payload in payloads {
                let cache = &cache;
                scope.spawn(move || {
                    for _ in 0..5 {
                        cache.put("k", payload).unwrap();
                        // A reader never sees a mix: it gets one writer's whole payload.
                        if let Some(got) = cache.get("k") {
                            assert!(payloads.contains(&got));
                        }
                    }
                });
            }
        });
        assert!(payloads.contains(&cache.get("k").unwrap()));
        assert_eq!(std::fs::read_dir(cache.dir()).unwrap().count(), 1);
        assert_eq!(cache.clean().unwrap(), 1);
    }
}
