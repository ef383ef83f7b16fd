//! Parsing and validation: a module's bytes become a `ModuleEnv`, the read-only facts that
//! function translation and descriptor emission need.
//!
//! Validation uses exactly the feature set wasm2exe compiles (`SUPPORTED_FEATURES`). When a
//! module fails only because it uses a proposal we do not compile yet, the error names that
//! proposal and the function that uses it, instead of the validator's generic message.

use crate::CompileError;
use crate::abi::ExternKind;
use wasmparser::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FuncType, FunctionBody,
    GlobalType, MemoryType, Name, Operator, Parser, Payload, RefType, TableInit, TableType,
    TypeRef, Validator, WasmFeatures,
};

/// The WebAssembly features wasm2exe compiles: the Wasm 2.0 core specification, plus the
/// proposals real programs use: tail calls, extended constant expressions, exception handling
/// (current and legacy), and the threads instructions (shared memories behave as in a
/// single-threaded program; nothing can spawn a thread).
pub const SUPPORTED_FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::THREADS)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS);

/// Proposals that are recognized and refused by name.
const REFUSED_PROPOSALS: &[(&str, WasmFeatures)] = &[
    ("memory64", WasmFeatures::MEMORY64),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("relaxed SIMD", WasmFeatures::RELAXED_SIMD),
    (
        "typed function references",
        WasmFeatures::FUNCTION_REFERENCES,
    ),
    ("garbage collection (GC)", WasmFeatures::GC),
    ("wide arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("custom page sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
];

/// One instruction of a constant expression, as the runtime evaluates it (`w2e_const_op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConstOp {
    pub opcode: u32,
    pub index: u32,
    pub lo: u64,
    pub hi: u64,
}

/// What an import provides.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: ExternKind,
    /// Function: type index; otherwise the index in its own index space.
    pub index: u32,
}

/// A table and its initial element.
#[derive(Clone, Debug)]
pub struct Table {
    pub ty: TableType,
    pub init: Vec<ConstOp>,
}

/// A global and its initializer (empty for imports).
#[derive(Clone, Debug)]
pub struct Global {
    pub ty: GlobalType,
    pub init: Vec<ConstOp>,
}

#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

pub use crate::abi::SegmentMode;

#[derive(Clone, Debug)]
pub struct ElemSegment {
    pub mode: SegmentMode,
    pub table_index: u32,
    pub offset: Vec<ConstOp>,
    pub elem_type: RefType,
    pub items: Vec<Vec<ConstOp>>,
}

#[derive(Clone, Debug)]
pub struct DataSegment<'a> {
    pub mode: SegmentMode,
    pub memory_index: u32,
    pub offset: Vec<ConstOp>,
    pub bytes: &'a [u8],
}

/// Everything the compiler knows about a module. Index spaces put imports first.
#[derive(Default)]
pub struct ModuleEnv<'a> {
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// Type index of every function.
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<Table>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<Global>,
    pub num_imported_globals: u32,
    /// Type index of every tag.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment<'a>>,
    /// Bodies of the defined functions.
    pub bodies: Vec<FunctionBody<'a>>,
    /// Names from the name section, by function index.
    pub func_names: Vec<String>,
    pub module_name: String,
}

impl ModuleEnv<'_> {
    /// The signature of function `func_index`.
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }

    /// A printable name for function `func_index`: its name-section name or its index.
    pub fn func_display_name(&self, func_index: u32) -> String {
        match self.func_names.get(func_index as usize) {
            Some(name) if !name.is_empty() => format!("function {func_index} `{name}`"),
            _ => format!("function {func_index}"),
        }
    }
}

/// Parses and validates `wasm`, collecting the `ModuleEnv`.
pub fn parse(wasm: &[u8]) -> Result<ModuleEnv<'_>, CompileError> {
    validate_features(wasm)?;
    collect(wasm).map_err(|CollectError(message, offset)| {
        CompileError::Unsupported(format!("{message} (at byte offset {offset:#x})"))
    })
}

/// Validates with the supported features; on failure, explains which proposal the module uses.
pub fn validate_features(wasm: &[u8]) -> Result<(), CompileError> {
    let Err(error) = Validator::new_with_features(SUPPORTED_FEATURES).validate_all(wasm) else {
        return Ok(());
    };
    for &(proposal, feature) in REFUSED_PROPOSALS {
        let features = SUPPORTED_FEATURES | feature;
        if Validator::new_with_features(features)
            .validate_all(wasm)
            .is_ok()
        {
            let place = function_at_offset(wasm, error.offset() as usize)
                .map(|f| format!(" (first use in function {f})"))
                .unwrap_or_default();
            return Err(CompileError::Unsupported(format!(
                "the module uses the {proposal} proposal{place}, which wasm2exe does not compile yet"
            )));
        }
    }
    Err(invalid(error))
}

