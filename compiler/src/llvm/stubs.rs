//! Small generated functions at the boundary between C and wasm code.
//!
//! - A trampoline per function type lets C call any wasm function with its arguments and
//!   results in a `w2e_value` array: `tramp(code, vmctx, values)` (C convention). In a module
//!   that may throw, it is where an exception nobody caught arrives (still in the in-flight
//!   slot, see `func/exceptions.rs`): it raises the "uncaught exception" trap.
//! - A host adapter per imported function lets wasm code call the C host function stored in
//!   the vmctx's `host_code` slot; a stubbed import traps or returns zeros instead. Where
//!   tail calls go through tail entries, it has one too (`tail_entries.rs`).

use super::ModuleCtx;
use super::ir::{self, Target};
use super::tail_entries;
use crate::StubKind;
use crate::abi::{TrapKind, VALUE_SIZE};
use std::fmt::Write;
use wasmparser::{FuncType, ValType};

/// `void {prefix}tramp{index}(const void *code, w2e_vmctx *vmctx, w2e_value *values)`.
pub fn trampoline(ctx: &ModuleCtx<'_>, target: &Target, index: u32, ty: &FuncType) -> String {
    let mut text = format!(
        "define internal void @{}tramp{index}(ptr %code, ptr %vmctx, ptr %values) {} {{\n",
        ctx.prefix,
        ir::FUNC_ATTRS
    );
    let mut args = vec!["ptr %vmctx".to_string()];
    for (i, &p) in ty.params().iter().enumerate() {
        let _ = writeln!(
            text,
            "  %a{i}p = getelementptr i8, ptr %values, i64 {}\n  %a{i} = load {t}, ptr %a{i}p, align 16",
            i as u32 * VALUE_SIZE,
            t = ir::ty(p)
        );
        args.push(format!("{} %a{i}", ir::ty(p)));
    }
    let ret = ir::ret_ty(ty.results());
    let call = format!(
        "call {} {ret} %code({})",
        target.wasm_cc(ty),
        args.join(", ")
    );
    let results: Vec<String> = match ty.results() {
        [] => {
            let _ = writeln!(text, "  {call}");
            vec![]
        }
        [_] => {
            let _ = writeln!(text, "  %r = {call}");
            vec!["%r".into()]
        }
        many => {
            let _ = writeln!(text, "  %agg = {call}");
            (0..many.len())
                .map(|i| {
                    let _ = writeln!(text, "  %r{i} = extractvalue {ret} %agg, {i}");
                    format!("%r{i}")
                })
                .collect()
        }
    };
    if ctx.throws.any() {
        uncaught_check(target, &mut text);
    }
    for (i, (&r, value)) in ty.results().iter().zip(results).enumerate() {
        let _ = writeln!(
            text,
            "  %s{i} = getelementptr i8, ptr %values, i64 {}\n  store {} {value}, ptr %s{i}, align 16",
            i as u32 * VALUE_SIZE,
            ir::ty(r)
        );
    }
    text.push_str("  ret void\n}\n\n");
    text
}

/// After the call: an exception still in flight was caught by nobody. It is freed (unless wasm
/// keeps it as an exnref) and the call ends with the trap, as the runtime's unwinder does.
fn uncaught_check(target: &Target, text: &mut String) {
    let offset = target.vmctx_offset("pending_exception");
    let cc = target.builtin_cc;
    let _ = writeln!(
        text,
        "  %pe.at = getelementptr i8, ptr %vmctx, i64 {offset}\n  \
         %pe = load ptr, ptr %pe.at\n  %exn = load ptr, ptr %pe\n  \
         %thrown = icmp ne ptr %exn, null\n  br i1 %thrown, label %uncaught, label %returned\n\
         uncaught:\n  store ptr null, ptr %pe\n  \
         call {cc} void @w2e_exception_free(ptr %vmctx, ptr %exn)\n  \
         call {cc} void @w2e_raise_trap(i32 {} {})\n  unreachable\nreturned:",
        target.c_u32_ext,
        TrapKind::UncaughtException as u8
    );
}

/// The wasm-convention code of imported function `index`: its host adapter, or the stub
/// that replaces it.
pub fn import_function(
    ctx: &ModuleCtx<'_>,
    target: &Target,
    index: u32,
    stub: Option<StubKind>,
) -> String {
    let ty = ctx.env.func_type(index);
    let ret = ir::ret_ty(ty.results());
    let mut params = vec!["ptr %vmctx".to_string()];
    params.extend(
        ty.params()
            .iter()
            .enumerate()
            .map(|(i, &p)| format!("{} %p{i}", ir::ty(p))),
    );
    let symbol = ctx.func_symbol(index);
    let prefix = if target.tail_entries {
        tail_entries::prefix(target, &symbol)
    } else {
        String::new()
    };
    let mut text = format!(
        "define hidden {} {ret} @{symbol}({}) {}{prefix} {{\n",
        target.wasm_cc(ty),
        params.join(", "),
        ir::FUNC_ATTRS
    );
    let trap = format!(
        "  call {} void @w2e_raise_trap(i32 {} {}) #1\n  unreachable\n",
        target.builtin_cc,
        target.c_u32_ext,
        TrapKind::StubImport as u8
    );
    match stub {
        Some(StubKind::Trap) => text.push_str(&trap),
        Some(StubKind::Zero) => match ty.results() {
            [] => text.push_str("  ret void\n"),
            [one] => {
                let _ = writeln!(text, "  ret {} {}", ir::ty(*one), ir::zero(*one));
            }
            _ => {
                let _ = writeln!(text, "  ret {ret} zeroinitializer");
            }
        },
        // C host functions return at most one value; only wasm functions can satisfy such an
        // import, and those are called directly through their own funcref.
        None if ty.results().len() > 1 => text.push_str(&trap),
        None => {
            let offset = ctx.layout.host_code(index);
            let ext = |t: ValType| {
                if t == ValType::I32 {
                    target.c_u32_ext
                } else {
                    ""
                }
            };
            let mut args = vec!["ptr %vmctx".to_string()];
            args.extend(
                ty.params()
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| format!("{} {} %p{i}", ir::ty(p), ext(p))),
            );
            let ret_ext = ty.results().first().map_or("", |&r| ext(r));
            let _ = writeln!(
                text,
                "  %hp = getelementptr i8, ptr %vmctx, i64 {offset}\n  %host = load ptr, ptr %hp"
            );
            if ty.results().is_empty() {
                let _ = writeln!(text, "  call void %host({})\n  ret void", args.join(", "));
            } else {
                let _ = writeln!(
                    text,
                    "  %r = call {ret_ext} {ret} %host({})\n  ret {ret} %r",
                    args.join(", ")
                );
            }
        }
    }
    text.push_str("}\n\n");
    if target.tail_entries {
        text.push_str(&tail_entries::adapter(target, &symbol, ty));
    }
    text
}
