//! `tests/KNOWN_FAILURES`: the assertions we know fail, so that CI catches regressions only.
//!
//! Format, one entry per line: `file.wast:LINE reason` for one assertion, or `file.wast:*
//! reason` for a whole file; `#` starts a comment line. Entries are matched against failures
//! of the files actually run, so running a subset neither trips on nor reports entries of
//! other files.
//!
//! `tests/KNOWN_FAILURES` holds what fails everywhere (the host's list). A cell may add its own
//! failures in `tests/KNOWN_FAILURES.TRIPLE`, used (with the shared list) by `--target TRIPLE`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Which assertions an entry covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lines {
    All,
    Line(u32),
}

#[derive(Debug, Default)]
pub struct KnownFailures {
    /// The comment block at the top, kept when rewriting.
    header: Vec<String>,
    /// (file, lines) → reason.
    entries: BTreeMap<(String, Lines), String>,
}

/// One failed assertion of a run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    pub file: String,
    pub line: u32,
    pub reason: String,
}

/// How a run compares with the known failures.
#[derive(Debug, Default, PartialEq)]
pub struct Comparison<'a> {
    /// Failures not listed: regressions.
    pub unexpected: Vec<&'a Failure>,
    /// Listed entries (of files that ran) that passed this time.
    pub stale: Vec<String>,
}

impl KnownFailures {
    pub fn parse(text: &str) -> Result<KnownFailures, String> {
        let mut known = KnownFailures::default();
        let mut in_header = true;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                if in_header {
                    known.header.push(raw.to_string());
                }
                continue;
            }
            in_header = false;
            let (key, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let bad = || {
                format!(
                    "KNOWN_FAILURES line {}: expected `file.wast:LINE reason`, got {raw:?}",
                    i + 1
                )
            };
            let (file, which) = key.rsplit_once(':').ok_or_else(bad)?;
            let lines = match which {
                "*" => Lines::All,
                n => Lines::Line(n.parse().map_err(|_| bad())?),
            };
            if file.is_empty() {
                return Err(bad());
            }
            known
                .entries
                .insert((file.to_string(), lines), reason.trim().to_string());
        }
        // Trailing blank lines of the header are noise.
        while known.header.last().is_some_and(|l| l.trim().is_empty()) {
            known.header.pop();
        }
        Ok(known)
    }

    /// An empty list with this comment block, for a new file.
    pub fn with_header(header: &str) -> KnownFailures {
        KnownFailures {
            header: header.lines().map(String::from).collect(),
            entries: BTreeMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Both lists' entries (`other`'s reason wins for an entry in both).
    pub fn merged(&self, other: &KnownFailures) -> KnownFailures {
        let mut entries = self.entries.clone();
        entries.extend(other.entries.iter().map(|(k, v)| (k.clone(), v.clone())));
        KnownFailures {
            header: self.header.clone(),
            entries,
        }
    }

    pub fn is_known(&self, file: &str, line: u32) -> bool {
        self.entries.contains_key(&(file.to_string(), Lines::All))
            || self
                .entries
                .contains_key(&(file.to_string(), Lines::Line(line)))
    }

    /// Compares a run over `files_run` with these entries.
    pub fn compare<'a>(
        &self,
        files_run: &BTreeSet<String>,
        failures: &'a [Failure],
    ) -> Comparison<'a> {
        let unexpected = failures
            .iter()
            .filter(|f| !self.is_known(&f.file, f.line))
            .collect();
        let failed: BTreeSet<(&str, Lines)> = failures
            .iter()
            .flat_map(|f| {
                [
                    (f.file.as_str(), Lines::Line(f.line)),
                    (f.file.as_str(), Lines::All),
                ]
            })
            .collect();
        let stale = self
            .entries
            .keys()
            .filter(|(file, lines)| {
                files_run.contains(file) && !failed.contains(&(file.as_str(), *lines))
            })
            .map(|(file, lines)| key(file, *lines))
            .collect();
        Comparison { unexpected, stale }
    }

    /// The file rewritten for this run's failures: entries of files that ran are replaced by
    /// the current failures (a `file:*` entry stays while the file still fails), existing
    /// reasons are kept, new entries get a placeholder reason.
    pub fn rewrite(&self, files_run: &BTreeSet<String>, failures: &[Failure]) -> String {
        let mut entries: BTreeMap<(String, Lines), String> = self
            .entries
            .iter()
            .filter(|((file, _), _)| !files_run.contains(file))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for f in failures {
            let whole = (f.file.clone(), Lines::All);
            if let Some(reason) = self.entries.get(&whole) {
                entries.insert(whole, reason.clone());
                continue;
            }
            let k = (f.file.clone(), Lines::Line(f.line));
            let reason = self
                .entries
                .get(&k)
                .cloned()
                .unwrap_or_else(|| "TODO: investigate".to_string());
            entries.insert(k, reason);
        }
        let mut out = String::new();
        for line in &self.header {
            out.push_str(line);
            out.push('\n');
        }
        if !self.header.is_empty() {
            out.push('\n');
        }
        for ((file, lines), reason) in &entries {
            let _ = writeln!(out, "{} {reason}", key(file, *lines));
        }
        out
    }
}