fn invalid(error: wasmparser::BinaryReaderError) -> CompileError {
    // Some of wasmparser's messages span lines (the bad magic number prints its byte arrays
    // in Rust's `{:#?}` form): users get one line.
    let message = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    CompileError::Invalid {
        message,
        offset: error.offset() as usize,
    }
}

/// The index (and name, if any) of the defined function whose body contains `offset`.
fn function_at_offset(wasm: &[u8], offset: usize) -> Option<String> {
    let mut imported = 0u32;
    let mut defined = 0u32;
    let mut found = None;
    let mut names = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import.ok()?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                if body.range().contains(&(offset as u64)) {
                    found = Some(imported + defined);
                }
                defined += 1;
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for name in reader.flatten() {
                        if let Name::Function(map) = name {
                            names.extend(map.into_iter().flatten().map(|n| (n.index, n.name)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let index = found?;
    Some(match names.iter().find(|(i, _)| *i == index) {
        Some((_, name)) => format!("{index} `{name}`"),
        None => index.to_string(),
    })
}

/// An error met while collecting an already validated module.
struct CollectError(String, usize);

impl From<wasmparser::BinaryReaderError> for CollectError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CollectError(e.message().to_string(), e.offset() as usize)
    }
}

fn collect(wasm: &[u8]) -> Result<ModuleEnv<'_>, CollectError> {
    let mut env = ModuleEnv::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    env.types.push(ty?);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    collect_import(&mut env, import?);
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    env.func_types.push(ty?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    let init = match table.init {
                        TableInit::RefNull => Vec::new(),
                        TableInit::Expr(expr) => const_ops(&expr)?,
                    };
                    env.tables.push(Table { ty: table.ty, init });
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    env.memories.push(memory?);
                }
            }
            Payload::TagSection(reader) => {
                for tag in reader {
                    env.tags.push(tag?.func_type_idx);
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    env.globals.push(Global {
                        ty: global.ty,
                        init: const_ops(&global.init_expr)?,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    env.exports.push(Export {
                        name: export.name.to_string(),
                        kind: extern_kind(export.kind),
                        index: export.index,
                    });
                }
            }
            Payload::StartSection { func, .. } => env.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader {
                    env.elems.push(collect_elem(elem?)?);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let (mode, memory_index, offset) = match data.kind {
                        DataKind::Passive => (SegmentMode::Passive, 0, Vec::new()),
                        DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => (SegmentMode::Active, memory_index, const_ops(&offset_expr)?),
                    };
                    env.datas.push(DataSegment {
                        mode,
                        memory_index,
                        offset,
                        bytes: data.data,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => env.bodies.push(body),
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    collect_names(&mut env, reader);
                }
            }
            _ => {}
        }
    }
    let num_funcs = env.func_types.len();
    env.func_names.resize(num_funcs, String::new());
    // Backtraces name imports by "module.name", and unnamed functions by their export name.
    let func_imports = env
        .imports
        .iter()
        .filter(|import| import.kind == ExternKind::Func);
    for (name, import) in env.func_names.iter_mut().zip(func_imports) {
        *name = format!("{}.{}", import.module, import.name);
    }
    for export in env
        .exports
        .iter()
        .filter(|export| export.kind == ExternKind::Func)
    {
        let name = &mut env.func_names[export.index as usize];
        if name.is_empty() {
            *name = export.name.clone();
        }
    }
    Ok(env)
}

fn collect_import(env: &mut ModuleEnv<'_>, import: wasmparser::Import<'_>) {
    let (kind, index) = match import.ty {
        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
            env.func_types.push(ty);
            env.num_imported_funcs += 1;
            (ExternKind::Func, ty)
        }
        TypeRef::Table(ty) => {
            env.tables.push(Table {
                ty,
                init: Vec::new(),
            });
            env.num_imported_tables += 1;
            (ExternKind::Table, env.tables.len() as u32 - 1)
        }
        TypeRef::Memory(ty) => {
            env.memories.push(ty);
            env.num_imported_memories += 1;
            (ExternKind::Memory, env.memories.len() as u32 - 1)
        }
        TypeRef::Global(ty) => {
            env.globals.push(Global {
                ty,
                init: Vec::new(),
            });
            env.num_imported_globals += 1;
            (ExternKind::Global, env.globals.len() as u32 - 1)
        }
        TypeRef::Tag(tag) => {
            env.tags.push(tag.func_type_idx);
            env.num_imported_tags += 1;
            (ExternKind::Tag, env.tags.len() as u32 - 1)
        }
    };
    env.imports.push(Import {
        module: import.module.to_string(),
        name: import.name.to_string(),
        kind,
        index,
    });
}

