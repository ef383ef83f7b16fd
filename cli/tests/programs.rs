//! Real programs, compiled twice: the SQLite shell and zstd, built from their published sources
//! to wasm32-wasi with zig, then run as the executable wasm2exe makes and under the reference
//! runtime (wasmtime's Python bindings). Both runs start in identical fresh directories and
//! must agree byte for byte: stdout, stderr, exit code and the files the program wrote.
//!
//! Why: the unit and spec tests check instructions and WASI calls one at a time. Programs like
//! these use hundreds of thousands of calls in combinations nobody writes tests for (SQLite's
//! journal and dot-file locks, zstd's streaming buffers), and the reference tells us what the
//! right answer is without our writing it down.
//!
//! Sources are fetched by package name at pinned versions, checked against their SHA-256 and
//! kept, with the built modules, in a cache (`$WASM2EXE_PROGRAMS_CACHE`, default
//! `target/tmp/programs-cache`), so reruns neither download nor rebuild:
//! - SQLite: the npm package `sqlite3` ships the amalgamation (`sqlite3.c`, `shell.c`).
//! - zstd: the crate `zstd-sys` ships the library (`zstd/lib`); the command-line driver is ours
//!   (`tests/programs/zstd_driver.c`).
//!
//! Requirements: `curl`, `tar`, and `python3` with `pip install ziglang wasmtime`. A missing
//! tool fails the test, and so do unreachable registries (the downloads are cached, so only
//! the first run needs the network).
//!
//! These tests are heavy (the first SQLite build takes a few minutes), so they live in their
//! own target: `cargo test --release -p wasm2exe --test programs -- --nocapture` shows the
//! time each step takes.

mod programs_support;

use programs_support::*;
use std::fs;

const SQLITE_NPM: Pinned = Pinned {
    file: "sqlite3-6.0.1.tgz",
    urls: &["https://registry.npmjs.org/sqlite3/-/sqlite3-6.0.1.tgz"],
    sha256: "ab8d044a93e05bd031d7ea75547c7fa60387cdc259d27f93c0e3e2832c4b1df9",
};
/// The amalgamation tarball inside the npm package.
const SQLITE_AUTOCONF: &str = "sqlite-autoconf-3520000";

const ZSTD_SYS_CRATE: Pinned = Pinned {
    file: "zstd-sys-2.0.15+zstd.1.5.7.crate",
    urls: &[
        "https://static.crates.io/crates/zstd-sys/zstd-sys-2.0.15+zstd.1.5.7.crate",
        "https://crates.io/api/v1/crates/zstd-sys/2.0.15+zstd.1.5.7/download",
    ],
    sha256: "eb81183ddd97d0c74cedf1d50d85c8d08c1b8b68ee863bdee9e706eedba1a237",
};
const ZSTD_SYS_DIR: &str = "zstd-sys-2.0.15+zstd.1.5.7";

/// What wasi-libc lacks and the SQLite shell uses: signal(), getrusage(), getpid() come from
/// wasi-libc's emulation libraries; system() does not exist at all. sqlite3.c itself
/// recognizes `__wasi__` (no threads, no extension loading, no WAL, dot-file locking).
const SQLITE_FLAGS: &[&str] = &[
    "-O2",
    "-D_WASI_EMULATED_SIGNAL",
    "-D_WASI_EMULATED_PROCESS_CLOCKS",
    "-D_WASI_EMULATED_GETPID",
    "-DSQLITE_NOHAVE_SYSTEM",
    "-lwasi-emulated-signal",
    "-lwasi-emulated-process-clocks",
    "-lwasi-emulated-getpid",
];

/// zstd single-threaded, without the x86-64 assembly decoder and the legacy formats.
const ZSTD_FLAGS: &[&str] = &["-O2", "-DZSTD_DISABLE_ASM", "-DZSTD_LEGACY_SUPPORT=0"];

// ---- SQLite ----

/// Rows the SQLite test inserts, and the ids it then deletes (every 1000th).
const SQLITE_ROWS: u64 = 100_000;

