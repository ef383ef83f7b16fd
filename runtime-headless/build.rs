//! Builds the runtime's C sources into a static archive for the host, which the
//! crate embeds so that `wasm2exe` links host executables with nothing but `cc`.

use std::path::Path;

fn main() {
    let src = Path::new("src");
    let mut build = cc::Build::new();
    build
        .include("include")
        .std("c11")
        // Size over speed, as for every target (see targets/src/runtime.rs), with one section
        // per function so the link drops what a module never uses.
        .opt_level_str("s")
        .flag_if_supported("-ffunction-sections")
        .flag_if_supported("-fdata-sections")
        .flag_if_supported("-fno-omit-frame-pointer")
        // GCC at -Os inlines a memset of unknown length as `rep stosb`, which made
        // memory.fill 9% of a hash-table benchmark; the C library's memset is much faster.
        // (clang, which builds every other target, calls memset anyway.)
        .flag_if_supported("-mstringop-strategy=libcall")
        .flag_if_supported("-Wall")
        .flag_if_supported("-Wextra")
        .flag_if_supported("-Wno-unused-parameter")
        .define("_GNU_SOURCE", None)
        .cargo_metadata(false);
    // W2E_SANITIZE=1 builds the host runtime with AddressSanitizer and UBSan (a CI job runs
    // the WASI and sandbox tests against it); executables then link with the same flags.
    println!("cargo:rerun-if-env-changed=W2E_SANITIZE");
    let sanitize = std::env::var("W2E_SANITIZE").is_ok_and(|v| v == "1");
    if sanitize {
        build
            .opt_level(1)
            .flag("-fsanitize=address,undefined")
            .flag("-fno-sanitize-recover=undefined");
    }
    let link_args = if sanitize {
        "&[\"-fsanitize=address,undefined\"]"
    } else {
        "&[]"
    };
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out_dir.join("link_args.rs"),
        format!("/// Extra flags for linking the host archive.\npub static HOST_LINK_ARGS: &[&str] = {link_args};\n"),
    )
    .expect("write link_args.rs");
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
    // The directories too: a new source file must trigger a rebuild.
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=include");
    build.compile("w2e_runtime");
    write_source_list(&sources);
}

/// Writes `sources.rs`: every runtime source and header, embedded, so the CLI can build the
/// runtime for other targets (with `zig cc`) without this source tree.
fn write_source_list(sources: &[std::path::PathBuf]) {
    let mut files: Vec<std::path::PathBuf> = sources.to_vec();
    for dir in ["src", "include"] {
        for entry in std::fs::read_dir(dir).expect("runtime directory") {
            let path = entry.expect("dir entry").path();
            if path.extension().is_some_and(|e| e == "h") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = String::from(
        "/// Every runtime source and header: (path relative to runtime-headless, contents).\n",
    );
    out.push_str("pub static SOURCES: &[(&str, &str)] = &[\n");
    for file in &files {
        let absolute = std::fs::canonicalize(file).expect("source path");
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            file.display().to_string(),
            absolute.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("sources.rs");
    std::fs::write(dest, out).expect("write sources.rs");
}
