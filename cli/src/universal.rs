//! `--target universal-apple-darwin`: one fat Mach-O holding the x86_64 and the arm64
//! executable, as Apple's `lipo` makes them, so one file runs on Intel and Apple silicon Macs.
//!
//! Each slice is the thin executable of its own cell, unchanged (arm64 keeps its ad-hoc
//! signature; a signature covers only its slice). The fat header is big-endian: `FAT_MAGIC`,
//! the slice count, then per slice its CPU type and subtype (copied from the slice's header),
//! file offset, size and alignment (2^14: the arm64 page size, which lipo uses).

use anyhow::{Result, bail};
use object::macho::{FAT_MAGIC, MachHeader64};
use object::read::macho::MachHeader;

/// log2 of the alignment of each slice in the file.
const SLICE_ALIGN_LOG2: u32 = 14;

/// A fat Mach-O of `slices` (thin 64-bit Mach-O executables), in their order.
pub fn fat(slices: &[Vec<u8>]) -> Result<Vec<u8>> {
    let align = 1usize << SLICE_ALIGN_LOG2;
    let header_size = 8 + 20 * slices.len();
    let mut header = Vec::with_capacity(header_size);
    header.extend_from_slice(&FAT_MAGIC.to_be_bytes());
    header.extend_from_slice(&(slices.len() as u32).to_be_bytes());
    let mut offset = header_size.next_multiple_of(align);
    let mut placed = Vec::new();
    for slice in slices {
        let thin = MachHeader64::<object::Endianness>::parse(&slice[..], 0)
            .map_err(|e| anyhow::anyhow!("a universal slice is not a 64-bit Mach-O: {e}"))?;
        let endian = thin.endian()?;
        let (Ok(at), Ok(size)) = (u32::try_from(offset), u32::try_from(slice.len())) else {
            bail!("a universal binary is limited to 4 GiB (fat32); build the two macOS targets");
        };
        for field in [
            thin.cputype(endian),
            thin.cpusubtype(endian),
            at,
            size,
            SLICE_ALIGN_LOG2,
        ] {
            header.extend_from_slice(&field.to_be_bytes());
        }
        placed.push(offset);
        offset = (offset + slice.len()).next_multiple_of(align);
    }
    let mut fat = header;
    for (slice, at) in slices.iter().zip(placed) {
        fat.resize(at, 0);
        fat.extend_from_slice(slice);
    }
    Ok(fat)
}
