//! Shared by the real-program tests: fetching pinned sources from the registries (cached),
//! building them to wasm32-wasi with zig, and running a program both as the executable
//! wasm2exe makes and under the reference wasmtime, in identical fresh directories.
#![allow(dead_code)] // each test target uses a different subset

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// A source archive pinned by version and checksum. The URLs are tried in order.
pub struct Pinned {
    pub file: &'static str,
    pub urls: &'static [&'static str],
    pub sha256: &'static str,
}

pub const INSTALL_HINT: &str = "install the toolchain with `pip install ziglang wasmtime`";

// ---- Steps and their timings ----

/// Prints how long each step of one program's test takes (visible with `--nocapture`).
pub struct Steps {
    pub program: &'static str,
}

impl Steps {
    pub fn time<T>(&self, step: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = f();
        eprintln!(
            "[{}] {step}: {:.2}s",
            self.program,
            start.elapsed().as_secs_f64()
        );
        result
    }
}

// ---- Tools ----

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn cache_dir() -> PathBuf {
    let dir = std::env::var_os("WASM2EXE_PROGRAMS_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("programs-cache"));
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Runs `command` and returns its output; panics when it cannot be started.
pub fn output(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// Panics unless python3 can import the zig compiler and the reference runtime.
pub fn require_toolchain() -> String {
    let out = Command::new("python3")
        .args(["-c", "import wasmtime, ziglang"])
        .output();
    match out {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "python3 lacks zig or wasmtime ({}): {INSTALL_HINT}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("cannot run python3 ({e}): {INSTALL_HINT}"),
    }
    let out = output(Command::new("python3").args(["-m", "ziglang", "version"]));
    assert!(out.status.success(), "`python3 -m ziglang version` failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn sha256(path: &Path) -> String {
    let out = output(Command::new("python3").arg("-c").arg(
        "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
    ).arg(path));
    assert!(out.status.success(), "cannot hash {}", path.display());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

// ---- Fetching ----

/// curl's exit codes that mean the network (not the server) failed: cannot resolve the proxy
/// or host, cannot connect, timeout, TLS handshake, empty reply, send or receive failure.
pub const CURL_NETWORK_ERRORS: &[i32] = &[5, 6, 7, 28, 35, 52, 55, 56];

/// The registries could not be reached; the reason is curl's message.
pub struct Unreachable(pub String);

/// The cached archive, downloading it first if needed. Returns `Unreachable` only when every
/// URL failed with a network error; a wrong checksum or an HTTP error panics.
pub fn fetch(pinned: &Pinned) -> Result<PathBuf, Unreachable> {
    let dir = cache_dir().join("downloads");
    fs::create_dir_all(&dir).unwrap();
    let dest = dir.join(pinned.file);
    if dest.exists() {
        return Ok(dest);
    }
    let partial = dir.join(format!("{}.part-{}", pinned.file, std::process::id()));
    let mut network_errors = Vec::new();
    for url in pinned.urls {
        let out = Command::new("curl")
            .args(["-sSfL", "--retry", "2", "--connect-timeout", "20", "-o"])
            .arg(&partial)
            .arg(url)
            .output()
            .unwrap_or_else(|e| panic!("cannot run curl ({e}): install curl"));
        let code = out.status.code().unwrap_or(-1);
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if out.status.success() {
            let actual = sha256(&partial);
            if actual != pinned.sha256 {
                let _ = fs::remove_file(&partial);
                panic!(
                    "{url}: SHA-256 is {actual}, expected {} (the pinned release changed?)",
                    pinned.sha256
                );
            }
            fs::rename(&partial, &dest).unwrap();
            return Ok(dest);
        }
        let _ = fs::remove_file(&partial);
        if !CURL_NETWORK_ERRORS.contains(&code) {
            panic!("cannot download {url}: curl exit code {code}: {message}");
        }
        network_errors.push(format!("{url}: {message}"));
    }
    Err(Unreachable(network_errors.join("; ")))
}

/// Fails the test for an unreachable registry: these programs are built from registry
/// sources, and a test that passes without running would hide it. The downloads are cached,
/// so only the first run needs the network.
pub fn fail_offline(Unreachable(reason): Unreachable) -> ! {
    panic!(
        "cannot reach the package registries (crates.io, npm, PyPI) to fetch the program's \
         sources: {reason}; connect once (downloads are cached in the target directory)"
    );
}

/// Extracts `member` of a gzipped tarball into `into` (which must exist).
pub fn untar(archive: &Path, member: &str, into: &Path) {
    let out = output(
        Command::new("tar")
            .arg("xzf")
            .arg(archive)
            .arg("--no-same-owner")
            .arg("-C")
            .arg(into)
            .arg(member),
    );
    assert!(
        out.status.success(),
        "cannot extract {member} from {}: {}",
        archive.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The cached directory `cache/src/NAME`, made by `extract` into a scratch directory (where
/// it must create `NAME`) on first use. The rename makes a half-extracted tree impossible.
pub fn extracted(name: &str, extract: impl FnOnce(&Path)) -> PathBuf {
    let src = cache_dir().join("src");
    let dest = src.join(name);
    if dest.exists() {
        return dest;
    }
    let scratch = src.join(format!(".extract-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).unwrap();
    extract(&scratch);
    // Another test process may have won the race; its tree is as good as ours.
    if fs::rename(scratch.join(name), &dest).is_err() && !dest.exists() {
        panic!("cannot move {name} into {}", src.display());
    }
    let _ = fs::remove_dir_all(&scratch);
    dest
}

// ---- Building with zig ----

/// Builds a wasm32-wasi command module from `sources` with `flags` and returns its path.
/// The module is cached under a key made of the zig version, the flags and the names and
/// content of `inputs` (the sources and every header they may include), so a rerun is free
/// and any change rebuilds. Paths stay out of the key: the cache may move.
pub fn build_wasm(
    name: &str,
    zig_version: &str,
    flags: &[&str],
    include_dirs: &[&Path],
    sources: &[PathBuf],
    inputs: &[PathBuf],
) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    zig_version.hash(&mut hasher);
    flags.hash(&mut hasher);
    for input in inputs {
        input.file_name().hash(&mut hasher);
        fs::read(input).unwrap().hash(&mut hasher);
    }
    let dir = cache_dir().join("wasm");
    fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join(format!("{name}-{:016x}.wasm", hasher.finish()));
    if wasm.exists() {
        return wasm;
    }
    let partial = dir.join(format!("{name}.part-{}.wasm", std::process::id()));
    let out = output(
        Command::new("python3")
            .args(["-m", "ziglang", "cc", "--target=wasm32-wasi"])
            .args(flags)
            .args(
                include_dirs
                    .iter()
                    .map(|dir| format!("-I{}", dir.display())),
            )
            .arg("-o")
            .arg(&partial)
            .args(sources),
    );
    assert!(
        out.status.success(),
        "zig cannot build {name}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::rename(&partial, &wasm).unwrap();
    wasm
}

/// Every file under `dir`, recursively, in a stable order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

// ---- Running under both runtimes ----

/// Compiles `wasm` with wasm2exe and the given grants into `out` (with the backend
/// `W2E_TEST_BACKEND` names, when set).
pub fn wasm2exe(wasm: &Path, out: &Path, grants: &[&str]) {
    let backend: Vec<String> = std::env::var("W2E_TEST_BACKEND")
        .map(|b| vec!["--backend".to_string(), b])
        .unwrap_or_default();
    let result = output(
        Command::new(env!("CARGO_BIN_EXE_wasm2exe"))
            .arg(wasm)
            .arg("-o")
            .arg(out)
            .args(grants)
            .args(&backend),
    );
    assert!(
        result.status.success(),
        "wasm2exe {} failed ({}): {}",
        wasm.display(),
        result.status,
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Runs `command` in `cwd` with `stdin` as its standard input.
pub fn run_in(mut command: Command, cwd: &Path, stdin: &[u8]) -> Output {
    let stdin_file = cwd.with_extension("stdin");
    fs::write(&stdin_file, stdin).unwrap();
    command
        .current_dir(cwd)
        .stdin(Stdio::from(fs::File::open(&stdin_file).unwrap()));
    let out = output(&mut command);
    fs::remove_file(&stdin_file).unwrap();
    out
}

/// One program, runnable both ways with the same grants.
pub struct Program {
    pub name: &'static str,
    pub wasm: PathBuf,
    pub exe: PathBuf,
    /// The grants, as wasm2exe arguments. `.` is the directory the program starts in.
    pub grants: Vec<String>,
}

impl Program {
    pub fn native(&self, cwd: &Path, args: &[&str], stdin: &[u8]) -> Output {
        let mut command = Command::new(&self.exe);
        command.args(args);
        run_in(command, cwd, stdin)
    }

    pub fn reference(&self, cwd: &Path, args: &[&str], stdin: &[u8]) -> Output {
        let mut command = Command::new("python3");
        command
            .arg(repo_root().join("tests/programs/wasmtime_run.py"))
            .arg(&self.wasm)
            .args(&self.grants)
            .arg("--")
            .arg(self.name)
            .args(args);
        run_in(command, cwd, stdin)
    }

    /// Runs the program natively in `dirs.native` and under wasmtime in `dirs.reference`,
    /// asserts that both print the same and end the same, and returns the native output.
    pub fn run_both(
        &self,
        steps: &Steps,
        step: &str,
        dirs: &Dirs,
        args: &[&str],
        stdin: &[u8],
    ) -> Output {
        let native = steps.time(&format!("{step}: wasm2exe executable"), || {
            self.native(&dirs.native, args, stdin)
        });
        let reference = steps.time(&format!("{step}: wasmtime"), || {
            self.reference(&dirs.reference, args, stdin)
        });
        assert_same_output(&format!("{} {step}", self.name), &native, &reference);
        native
    }
}

/// Two fresh directories with the same content, one per runtime.
pub struct Dirs {
    _root: tempfile::TempDir,
    pub native: PathBuf,
    pub reference: PathBuf,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = tempfile::tempdir().unwrap();
        let native = root.path().join("native");
        let reference = root.path().join("wasmtime");
        fs::create_dir(&native).unwrap();
        fs::create_dir(&reference).unwrap();
        Dirs {
            _root: root,
            native,
            reference,
        }
    }

    pub fn write(&self, name: &str, content: &[u8]) {
        fs::write(self.native.join(name), content).unwrap();
        fs::write(self.reference.join(name), content).unwrap();
    }

    /// Asserts that both directories hold the same file names with the same bytes.
    pub fn assert_same_files(&self) {
        let native = files_under(&self.native);
        let reference = files_under(&self.reference);
        let names = |files: &[PathBuf], dir: &Path| -> Vec<PathBuf> {
            files
                .iter()
                .map(|f| f.strip_prefix(dir).unwrap().to_path_buf())
                .collect()
        };
        assert_eq!(
            names(&native, &self.native),
            names(&reference, &self.reference),
            "the two runs left different files"
        );
        for (n, r) in native.iter().zip(&reference) {
            assert!(
                fs::read(n).unwrap() == fs::read(r).unwrap(),
                "{} differs from wasmtime's {}",
                n.display(),
                r.display()
            );
        }
    }
}

pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn assert_same_output(what: &str, native: &Output, reference: &Output) {
    let same = native.status.code().is_some()
        && native.status.code() == reference.status.code()
        && native.stdout == reference.stdout
        && native.stderr == reference.stderr;
    assert!(
        same,
        "{what}: the wasm2exe executable and wasmtime disagree\n\
         ===== wasm2exe executable =====\n{}\n===== wasmtime =====\n{}",
        describe(native),
        describe(reference)
    );
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---- PyPI files ----

/// What pip prints when the index cannot be reached (the test then fails, saying so).
pub const PIP_UNREACHABLE: &[&str] = &[
    "NewConnectionError",
    "ConnectionError",
    "Temporary failure in name resolution",
];

/// `file`, downloaded with pip (the registry's own client) as `requirement` into the cache
/// once, and checked against `sha256`. Binary distributions only.
pub fn pip_download_wheel(
    requirement: &str,
    file: &str,
    sha256_hex: &str,
) -> Result<PathBuf, Unreachable> {
    let dir = cache_dir().join("downloads");
    fs::create_dir_all(&dir).unwrap();
    let dest = dir.join(file);
    if !dest.exists() {
        let out = output(
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--only-binary",
                    ":all:",
                ])
                .arg("-d")
                .arg(&dir)
                .arg(requirement),
        );
        let message = String::from_utf8_lossy(&out.stderr).to_string();
        if !out.status.success() {
            if PIP_UNREACHABLE.iter().any(|e| message.contains(e)) {
                return Err(Unreachable(format!(
                    "pip download {requirement}: {message}"
                )));
            }
            panic!("pip download {requirement} failed: {message}");
        }
    }
    assert_eq!(
        sha256(&dest),
        sha256_hex,
        "{file}: unexpected SHA-256 (the release changed?)"
    );
    Ok(dest)
}

/// Extracts `member` of the zip archive `zip` to `dest`, unless it is there already.
pub fn extract_zip_member(zip: &Path, member: &str, dest: &Path) {
    if dest.exists() {
        return;
    }
    let partial = dest.with_extension(format!("part-{}", std::process::id()));
    let script = "import sys, zipfile, shutil\n\
        with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, \
        open(sys.argv[3], 'wb') as dst: shutil.copyfileobj(src, dst)";
    let out = output(
        Command::new("python3")
            .args(["-c", script])
            .arg(zip)
            .arg(member)
            .arg(&partial),
    );
    assert!(
        out.status.success(),
        "cannot extract {member}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    fs::rename(&partial, dest).unwrap();
}