fn sqlite_x(i: u64) -> u64 {
    (i * 7919) % 100_003
}

/// Schema and data: 100k rows in one transaction, an index, an update and delete in a second
/// transaction, and a rolled-back one. This exercises the rollback journal and the locks.
fn sqlite_load_script() -> String {
    format!(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER NOT NULL, y REAL, s TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {SQLITE_ROWS})
INSERT INTO t(x, y, s) SELECT (i * 7919) % 100003, i / 8.0, printf('row-%06d', i) FROM c;
COMMIT;
CREATE INDEX t_x ON t(x);
BEGIN;
UPDATE t SET s = upper(s) WHERE id % 3 = 0;
DELETE FROM t WHERE id % 1000 = 0;
COMMIT;
BEGIN;
DELETE FROM t;
ROLLBACK;
CREATE TABLE buckets AS SELECT x % 10 AS bucket, count(*) AS n, sum(x) AS total FROM t GROUP BY bucket;
"
    )
}

/// Read on the shell's stdin: loads the data from a file in the granted directory, then queries.
const SQLITE_QUERIES: &str = ".read /data/load.sql
SELECT count(*), sum(x) FROM t;
SELECT min(x), max(x), total(y), avg(y) FROM t;
SELECT * FROM buckets ORDER BY bucket;
SELECT id, x, s FROM t WHERE x BETWEEN 500 AND 505 ORDER BY x;
SELECT hex(sha3_query('SELECT * FROM t ORDER BY id'));
PRAGMA integrity_check;
";

/// Run after the load, with a tiny page cache so that building the index spills its sort to a
/// temporary file.
const SQLITE_FILE_COMMANDS: &str = "PRAGMA cache_size = 20;
CREATE INDEX t_s ON t(s);
SELECT count(*) FROM t INDEXED BY t_s WHERE s > 'row-05';
VACUUM INTO '/data/copy.db';
.import --csv /data/people.csv people
SELECT count(*), sum(age) FROM people;
.once /data/dump.sql
.dump people
.sha3sum
";

/// A CSV file with a header and 1000 rows; the ages sum to 49500.
fn sqlite_people_csv() -> String {
    let mut csv = String::from("name,age,city\n");
    for i in 0..1000 {
        csv += &format!("person {i},{},\"City, {}\"\n", i % 100, i % 7);
    }
    csv
}

/// How many rows `s > 'row-05'` selects: the lowercase names from row-050000 on (every third
/// row was upper-cased, every thousandth deleted).
fn sqlite_expected_index_count() -> String {
    let count = (50_000..=SQLITE_ROWS)
        .filter(|id| id % 3 != 0 && id % 1000 != 0)
        .count();
    count.to_string()
}

/// `count(*)|sum(x)` after the load script, computed here rather than by SQLite.
fn sqlite_expected_count_and_sum() -> String {
    let kept = (1..=SQLITE_ROWS).filter(|id| id % 1000 != 0);
    let (count, sum) = kept.fold((0u64, 0u64), |(n, s), id| (n + 1, s + sqlite_x(id)));
    format!("{count}|{sum}")
}

