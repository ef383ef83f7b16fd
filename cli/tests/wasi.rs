//! WASI preview1 conformance of wasm2exe executables, by comparison with wasmtime.
//!
//! Each test runs a C program from `tests/wasi/` twice, as a wasm2exe executable and under
//! wasmtime, each in a fresh copy of the same fixture tree (see `wasi_support/fixture.rs`),
//! and asserts the same stdout, the same exit code and the same files left behind. The
//! programs print what every call returned, so a difference names the call. Together they
//! cover every wasi_snapshot_preview1 function.
//!
//! The escape tests also assert that the sandbox held on its own terms: nothing outside the
//! preopened directory changed and nothing secret was printed. Agreeing with wasmtime is not
//! enough there, because both could be wrong the same way. The invariants they check are
//! stated once, with the code that keeps each, in `runtime-headless/src/wasi/sandbox.h`.
//!
//! `W2E_TEST_TARGET=TRIPLE` runs the same tests for another cell of targets.toml: the
//! executables are built with `--target TRIPLE` and run under qemu or wine (see
//! `wasi_support/cell.rs`); where that cell cannot do what wasmtime does, the difference must
//! be listed, with its reason, in `wasi_support/deviations/TRIPLE.txt`.
//!
//! Needs `pip install ziglang wasmtime`; without them every test fails and says so.

mod wasi_support;

use wasi_support::{DECOY, Grants, Node, Outcome, Run, SECRET, Tree, snapshot};

/// Asserts that nothing left the sandbox: the program printed no escape, no secret and no
/// host password file, and the tree outside `sandbox/` is as the fixture made it.
fn assert_sandbox_held(native: &Outcome) {
    for forbidden in ["ESCAPED", SECRET, "root:x:0"] {
        assert!(
            !native.stdout.contains(forbidden),
            "the executable got out of its sandbox ({forbidden:?} in its output):\n{}",
            native.stdout
        );
    }
    let pristine = snapshot_of_fresh_fixture();
    let outside = |tree: &Tree| -> Vec<(String, Node)> {
        tree.iter()
            .filter(|(path, _)| !path.starts_with("sandbox/"))
            .map(|(p, n)| (p.clone(), n.clone()))
            .collect()
    };
    assert_eq!(
        outside(&native.tree),
        outside(&pristine),
        "the executable changed files outside its sandbox"
    );
}

fn snapshot_of_fresh_fixture() -> Tree {
    let root = tempfile::tempdir().unwrap();
    wasi_support::fixture_create(root.path());
    snapshot(root.path())
}

fn file_in(outcome: &Outcome, path: &str) -> Option<String> {
    match outcome.tree.get(path) {
        Some(Node::File(content)) => Some(content.clone()),
        _ => None,
    }
}

fn sandbox_run(program: &str, args: &[&str]) -> Run {
    Run::new(program).args(args).grants(Grants::cwd())
}

// ---- Arguments and environment ----

#[test]
fn args_get_passes_arguments_verbatim_like_wasmtime() {
    let args = [
        "args",
        "two words",
        "",
        "ünïcødé",
        "--dir",
        "-x=1",
        "a\"b'c",
    ];
    let native = Run::new("args_env").args(&args).compare();
    assert!(native.stdout.contains("arg[2]=[two words]"));
}

#[test]
fn environ_is_empty_by_default_like_wasmtime() {
    let native = Run::new("args_env")
        .args(&["env"])
        .process_env("SECRET_TOKEN", "must-not-leak")
        .compare();
    assert!(native.stdout.contains("count=0 size=0"));
    assert!(!native.stdout.contains("must-not-leak"));
}

#[test]
fn environ_holds_only_the_env_grants_like_wasmtime() {
    let grants = Grants::none()
        .env("GRANTED=yes")
        .env("EQUALS=a=b=c")
        .env("EMPTY=");
    let native = Run::new("args_env")
        .args(&["env"])
        .grants(grants)
        .process_env("SECRET_TOKEN", "must-not-leak")
        .compare();
    assert!(native.stdout.contains("env=[EQUALS=a=b=c]"));
    assert!(!native.stdout.contains("must-not-leak"));
}

#[test]
fn environ_with_inherit_env_is_the_process_environment_like_wasmtime() {
    let native = Run::new("args_env")
        .args(&["env"])
        .grants(Grants::none().inherit_env())
        .process_env("GRANTED", "from the process")
        .process_env("OTHER", "x=y")
        .compare();
    assert!(native.stdout.contains("env=[OTHER=x=y]"));
}

// ---- Clocks, randomness, scheduling ----

#[test]
fn clocks_random_and_sched_yield_are_sane_like_wasmtime() {
    Run::new("clocks_random").compare();
}

// ---- Descriptors ----

#[test]
fn fd_read_write_seek_tell_pread_pwrite_close_like_wasmtime() {
    let native = sandbox_run("fd_ops", &["io"]).compare();
    assert_eq!(
        file_in(&native, "sandbox/io.txt").as_deref(),
        Some("0XY3456789ab\0\0\0\0Z")
    );
}

