//! Bad input (filled in below).
pub fn main(_args: impl Iterator<Item = String>) -> anyhow::Result<u64> {
    Ok(0)
}