#[test]
fn sqlite_shell_builds_a_database_like_wasmtime() {
    let steps = Steps { program: "sqlite" };
    let zig_version = require_toolchain();
    let archive = match steps.time("download", || fetch(&SQLITE_NPM)) {
        Ok(archive) => archive,
        Err(unreachable) => fail_offline(unreachable),
    };
    let src = steps.time("extract", || {
        extracted(SQLITE_AUTOCONF, |scratch| {
            let inner = format!("package/deps/{SQLITE_AUTOCONF}.tar.gz");
            untar(&archive, &inner, scratch);
            untar(&scratch.join(&inner), SQLITE_AUTOCONF, scratch);
        })
    });
    let sources = [src.join("sqlite3.c"), src.join("shell.c")];
    let mut inputs = sources.to_vec();
    inputs.extend([src.join("sqlite3.h"), src.join("sqlite3ext.h")]);
    let wasm = steps.time("zig build (cached after the first run)", || {
        build_wasm(
            "sqlite3",
            &zig_version,
            SQLITE_FLAGS,
            &[],
            &sources,
            &inputs,
        )
    });

    let bin = tempfile::tempdir().unwrap();
    // HOME keeps the shell from warning that it has none; TMPDIR is where SQLite puts its
    // temporary files (it would otherwise try /var/tmp, /usr/tmp, /tmp and ".", none granted).
    let grants = [
        "--dir",
        ".::/data",
        "--env",
        "HOME=/data",
        "--env",
        "TMPDIR=/data",
    ];
    let sqlite = Program {
        name: "sqlite3",
        exe: bin.path().join("sqlite3"),
        wasm: wasm.clone(),
        grants: grants.iter().map(|s| s.to_string()).collect(),
    };
    steps.time("wasm2exe compile", || wasm2exe(&wasm, &sqlite.exe, &grants));

    let dirs = Dirs::new();
    dirs.write("load.sql", sqlite_load_script().as_bytes());

    // Create and fill the database, then query it in the same session.
    let out = sqlite.run_both(
        &steps,
        "load 100k rows and query",
        &dirs,
        &["-bail", "/data/test.db"],
        SQLITE_QUERIES.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(&*sqlite_expected_count_and_sum()));
    assert_eq!(text.lines().last(), Some("ok"), "integrity check failed");

    // The database persisted: a second, read-only session sees the same data.
    let out = sqlite.run_both(
        &steps,
        "reopen read-only",
        &dirs,
        &[
            "-readonly",
            "/data/test.db",
            "SELECT count(*), sum(x) FROM t; PRAGMA quick_check;",
        ],
        b"",
    );
    assert_eq!(
        stdout(&out),
        format!("{}\nok\n", sqlite_expected_count_and_sum())
    );

    // More of the file system: an index build whose sort spills to a temporary file (created
    // in $TMPDIR and unlinked while open), a copy with VACUUM INTO, a CSV import, a dump
    // written with .once, and the shell's own hash of the database.
    dirs.write("people.csv", sqlite_people_csv().as_bytes());
    let out = sqlite.run_both(
        &steps,
        "spilling sort, VACUUM INTO, .import, .dump",
        &dirs,
        &["-bail", "/data/test.db"],
        SQLITE_FILE_COMMANDS.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(&*sqlite_expected_index_count()));
    assert_eq!(lines.next(), Some("1000|49500"));
    let dump = fs::read_to_string(dirs.native.join("dump.sql")).unwrap();
    assert_eq!(dump.matches("INSERT INTO people").count(), 1000);

    // An SQL error: same message, same exit code.
    let out = sqlite.run_both(
        &steps,
        "query a missing table",
        &dirs,
        &["-bail", "/data/test.db", "SELECT count(*) FROM missing;"],
        b"",
    );
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));

    // Both left the same files (no journal, no lock directory) with the same bytes.
    dirs.assert_same_files();

    // Default deny: built without --dir, the executable cannot open the database, exactly as
    // wasmtime without a preopened directory cannot.
    let denied = Program {
        name: "sqlite3",
        exe: bin.path().join("sqlite3-no-grants"),
        wasm: wasm.clone(),
        grants: Vec::new(),
    };
    steps.time("wasm2exe compile (no grants)", || {
        wasm2exe(&wasm, &denied.exe, &[])
    });
    let out = denied.run_both(
        &steps,
        "open without a grant",
        &dirs,
        &["/data/test.db", "SELECT count(*) FROM t;"],
        b"",
    );
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
}

// ---- zstd ----

