//! Builds the runtime's C sources into a static archive for the host, which the
//! crate embeds so that `wasm2exe` links host executables with nothing but `cc`.

#[path = "src/layout.rs"]
mod layout;

/// The folders under `src/` that hold the runtime's C code (headers are included as
/// `"core/w2e_internal.h"` and so on, with `-Isrc`).
pub const SOURCE_DIRS: &[&str] = &[
    "core",
    "wasi",
    "entry",
    "platform",
    "platform/posix",
    "platform/win32",
];

fn main() {
    let mut build = cc::Build::new();
    build
        .include("include")
        .include("src")
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
    let windows = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "windows");
    let sources = runtime_files();
    for file in &sources {
        println!("cargo:rerun-if-changed={file}");
        if layout::is_compiled_for(file, windows) {
            build.file(file);
        }
    }
    // The directories too: a new source file must trigger a rebuild.
    for dir in SOURCE_DIRS {
        println!("cargo:rerun-if-changed=src/{dir}");
    }
    println!("cargo:rerun-if-changed=include");
    build.compile("w2e_runtime");
    write_source_list(&sources);
}

/// Every C source and header of the runtime (relative to the crate, `/`-separated), sorted.
fn runtime_files() -> Vec<String> {
    let dirs = SOURCE_DIRS.iter().map(|d| format!("src/{d}"));
    let mut files: Vec<String> = std::iter::once("include".to_string())
        .chain(dirs)
        .flat_map(|dir| {
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("runtime-headless/{dir}: {e}"))
                .map(move |e| {
                    format!(
                        "{dir}/{}",
                        e.expect("dir entry").file_name().to_string_lossy()
                    )
                })
        })
        .filter(|p| p.ends_with(".c") || p.ends_with(".h"))
        .collect();
    files.sort();
    files
}

/// Writes `sources.rs`: every runtime source and header, embedded, so the CLI can build the
/// runtime for other targets (with `zig cc`) without this source tree.
fn write_source_list(files: &[String]) {
    let mut out = String::from(
        "/// Every runtime source and header: (path relative to runtime-headless, contents).\n",
    );
    out.push_str("pub static SOURCES: &[(&str, &str)] = &[\n");
    for file in files {
        let absolute = std::fs::canonicalize(file).expect("source path");
        out.push_str(&format!(
            "    ({file:?}, include_str!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("sources.rs");
    std::fs::write(dest, out).expect("write sources.rs");
}
