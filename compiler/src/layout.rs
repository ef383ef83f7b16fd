//! Where a module's per-instance state lives: the offsets of the vmctx arrays (`VmctxLayout`)
//! and the symbol numbering of everything the object defines (`SymbolIds`).

use crate::abi::{VALUE_SIZE, funcref, vmctx};
use crate::module_env::ModuleEnv;

/// Offsets of the arrays that follow the vmctx header (see `w2e_vmctx` in w2e_abi.h).
#[derive(Clone, Debug)]
pub struct VmctxLayout {
    pub func_refs: u32,
    pub defined_func_refs: u32,
    pub tables: u32,
    pub imported_globals: u32,
    pub defined_globals: u32,
    pub tags: u32,
    pub host_code: u32,
    pub size: u32,
    num_imported_globals: u32,
}

/// Where a global's value is stored.
#[derive(Clone, Copy, Debug)]
pub enum GlobalLocation {
    /// Inline in the vmctx at this offset.
    Inline(i32),
    /// Behind the pointer stored at this vmctx offset.
    Imported(i32),
}

impl VmctxLayout {
    pub fn new(env: &ModuleEnv<'_>) -> Self {
        let num_funcs = env.func_types.len() as u32;
        let num_defined_funcs = num_funcs - env.num_imported_funcs;
        let num_globals = env.globals.len() as u32;
        let mut offset = vmctx::HEADER_SIZE;
        let mut take = |bytes: u32, align: u32| {
            offset = offset.next_multiple_of(align);
            let start = offset;
            offset += bytes;
            start
        };
        let func_refs = take(8 * num_funcs, 8);
        let defined_func_refs = take(funcref::SIZE * num_defined_funcs, 8);
        let tables = take(8 * env.tables.len() as u32, 8);
        let imported_globals = take(8 * env.num_imported_globals, 8);
        let defined_globals = take(
            VALUE_SIZE * (num_globals - env.num_imported_globals),
            VALUE_SIZE,
        );
        let tags = take(8 * env.tags.len() as u32, 8);
        let host_code = take(8 * env.num_imported_funcs, 8);
        let size = take(0, 16);
        VmctxLayout {
            func_refs,
            defined_func_refs,
            tables,
            imported_globals,
            defined_globals,
            tags,
            host_code,
            size,
            num_imported_globals: env.num_imported_globals,
        }
    }

    /// Offset of the `w2e_funcref *` of function `index`.
    pub fn func_ref(&self, index: u32) -> i32 {
        (self.func_refs + 8 * index) as i32
    }

    /// Offset of the `w2e_table *` of table `index`.
    pub fn table(&self, index: u32) -> i32 {
        (self.tables + 8 * index) as i32
    }

    /// Offset of the C function pointer behind imported function `index`.
    pub fn host_code(&self, index: u32) -> i32 {
        (self.host_code + 8 * index) as i32
    }

    /// Where global `index` is stored.
    pub fn global(&self, index: u32) -> GlobalLocation {
        if index < self.num_imported_globals {
            GlobalLocation::Imported((self.imported_globals + 8 * index) as i32)
        } else {
            let defined = index - self.num_imported_globals;
            GlobalLocation::Inline((self.defined_globals + VALUE_SIZE * defined) as i32)
        }
    }
}

/// The object's functions are declared in a fixed order, so a function's cranelift-module
/// `FuncId` follows from its role: wasm functions (imports as their host adapters) first, then
/// one trampoline per type, then the runtime builtins.
#[derive(Clone, Copy, Debug)]
pub struct SymbolIds {
    pub num_funcs: u32,
    pub num_types: u32,
}

impl SymbolIds {
    pub fn new(env: &ModuleEnv<'_>) -> SymbolIds {
        SymbolIds {
            num_funcs: env.func_types.len() as u32,
            num_types: env.types.len() as u32,
        }
    }

    pub fn func(&self, func_index: u32) -> u32 {
        func_index
    }

    pub fn trampoline(&self, type_index: u32) -> u32 {
        self.num_funcs + type_index
    }

    pub fn builtin(&self, builtin_index: usize) -> u32 {
        self.num_funcs + self.num_types + builtin_index as u32
    }
}
