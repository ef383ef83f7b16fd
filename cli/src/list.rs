//! `wasm2exe targets`: the matrix, and what this machine can do with each cell.
//!
//! "link" says whether a build for the cell would link here (the host cell needs `cc`, the
//! others zig); "run" whether its executables run here (natively, under qemu or wine). The
//! unavailable cells are listed with their reason, so nobody has to rediscover it.

use anyhow::Result;
use std::io::Write as _;
use wasm2exe_targets::matrix::{self, Target};
use wasm2exe_targets::runner::on_path;
use wasm2exe_targets::{Runner, Zig};

pub fn print() -> Result<()> {
    let zig = Zig::detect();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let has_cc = on_path(&cc).is_some() || std::path::Path::new(&cc).is_file();
    let mut rows = vec![[
        "TARGET".to_string(),
        "FORMAT".to_string(),
        "LINK".to_string(),
        "RUN".to_string(),
    ]];
    let mut notes = Vec::new();
    for target in matrix::all() {
        let runner = Runner::for_target(target)?;
        if let Some(reason) = &target.unavailable {
            rows.push([
                target.triple.clone(),
                format(target),
                "unavailable".into(),
                "-".into(),
            ]);
            notes.push(format!("{}: {reason}", target.triple));
            continue;
        }
        let link = if target.is_host() {
            if has_cc {
                format!("yes ({cc})")
            } else {
                format!("no: `{cc}` not found (apt-get install gcc)")
            }
        } else {
            match &zig {
                Some(zig) => format!("yes (zig {})", zig.version),
                None => "no: zig not found (pip install ziglang)".into(),
            }
        };
        let run = match runner.availability(target) {
            Ok(()) => format!("yes ({})", runner.describe()),
            Err(why) => format!("no: {why}"),
        };
        rows.push([target.triple.clone(), format(target), link, run]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = std::io::stdout().lock();
    for row in &rows {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nunavailable:");
        for note in notes {
            let _ = writeln!(out, "  {note}");
        }
    }
    let _ = writeln!(out, "\nhost: {}", matrix::host_triple());
    Ok(())
}

fn format(target: &Target) -> String {
    let format = format!("{:?}", target.format).to_lowercase();
    if target.slices.is_empty() {
        format
    } else {
        format!("{format} (fat: {})", target.slices.join(" + "))
    }
}
