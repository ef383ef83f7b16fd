//! `--backend llvm`: a file's modules are translated to LLVM IR in parallel, their code
//! units merged into two LLVM modules (one per core) and compiled by zig at once, then every
//! descriptor unit (which needs the functions' sizes measured in those objects) merged into
//! one more. Three zig runs per file instead of two per module keep the suite fast.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use wasm2exe_compiler::{CodeUnit, CompileOptions, LlvmModule, ParsedModule, merge_llvm_units};
use wasm2exe_targets::llvm;

use crate::run::Toolchain;
use crate::script::Script;

/// How many merged code modules a file's code is compiled in (both cores work).
const GROUPS: usize = 2;

/// Compiles every module; `Ok` holds the object its code went into. The second result lists
/// the objects to link besides those (the descriptors').
pub fn compile_modules(
    tc: &Toolchain,
    script: &Script,
    work: &Path,
) -> (Vec<Result<PathBuf, String>>, Vec<PathBuf>) {
    let zig = tc.llvm_zig.as_ref().expect("the LLVM backend has zig");
    let options: Vec<CompileOptions> = (0..script.modules.len())
        .map(|n| CompileOptions::new(tc.triple.clone(), format!("m{n}_")))
        .collect();
    let parsed: Vec<Result<ParsedModule<'_>, String>> = script
        .modules
        .par_iter()
        .map(|wasm| {
            crate::run::quietly_catch(|| ParsedModule::parse(wasm))?.map_err(|e| e.to_string())
        })
        .collect();
    let translated: Vec<Result<(LlvmModule<'_>, Vec<CodeUnit>), String>> = parsed
        .par_iter()
        .zip(&options)
        .map(|(module, options)| {
            let module = module.as_ref().map_err(Clone::clone)?;
            crate::run::quietly_catch(|| {
                let llvm = module.llvm(options)?;
                let units = llvm.units()?;
                Ok((llvm, units))
            })?
            .map_err(|e: wasm2exe_compiler::CompileError| e.to_string())
        })
        .collect();

    // Contiguous groups of about equal IR size.
    let size = |m: &Result<(LlvmModule<'_>, Vec<CodeUnit>), String>| {
        m.as_ref().map_or(0, |(_, units)| {
            units.iter().map(|u| u.ir.len()).sum::<usize>()
        })
    };
    let total: usize = translated.iter().map(size).sum();
    let mut group_of = Vec::new();
    let mut acc = 0;
    for m in &translated {
        group_of.push((acc * GROUPS / total.max(1)).min(GROUPS - 1));
        acc += size(m);
    }
    let groups: Vec<(String, String)> = (0..GROUPS)
        .map(|g| {
            let units: Vec<&str> = translated
                .iter()
                .zip(&group_of)
                .filter(|(_, mg)| **mg == g)
                .filter_map(|(m, _)| m.as_ref().ok())
                .flat_map(|(_, units)| units.iter().map(|u| u.ir.as_str()))
                .collect();
            (format!("code{g}"), merge_llvm_units(&units))
        })
        .collect();
    let compiled: Vec<Result<Vec<u8>, String>> = groups
        .par_iter()
        .map(|unit| {
            llvm::compile_units(zig, &tc.target, std::slice::from_ref(unit), work)
                .map(|mut objects| objects.remove(0))
                .map_err(|e| format!("{e:#}"))
        })
        .collect();

    let mut results = Vec::new();
    let mut descriptors = Vec::new();
    for (n, (module, &g)) in translated.iter().zip(&group_of).enumerate() {
        let result = (|| {
            let (module, units) = module.as_ref().map_err(Clone::clone)?;
            let object = compiled[g].as_ref().map_err(Clone::clone)?;
            let mut sizes = vec![0u32; parsed[n].as_ref().map_or(0, |p| p.num_functions())];
            for unit in units {
                for (index, size) in
                    llvm::code_sizes(object, &unit.code_symbols).map_err(|e| format!("{e:#}"))?
                {
                    sizes[index as usize] = size;
                }
            }
            let descriptor = module.descriptor_unit(&sizes).map_err(|e| e.to_string())?;
            Ok(descriptor)
        })();
        match result {
            Ok(descriptor) => {
                descriptors.push(descriptor);
                results.push(Ok(work.join(format!("code{g}.o"))));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    let refs: Vec<&str> = descriptors.iter().map(String::as_str).collect();
    let unit = ("descriptors".to_string(), merge_llvm_units(&refs));
    match llvm::compile_units(zig, &tc.target, &[unit], work) {
        Ok(_) => (results, vec![work.join("descriptors.o")]),
        Err(e) => {
            let message = format!("{e:#}");
            let failed = results
                .into_iter()
                .map(|r| r.and(Err(message.clone())))
                .collect();
            (failed, Vec::new())
        }
    }
}
