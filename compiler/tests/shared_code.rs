//! Targets of one architecture share machine code: an object built from code compiled for
//! another OS must be byte-identical to the object compiled for its own triple alone.

use wasm2exe_compiler::{CompileOptions, ParsedModule, compile};

/// Touches everything that calls into the runtime or depends on the target: builtins
/// (memory.grow/fill/copy, table.grow), an imported function, call_indirect, exceptions, SIMD.
const MODULE: &str = r#"
(module
  (import "env" "log" (func $log (param i32 i64 f64)))
  (type $binary (func (param i32 i32) (result i32)))
  (tag $oops (param i32))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $add $grow)
  (func $add (type $binary) (i32.add (local.get 0) (local.get 1)))
  (func $grow (type $binary)
    (memory.fill (local.get 0) (local.get 1) (i32.const 64))
    (memory.copy (local.get 1) (local.get 0) (i32.const 64))
    (drop (table.grow (ref.null func) (i32.const 1)))
    (memory.grow (local.get 0)))
  (func $thrower (param i32) (if (local.get 0) (then (throw $oops (local.get 0)))))
  (func (export "main") (param i32) (result i32)
    (call $log (local.get 0) (i64.const 7) (f64.const 1.5))
    (block $caught (result i32)
      (try_table (catch $oops $caught) (call $thrower (local.get 0)))
      (i32.const 0))
    (call_indirect (type $binary) (local.get 0) (i32.const 2) (i32.load (local.get 0)))
    (i32.add)
    (v128.store (i32.const 16) (i32x4.add (v128.load (i32.const 0)) (v128.load (i32.const 32))))))
"#;

fn options(triple: &str) -> CompileOptions {
    CompileOptions::new(triple.parse().expect("known triple"), "m_")
}

fn assert_shared_equals_alone(first: &str, second: &str) {
    let wasm = wat::parse_str(MODULE).expect("valid wat");
    let alone = compile(&wasm, &options(second)).expect("compiles alone");
    let module = ParsedModule::parse(&wasm).expect("parses");
    let first_object = module.compile(&options(first)).expect("compiles first");
    let shared = module
        .compile(&options(second))
        .expect("compiles with shared code");
    assert_eq!(
        shared, alone,
        "the {second} object built from {first}'s code differs from one compiled alone"
    );
    assert_ne!(
        first_object, shared,
        "different OSes must still get their own objects"
    );
    assert_eq!(
        module.code_generations(),
        1,
        "{first} and {second} must share one compilation"
    );
}

#[test]
fn x86_64_windows_and_macos_objects_equal_their_own_compiles_when_sharing_linux_code() {
    assert_shared_equals_alone("x86_64-unknown-linux-gnu", "x86_64-pc-windows-gnu");
    assert_shared_equals_alone("x86_64-unknown-linux-gnu", "x86_64-apple-darwin");
    assert_shared_equals_alone("x86_64-pc-windows-gnu", "x86_64-unknown-linux-musl");
}

#[test]
fn aarch64_macos_object_equals_its_own_compile_when_sharing_linux_code() {
    assert_shared_equals_alone("aarch64-unknown-linux-musl", "aarch64-apple-darwin");
}

#[test]
fn different_architectures_do_not_share_code() {
    let wasm = wat::parse_str(MODULE).expect("valid wat");
    let alone = compile(&wasm, &options("aarch64-unknown-linux-musl")).expect("compiles");
    let module = ParsedModule::parse(&wasm).expect("parses");
    module
        .compile(&options("x86_64-unknown-linux-musl"))
        .expect("compiles x86_64");
    let after_x86 = module
        .compile(&options("aarch64-unknown-linux-musl"))
        .expect("compiles aarch64");
    assert_eq!(after_x86, alone);
    assert_eq!(module.code_generations(), 2);
}
