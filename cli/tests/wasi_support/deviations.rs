//! Known deviations: where an executable of a cross cell cannot do what wasmtime does (Wine
//! cannot create symbolic links, for one), listed per cell in
//! `cli/tests/wasi_support/deviations/TRIPLE.txt` with the reason.
//!
//! A listed run must differ from wasmtime by exactly the listed lines: any other difference,
//! and a listed difference that no longer happens, fails the test. Each one that applies is
//! printed (`cargo test ... -- --nocapture` shows it). The file's format:
//!
//! ```text
//! # a comment
//! == RUN                       the run, as the failure names it ("paths symlink | --dir .")
//! why: the reason, one line
//! - a line only the executable printed or left (stdout:, exit code:, file ...)
//! + a line only wasmtime printed or left
//! ```
//!
//! A `*` in a listed line matches any text (one `*` per line), for values that depend on the
//! machine or the moment: the variables Wine adds to the environment, an access time.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

pub struct Deviation {
    pub why: String,
    pub diff: Vec<String>,
}

/// The deviation listed for `run` in `triple`'s file, if any. One cell per test process.
pub fn listed(triple: &str, run: &str) -> Option<&'static Deviation> {
    static LIST: OnceLock<(String, HashMap<String, Deviation>)> = OnceLock::new();
    let (cell, list) = LIST.get_or_init(|| (triple.to_string(), parse(triple)));
    assert_eq!(cell, triple, "one cell per test process");
    list.get(run)
}

fn file_of(triple: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wasi_support/deviations")
        .join(format!("{triple}.txt"))
}

fn parse(triple: &str) -> HashMap<String, Deviation> {
    let path = file_of(triple);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return HashMap::new();
    };
    let mut list = HashMap::new();
    let mut current: Option<(String, Deviation)> = None;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", path.display(), n + 1);
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(run) = line.strip_prefix("== ") {
            list.extend(current.take());
            let empty = Deviation {
                why: String::new(),
                diff: Vec::new(),
            };
            current = Some((run.to_string(), empty));
            continue;
        }
        let Some((_, deviation)) = current.as_mut() else {
            panic!("{}: a line before the first `== RUN`", at());
        };
        if let Some(why) = line.strip_prefix("why: ") {
            deviation.why = why.to_string();
        } else if line.starts_with("- ") || line.starts_with("+ ") {
            deviation.diff.push(line.to_string());
        } else {
            panic!("{}: expected `why: `, `- ` or `+ `: {line:?}", at());
        }
    }
    list.extend(current.take());
    for (run, deviation) in &list {
        assert!(
            !deviation.why.is_empty() && !deviation.diff.is_empty(),
            "{}: `{run}` needs a `why:` line and the differing lines",
            path.display()
        );
    }
    list
}

impl Deviation {
    /// Whether `diff` (lines as in the file) is exactly the listed one.
    pub fn matches(&self, diff: &[String]) -> bool {
        diff.len() == self.diff.len()
            && diff
                .iter()
                .zip(&self.diff)
                .all(|(line, listed)| match listed.split_once('*') {
                    Some((before, after)) => {
                        line.len() >= before.len() + after.len()
                            && line.starts_with(before)
                            && line.ends_with(after)
                    }
                    None => line == listed,
                })
    }
}
