//! `FunctionCode` as bytes and back, so a tool can keep the costly part of a compile (the
//! machine code of every function, shared by every OS of a CPU) and skip it next time.
//!
//! The bytes are postcard-encoded mirrors of the compiled functions: Cranelift's relocation
//! types are serialized through their own serde derives (`enable-serde`), trap kinds as
//! their ABI number. The format carries a version; what the bytes do not prove (that they were
//! made from this module, by this wasm2exe) is the caller's cache key's job.

use super::{Compiled, FunctionCode};
use crate::CompileError;
use crate::abi::TrapKind;
use crate::descriptor::CallSite;
use cranelift_module::{FuncId, ModuleReloc, ModuleRelocTarget};
use serde::{Deserialize, Serialize};

/// Bumped whenever the encoding changes.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Encoded {
    version: u32,
    functions: Vec<EncodedFunction>,
}

#[derive(Serialize, Deserialize)]
struct EncodedFunction {
    func_id: u32,
    alignment: u64,
    bytes: Vec<u8>,
    relocs: Vec<EncodedReloc>,
    /// (offset, trap kind as the ABI numbers it).
    traps: Vec<(u32, u8)>,
    /// (return offset, frame offset, handler offset).
    call_sites: Vec<(u32, u32, u32)>,
}

#[derive(Serialize, Deserialize)]
struct EncodedReloc {
    offset: u32,
    kind: cranelift_codegen::binemit::Reloc,
    name: ModuleRelocTarget,
    addend: i64,
}

/// Encodes `code`.
pub fn encode(code: &FunctionCode) -> Vec<u8> {
    let functions = code
        .functions
        .iter()
        .map(|f| EncodedFunction {
            func_id: f.func_id.as_u32(),
            alignment: f.alignment,
            bytes: f.bytes.clone(),
            relocs: f
                .relocs
                .iter()
                .map(|r| EncodedReloc {
                    offset: r.offset,
                    kind: r.kind,
                    name: r.name.clone(),
                    addend: r.addend,
                })
                .collect(),
            traps: f
                .traps
                .iter()
                .map(|&(offset, kind)| (offset, kind as u8))
                .collect(),
            call_sites: f
                .call_sites
                .iter()
                .map(|s| (s.ret_offset, s.frame_offset, s.handler_offset))
                .collect(),
        })
        .collect();
    let encoded = Encoded {
        version: FORMAT_VERSION,
        functions,
    };
    postcard::to_stdvec(&encoded).expect("encoding into a Vec cannot fail")
}

/// Decodes bytes made by `encode`, expecting `defined` functions. Anything else (another
/// version, truncated or altered bytes) is an error, never code.
pub fn decode(bytes: &[u8], defined: usize) -> Result<FunctionCode, CompileError> {
    let bad = |why: String| CompileError::Unsupported(format!("cached machine code: {why}"));
    let encoded: Encoded = postcard::from_bytes(bytes).map_err(|e| bad(e.to_string()))?;
    if encoded.version != FORMAT_VERSION {
        return Err(bad(format!("format version {}", encoded.version)));
    }
    if encoded.functions.len() != defined {
        return Err(bad(format!(
            "{} functions, the module defines {defined}",
            encoded.functions.len()
        )));
    }
    let functions = encoded
        .functions
        .into_iter()
        .map(|f| {
            let traps = f
                .traps
                .into_iter()
                .map(|(offset, raw)| {
                    TrapKind::ALL
                        .iter()
                        .find(|&&kind| kind as u8 == raw)
                        .map(|&kind| (offset, kind))
                        .ok_or_else(|| bad(format!("unknown trap kind {raw}")))
                })
                .collect::<Result<_, _>>()?;
            Ok(Compiled {
                func_id: FuncId::from_u32(f.func_id),
                alignment: f.alignment,
                bytes: f.bytes,
                relocs: f
                    .relocs
                    .into_iter()
                    .map(|r| ModuleReloc {
                        offset: r.offset,
                        kind: r.kind,
                        name: r.name,
                        addend: r.addend,
                    })
                    .collect(),
                traps,
                call_sites: f
                    .call_sites
                    .into_iter()
                    .map(|(ret_offset, frame_offset, handler_offset)| CallSite {
                        ret_offset,
                        frame_offset,
                        handler_offset,
                    })
                    .collect(),
            })
        })
        .collect::<Result<_, CompileError>>()?;
    Ok(FunctionCode { functions })
}
