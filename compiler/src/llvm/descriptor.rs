//! The module descriptor as LLVM IR globals.
//!
//! The shared builder (`crate::descriptor`) lays the descriptor out as two data objects: bytes
//! with pointer-sized holes and the symbols they point at. Each becomes one packed-struct
//! constant here: runs of bytes as `[N x i8]` arrays, each hole as a `ptr` to its target plus
//! the addend.

use super::ModuleCtx;
use super::ir::{self, Target};
use crate::descriptor::{self as shared, CompiledFunction, DataObject};
use crate::{CompileError, CompileOptions};
use std::fmt::Write;

/// The IR globals of the descriptor; `code_sizes[i]` is function `i`'s measured size.
pub fn globals(
    ctx: &ModuleCtx<'_>,
    target: &Target,
    options: &CompileOptions,
    code_sizes: &[u32],
) -> Result<String, CompileError> {
    let compiled: Vec<CompiledFunction<'_>> = (0..ctx.env.func_types.len())
        .map(|i| CompiledFunction {
            code_size: code_sizes.get(i).copied().unwrap_or(0),
            traps: &[],
            call_sites: &[],
        })
        .collect();
    let descriptor = shared::build(options, ctx.env, &ctx.layout, &compiled);
    let mut text = String::new();
    for object in [&descriptor.rodata, &descriptor.module] {
        text.push_str(&global(
            ctx,
            target,
            object,
            &descriptor.rodata.name,
            &descriptor.module.name,
        ));
    }
    Ok(text)
}

fn global(
    ctx: &ModuleCtx<'_>,
    target: &Target,
    object: &DataObject,
    rodata: &str,
    module: &str,
) -> String {
    let hole = target.ptr_bytes as usize;
    let mut relocs = object.relocs.clone();
    relocs.sort_by_key(|r| r.offset);
    // A zero-length object would alias its neighbour: keep at least one byte.
    let mut bytes = object.bytes.clone();
    let min_len = relocs.last().map_or(1, |r| r.offset as usize + hole);
    bytes.resize(bytes.len().max(min_len), 0);
    let mut types = Vec::new();
    let mut values = Vec::new();
    let mut at = 0usize;
    let bytes_run = |from: usize, to: usize, types: &mut Vec<String>, values: &mut Vec<String>| {
        if to > from {
            types.push(format!("[{} x i8]", to - from));
            values.push(format!(
                "[{} x i8] {}",
                to - from,
                ir::c_string(&bytes[from..to])
            ));
        }
    };
    for reloc in &relocs {
        let offset = reloc.offset as usize;
        bytes_run(at, offset, &mut types, &mut values);
        let (symbol, addend) = match reloc.target {
            shared::Target::Rodata(addend) => (rodata.to_string(), addend),
            shared::Target::Module(addend) => (module.to_string(), addend),
            shared::Target::Func(index) => (ctx.func_symbol(index), 0),
            shared::Target::Trampoline(index) => (format!("{}tramp{index}", ctx.prefix), 0),
        };
        types.push("ptr".into());
        values.push(if addend == 0 {
            format!("ptr @{symbol}")
        } else {
            format!("ptr getelementptr (i8, ptr @{symbol}, i64 {addend})")
        });
        at = offset + hole;
    }
    bytes_run(at, bytes.len(), &mut types, &mut values);
    let linkage = if object.exported { "" } else { "internal " };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "@{} = {linkage}constant <{{ {} }}> <{{ {} }}>, align {}\n",
        object.name,
        types.join(", "),
        values.join(", "),
        object.align
    );
    text
}
