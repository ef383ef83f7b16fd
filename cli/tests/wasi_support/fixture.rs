//! The file tree every run starts in, and snapshots of what a run left behind.
//!
//! ```text
//! root/
//!   outside/secret.txt            never reachable: the escape tests look for its text
//!   sandbox/                      the working directory; `--dir .` grants it
//!     hello.txt  readonly.txt  sub/nested.txt  sub/deeper/  empty/
//!     link_hello -> hello.txt     link_sub -> sub           link_dangling -> missing.txt
//!     link_out -> ../outside/secret.txt   link_out_dir -> ../outside   link_abs -> /etc/passwd
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

/// The content of the file outside the sandbox. No run may ever print it.
pub const SECRET: &str = "TOP-SECRET outside the sandbox";

/// One entry of a snapshot. Times and permissions are left out: they are not compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    File(String),
    Symlink(String),
    Other,
}

/// Every entry under a root, by path relative to it.
pub type Tree = BTreeMap<String, Node>;

pub fn create(root: &Path) {
    let sandbox = root.join("sandbox");
    for dir in ["outside", "sandbox/sub/deeper", "sandbox/empty"] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    let files = [
        ("outside/secret.txt", format!("{SECRET}\n")),
        ("sandbox/hello.txt", "hello, sandbox\n".into()),
        ("sandbox/readonly.txt", "do not change\n".into()),
        ("sandbox/sub/nested.txt", "nested\n".into()),
    ];
    for (path, content) in files {
        fs::write(root.join(path), content).unwrap();
    }
    let links = [
        ("link_hello", "hello.txt"),
        ("link_sub", "sub"),
        ("link_dangling", "missing.txt"),
        ("link_out", "../outside/secret.txt"),
        ("link_out_dir", "../outside"),
        ("link_abs", "/etc/passwd"),
    ];
    for (name, target) in links {
        symlink(target, sandbox.join(name)).unwrap();
    }
}

/// The tree under `root`, not following symlinks.
pub fn snapshot(root: &Path) -> Tree {
    let mut tree = Tree::new();
    walk(root, "", &mut tree);
    tree
}

fn walk(dir: &Path, prefix: &str, tree: &mut Tree) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let node = if meta.is_symlink() {
            let target = fs::read_link(&path).unwrap_or_default();
            Node::Symlink(target.to_string_lossy().into_owned())
        } else if meta.is_dir() {
            walk(&path, &format!("{name}/"), tree);
            Node::Dir
        } else if meta.is_file() {
            Node::File(String::from_utf8_lossy(&fs::read(&path).unwrap_or_default()).into_owned())
        } else {
            Node::Other
        };
        tree.insert(name, node);
    }
}
