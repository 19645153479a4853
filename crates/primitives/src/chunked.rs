//! The chunked hash of a byte string (docs/fault-vm-inputs.md, "Chunked hash"): how L1
//! commits to a deposit's data and a calldata batch's transactions so that the fault VM
//! can open them [`CHUNK`] bytes a step, each step checking what it reads.
//!
//! ```text
//! chunked(d) = keccak256(d)                                  if |d| <= CHUNK
//! chunked(d) = keccak256(d[..CHUNK] ‖ chunked(d[CHUNK..]))   otherwise
//! ```
//!
//! A step that opens chunk `j` holds `chunked(d[j·CHUNK..])` and is given the chunk and,
//! unless it is the last (the length is committed beside the hash), the next chunk's
//! hash: one keccak256 decides both. Short strings (every transfer, most calls) hash as
//! plain keccak256. Mirrored by `contracts/src/lib/Hashing.sol` (`chunkedHash`); the
//! vectors in `docs/vectors/chunked.json` tie the two.

use alloy_primitives::{keccak256, B256};

/// Bytes per chunk: 32 keccak256 blocks of 136 bytes, also 136 words, so a chunk both
/// absorbs into a sponge and writes into a word tree whole.
pub const CHUNK: usize = 32 * 136;

/// [`chunked`](self) of `data`.
pub fn hash(data: &[u8]) -> B256 {
    let chunks = chunk_hashes(data);
    chunks[0]
}

/// The hash each chunk is opened against: element `j` is `chunked(data[j·CHUNK..])`
/// (one element for a string of at most [`CHUNK`] bytes, the empty string included).
pub fn chunk_hashes(data: &[u8]) -> Vec<B256> {
    let n = data.len().div_ceil(CHUNK).max(1);
    let mut out = vec![B256::ZERO; n];
    let last = (n - 1) * CHUNK;
    out[n - 1] = keccak256(&data[last..]);
    let mut buf = vec![0u8; CHUNK + 32];
    for j in (0..n - 1).rev() {
        buf[..CHUNK].copy_from_slice(&data[j * CHUNK..(j + 1) * CHUNK]);
        buf[CHUNK..].copy_from_slice(out[j + 1].as_slice());
        out[j] = keccak256(&buf);
    }
    out
}