/// 8 MiB of deterministic, semi-compressible data: lines of words with runs of random bytes.
fn zstd_input() -> Vec<u8> {
    const SIZE: usize = 8 << 20;
    const WORDS: &[&str] = &[
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "wasm", "sandbox",
        "compile", "native", "ahead", "of", "time", "module",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut data = Vec::with_capacity(SIZE + 256);
    while data.len() < SIZE {
        if next() % 4 == 0 {
            let run = 16 + next() % 112;
            data.extend((0..run).map(|_| (next() >> 56) as u8));
        } else {
            for _ in 0..12 {
                data.extend_from_slice(WORDS[(next() % WORDS.len() as u64) as usize].as_bytes());
                data.push(b' ');
            }
            data.push(b'\n');
        }
    }
    data.truncate(SIZE);
    data
}

#[test]
fn zstd_round_trip_matches_wasmtime_byte_for_byte() {
    let steps = Steps { program: "zstd" };
    let zig_version = require_toolchain();
    let archive = match steps.time("download", || fetch(&ZSTD_SYS_CRATE)) {
        Ok(archive) => archive,
        Err(unreachable) => fail_offline(unreachable),
    };
    let crate_dir = steps.time("extract", || {
        extracted(ZSTD_SYS_DIR, |scratch| {
            untar(&archive, &format!("{ZSTD_SYS_DIR}/zstd/lib"), scratch)
        })
    });
    let lib = crate_dir.join("zstd/lib");
    let driver = repo_root().join("tests/programs/zstd_driver.c");
    let mut sources = vec![driver.clone()];
    for part in ["common", "compress", "decompress"] {
        let c_files = files_under(&lib.join(part));
        sources.extend(
            c_files
                .into_iter()
                .filter(|f| f.extension() == Some("c".as_ref())),
        );
    }
    let mut inputs = files_under(&lib);
    inputs.push(driver);
    let wasm = steps.time("zig build (cached after the first run)", || {
        build_wasm("zstd", &zig_version, ZSTD_FLAGS, &[&lib], &sources, &inputs)
    });

    let bin = tempfile::tempdir().unwrap();
    let grants = ["--dir", "."];
    let zstd = Program {
        name: "zstd_driver",
        exe: bin.path().join("zstd_driver"),
        wasm: wasm.clone(),
        grants: grants.iter().map(|s| s.to_string()).collect(),
    };
    steps.time("wasm2exe compile", || wasm2exe(&wasm, &zstd.exe, &grants));

    let dirs = Dirs::new();
    let input = zstd_input();
    dirs.write("input.bin", &input);

    // Relative paths, resolved against the directory granted as `.`.
    let out = zstd.run_both(
        &steps,
        "compress 8 MiB",
        &dirs,
        &["c", "input.bin", "input.zst", "3"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = zstd.run_both(
        &steps,
        "decompress",
        &dirs,
        &["d", "input.zst", "output.bin"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    // Level 19 takes other paths (the optimal parser, bigger windows): 2 MiB keeps it short.
    let head = &input[..2 << 20];
    dirs.write("head.bin", head);
    let level_19: [(&str, &[&str]); 2] = [
        (
            "compress 2 MiB at level 19",
            &["c", "head.bin", "head.zst", "19"],
        ),
        ("decompress level 19", &["d", "head.zst", "head.out"]),
    ];
    for (step, args) in level_19 {
        let out = zstd.run_both(&steps, step, &dirs, args, b"");
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }

    // Same compressed bytes from both runtimes, and the round trips restore the input.
    dirs.assert_same_files();
    assert!(
        fs::read(dirs.native.join("output.bin")).unwrap() == input,
        "the round trip did not restore the input"
    );
    assert!(
        fs::read(dirs.native.join("head.out")).unwrap() == head,
        "the level 19 round trip did not restore the input"
    );
    let compressed = fs::metadata(dirs.native.join("input.zst")).unwrap().len();
    assert!(
        compressed < input.len() as u64 * 3 / 4,
        "suspiciously poor compression: {compressed} bytes"
    );

    // A corrupt frame: the same error message and exit code from both.
    let mut corrupt = fs::read(dirs.native.join("input.zst")).unwrap();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0x55;
    dirs.write("corrupt.zst", &corrupt);
    let out = zstd.run_both(
        &steps,
        "decompress a corrupt file",
        &dirs,
        &["d", "corrupt.zst", "corrupt.out"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}
