//! `--embed-module`: the module, compressed, inside the executable, with what rebuilding it
//! needs, so `wasm2exe retarget` can build the same program for another target from the
//! executable alone (retarget.rs).
//!
//! The section (see manifest.rs for its name) holds `"W2EM"`, a u32 version, the u64 length
//! of the compressed bytes, then DEFLATE (flate2, pure Rust: miniz_oxide) of: a u32 length,
//! the recipe as JSON, the module's bytes. DEFLATE at its default level shrinks wasm code to
//! about a fifth (CPython: the 99 MB module adds 21 MB to the executable, and the build takes
//! about 7 s longer). The recipe holds the build's options as
//! command-line arguments (grants with environment values: the capabilities object carries
//! them in the executable anyway), the input's name and the bundle guests; the bundles
//! themselves are already in the executable and are found again by their sha256.

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};
use std::io::{Read as _, Write as _};

const MAGIC: &[u8; 4] = b"W2EM";
const VERSION: u32 = 1;

/// How to build the module again.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Recipe {
    /// The original input's file name (for information: retargeted outputs are named after
    /// the executable).
    pub input_name: String,
    /// The options that shape the program, as arguments: `--dir`, `--env`, `--cpu`, ...
    pub args: Vec<String>,
    /// `--bundle` guest directories, in order.
    pub bundle_guests: Vec<String>,
    /// sha256 of the bundle blob, to find it in the executable.
    pub bundles_sha256: Option<String>,
}

/// The section bytes for `wasm` and `recipe`.
pub fn section(wasm: &[u8], recipe: &Recipe) -> Vec<u8> {
    let recipe = serde_json::to_vec(recipe).expect("a recipe always serializes");
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    let written = encoder
        .write_all(&(recipe.len() as u32).to_le_bytes())
        .and_then(|()| encoder.write_all(&recipe))
        .and_then(|()| encoder.write_all(wasm));
    written.expect("writing into a Vec cannot fail");
    let compressed = encoder.finish().expect("writing into a Vec cannot fail");
    let mut bytes = Vec::with_capacity(16 + compressed.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(compressed.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&compressed);
    bytes
}

/// The module and recipe from section bytes made by `section` (maybe padded after).
pub fn read(bytes: &[u8]) -> Result<(Vec<u8>, Recipe)> {
    const DAMAGED: &str = "the embedded module is damaged; rebuild from the .wasm";
    if bytes.len() < 16 || &bytes[..4] != MAGIC {
        bail!(DAMAGED);
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if version != VERSION {
        bail!("the embedded module has format version {version}; use the wasm2exe that built it");
    }
    let length = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes")) as usize;
    let compressed = bytes
        .get(16..16usize.saturating_add(length))
        .context(DAMAGED)?;
    let mut raw = Vec::new();
    DeflateDecoder::new(compressed)
        .read_to_end(&mut raw)
        .context(DAMAGED)?;
    let recipe_len = raw
        .get(..4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
        .context(DAMAGED)?;
    let recipe = raw.get(4..4 + recipe_len).context(DAMAGED)?;
    let recipe: Recipe = serde_json::from_slice(recipe).context(DAMAGED)?;
    let wasm = raw[4 + recipe_len..].to_vec();
    Ok((wasm, recipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_gives_back_its_module_and_recipe() {
        let recipe = Recipe {
            input_name: "app.wasm".into(),
            args: vec!["--dir".into(), ".".into()],
            bundle_guests: vec!["/lib".into()],
            bundles_sha256: Some("ab".into()),
        };
        let mut bytes = section(b"\0asm\x01\0\0\0", &recipe);
        bytes.extend_from_slice(&[0; 100]); // PE pads sections
        assert_eq!(read(&bytes).unwrap(), (b"\0asm\x01\0\0\0".to_vec(), recipe));
        bytes[20] ^= 0xff;
        assert!(read(&bytes).is_err());
    }
}