#[test]
fn fd_filestat_size_times_advise_allocate_and_sync_like_wasmtime() {
    sandbox_run("fd_ops", &["meta"]).compare();
}

#[test]
fn fd_fdstat_get_reports_types_flags_and_rights_like_wasmtime() {
    sandbox_run("fd_ops", &["fdstat"]).compare();
}

#[test]
fn fd_fdstat_set_flags_append_writes_at_the_end_like_wasmtime() {
    let native = sandbox_run("fd_ops", &["append"]).compare();
    assert_eq!(
        file_in(&native, "sandbox/log.txt").as_deref(),
        Some("FIRST\nsecond\nthird\n")
    );
}

#[test]
fn fd_fdstat_set_rights_like_wasmtime() {
    sandbox_run("fd_ops", &["rights"]).compare();
}

#[test]
fn fd_renumber_replaces_the_target_descriptor_like_wasmtime() {
    sandbox_run("fd_ops", &["renumber"]).compare();
}

#[test]
fn fd_readdir_with_cookies_lists_every_entry_once_like_wasmtime() {
    sandbox_run("readdir", &[]).compare();
}

#[test]
fn fd_prestat_get_and_dir_name_list_the_granted_dirs_like_wasmtime() {
    let grants = Grants::cwd().dir("sub::/data");
    let native = Run::new("preopens")
        .args(&["prestat"])
        .grants(grants)
        .compare();
    assert!(native.stdout.contains("name=[/data]"));
}

// ---- Paths ----

#[test]
fn path_create_directory_and_remove_directory_like_wasmtime() {
    sandbox_run("paths", &["mkdir"]).compare();
}

#[test]
fn path_open_creat_excl_trunc_directory_and_symlink_follow_like_wasmtime() {
    let native = sandbox_run("paths", &["open"]).compare();
    assert_eq!(
        file_in(&native, "sandbox/readonly.txt").as_deref(),
        Some(""),
        "O_TRUNC empties the file"
    );
}

#[test]
fn path_filestat_get_follows_symlinks_only_when_asked_like_wasmtime() {
    sandbox_run("paths", &["stat"]).compare();
}

#[test]
fn path_filestat_set_times_like_wasmtime() {
    sandbox_run("paths", &["times"]).compare();
}

#[test]
fn path_link_makes_hard_links_like_wasmtime() {
    sandbox_run("paths", &["link"]).compare();
}

#[test]
fn path_symlink_and_path_readlink_like_wasmtime() {
    let native = sandbox_run("paths", &["symlink"]).compare();
    // Where a listed deviation says links cannot be made (Windows), compare() checked that.
    if !native.deviates {
        assert_eq!(
            native.tree.get("sandbox/new_link"),
            Some(&Node::Symlink("hello.txt".into()))
        );
    }
}

#[test]
fn path_rename_moves_files_and_directories_like_wasmtime() {
    sandbox_run("paths", &["rename"]).compare();
}

#[test]
fn path_unlink_file_removes_files_and_symlinks_only_like_wasmtime() {
    sandbox_run("paths", &["unlink"]).compare();
}

// ---- Polling, sockets, process ----

#[test]
fn poll_oneoff_clock_timeouts_and_file_readiness_like_wasmtime() {
    sandbox_run("poll", &[]).compare();
}

#[test]
fn sock_calls_on_non_sockets_fail_like_wasmtime() {
    sandbox_run("sock", &[]).compare();
}

#[test]
fn proc_exit_codes_0_and_3_like_wasmtime() {
    for args in [
        ["raw", "0"],
        ["exit", "0"],
        ["raw", "3"],
        ["exit", "3"],
        ["return", "3"],
    ] {
        let native = Run::new("exit_raise").args(&args).compare();
        let expected: i32 = args[1].parse().unwrap();
        assert_eq!(native.code, Some(expected), "{args:?}");
        assert!(
            native.stdout.starts_with("before ending"),
            "output buffered before exit is flushed: {args:?}"
        );
    }
}

/// wasmtime refuses exit codes of 126 and more (it traps: "exit with invalid exit status
/// outside of [0..126)"); wasm2exe documents that `proc_exit(n)` exits with `n`. This pins
/// both, so a change on either side is a decision, not an accident.
#[test]
fn proc_exit_255_exits_255_where_wasmtime_traps() {
    let run = Run::new("exit_raise").args(&["raw", "255"]);
    let native = run.native();
    assert_eq!(native.code, Some(255), "stderr: {}", native.stderr);
    assert_eq!(native.stdout, "before ending: raw 255\n");
    let reference = run.reference();
    assert_eq!(reference.code, Some(134), "stderr: {}", reference.stderr);
}

#[test]
fn proc_raise_is_not_supported_like_wasmtime() {
    let native = Run::new("exit_raise").args(&["raise"]).compare();
    assert!(native.stdout.contains("proc_raise returned errno=58"));
}

