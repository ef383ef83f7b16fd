//! `--backend llvm`: the module becomes LLVM IR code units, which zig compiles in parallel,
//! each translated only when a compile worker takes it (a huge module never holds all its IR);
//! their functions' sizes, measured in the objects, go into the descriptor unit, compiled
//! last. The objects then link like the Cranelift backend's one object.

use anyhow::{Context, Result};
use wasm2exe_compiler::{CompileOptions, ParsedModule};
use wasm2exe_targets::{Target, Zig, llvm};

/// The objects of `module` for `target`, in link order.
pub fn objects(
    module: &ParsedModule<'_>,
    options: &CompileOptions,
    target: &Target,
    zig: &Zig,
    input: &str,
) -> Result<Vec<Vec<u8>>> {
    let ir = module
        .llvm(options)
        .with_context(|| format!("cannot compile {input}"))?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let mut objects = llvm::compile_on_demand(zig, target, ir.unit_count(), dir.path(), |k| {
        let unit = ir
            .unit(k)
            .with_context(|| format!("cannot compile {input}"))?;
        Ok((format!("unit{k}"), unit.ir))
    })?;
    let num_funcs = module.num_functions();
    let mut sizes = vec![0u32; num_funcs];
    for (k, object) in objects.iter().enumerate() {
        for (index, size) in llvm::code_sizes(object, &ir.code_symbols(k))? {
            sizes[index as usize] = size;
        }
    }
    let descriptor = ir
        .descriptor_unit(&sizes)
        .with_context(|| format!("cannot compile {input}"))?;
    objects.extend(llvm::compile_units(
        zig,
        target,
        &[("descriptor".into(), descriptor)],
        dir.path(),
    )?);
    Ok(objects)
}
