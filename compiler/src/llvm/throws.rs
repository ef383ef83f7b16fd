//! Which calls may throw a wasm exception, decided once per module before translation.
//!
//! The LLVM backend propagates exceptions by returning (see `func/exceptions.rs`): a caller
//! tests the in-flight exception slot after every call that may throw. This analysis keeps
//! that test away from calls that cannot throw, so a module without exceptions pays nothing.
//!
//! A function may throw when it executes `throw`, `throw_ref` or `rethrow` (even if a handler
//! of its own catches it: the analysis is conservative, never wrong), calls (or tail-calls) a
//! function that may throw, or makes an indirect call while any callee reachable through a
//! table may throw. An imported function may throw unless it comes from WASI (C code that
//! never raises wasm exceptions). Tables can hold another instance's functions when the module
//! imports a table or a global, or exports a table (another module may write into it); then
//! every indirect call may throw.

use crate::abi::ExternKind;
use crate::module_env::ModuleEnv;
use rayon::prelude::*;
use wasmparser::{BinaryReaderError, Operator};

/// Import modules whose functions are the runtime's C code, which never throws.
const C_IMPORT_MODULES: &[&str] = &["wasi_snapshot_preview1", "wasi_unstable"];

/// What one function body does that matters for exceptions.
#[derive(Default)]
struct BodyFacts {
    throws: bool,
    indirect: bool,
    /// Direct callees, tail calls included.
    callees: Vec<u32>,
}

/// The result: which functions may throw, and whether indirect calls may.
#[derive(Clone, Debug, Default)]
pub struct ThrowInfo {
    may_throw: Vec<bool>,
    indirect: bool,
}

impl ThrowInfo {
    /// Whether a call of function `index` may return with an exception in flight.
    pub fn call(&self, index: u32) -> bool {
        self.may_throw[index as usize]
    }

    /// Whether an indirect call may return with an exception in flight.
    pub fn indirect(&self) -> bool {
        self.indirect
    }

    /// Whether anything in the module may throw: then its trampolines test for an uncaught
    /// exception.
    pub fn any(&self) -> bool {
        self.indirect || self.may_throw.iter().any(|&t| t)
    }

    /// Fails only on bytes validation accepted but the reader cannot read again.
    pub fn analyze(env: &ModuleEnv<'_>) -> Result<ThrowInfo, BinaryReaderError> {
        let facts = env
            .bodies
            .par_iter()
            .map(body_facts)
            .collect::<Result<Vec<_>, _>>()?;
        let imported = env.num_imported_funcs as usize;
        let mut may_throw = vec![false; env.func_types.len()];
        let mut foreign_tables = false;
        let mut func_import = 0;
        for import in &env.imports {
            match import.kind {
                ExternKind::Func => {
                    may_throw[func_import] = !C_IMPORT_MODULES.contains(&import.module.as_str());
                    func_import += 1;
                }
                ExternKind::Table | ExternKind::Global => foreign_tables = true,
                ExternKind::Memory | ExternKind::Tag | ExternKind::FuncStub => {}
            }
        }
        foreign_tables |= env
            .exports
            .iter()
            .any(|e| matches!(e.kind, ExternKind::Table));
        if !facts.iter().any(|f| f.throws) && !may_throw.iter().any(|&t| t) && !foreign_tables {
            return Ok(ThrowInfo {
                may_throw,
                indirect: false,
            });
        }
        // Propagate "may throw" from callees to callers until nothing changes.
        let mut callers: Vec<Vec<u32>> = vec![Vec::new(); may_throw.len()];
        for (i, f) in facts.iter().enumerate() {
            for &callee in &f.callees {
                callers[callee as usize].push((imported + i) as u32);
            }
        }
        let mut work: Vec<u32> = (0..may_throw.len() as u32)
            .filter(|&i| may_throw[i as usize])
            .collect();
        for (i, f) in facts.iter().enumerate() {
            if f.throws {
                may_throw[imported + i] = true;
                work.push((imported + i) as u32);
            }
        }
        let mut indirect = false;
        loop {
            while let Some(f) = work.pop() {
                for &caller in &callers[f as usize] {
                    if !std::mem::replace(&mut may_throw[caller as usize], true) {
                        work.push(caller);
                    }
                }
            }
            if indirect || !(foreign_tables || may_throw.iter().any(|&t| t)) {
                break;
            }
            indirect = true;
            for (i, f) in facts.iter().enumerate() {
                if f.indirect && !std::mem::replace(&mut may_throw[imported + i], true) {
                    work.push((imported + i) as u32);
                }
            }
        }
        Ok(ThrowInfo {
            may_throw,
            indirect,
        })
    }
}

fn body_facts(body: &wasmparser::FunctionBody<'_>) -> Result<BodyFacts, BinaryReaderError> {
    let mut facts = BodyFacts::default();
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        match reader.read()? {
            Operator::Throw { .. } | Operator::ThrowRef | Operator::Rethrow { .. } => {
                facts.throws = true
            }
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                facts.callees.push(function_index)
            }
            Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
                facts.indirect = true
            }
            _ => {}
        }
    }
    Ok(facts)
}