// ---- The sandbox ----

#[test]
fn escape_by_dotdot_is_denied_like_wasmtime() {
    assert_sandbox_held(&sandbox_run("escape", &["dotdot"]).compare());
}

#[test]
fn escape_by_absolute_path_is_denied_like_wasmtime() {
    let probe = std::path::Path::new("/tmp/wasm2exe-escape-probe");
    let native = sandbox_run("escape", &["absolute"]).compare();
    assert_sandbox_held(&native);
    assert!(
        !probe.exists(),
        "the executable created {}",
        probe.display()
    );
}

#[test]
fn escape_through_a_guest_made_symlink_is_denied_like_wasmtime() {
    assert_sandbox_held(&sandbox_run("escape", &["guest_symlink"]).compare());
}

#[test]
fn escape_through_an_absolute_symlink_is_denied_like_wasmtime() {
    let probe = std::path::Path::new("/tmp/wasm2exe-escape-probe");
    let native = sandbox_run("escape", &["absolute_symlink"]).compare();
    assert_sandbox_held(&native);
    assert!(
        !probe.exists(),
        "the executable created {}",
        probe.display()
    );
}

#[test]
fn symlink_loops_end_in_eloop_like_wasmtime() {
    let native = sandbox_run("escape", &["loop"]).compare();
    assert_sandbox_held(&native);
    assert!(native.deviates || native.stdout.contains("open loop_a: errno=32"));
}

#[test]
fn escape_through_a_trailing_slash_symlink_is_denied_like_wasmtime() {
    assert_sandbox_held(&sandbox_run("escape", &["trailing_slash"]).compare());
}

#[test]
fn escape_by_rename_link_or_symlink_target_is_denied_like_wasmtime() {
    let native = sandbox_run("escape", &["rename_link_out"]).compare();
    assert_sandbox_held(&native);
    assert!(
        file_in(&native, "sandbox/hello.txt").is_some(),
        "hello.txt was moved away"
    );
}

#[test]
fn writing_a_read_only_descriptor_fails_like_wasmtime() {
    let native = sandbox_run("fd_ops", &["readonly"]).compare();
    assert_sandbox_held(&native);
    assert_eq!(
        file_in(&native, "sandbox/readonly.txt").as_deref(),
        Some("do not change\n")
    );
}

#[test]
fn default_deny_without_grants_sees_no_files_and_no_environment_like_wasmtime() {
    let native = Run::new("preopens")
        .args(&["inventory"])
        .process_env("SECRET_TOKEN", "must-not-leak")
        .compare();
    assert_sandbox_held(&native);
    let out = &native.stdout;
    assert!(out.contains("preopens: 0"), "{out}");
    assert!(out.contains("environ count=0"), "{out}");
    assert!(
        !out.contains("hello, sandbox") && !out.contains("must-not-leak"),
        "{out}"
    );
    assert_eq!(native.tree, snapshot_of_fresh_fixture());
}

/// `--dir .` is stored as "." and resolved where the executable starts, not where it was
/// built: the build ran next to a decoy hello.txt.
#[test]
fn dir_dot_resolves_against_the_working_directory_at_run_time() {
    let from_sandbox = sandbox_run("preopens", &["inventory"]).compare();
    let out = &from_sandbox.stdout;
    assert!(
        out.contains("hello, sandbox") && !out.contains(DECOY),
        "{out}"
    );

    let from_sub = sandbox_run("preopens", &["inventory"])
        .cwd("sandbox/sub")
        .compare();
    let out = &from_sub.stdout;
    assert!(
        out.contains("libc open hello.txt: -1 errno=44") && !out.contains(DECOY),
        "{out}"
    );
    assert!(file_in(&from_sub, "sandbox/sub/created.txt").is_some());
}

/// WASM2EXE_DIRS and WASM2EXE_ENV grant more at run time only when the builder opted in with
/// --runtime-grants; otherwise they are ordinary variables the program cannot even see.
#[test]
fn runtime_grants_are_ignored_without_the_build_flag_and_honoured_with_it() {
    let with_runtime_grants = |run: Run| {
        run.process_env("WASM2EXE_DIRS", ".")
            .process_env("WASM2EXE_ENV", "GRANTED=yes")
    };
    let ignored = with_runtime_grants(Run::new("preopens").args(&["inventory"])).compare();
    assert_sandbox_held(&ignored);
    assert!(ignored.stdout.contains("preopens: 0"));
    assert!(!ignored.stdout.contains("GRANTED"));

    let honoured = with_runtime_grants(Run::new("preopens").args(&["inventory"]))
        .grants(Grants::none().runtime_grants())
        .reference_grants(Grants::cwd().env("GRANTED=yes"))
        .compare();
    assert!(honoured.stdout.contains("env=[GRANTED=yes]"));
    assert!(honoured.stdout.contains("hello, sandbox"));
}
