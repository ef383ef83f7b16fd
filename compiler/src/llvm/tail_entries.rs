//! Tail calls on targets where LLVM's `tailcc` cannot serve (riscv has none; 32-bit x86
//! miscompiled indirect ones): *tail entries*.
//!
//! LLVM guarantees a `musttail` call outside `tailcc` only between functions of one prototype
//! whose arguments all travel in registers. So on these targets every wasm function (and every
//! import's host adapter) gets a second entry of one uniform prototype, `fastcc void (ptr
//! vmctx)`, its *tail entry* (`{symbol}.tail`); the arguments and results travel through
//! one process-wide buffer of 16-byte slots (`@w2e_tail_buffer`, shared by every module of
//! the executable, which runs one thread). A `return_call*` stores its arguments there and
//! `musttail`-calls the callee's tail entry: always the same prototype, all in registers, so
//! the stack never grows however the types differ.
//!
//! - A function that tail-calls has its body compiled as its tail entry (parameters loaded
//!   from the buffer, results stored there); its ordinary entry is a wrapper that stores the
//!   arguments, calls the tail entry and loads the results.
//! - Any other function keeps its body in its ordinary entry; its tail entry is an adapter
//!   that calls it. A chain of tail calls therefore only ever keeps frames of adapters of
//!   functions that do not tail-call again: bounded.
//! - An indirect tail call (or one to an import) knows only the callee's ordinary code
//!   pointer. Every ordinary entry therefore carries the address of its tail entry as LLVM
//!   *prefix data*, the pointer-sized word just before the code (the function is aligned to a
//!   pointer, so the word is too). Every code pointer a funcref can hold in an LLVM-built executable is such an
//!   entry (defined functions and the host adapters of imports), so the word is always there.
//!
//! The buffer is read at once: a tail entry loads its parameters on entry, a wrapper its
//! results right after the call, and LLVM cannot move those loads across a call, which may
//! write any non-private global. Wasm allows at most 1000 parameters and 1000 results.
//! Other targets (`tailcc`) compile none of this (`Target::tail_entries`).

use super::ir::{self, Target};
use std::fmt::Write;
use wasmparser::{FuncType, ValType};

/// The calling convention of tail entries.
pub const CC: &str = "fastcc";

/// The process-wide buffer of tail-call arguments and results.
pub const BUFFER: &str = "@w2e_tail_buffer";

/// Bytes per value in the buffer (a v128 fits).
const SLOT: usize = 16;

/// Wasm's limit on a function's parameters and results (wasmparser enforces it).
const MAX_VALUES: usize = 1000;

/// The buffer's definition; every unit that uses it carries it (one copy survives linking
/// and `merge_units`).
pub fn buffer_definition() -> String {
    format!(
        "{BUFFER} = linkonce_odr hidden global [{} x i8] zeroinitializer, align 16\n",
        SLOT * MAX_VALUES
    )
}

/// The tail entry's symbol of the function whose ordinary entry is `symbol`.
pub fn symbol(symbol: &str) -> String {
    format!("{symbol}.tail")
}

/// The declaration of another unit's tail entry.
pub fn declare(symbol_name: &str) -> String {
    format!(
        "declare hidden {} void @{}(ptr) nounwind\n",
        CC,
        symbol(symbol_name)
    )
}

/// What follows an ordinary entry's attributes: the tail entry's address as prefix data, and
/// the alignment of a pointer (LLVM aligns the prefix's start; a pointer-sized prefix leaves
/// the entry, and so the word, aligned too).
pub fn prefix(target: &Target, symbol_name: &str) -> String {
    format!(
        " align {} prefix ptr @{}",
        target.ptr_bytes,
        symbol(symbol_name)
    )
}

/// Instruction text storing `values` (IR type, value) into the buffer's first slots; `tag`
/// makes the address names unique.
pub fn store_values<'v>(
    values: impl Iterator<Item = (&'static str, &'v str)>,
    tag: &str,
) -> String {
    let mut text = String::new();
    for (i, (ty, value)) in values.enumerate() {
        let _ = writeln!(
            text,
            "  %{tag}s{i} = getelementptr i8, ptr {BUFFER}, i64 {}\n  store {ty} {value}, ptr %{tag}s{i}, align 16",
            i * SLOT
        );
    }
    text
}

/// Instruction text loading `types` from the buffer's first slots into `%{tag}{i}`.
pub fn load_values(types: &[ValType], tag: &str) -> String {
    let mut text = String::new();
    for (i, &t) in types.iter().enumerate() {
        let _ = writeln!(
            text,
            "  %{tag}l{i} = getelementptr i8, ptr {BUFFER}, i64 {}\n  %{tag}{i} = load {t}, ptr %{tag}l{i}, align 16",
            i * SLOT,
            t = ir::ty(t)
        );
    }
    text
}

