//! Runs the harness on `fixtures/selftest.wast`, whose deliberately failing assertions are
//! listed in `fixtures/selftest.known`: the run passes only if exactly those fail (no
//! regression, no stale entry). This goes through the real compiler and runtime, so it
//! also fails when they cannot handle the fixture's (small, Wasm 2.0) modules.

use std::process::Command;

#[test]
fn selftest_fails_exactly_the_marked_assertions() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let out = Command::new(env!("CARGO_BIN_EXE_spectest"))
        .args([
            "--timeout",
            "2",
            "--known-failures",
            &format!("{dir}/selftest.known"),
        ])
        .arg(format!("{dir}/selftest.wast"))
        .output()
        .expect("running spectest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "spectest failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("now pass"), "stale entries:\n{stdout}");
    assert!(
        stdout.contains("selftest.wast: 18/39 (21 known failures)"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("spec total: 18/39 assertions"),
        "{stdout}"
    );
}
