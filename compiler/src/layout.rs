//! Where a module's per-instance state lives: the offsets of the vmctx arrays (`VmctxLayout`)
//! and the symbol numbering of everything the object defines (`SymbolIds`).

use crate::abi::structs::{FUNCREF, VMCTX};
use crate::abi::{PtrWidth, VALUE_SIZE};
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
    /// Bytes per pointer slot.
    ptr: u32,
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
    /// The layout of `env`'s vmctx for pointers of width `width`.
    pub fn new(env: &ModuleEnv<'_>, width: PtrWidth) -> Self {
        let ptr = width.bytes();
        let num_funcs = env.func_types.len() as u32;
        let num_defined_funcs = num_funcs - env.num_imported_funcs;
        let num_globals = env.globals.len() as u32;
        let mut offset = VMCTX.size(width);
        let mut take = |bytes: u32, align: u32| {
            offset = offset.next_multiple_of(align);
            let start = offset;
            offset += bytes;
            start
        };
        let func_refs = take(ptr * num_funcs, ptr);
        let defined_func_refs = take(
            FUNCREF.size(width) * num_defined_funcs,
            FUNCREF.align(width),
        );
        let tables = take(ptr * env.tables.len() as u32, ptr);
        let imported_globals = take(ptr * env.num_imported_globals, ptr);
        let defined_globals = take(
            VALUE_SIZE * (num_globals - env.num_imported_globals),
            VALUE_SIZE,
        );
        let tags = take(ptr * env.tags.len() as u32, ptr);
        let host_code = take(ptr * env.num_imported_funcs, ptr);
        let size = take(0, VALUE_SIZE);
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
            ptr,
        }
    }

    /// Offset of the `w2e_funcref *` of function `index`.
    pub fn func_ref(&self, index: u32) -> i32 {
        (self.func_refs + self.ptr * index) as i32
    }

    /// Offset of the `w2e_table *` of table `index`.
    pub fn table(&self, index: u32) -> i32 {
        (self.tables + self.ptr * index) as i32
    }

    /// Offset of the C function pointer behind imported function `index`.
    pub fn host_code(&self, index: u32) -> i32 {
        (self.host_code + self.ptr * index) as i32
    }

    /// Where global `index` is stored.
    pub fn global(&self, index: u32) -> GlobalLocation {
        if index < self.num_imported_globals {
            GlobalLocation::Imported((self.imported_globals + self.ptr * index) as i32)
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
