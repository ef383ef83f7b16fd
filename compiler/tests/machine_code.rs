//! The machine code as bytes (`ParsedModule::machine_code`, for the CLI's compile cache): loaded
//! into a fresh parse of the module, it gives the very objects a compile gives, for every OS
//! of the CPU; damaged bytes are refused. And the progress callback counts every function.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm2exe_compiler::{CompileOptions, ParsedModule};

const MODULE: &str = r#"(module
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "_start") (drop (call $div (call $add (i32.const 1) (i32.const 2)) (i32.const 0)))))"#;

fn options(triple: &str) -> CompileOptions {
    CompileOptions::new(triple.parse().unwrap(), "w2e_main_")
}

#[test]
fn loaded_machine_code_gives_the_same_objects_for_every_os_of_the_cpu() {
    let wasm = wat::parse_str(MODULE).unwrap();
    let compiled = ParsedModule::parse(&wasm).unwrap();
    let linux = options("x86_64-unknown-linux-gnu");
    let bytes = compiled.machine_code(&linux).unwrap();
    let loaded = ParsedModule::parse(&wasm).unwrap();
    loaded.load_machine_code(&linux, &bytes).unwrap();
    for triple in [
        "x86_64-unknown-linux-gnu",
        "x86_64-pc-windows-gnu",
        "x86_64-apple-darwin",
    ] {
        assert_eq!(
            loaded.compile(&options(triple)).unwrap(),
            compiled.compile(&options(triple)).unwrap(),
            "{triple}"
        );
    }
    assert_eq!(loaded.code_generations(), 1, "nothing was compiled again");
}

#[test]
fn damaged_machine_code_is_refused() {
    let wasm = wat::parse_str(MODULE).unwrap();
    let module = ParsedModule::parse(&wasm).unwrap();
    let linux = options("x86_64-unknown-linux-gnu");
    let bytes = module.machine_code(&linux).unwrap();
    let fresh = ParsedModule::parse(&wasm).unwrap();
    assert!(
        fresh
            .load_machine_code(&linux, &bytes[..bytes.len() / 2])
            .is_err()
    );
    assert!(fresh.load_machine_code(&linux, &[]).is_err());
    assert_eq!(fresh.code_generations(), 0);
}

#[test]
fn the_progress_callback_counts_each_function_once_per_machine_code() {
    let wasm = wat::parse_str(MODULE).unwrap();
    let mut module = ParsedModule::parse(&wasm).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    module.on_function_compiled(Arc::new(move || {
        counter.fetch_add(1, Ordering::Relaxed);
    }));
    module
        .compile(&options("x86_64-unknown-linux-gnu"))
        .unwrap();
    module.compile(&options("x86_64-pc-windows-gnu")).unwrap();
    assert_eq!(count.load(Ordering::Relaxed), module.defined_functions());
    module
        .compile(&options("aarch64-unknown-linux-musl"))
        .unwrap();
    assert_eq!(
        count.load(Ordering::Relaxed),
        2 * module.defined_functions()
    );
}
