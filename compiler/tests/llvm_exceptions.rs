//! The LLVM backend tests for an in-flight exception only after calls that may throw: a
//! module that cannot throw gets no test at all, and in one that can, a function whose
//! callees cannot throw gets none either. (Behaviour is tested end to end by the spec suite
//! and cli/tests/llvm.rs; this checks the cost side, in the IR.)

use wasm2exe_compiler::{CompileOptions, ParsedModule};

/// The IR of every function of `wat`, by the function's symbol.
fn function_ir(wat: &str) -> Vec<(String, String)> {
    let wasm = wat::parse_str(wat).expect("valid wat");
    let module = ParsedModule::parse(&wasm).expect("parses");
    let options = CompileOptions::new("x86_64-unknown-linux-gnu".parse().unwrap(), "m_");
    let llvm = module.llvm(&options).expect("translates");
    let mut functions = Vec::new();
    for unit in &llvm.units().expect("translates") {
        for text in unit.ir.split("\ndefine ").skip(1) {
            let name = text[text.find('@').unwrap() + 1..text.find('(').unwrap()].to_string();
            let body = text[..text.find("\n}\n").unwrap()].to_string();
            functions.push((name, body));
        }
    }
    functions
}

fn tests_in_flight_slot(functions: &[(String, String)], name: &str) -> bool {
    let (_, body) = functions
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    body.contains("%pending")
}

#[test]
fn a_module_that_cannot_throw_tests_nothing() {
    let functions = function_ir(
        r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (type $t (func (param i32) (result i32)))
      (table funcref (elem $add))
      (func $add (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "_start")
        (drop (call $add (i32.const 1)))
        (drop (call_indirect (type $t) (i32.const 2) (i32.const 0)))
        (call 0 (i32.const 0))))"#,
    );
    assert!(functions.iter().all(|(_, body)| !body.contains("%pending")));
}

#[test]
fn only_calls_that_may_throw_are_tested() {
    let functions = function_ir(
        r#"(module
      (tag $e)
      (func $pure (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      (func $calls_pure (result i32) (call $pure (i32.const 3)))
      (func $thrower (throw $e))
      (func $tail_thrower (return_call $thrower))
      (func $calls_thrower (call $tail_thrower))
      (func (export "_start")
        (block $h (try_table (catch_all $h) (call $calls_thrower)))
        (drop (call $calls_pure))))"#,
    );
    // $pure is function 0: the callers of cannot-throw functions test nothing.
    assert!(!tests_in_flight_slot(&functions, "m_f1"));
    // A throw with no handler of its own stores the exception: it uses the slot.
    assert!(tests_in_flight_slot(&functions, "m_f2"));
    // A tail call needs no test (the caller's caller tests); a plain call does.
    assert!(!tests_in_flight_slot(&functions, "m_f3"));
    assert!(tests_in_flight_slot(&functions, "m_f4"));
    assert!(tests_in_flight_slot(&functions, "m_f5"));
}
