//! Which runtime sources a target compiles. Shared by `build.rs` (the host archive) and the
//! crate (`targets/src/runtime.rs` builds every other target from the embedded sources), so
//! both builds pick the same files.
//!
//! `src/core`, `src/wasi` and `src/entry` are portable and compiled for every target; of
//! `src/platform/*` only the folder of the target's OS family is.

/// The platform folder (relative to the crate) of a target: Win32 for Windows, POSIX for
/// everything else (Linux, macOS).
pub fn platform_dir(windows: bool) -> &'static str {
    if windows {
        "src/platform/win32/"
    } else {
        "src/platform/posix/"
    }
}

/// Whether the runtime source at `path` (relative to the crate, `/`-separated, as in
/// `SOURCES`) is compiled for a target whose OS is Windows (`windows`) or not.
pub fn is_compiled_for(path: &str, windows: bool) -> bool {
    path.ends_with(".c")
        && (!path.starts_with("src/platform/") || path.starts_with(platform_dir(windows)))
}
