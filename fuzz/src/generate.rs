//! Test cases: a wasm-smith module per seed, and the plan of what to do with it (which exports
//! to call with which arguments, which globals and memories to read at the end).
//!
//! The module uses every feature wasm2exe compiles (SIMD, exceptions, tail calls, bulk memory,
//! reference types, multi-value, threads' atomics, extended constants, sign extension and
//! saturating conversions), has no imports (so it instantiates alone), exports everything
//! (so the final state is observable), canonicalizes NaNs (so results are deterministic; the
//! spec lets arithmetic NaN bits vary) and runs on fuel (so every call ends).

use arbitrary::Unstructured;
use spectest::values::Value;
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType};

/// Calls per exported function, each with fresh arguments.
const CALLS_PER_FUNCTION: usize = 2;
/// Exported functions called per module, at most.
const FUNCTIONS_PER_MODULE: usize = 10;
/// Fuel per module (loop iterations and calls, wasm-smith's `ensure_termination`): a module
/// that burns it traps with `unreachable` on both sides from then on.
const FUEL: u32 = 10_000;

/// A deterministic pseudo-random stream (SplitMix64): the seed alone reproduces a case.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len.div_ceil(8))
            .flat_map(|_| self.next_u64().to_le_bytes())
            .take(len)
            .collect()
    }
}

/// The wasm-smith configuration: wasm2exe's feature set, small enough to run fast.
pub fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        exceptions_enabled: true,
        tail_call_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        threads_enabled: true,
        extended_const_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        // Proposals wasm2exe refuses (or the oracle's build lacks).
        relaxed_simd_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        shared_everything_threads_enabled: false,
        max_memories: 1,
        max_tables: 2,
        max_imports: 0,
        export_everything: true,
        canonicalize_nans: true,
        disallow_traps: false,
        // Keep each module quick to compile and its final memory quick to checksum.
        min_funcs: 3,
        max_funcs: 30,
        max_instructions: 200,
        max_memory32_bytes: 4 << 16,
        // A memory without a maximum could grow to 4 GiB: too big to checksum.
        memory_max_size_required: true,
        max_table_elements: 200,
        max_data_segments: 10,
        max_element_segments: 10,
        ..wasm_smith::Config::default()
    }
}

/// One module and what to do with it.
#[derive(Clone)]
pub struct Case {
    pub seed: u64,
    pub wasm: Vec<u8>,
    pub steps: Vec<Step>,
}

/// What the driver and the oracle do after instantiating the module.
#[derive(Clone, Debug)]
pub enum Step {
    Call {
        name: String,
        args: Vec<Value>,
        results: Vec<ValType>,
    },
    Global {
        name: String,
        ty: ValType,
    },
    Memory {
        name: String,
    },
}

/// The module for `seed`, or `None` when wasm-smith could not build one from its bytes.
pub fn module(seed: u64) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let len = 1024 + rng.below(16 * 1024) as usize;
    let data = rng.bytes(len);
    let mut u = Unstructured::new(&data);
    let mut module = wasm_smith::Module::new(config(), &mut u).ok()?;
    module.ensure_termination(FUEL).ok()?;
    Some(module.to_bytes())
}

/// The case for `seed`: its module and a plan drawn from the same seed.
pub fn case(seed: u64) -> Option<Case> {
    let wasm = module(seed)?;
    let steps = plan(&wasm, seed);
    Some(Case { seed, wasm, steps })
}

/// Whether a value of this type can cross to the driver and the oracle (and be compared).
fn passable(ty: &ValType) -> bool {
    match ty {
        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128 => true,
        ValType::Ref(r) => r.is_nullable() && (r.is_func_ref() || r.is_extern_ref()),
    }
}

/// The steps for `wasm` (any module, e.g. one wasm-shrink made): calls to exported functions
/// with arguments drawn from `seed`, then a read of every exported global and memory.
pub fn plan(wasm: &[u8], seed: u64) -> Vec<Step> {
    let mut rng = Rng::new(seed ^ 0x005e_ed0f_a7a7);
    let mut func_types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut funcs: Vec<u32> = Vec::new();
    let mut globals: Vec<ValType> = Vec::new();
    let (mut calls, mut reads) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types().flatten() {
                    func_types.push((ty.params().to_vec(), ty.results().to_vec()));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports().flatten() {
                    match import.ty {
                        TypeRef::Func(t) => funcs.push(t),
                        TypeRef::Global(g) => globals.push(g.content_type),
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(reader) => funcs.extend(reader.into_iter().flatten()),
            Payload::GlobalSection(reader) => {
                globals.extend(reader.into_iter().flatten().map(|g| g.ty.content_type))
            }
            Payload::ExportSection(reader) => {
                for export in reader.into_iter().flatten() {
                    let name = export.name.to_string();
                    let index = export.index as usize;
                    match export.kind {
                        ExternalKind::Func => {
                            let Some((params, results)) =
                                funcs.get(index).and_then(|&t| func_types.get(t as usize))
                            else {
                                continue;
                            };
                            if params.iter().chain(results).all(passable) {
                                calls.push((name, params.clone(), results.clone()));
                            }
                        }
                        ExternalKind::Global => match globals.get(index) {
                            Some(ty) if passable(ty) => reads.push(Step::Global { name, ty: *ty }),
                            _ => {}
                        },
                        ExternalKind::Memory => reads.push(Step::Memory { name }),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut steps = Vec::new();
    for (name, params, results) in calls.into_iter().take(FUNCTIONS_PER_MODULE) {
        for _ in 0..CALLS_PER_FUNCTION {
            steps.push(Step::Call {
                name: name.clone(),
                args: params.iter().map(|ty| argument(&mut rng, ty)).collect(),
                results: results.clone(),
            });
        }
    }
    steps.extend(reads);
    steps
}

/// An argument: an edge value half of the time, random bits otherwise.
fn argument(rng: &mut Rng, ty: &ValType) -> Value {
    const EDGES32: [u32; 8] = [
        0,
        1,
        u32::MAX,
        0x8000_0000,
        0x7fff_ffff,
        0x7fc0_0000,
        0x7f80_0000,
        0x3f80_0000,
    ];
    const EDGES64: [u64; 8] = [
        0,
        1,
        u64::MAX,
        1 << 63,
        u64::MAX >> 1,
        0x7ff8_0000_0000_0000,
        0x7ff0_0000_0000_0000,
        0x3ff0_0000_0000_0000,
    ];
    let edge = rng.below(2) == 0;
    let small = rng.below(4) == 0;
    let bits = rng.next_u64();
    let pick32 = || {
        if edge {
            EDGES32[(bits % 8) as usize]
        } else if small {
            (bits % 64) as u32
        } else {
            bits as u32
        }
    };
    let pick64 = || {
        if edge {
            EDGES64[(bits % 8) as usize]
        } else if small {
            bits % 64
        } else {
            bits
        }
    };
    match ty {
        ValType::I32 => Value::I32(pick32()),
        ValType::F32 => Value::F32(pick32()),
        ValType::I64 => Value::I64(pick64()),
        ValType::F64 => Value::F64(pick64()),
        ValType::V128 => {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&pick64().to_le_bytes());
            bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
            Value::V128(bytes)
        }
        ValType::Ref(r) if r.is_func_ref() => Value::FuncRef(0),
        ValType::Ref(_) => Value::ExternRef(0),
    }
}
