//! What a build reports: nothing for one target (as before cross builds existed), a line per
//! output for several, or one JSON object per output for pipelines (`--message-format json`).
//! Failures always go to stderr as one line each; in JSON mode they also appear on stdout as
//! `{"target": ..., "error": ...}` so a pipeline sees every target it asked for.

use crate::pipeline::Built;
use anyhow::Result;
use serde_json::json;
use std::io::Write as _;
use wasm2exe_targets::Target;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Silent for one target; `wrote PATH (SIZE bytes, SECONDS s)` per output for several.
    Human,
    /// One JSON object per line and output: target, path, size, sha256, seconds, cache.
    Json,
}

/// Reports every target's result and returns the failures, each naming its target when the
/// targets were chosen explicitly (`named`).
pub fn outputs(
    format: Format,
    targets: &[Target],
    results: Vec<Result<Built>>,
    named: bool,
) -> Vec<anyhow::Error> {
    let mut failures = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (target, result) in targets.iter().zip(results) {
        match result {
            Ok(built) => {
                let line = match format {
                    Format::Json => json!({
                        "target": target.triple,
                        "path": built.path.display().to_string(),
                        "size": built.size,
                        "sha256": built.sha256,
                        "seconds": (built.seconds * 1000.0).round() / 1000.0,
                        "cache": built.cache,
                    })
                    .to_string(),
                    Format::Human if targets.len() > 1 => format!(
                        "wrote {} ({} bytes, {:.2} s)",
                        built.path.display(),
                        built.size,
                        built.seconds
                    ),
                    Format::Human => continue,
                };
                let _ = writeln!(stdout, "{line}");
            }
            Err(error) => {
                let message = one_line(&error);
                let error = if named && !message.contains(&target.triple) {
                    anyhow::anyhow!("{}: {message}", target.triple)
                } else {
                    anyhow::anyhow!("{message}")
                };
                if format == Format::Json {
                    let line = json!({"target": target.triple, "error": one_line(&error)});
                    let _ = writeln!(stdout, "{line}");
                }
                failures.push(error);
            }
        }
    }
    failures
}

/// An error as one line: its context chain joined, outermost first.
pub fn one_line(error: &anyhow::Error) -> String {
    let parts: Vec<String> = error.chain().map(|e| e.to_string()).collect();
    parts.join(": ").replace('\n', " ")
}
