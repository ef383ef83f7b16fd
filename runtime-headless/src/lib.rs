//! The wasm2exe runtime, for the tools that link it.
//!
//! The runtime itself is C (`include/*.h`; `src/core`, `src/wasi` and `src/entry` portable,
//! `src/platform/posix` or `src/platform/win32` per target, see `src/layout.rs`): it is what
//! every executable links, and it must cross-compile for every target from one host. This crate carries it two
//! ways: the archive built for the host at build time (so host links need only `cc`), and the
//! sources (so other targets can be built with `zig cc`).

/// The runtime built for the host as a static archive (`libw2e_runtime.a`).
pub static HOST_ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libw2e_runtime.a"));

/// The ABI header shared with the compiler.
pub static ABI_HEADER: &str = include_str!("../include/w2e_abi.h");

/// The host API header, for embedders such as the spec-test driver.
pub static RUNTIME_HEADER: &str = include_str!("../include/w2e_runtime.h");

/// The directory holding the headers, for C code built alongside this workspace.
pub const INCLUDE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/include");

mod layout;
pub use layout::{is_compiled_for, platform_dir};

include!(concat!(env!("OUT_DIR"), "/sources.rs"));
include!(concat!(env!("OUT_DIR"), "/link_args.rs"));

#[cfg(test)]
mod tests {
    #[test]
    fn sources_include_every_c_file_and_the_abi_header() {
        let names: Vec<&str> = super::SOURCES.iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"src/entry/main.c"), "{names:?}");
        assert!(names.contains(&"include/w2e_abi.h"), "{names:?}");
        assert!(super::SOURCES.iter().all(|(_, text)| !text.is_empty()));
    }

    #[test]
    fn each_target_compiles_the_portable_code_and_its_own_platform_only() {
        for windows in [false, true] {
            let compiled: Vec<&str> = super::SOURCES
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| super::is_compiled_for(name, windows))
                .collect();
            assert!(compiled.contains(&"src/core/trap.c"), "{compiled:?}");
            assert!(compiled.contains(&"src/wasi/wasi_fd.c"), "{compiled:?}");
            let (own, other) = (super::platform_dir(windows), super::platform_dir(!windows));
            assert!(compiled.iter().any(|n| n.starts_with(own)), "{compiled:?}");
            assert!(
                !compiled.iter().any(|n| n.starts_with(other)),
                "{compiled:?}"
            );
        }
    }
}
