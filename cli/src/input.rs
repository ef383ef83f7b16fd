//! Reading the input module: binary wasm as is, text (`.wat`) through the `wat` parser.

use anyhow::{Context, Result, bail};
use std::path::Path;

const WASM_MAGIC: &[u8] = b"\0asm";

/// Returns the module's binary bytes, parsing text input when it is not binary.
pub fn read_module(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(WASM_MAGIC) {
        return Ok(bytes);
    }
    let is_text_name = path.extension().is_some_and(|e| e == "wat" || e == "wast");
    if !is_text_name && bytes.len() < 4 {
        bail!(
            "{} is not a WebAssembly module: it is {} bytes long, shorter than the 8-byte header \
             (truncated file?)",
            path.display(),
            bytes.len()
        );
    }
    if !is_text_name && !looks_like_text(&bytes) {
        bail!(
            "{} is not a WebAssembly module: it does not start with the \\0asm magic bytes \
             (at byte offset 0x0)",
            path.display()
        );
    }
    wat::parse_bytes(&bytes)
        .map(|b| b.into_owned())
        .map_err(|e| {
            // wat's messages span several lines (source excerpt); keep the first.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("syntax error").to_string();
            anyhow::anyhow!("{} is not valid WebAssembly text: {first}", path.display())
        })
}

fn looks_like_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.trim_start().starts_with('('))
        || std::str::from_utf8(bytes).is_ok_and(|s| s.trim_start().starts_with(";;"))
}