fn key(file: &str, lines: Lines) -> String {
    match lines {
        Lines::All => format!("{file}:*"),
        Lines::Line(n) => format!("{file}:{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(file: &str, line: u32) -> Failure {
        Failure {
            file: file.into(),
            line,
            reason: "r".into(),
        }
    }

    const TEXT: &str = "# header\n# more\n\nsimd_x.wast:* no SIMD yet\ni32.wast:10 sign bug\n# inline\ni32.wast:20\n\nf32.wast:5 nan bits\n";

    #[test]
    fn parses_entries() {
        let known = KnownFailures::parse(TEXT).unwrap();
        assert_eq!(known.header, ["# header", "# more"]);
        assert!(known.is_known("simd_x.wast", 123));
        assert!(known.is_known("i32.wast", 10));
        assert!(known.is_known("i32.wast", 20));
        assert!(!known.is_known("i32.wast", 11));
        assert_eq!(
            known.entries[&("i32.wast".to_string(), Lines::Line(10))],
            "sign bug"
        );
        assert!(KnownFailures::parse("nocolon reason").is_err());
        assert!(KnownFailures::parse("a.wast:x reason").is_err());
        assert!(KnownFailures::parse("").unwrap().entries.is_empty());
    }

    #[test]
    fn compares_runs() {
        let known = KnownFailures::parse(TEXT).unwrap();
        let run: BTreeSet<String> = ["i32.wast", "simd_x.wast"].map(String::from).into();
        let failures = vec![
            failure("i32.wast", 10),
            failure("i32.wast", 30),
            failure("simd_x.wast", 1),
        ];
        let cmp = known.compare(&run, &failures);
        assert_eq!(cmp.unexpected, vec![&failures[1]]);
        // f32.wast did not run, so its entry is not stale.
        assert_eq!(cmp.stale, vec!["i32.wast:20".to_string()]);

        let cmp = known.compare(&run, &[]);
        assert_eq!(cmp.stale, ["i32.wast:10", "i32.wast:20", "simd_x.wast:*"]);
    }

    #[test]
    fn merges_a_cells_list() {
        let shared = KnownFailures::parse(TEXT).unwrap();
        let cell = KnownFailures::parse("# cell\ni32.wast:11 cell only\n").unwrap();
        let both = shared.merged(&cell);
        assert!(both.is_known("i32.wast", 10) && both.is_known("i32.wast", 11));
        assert!(!shared.is_known("i32.wast", 11));
        assert!(!KnownFailures::with_header("# h").is_known("i32.wast", 10));
    }

    #[test]
    fn rewrites_keeping_reasons() {
        let known = KnownFailures::parse(TEXT).unwrap();
        let run: BTreeSet<String> = ["i32.wast", "simd_x.wast"].map(String::from).into();
        let failures = vec![
            failure("i32.wast", 10),
            failure("i32.wast", 30),
            failure("simd_x.wast", 1),
        ];
        let text = known.rewrite(&run, &failures);
        assert_eq!(
            text,
            "# header\n# more\n\nf32.wast:5 nan bits\ni32.wast:10 sign bug\ni32.wast:30 TODO: investigate\nsimd_x.wast:* no SIMD yet\n"
        );
        let again = KnownFailures::parse(&text).unwrap();
        assert!(again.compare(&run, &failures).unexpected.is_empty());
    }
}