/// Checks chunk `j` of a string of `len` bytes: `bytes` must be the whole chunk
/// (`min(CHUNK, len − j·CHUNK)` bytes) and, unless it is the last, `next` the hash of
/// the rest; they must hash to `expected`. The fault VM's check of one opening step.
pub fn check_chunk(expected: B256, len: u64, j: u64, bytes: &[u8], next: Option<B256>) -> bool {
    let start = j.saturating_mul(CHUNK as u64);
    if start > len || (start == len && len != 0) {
        return false;
    }
    let want = (len - start).min(CHUNK as u64) as usize;
    let last = len - start <= CHUNK as u64;
    if bytes.len() != want || last != next.is_none() {
        return false;
    }
    let got = match next {
        None => keccak256(bytes),
        Some(n) => keccak256([bytes, n.as_slice()].concat()),
    };
    got == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + 7) as u8).collect()
    }

    #[test]
    fn short_strings_are_plain_keccak() {
        for len in [0, 1, 135, CHUNK] {
            assert_eq!(hash(&data(len)), keccak256(data(len)), "len {len}");
        }
    }

    #[test]
    fn long_strings_chain_their_chunks() {
        let d = data(2 * CHUNK + 5);
        let tail = keccak256(&d[2 * CHUNK..]);
        let mid = keccak256([&d[CHUNK..2 * CHUNK], tail.as_slice()].concat());
        assert_eq!(hash(&d), keccak256([&d[..CHUNK], mid.as_slice()].concat()));
        assert_eq!(chunk_hashes(&d), vec![hash(&d), mid, tail]);
    }

    #[test]
    fn every_chunk_checks_and_nothing_else_does() {
        for len in [0usize, 10, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let d = data(len);
            let hs = chunk_hashes(&d);
            for (j, h) in hs.iter().enumerate() {
                let bytes = &d[j * CHUNK..((j + 1) * CHUNK).min(len)];
                let next = hs.get(j + 1).copied();
                assert!(check_chunk(*h, len as u64, j as u64, bytes, next), "len {len} chunk {j}");
                // A chunk claimed last when it is not, or the reverse, fails.
                assert!(!check_chunk(*h, len as u64, j as u64, bytes, if next.is_some() { None } else { Some(B256::ZERO) }));
                // A wrong length (one byte short) fails.
                if !bytes.is_empty() {
                    assert!(!check_chunk(*h, len as u64, j as u64, &bytes[1..], next));
                }
            }
            assert!(!check_chunk(hs[0], len as u64, hs.len() as u64, &[], None), "past the end, len {len}");
        }
    }

    /// The lengths the vectors cover: empty, one byte, one chunk less one, one chunk,
    /// one chunk and one byte, two chunks, two chunks and one byte, and several chunks.
    const VECTOR_LENGTHS: [usize; 8] = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, 20_000];

    /// Deposits of the vectors, a chain from index 0 (an empty accumulator): the data
    /// lengths straddle the chunk boundaries. (length, mint, value, gas limit).
    const VECTOR_DEPOSITS: [(usize, u64, u64, u64); 4] =
        [(0, 1_000_000_000_000_000_000, 0, 100_000), (CHUNK, 0, 5, 1_000_000), (CHUNK + 1, 7, 7, 2_000_000), (2 * CHUNK, 0, 0, 10_000_000)];

    /// docs/vectors/chunked.json: the chunked hash and every chunk's hash of strings
    /// around the chunk boundaries, a chain of deposits (hash and accumulator), and
    /// calldata batch transaction leaves. The Foundry tests check `Hashing` and the
    /// portal against it (`FAULTLINE_WRITE_VECTORS=1` rewrites).
    #[test]
    fn committed_vectors_match() {
        use crate::{batch, Deposit};
        use alloy_primitives::{Address, Bytes, U256};
        use serde_json::json;

        let cases: Vec<_> = VECTOR_LENGTHS
            .iter()
            .map(|&len| {
                let d = data(len);
                json!({"length": len, "data": Bytes::from(d.clone()), "chunked": hash(&d), "chunks": chunk_hashes(&d)})
            })
            .collect();
        let mut acc = B256::ZERO;
        let deposits: Vec<_> = VECTOR_DEPOSITS
            .iter()
            .enumerate()
            .map(|(i, &(len, mint, value, gas_limit))| {
                let d = Deposit {
                    index: i as u64,
                    from: Address::repeat_byte(0xa1),
                    to: Address::repeat_byte(0xb2),
                    mint: U256::from(mint),
                    value: U256::from(value),
                    gas_limit,
                    l1_block: 10 + i as u64,
                    l1_timestamp: 0,
                    data: Bytes::from(data(len)),
                };
                acc = d.accumulate(acc);
                json!({
                    "index": d.index, "from": d.from, "to": d.to, "mint": mint, "value": value,
                    "gasLimit": d.gas_limit, "l1BlockNumber": d.l1_block, "data": d.data,
                    "chunked": hash(&d.data), "hash": d.hash(), "accumulator": acc,
                })
            })
            .collect();
        let txs: Vec<_> = [1, CHUNK + 1]
            .iter()
            .map(|&len| {
                let tx: Vec<u8> = data(len).iter().map(|b| b ^ 0x5a).collect();
                json!({"length": len, "tx": Bytes::from(tx.clone()), "chunked": hash(&tx), "leaf": batch::tx_leaf(&tx)})
            })
            .collect();
        let v = json!({"chunk": CHUNK, "cases": cases, "deposits": deposits, "txLeaves": txs});
        let text = serde_json::to_string_pretty(&v).expect("json") + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/chunked.json");
        if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
            std::fs::write(path, &text).expect("write vectors");
        }
        let committed = std::fs::read_to_string(path).expect("docs/vectors/chunked.json missing: run with FAULTLINE_WRITE_VECTORS=1");
        assert!(committed == text, "docs/vectors/chunked.json is stale: the spec and the Solidity tests must follow (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
    }
}
