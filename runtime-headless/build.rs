//! Builds the runtime's C sources into a static archive for the host, which the
//! crate embeds so that `wasm2exe` links host executables with nothing but `cc`.

use std::path::Path;

fn main() {
    let src = Path::new("src");
    let mut build = cc::Build::new();
    build
        .include("include")
        .std("c11")
        .opt_level(2)
        .flag_if_supported("-fno-omit-frame-pointer")
        .flag_if_supported("-Wall")
        .flag_if_supported("-Wextra")
        .flag_if_supported("-Wno-unused-parameter")
        .define("_GNU_SOURCE", None)
        .cargo_metadata(false);
    let mut sources: Vec<_> = std::fs::read_dir(src)
        .expect("runtime-headless/src")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    for file in &sources {
        build.file(file);
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed=include");
    build.compile("w2e_runtime");
}
