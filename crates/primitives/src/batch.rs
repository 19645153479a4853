//! The batch codec: L2 blocks as the calldata of `BatchInbox.submitBatch`, and the
//! Merkle commitment the inbox records. Normative spec: `docs/batches.md`; the Solidity
//! side is `contracts/src/L1/BatchInbox.sol`, and both agree on
//! `docs/vectors/batches.json` (written by this module's tests).

use alloy_primitives::{keccak256, Bytes, B256};

/// The batch format version this code reads and writes.
pub const BATCH_VERSION: u8 = 0;
/// Largest transaction a batch can carry (24-bit length prefix).
pub const MAX_BATCH_TX_BYTES: usize = (1 << 24) - 1;

/// One L2 block as a batch carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchBlock {
    /// Block timestamp.
    pub timestamp: u64,
    /// Portal deposits included up to and including this block.
    pub deposit_cursor: u64,
    /// EIP-2718 encoded transactions, in block order.
    pub txs: Vec<Bytes>,
}

/// A batch: consecutive L2 blocks from `first_block`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// L2 number of the first block.
    pub first_block: u64,
    /// The blocks.
    pub blocks: Vec<BatchBlock>,
}

/// Why bytes are not a batch (the same rules, and offsets, as the inbox's reverts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// A length runs past the end of the data.
    #[error("batch truncated at byte {0}")]
    Truncated(usize),
    /// Bytes follow the last block.
    #[error("trailing bytes at {0}")]
    TrailingBytes(usize),
    /// Unknown version byte.
    #[error("unsupported batch version {0}")]
    UnsupportedVersion(u8),
    /// No blocks.
    #[error("batch has no blocks")]
    EmptyBatch,
    /// A block has more transactions than a u16 counts, or a transaction is empty or
    /// longer than a u24 counts (encoding side).
    #[error("block or transaction does not fit the format: {0}")]
    DoesNotFit(&'static str),
}

