//! Code as the step machine holds it (docs/fault-vm.md, "Code"): a word tree of 32-byte
//! chunks, each one byte counting the push data its first bytes continue from earlier
//! chunks, then 31 code bytes (the chunking of EIP-2926). An opcode step opens the chunks
//! under `pc .. pc + 33`; a jump opens the destination's chunk and decides from it alone
//! whether the byte is a JUMPDEST outside push data, so no step scans the whole code.
//! Chunking scans the code once, when a frame loads it.

use crate::{meter::Meter, words::WordTree};
use alloy_primitives::B256;

/// Code bytes per chunk.
pub const CHUNK: usize = 31;

fn push_len(op: u8) -> usize {
    if (0x60..=0x7f).contains(&op) {
        (op - 0x5f) as usize
    } else {
        0
    }
}

/// The chunks of `code` (`m` counts the bytes scanned).
pub fn chunks(code: &[u8], m: &mut Meter) -> Vec<B256> {
    chunks_from(code, 0, m).0
}

/// The chunks of a part of some code that starts on a chunk boundary with `pending`
/// bytes of push data still to come from before it; returns them and the push data that
/// runs past the part's end (for the next part). Loading long init code in several steps
/// uses this, a part of a multiple of [`CHUNK`] bytes at a time. `m` counts the bytes
/// scanned.
pub fn chunks_from(code: &[u8], pending: usize, m: &mut Meter) -> (Vec<B256>, usize) {
    m.analysed(code.len());
    let mut out = Vec::with_capacity(code.len().div_ceil(CHUNK));
    let mut pending = pending;
    for (c, part) in code.chunks(CHUNK).enumerate() {
        let mut w = [0u8; 32];
        w[0] = pending.min(CHUNK) as u8;
        w[1..1 + part.len()].copy_from_slice(part);
        let start = c * CHUNK;
        let mut pc = start + pending.min(CHUNK);
        pending = pending.saturating_sub(CHUNK);
        while pc < start + part.len() {
            let n = push_len(code[pc]);
            pc += 1 + n;
        }
        if pc > start + part.len() {
            pending = pc - (start + part.len());
        }
        out.push(B256::from(w));
    }
    (out, pending)
}

/// The chunk tree of `code` (the prover's: not counted).
pub fn tree(code: &[u8]) -> WordTree {
    WordTree::from_words(&chunks(code, &mut Meter::default()))
}

/// Byte `pc` of the code held by consecutive chunks starting at chunk `first`
/// (zero past them).
pub fn byte_of(chunks: &[B256], first: u64, pc: u64) -> u8 {
    match (pc / CHUNK as u64).checked_sub(first).and_then(|i| chunks.get(i as usize)) {
        Some(w) => byte_in_chunk(w, pc),
        None => 0,
    }
}

/// Byte `pc` of the code chunked into `tree` (a frame's whole chunk tree).
pub fn byte_in_tree(tree: &WordTree, pc: u64) -> u8 {
    byte_in_chunk(&tree.word(pc / CHUNK as u64), pc)
}

/// Byte `pc` of the code, read from its chunk (byte 0 of a chunk is the count of leading
/// push-data bytes; the code bytes follow).
fn byte_in_chunk(chunk: &B256, pc: u64) -> u8 {
    chunk[1 + (pc % CHUNK as u64) as usize]
}

/// Whether offset `at` (0..31) of `chunk` is a JUMPDEST that is not push data.
pub fn is_jumpdest(chunk: &B256, at: usize) -> bool {
    let mut i = chunk[0] as usize;
    if at >= CHUNK || at < i {
        return false;
    }
    while i < at {
        i += 1 + push_len(chunk[1 + i]);
    }
    i == at && chunk[1 + at] == 0x5b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: a linear scan from the start.
    fn reference(code: &[u8], dest: usize) -> bool {
        let mut pc = 0;
        while pc < dest {
            pc += 1 + push_len(code[pc]);
        }
        pc == dest && code.get(dest) == Some(&0x5b)
    }

    #[test]
    fn chunking_in_parts_equals_chunking_at_once() {
        let mut x = 3u32;
        let code: Vec<u8> = (0..2000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                [0x7f, 0x60, 0x5b, 0x00][(x >> 16) as usize % 4]
            })
            .collect();
        for part in [CHUNK, 5 * CHUNK, 33 * CHUNK] {
            let (mut all, mut pending) = (Vec::new(), 0);
            for p in code.chunks(part) {
                let (c, next) = chunks_from(p, pending, &mut Meter::default());
                all.extend(c);
                pending = next;
            }
            assert_eq!(all, chunks(&code, &mut Meter::default()), "parts of {part} bytes");
        }
    }

    #[test]
    fn chunk_local_jumpdest_checks_match_a_full_scan() {
        // Push data that crosses chunk boundaries, JUMPDEST bytes inside push data, a
        // PUSH32 at a chunk's last byte, and random code.
        let mut codes: Vec<Vec<u8>> = vec![
            vec![0x5b; 100],
            [vec![0x7f], vec![0x5b; 32], vec![0x5b, 0x00]].concat(),
            [vec![0x00; 30], vec![0x7f], vec![0x5b; 40]].concat(),
            [vec![0x00; 61], vec![0x7f], vec![0x5b; 70]].concat(),
        ];
        let mut x = 7u32;
        for _ in 0..20 {
            codes.push(
                (0..300)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        [0x5b, 0x60, 0x7f, 0x61, 0x00, 0x56][(x >> 16) as usize % 6]
                    })
                    .collect(),
            );
        }
        for code in codes {
            let ch = chunks(&code, &mut Meter::default());
            for dest in 0..code.len() {
                let c = &ch[dest / CHUNK];
                assert_eq!(is_jumpdest(c, dest % CHUNK), reference(&code, dest), "dest {dest} of {code:02x?}");
                assert_eq!(byte_of(&ch, 0, dest as u64), code[dest]);
            }
        }
    }
}
