//! Which cells a build is for (`--target`, repeatable, or `all`) and where each output goes.
//!
//! One target without --out-dir keeps the single-output behaviour (`-o`, or the input's stem).
//! Several targets, or any --out-dir, name each output `NAME-TRIPLE[.exe]` so the outputs of
//! one module never collide; NAME is -o's file name or the input's stem.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use wasm2exe_targets::matrix::{self, Target};

/// The cells named by the `--target` arguments, in order, without repeats. No argument means
/// the host.
pub fn targets(args: &[String]) -> Result<Vec<Target>> {
    if args.is_empty() {
        return Ok(vec![host()]);
    }
    let mut chosen: Vec<Target> = Vec::new();
    for arg in args {
        let cells: Vec<Target> = match arg.as_str() {
            "all" => matrix::available().cloned().collect(),
            "host" => vec![host()],
            triple => vec![matrix::find(triple)?.clone()],
        };
        for cell in cells {
            if !chosen.iter().any(|c| c.triple == cell.triple) {
                chosen.push(cell);
            }
        }
    }
    Ok(chosen)
}

/// The targets that have objects of their own (`--emit obj`): a universal target has none.
/// It is dropped when its slices are among `targets` (as with `all`); alone it is an error
/// that names them.
pub fn with_objects(targets: Vec<Target>) -> Result<Vec<Target>> {
    for universal in targets.iter().filter(|t| !t.slices.is_empty()) {
        let covered = universal
            .slices
            .iter()
            .all(|slice| targets.iter().any(|t| &t.triple == slice));
        if !covered {
            bail!(
                "{} has no object of its own; use --emit obj with {}",
                universal.triple,
                universal.slices.join(" and ")
            );
        }
    }
    Ok(targets
        .into_iter()
        .filter(|t| t.slices.is_empty())
        .collect())
}

/// The host's cell.
pub fn host() -> Target {
    matrix::host()
}

/// Where the outputs go.
pub struct Naming {
    /// `Some(dir)`: `dir/NAME-TRIPLE[.exe]`. `None`: the single output `single`.
    dir: Option<PathBuf>,
    name: String,
    single: Option<PathBuf>,
}

impl Naming {
    pub fn new(
        input: &Path,
        output: Option<&Path>,
        out_dir: Option<&Path>,
        targets: usize,
    ) -> Result<Naming> {
        let stem = |p: &Path| {
            p.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "a.out".into())
        };
        let name = match output {
            Some(o) => match o.file_name() {
                Some(n) => n.to_string_lossy().into_owned(),
                None => bail!("-o {}: expected a file name", o.display()),
            },
            None => stem(input),
        };
        let dir = match (out_dir, output) {
            (Some(dir), _) => Some(dir.to_path_buf()),
            (None, _) if targets <= 1 => None,
            (None, Some(o)) => Some(o.parent().unwrap_or(Path::new("")).to_path_buf()),
            (None, None) => Some(PathBuf::new()),
        };
        Ok(Naming {
            dir,
            name,
            single: output.map(Path::to_path_buf),
        })
    }

    /// The path of `target`'s executable, or of its object when `object`.
    pub fn path(&self, target: &Target, object: bool) -> PathBuf {
        match &self.dir {
            Some(dir) if object => dir.join(format!("{}-{}.o", self.name, target.triple)),
            Some(dir) => dir.join(target.output_name(&self.name)),
            None => match &self.single {
                Some(path) => path.clone(),
                None if object => PathBuf::from(format!("{}.o", self.name)),
                None => PathBuf::from(format!("{}{}", self.name, target.exe_suffix)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_target_keeps_the_plain_name() {
        let host = host();
        let naming = Naming::new(Path::new("dir/hello.wat"), None, None, 1).unwrap();
        assert_eq!(naming.path(&host, false), PathBuf::from("hello"));
        assert_eq!(naming.path(&host, true), PathBuf::from("hello.o"));
        let naming = Naming::new(Path::new("a.wasm"), Some(Path::new("x/y")), None, 1).unwrap();
        assert_eq!(naming.path(&host, false), PathBuf::from("x/y"));
    }

    #[test]
    fn several_targets_get_the_triple_and_suffix() {
        let windows = matrix::find("x86_64-pc-windows-gnu").unwrap();
        let naming = Naming::new(Path::new("hello.wat"), None, Some(Path::new("out")), 1).unwrap();
        assert_eq!(
            naming.path(windows, false),
            PathBuf::from("out/hello-x86_64-pc-windows-gnu.exe")
        );
        let naming =
            Naming::new(Path::new("hello.wat"), Some(Path::new("b/app")), None, 2).unwrap();
        assert_eq!(
            naming.path(windows, true),
            PathBuf::from("b/app-x86_64-pc-windows-gnu.o")
        );
    }

    #[test]
    fn objects_leave_out_universal_targets_or_name_their_slices() {
        let all = targets(&["all".into()]).unwrap();
        let objects = with_objects(all.clone()).unwrap();
        assert_eq!(objects.len(), all.len() - 1);
        assert!(objects.iter().all(|t| t.slices.is_empty()));
        let error = with_objects(targets(&["universal-apple-darwin".into()]).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("x86_64-apple-darwin and aarch64-apple-darwin"),
            "{error}"
        );
    }

    #[test]
    fn all_expands_once_and_skips_unavailable_cells() {
        let all = targets(&["all".into(), "x86_64-pc-windows-gnu".into()]).unwrap();
        assert!(all.len() >= 8);
        assert!(all.iter().all(|t| t.unavailable.is_none()));
        assert_eq!(
            all.iter()
                .filter(|t| t.triple == "x86_64-pc-windows-gnu")
                .count(),
            1
        );
    }
}