impl Batch {
    /// Encodes per `docs/batches.md`.
    pub fn encode(&self) -> Result<Vec<u8>, BatchError> {
        if self.blocks.is_empty() {
            return Err(BatchError::EmptyBatch);
        }
        let count = u32::try_from(self.blocks.len()).map_err(|_| BatchError::DoesNotFit("too many blocks"))?;
        let size = 13 + self.blocks.iter().map(|b| 18 + b.txs.iter().map(|t| 3 + t.len()).sum::<usize>()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.push(BATCH_VERSION);
        out.extend_from_slice(&self.first_block.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        for b in &self.blocks {
            let n = u16::try_from(b.txs.len()).map_err(|_| BatchError::DoesNotFit("more than 65535 transactions in a block"))?;
            out.extend_from_slice(&b.timestamp.to_be_bytes());
            out.extend_from_slice(&b.deposit_cursor.to_be_bytes());
            out.extend_from_slice(&n.to_be_bytes());
            for tx in &b.txs {
                if tx.is_empty() || tx.len() > MAX_BATCH_TX_BYTES {
                    return Err(BatchError::DoesNotFit("empty or oversized transaction"));
                }
                out.extend_from_slice(&(tx.len() as u32).to_be_bytes()[1..]);
                out.extend_from_slice(tx);
            }
        }
        Ok(out)
    }

    /// Decodes per `docs/batches.md`. Never panics on any input.
    pub fn decode(data: &[u8]) -> Result<Self, BatchError> {
        let mut r = Reader { data, pos: 0 };
        if data.len() < 13 {
            return Err(BatchError::Truncated(data.len()));
        }
        let version = r.take::<1>()?[0];
        if version != BATCH_VERSION {
            return Err(BatchError::UnsupportedVersion(version));
        }
        let first_block = u64::from_be_bytes(r.take::<8>()?);
        let count = u32::from_be_bytes(r.take::<4>()?);
        if count == 0 {
            return Err(BatchError::EmptyBatch);
        }
        let mut blocks = Vec::with_capacity((count as usize).min(data.len() / 18));
        for _ in 0..count {
            let header_at = r.pos;
            if data.len() < header_at + 18 {
                return Err(BatchError::Truncated(header_at));
            }
            let timestamp = u64::from_be_bytes(r.take::<8>()?);
            let deposit_cursor = u64::from_be_bytes(r.take::<8>()?);
            let n = u16::from_be_bytes(r.take::<2>()?);
            let mut txs = Vec::with_capacity((n as usize).min(data.len() / 4));
            for _ in 0..n {
                let at = r.pos;
                if data.len() < at + 3 {
                    return Err(BatchError::Truncated(at));
                }
                let l = r.take::<3>()?;
                let len = u32::from_be_bytes([0, l[0], l[1], l[2]]) as usize;
                let body = r.pos;
                if len == 0 || data.len() < body + len {
                    return Err(BatchError::Truncated(body));
                }
                txs.push(Bytes::copy_from_slice(&data[body..body + len]));
                r.pos += len;
            }
            blocks.push(BatchBlock { timestamp, deposit_cursor, txs });
        }
        if r.pos != data.len() {
            return Err(BatchError::TrailingBytes(r.pos));
        }
        Ok(Self { first_block, blocks })
    }

    /// The Merkle leaves: per block, its block leaf then its transactions' leaves.
    pub fn leaves(&self) -> Vec<B256> {
        let mut leaves = Vec::with_capacity(self.item_count());
        for (i, b) in self.blocks.iter().enumerate() {
            let mut pre = [0u8; 27];
            pre[0] = 0x01;
            pre[1..9].copy_from_slice(&(self.first_block + i as u64).to_be_bytes());
            pre[9..17].copy_from_slice(&b.timestamp.to_be_bytes());
            pre[17..25].copy_from_slice(&b.deposit_cursor.to_be_bytes());
            pre[25..27].copy_from_slice(&(b.txs.len() as u16).to_be_bytes());
            leaves.push(keccak256(pre));
            for tx in &b.txs {
                let mut buf = Vec::with_capacity(1 + tx.len());
                buf.push(0x02);
                buf.extend_from_slice(tx);
                leaves.push(keccak256(&buf));
            }
        }
        leaves
    }

    /// Number of Merkle items (blocks plus transactions).
    pub fn item_count(&self) -> usize {
        self.blocks.iter().map(|b| 1 + b.txs.len()).sum()
    }

    /// The commitment the inbox records.
    pub fn root(&self) -> B256 {
        merkle_root(self.leaves())
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], BatchError> {
        let end = self.pos.checked_add(N).ok_or(BatchError::Truncated(self.pos))?;
        let bytes = self.data.get(self.pos..end).ok_or(BatchError::Truncated(self.pos))?;
        self.pos = end;
        Ok(bytes.try_into().expect("slice of length N"))
    }
}

fn hash_pair(l: &B256, r: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(l.as_slice());
    buf[32..].copy_from_slice(r.as_slice());
    keccak256(buf)
}

/// Binary Merkle root: pairs left to right, an odd level's last node paired with zero;
/// one leaf is its own root; no leaves is zero (`docs/batches.md`, "Commitment").
pub fn merkle_root(mut level: Vec<B256>) -> B256 {
    if level.is_empty() {
        return B256::ZERO;
    }
    while level.len() > 1 {
        level = level.chunks(2).map(|c| hash_pair(&c[0], c.get(1).unwrap_or(&B256::ZERO))).collect();
    }
    level[0]
}

/// The siblings from leaf `index` up to the root (`ceil(log2(n))` of them).
pub fn merkle_proof(mut level: Vec<B256>, mut index: usize) -> Vec<B256> {
    let mut proof = Vec::new();
    while level.len() > 1 {
        proof.push(level.get(index ^ 1).copied().unwrap_or(B256::ZERO));
        level = level.chunks(2).map(|c| hash_pair(&c[0], c.get(1).unwrap_or(&B256::ZERO))).collect();
        index /= 2;
    }
    proof
}

/// Checks a proof of `leaf` at `index` among `count` items against `root`; the proof's
/// length must be the one `count` fixes.
pub fn verify_merkle_proof(root: B256, leaf: B256, mut index: usize, count: usize, proof: &[B256]) -> bool {
    if index >= count {
        return false;
    }
    let depth = if count <= 1 { 0 } else { (usize::BITS - (count - 1).leading_zeros()) as usize };
    if proof.len() != depth {
        return false;
    }
    let mut h = leaf;
    for s in proof {
        h = if index % 2 == 0 { hash_pair(&h, s) } else { hash_pair(s, &h) };
        index /= 2;
    }
    h == root
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Batch {
        Batch {
            first_block: 1,
            blocks: vec![
                BatchBlock { timestamp: 100, deposit_cursor: 0, txs: vec![Bytes::from_static(&[0x02, 0xaa, 0xbb])] },
                BatchBlock { timestamp: 101, deposit_cursor: 2, txs: vec![] },
                BatchBlock {
                    timestamp: 101,
                    deposit_cursor: 2,
                    txs: vec![Bytes::from(vec![0xf8; 112]), Bytes::from_static(&[0x01])],
                },
            ],
        }
    }

    #[test]
    fn round_trip_and_layout() {
        let b = sample();
        let enc = b.encode().unwrap();
        assert_eq!(enc[0], 0);
        assert_eq!(&enc[1..9], &1u64.to_be_bytes());
        assert_eq!(&enc[9..13], &3u32.to_be_bytes());
        assert_eq!(enc.len(), 13 + 18 * 3 + (3 + 3) + (3 + 112) + (3 + 1));
        assert_eq!(Batch::decode(&enc).unwrap(), b);
        assert_eq!(b.item_count(), 6);
    }

    #[test]
    fn every_truncation_and_extension_fails() {
        let enc = sample().encode().unwrap();
        for cut in 0..enc.len() {
            assert!(Batch::decode(&enc[..cut]).is_err(), "prefix of {cut} bytes decoded");
        }
        let mut longer = enc.clone();
        longer.push(0);
        assert_eq!(Batch::decode(&longer), Err(BatchError::TrailingBytes(enc.len())));
        let mut v1 = enc;
        v1[0] = 1;
        assert_eq!(Batch::decode(&v1), Err(BatchError::UnsupportedVersion(1)));
        assert_eq!(Batch::decode(&[0; 13]), Err(BatchError::EmptyBatch));
    }

    #[test]
    fn merkle_proofs_open_every_item_and_only_at_the_right_depth() {
        for n in 1..=9usize {
            let leaves: Vec<B256> = (0..n).map(|i| keccak256([i as u8])).collect();
            let root = merkle_root(leaves.clone());
            for i in 0..n {
                let p = merkle_proof(leaves.clone(), i);
                assert!(verify_merkle_proof(root, leaves[i], i, n, &p), "n={n} i={i}");
                if !p.is_empty() {
                    // An inner node is not an item: a shorter proof is rejected.
                    assert!(!verify_merkle_proof(root, leaves[i], i, n, &p[..p.len() - 1]));
                }
            }
        }
        assert_eq!(merkle_root(vec![]), B256::ZERO);
    }

    proptest! {
        #[test]
        fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Batch::decode(&data);
        }

        #[test]
        fn encode_decode_round_trip(
            first in 1u64..1_000_000,
            blocks in proptest::collection::vec(
                (any::<u64>(), any::<u64>(), proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..64), 0..4)),
                1..6,
            ),
        ) {
            let b = Batch {
                first_block: first,
                blocks: blocks.into_iter().map(|(t, c, txs)| BatchBlock {
                    timestamp: t, deposit_cursor: c, txs: txs.into_iter().map(Bytes::from).collect(),
                }).collect(),
            };
            let enc = b.encode().unwrap();
            prop_assert_eq!(Batch::decode(&enc).unwrap(), b);
        }
    }

    /// Writes/compares docs/vectors/batches.json, which the Foundry test of the inbox
    /// submits and checks root and item count against (`FAULTLINE_WRITE_VECTORS=1` rewrites).
    #[test]
    fn committed_vectors_match() {
        let cases = [
            sample(),
            Batch { first_block: 1, blocks: vec![BatchBlock { timestamp: 5, deposit_cursor: 0, txs: vec![] }] },
            Batch {
                first_block: 1,
                blocks: (0..5)
                    .map(|i| BatchBlock {
                        timestamp: 10 + i,
                        deposit_cursor: 0,
                        txs: (0..(i as usize * 3)).map(|j| Bytes::from(vec![j as u8 + 1; 20 + j])).collect(),
                    })
                    .collect(),
            },
        ];
        let vectors: Vec<serde_json::Value> = cases
            .iter()
            .map(|b| {
                serde_json::json!({
                    "data": Bytes::from(b.encode().unwrap()),
                    "itemCount": b.item_count(),
                    "root": b.root(),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&serde_json::json!({ "batches": vectors })).unwrap();
        text.push('\n');
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/vectors/batches.json");
        if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(committed, text, "docs/vectors/batches.json is stale: rerun with FAULTLINE_WRITE_VECTORS=1");
    }
}