fn collect_elem(elem: wasmparser::Element<'_>) -> Result<ElemSegment, CollectError> {
    let (mode, table_index, offset) = match elem.kind {
        ElementKind::Passive => (SegmentMode::Passive, 0, Vec::new()),
        ElementKind::Declared => (SegmentMode::Declarative, 0, Vec::new()),
        ElementKind::Active {
            table_index,
            offset_expr,
        } => (
            SegmentMode::Active,
            table_index.unwrap_or(0),
            const_ops(&offset_expr)?,
        ),
    };
    let mut items = Vec::new();
    let elem_type = match elem.items {
        ElementItems::Functions(reader) => {
            for func in reader {
                items.push(vec![ConstOp {
                    opcode: 0xD2,
                    index: func?,
                    lo: 0,
                    hi: 0,
                }]);
            }
            RefType::FUNCREF
        }
        ElementItems::Expressions(ty, reader) => {
            for expr in reader {
                items.push(const_ops(&expr?)?);
            }
            ty
        }
    };
    Ok(ElemSegment {
        mode,
        table_index,
        offset,
        elem_type,
        items,
    })
}

fn collect_names(env: &mut ModuleEnv<'_>, reader: wasmparser::NameSectionReader<'_>) {
    // A malformed name section is ignored, as the spec requires of custom sections.
    for name in reader.flatten() {
        match name {
            Name::Module { name, .. } => env.module_name = name.to_string(),
            Name::Function(map) => {
                for naming in map.into_iter().flatten() {
                    let index = naming.index as usize;
                    if index >= env.func_names.len() {
                        env.func_names.resize(index + 1, String::new());
                    }
                    env.func_names[index] = naming.name.to_string();
                }
            }
            _ => {}
        }
    }
}

fn extern_kind(kind: ExternalKind) -> ExternKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => ExternKind::Func,
        ExternalKind::Table => ExternKind::Table,
        ExternalKind::Memory => ExternKind::Memory,
        ExternalKind::Global => ExternKind::Global,
        ExternalKind::Tag => ExternKind::Tag,
    }
}

/// Lowers a validated constant expression to the runtime's instruction list.
fn const_ops(expr: &ConstExpr<'_>) -> Result<Vec<ConstOp>, CollectError> {
    let mut ops = Vec::new();
    let mut reader = expr.get_operators_reader();
    while !reader.eof() {
        let op = |opcode: u32, index: u32, lo: u64| ConstOp {
            opcode,
            index,
            lo,
            hi: 0,
        };
        ops.push(match reader.read()? {
            Operator::I32Const { value } => op(0x41, 0, value as u32 as u64),
            Operator::I64Const { value } => op(0x42, 0, value as u64),
            Operator::F32Const { value } => op(0x43, 0, u64::from(value.bits())),
            Operator::F64Const { value } => op(0x44, 0, value.bits()),
            Operator::V128Const { value } => {
                let bytes = value.bytes();
                ConstOp {
                    opcode: 0xFD0C,
                    index: 0,
                    lo: u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")),
                    hi: u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes")),
                }
            }
            Operator::RefNull { .. } => op(0xD0, 0, 0),
            Operator::RefFunc { function_index } => op(0xD2, function_index, 0),
            Operator::GlobalGet { global_index } => op(0x23, global_index, 0),
            Operator::I32Add => op(0x6A, 0, 0),
            Operator::I32Sub => op(0x6B, 0, 0),
            Operator::I32Mul => op(0x6C, 0, 0),
            Operator::I64Add => op(0x7C, 0, 0),
            Operator::I64Sub => op(0x7D, 0, 0),
            Operator::I64Mul => op(0x7E, 0, 0),
            Operator::End => continue,
            other => {
                return Err(CollectError(
                    format!("constant expression instruction {other:?} is not supported"),
                    reader.original_position() as usize,
                ));
            }
        });
    }
    Ok(ops)
}

/// One clause of a `try_table`, decoded once for both backends: the tag it catches (`None`:
/// every exception), the branch depth it jumps to, and whether the exnref goes along.
#[derive(Clone, Copy, Debug)]
pub struct CatchClause {
    pub tag: Option<u32>,
    pub label: u32,
    pub with_ref: bool,
}

impl From<&wasmparser::Catch> for CatchClause {
    fn from(clause: &wasmparser::Catch) -> Self {
        use wasmparser::Catch;
        let (tag, label, with_ref) = match *clause {
            Catch::One { tag, label } => (Some(tag), label, false),
            Catch::OneRef { tag, label } => (Some(tag), label, true),
            Catch::All { label } => (None, label, false),
            Catch::AllRef { label } => (None, label, true),
        };
        CatchClause {
            tag,
            label,
            with_ref,
        }
    }
}