/// The parameters of a function of type `ty` (`%p{i}`) with their IR types.
fn param_values(ty: &FuncType) -> Vec<(&'static str, String)> {
    ty.params()
        .iter()
        .enumerate()
        .map(|(i, &p)| (ir::ty(p), format!("%p{i}")))
        .collect()
}

/// The ordinary entry of a function whose body is its tail entry: stores the arguments,
/// calls the body, returns the results it left in the buffer.
pub fn wrapper(target: &Target, symbol_name: &str, ty: &FuncType) -> String {
    let ret = ir::ret_ty(ty.results());
    let params: Vec<String> = std::iter::once("ptr %vmctx".to_string())
        .chain(param_values(ty).iter().map(|(t, v)| format!("{t} {v}")))
        .collect();
    let mut text = format!(
        "define hidden {cc} {ret} @{symbol_name}({}) {}{} {{\n",
        params.join(", "),
        ir::FUNC_ATTRS,
        prefix(target, symbol_name),
        cc = target.wasm_cc(ty),
    );
    let args = param_values(ty);
    text.push_str(&store_values(
        args.iter().map(|(t, v)| (*t, v.as_str())),
        "a",
    ));
    let _ = writeln!(
        text,
        "  notail call {} void @{}(ptr %vmctx) #2",
        CC,
        symbol(symbol_name)
    );
    text.push_str(&load_values(ty.results(), "r"));
    text.push_str(&return_loaded(ty.results(), "r"));
    text.push_str("}\n\n");
    text
}

/// The tail entry of a function whose body is its ordinary entry: loads the arguments, calls
/// it (never inlined: the adapter stays small), stores its results.
pub fn adapter(target: &Target, symbol_name: &str, ty: &FuncType) -> String {
    let ret = ir::ret_ty(ty.results());
    let mut text = format!(
        "define hidden {cc} void @{}(ptr %vmctx) {} {{\n",
        symbol(symbol_name),
        ir::FUNC_ATTRS,
        cc = CC,
    );
    text.push_str(&load_values(ty.params(), "p"));
    let args: Vec<String> = std::iter::once("ptr %vmctx".to_string())
        .chain(
            ty.params()
                .iter()
                .enumerate()
                .map(|(i, &p)| format!("{} %p{i}", ir::ty(p))),
        )
        .collect();
    let call = format!(
        "notail call {} {ret} @{symbol_name}({}) #2",
        target.wasm_cc(ty),
        args.join(", ")
    );
    let results: Vec<(&'static str, String)> = match ty.results() {
        [] => {
            let _ = writeln!(text, "  {call}");
            vec![]
        }
        [one] => {
            let _ = writeln!(text, "  %r = {call}");
            vec![(ir::ty(*one), "%r".into())]
        }
        many => {
            let _ = writeln!(text, "  %agg = {call}");
            many.iter()
                .enumerate()
                .map(|(i, &t)| {
                    let _ = writeln!(text, "  %r{i} = extractvalue {ret} %agg, {i}");
                    (ir::ty(t), format!("%r{i}"))
                })
                .collect()
        }
    };
    text.push_str(&store_values(
        results.iter().map(|(t, v)| (*t, v.as_str())),
        "r",
    ));
    text.push_str("  ret void\n}\n\n");
    text
}

/// `ret` of the values `%{tag}{i}` of `types` (loaded by `load_values`).
fn return_loaded(types: &[ValType], tag: &str) -> String {
    match types {
        [] => "  ret void\n".into(),
        [one] => format!("  ret {} %{tag}0\n", ir::ty(*one)),
        many => {
            let ret = ir::ret_ty(many);
            let mut text = String::new();
            let mut agg = "undef".to_string();
            for (i, &t) in many.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "  %{tag}agg{i} = insertvalue {ret} {agg}, {} %{tag}{i}, {i}",
                    ir::ty(t)
                );
                agg = format!("%{tag}agg{i}");
            }
            let _ = writeln!(text, "  ret {ret} {agg}");
            text
        }
    }
}

/// Whether `body` contains a tail call (its body then becomes its tail entry).
pub fn tail_calls_in(body: &wasmparser::FunctionBody<'_>) -> Result<bool, String> {
    let mut reader = body
        .get_operators_reader()
        .map_err(|e| e.message().to_string())?;
    while !reader.eof() {
        match reader.read().map_err(|e| e.message().to_string())? {
            wasmparser::Operator::ReturnCall { .. }
            | wasmparser::Operator::ReturnCallIndirect { .. }
            | wasmparser::Operator::ReturnCallRef { .. } => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}
