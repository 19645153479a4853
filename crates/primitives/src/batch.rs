//! The batch codec: L2 blocks as the calldata of `BatchInbox.submitBatch` (version 0),
//! or as a calldata header for `BatchInbox.submitBlobBatch` plus a payload carried in
//! blobs (version 1), and the Merkle commitments the inbox records. Normative spec:
//! `docs/batches.md`; the Solidity side is `contracts/src/L1/BatchInbox.sol`, and both
//! agree on `docs/vectors/batches.json` (written by this module's tests).

use alloy_primitives::{keccak256, Bytes, B256};

/// The calldata batch format version.
pub const BATCH_VERSION: u8 = 0;
/// The blob batch format version (the header's first byte).
pub const BLOB_BATCH_VERSION: u8 = 1;
/// Length of a blob batch header before its blocks.
pub const BLOB_HEADER_PREFIX: usize = 17;
/// Largest transaction a batch can carry (24-bit length prefix).
pub const MAX_BATCH_TX_BYTES: usize = (1 << 24) - 1;
/// Length of one block's header in a batch: `timestamp:u64 ‖ depositCursor:u64 ‖
/// l1Origin:u64 ‖ txCount:u16`.
pub const BLOCK_HEADER_BYTES: usize = 26;

/// Domain byte of a calldata batch's transaction leaf.
pub const TX_LEAF_DOMAIN: u8 = 0x02;

/// A calldata batch's transaction leaf (`docs/batches.md`, "Commitment"):
/// `keccak256(0x02 ‖ len:u32 ‖ chunked(tx))`. The length and the [`crate::chunked`] hash
/// let a one-step proof open the transaction one checked chunk a step
/// (`docs/fault-vm-inputs.md`, "One post per pre-state"). A batch carries transactions
/// of at most [`MAX_BATCH_TX_BYTES`]; a longer one (never encodable) has its length
/// saturated at `u32::MAX`.
pub fn tx_leaf(tx: &[u8]) -> B256 {
    keccak256(tx_leaf_preimage(tx))
}

/// The 37 bytes [`tx_leaf`] hashes (what a one-step proof opens the leaf to).
pub fn tx_leaf_preimage(tx: &[u8]) -> [u8; 37] {
    tx_leaf_preimage_of(u32::try_from(tx.len()).unwrap_or(u32::MAX), crate::chunked::hash(tx))
}

/// The transaction leaf of a transaction of `len` bytes whose chunked hash is `chunked`
/// (what a step that opens the leaf holds before it reads the bytes).
pub fn tx_leaf_of(len: u32, chunked: B256) -> B256 {
    keccak256(tx_leaf_preimage_of(len, chunked))
}

fn tx_leaf_preimage_of(len: u32, chunked: B256) -> [u8; 37] {
    let mut buf = [0u8; 37];
    buf[0] = TX_LEAF_DOMAIN;
    buf[1..5].copy_from_slice(&len.to_be_bytes());
    buf[5..].copy_from_slice(chunked.as_slice());
    buf
}

/// A calldata batch's block leaf (`docs/batches.md`, "Commitment"): `keccak256(0x01 ‖
/// number:u64 ‖ timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16)`.
pub fn block_leaf(number: u64, timestamp: u64, deposit_cursor: u64, l1_origin: u64, tx_count: u16) -> B256 {
    let mut pre = [0u8; 35];
    pre[0] = 0x01;
    pre[1..9].copy_from_slice(&number.to_be_bytes());
    pre[9..17].copy_from_slice(&timestamp.to_be_bytes());
    pre[17..25].copy_from_slice(&deposit_cursor.to_be_bytes());
    pre[25..33].copy_from_slice(&l1_origin.to_be_bytes());
    pre[33..35].copy_from_slice(&tx_count.to_be_bytes());
    keccak256(pre)
}

/// One L2 block as a batch carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchBlock {
    /// Block timestamp.
    pub timestamp: u64,
    /// Portal deposits included up to and including this block.
    pub deposit_cursor: u64,
    /// The L1 block whose recorded base fee and blob base fee this block prices its L1
    /// fees with (`docs/chain.md`, "L1 fee"; the inbox checks it was recorded).
    pub l1_origin: u64,
    /// EIP-2718 encoded transactions, in block order.
    pub txs: Vec<Bytes>,
}

impl BatchBlock {
    /// The batch entry of an L2 block: its header's timestamp, and the deposit cursor and
    /// L1 fee origin its `extraData` carries, with its encoded transactions.
    pub fn of_block(header: &alloy_consensus::Header, txs: Vec<Bytes>) -> Self {
        Self {
            timestamp: header.timestamp,
            deposit_cursor: crate::deposit_cursor(&header.extra_data),
            l1_origin: crate::l1fee::l1_fee_inputs(&header.extra_data).origin,
            txs,
        }
    }
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
    /// A blob batch's payload is shorter than its offset table (3 bytes per transaction).
    #[error("payload of {length} bytes is shorter than the offset table of {txs} transactions")]
    PayloadTooShort {
        /// Payload length the header states.
        length: usize,
        /// Transactions the header counts.
        txs: usize,
    },
}

/// A batch as posted in blobs (`docs/batches.md`, "Blob batches"): the calldata header
/// and the payload the blobs carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobBatch {
    /// `version:u8 (= 1) ‖ firstBlock:u64 ‖ blockCount:u32 ‖ payloadLength:u32 ‖ block × blockCount`,
    /// block = `timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16`.
    pub header: Vec<u8>,
    /// `end:u24 × txCount ‖ data`: transaction k is `data[end(k-1) .. end(k))`.
    pub payload: Vec<u8>,
}

impl Batch {
    /// Encodes per `docs/batches.md`.
    pub fn encode(&self) -> Result<Vec<u8>, BatchError> {
        if self.blocks.is_empty() {
            return Err(BatchError::EmptyBatch);
        }
        let count = u32::try_from(self.blocks.len()).map_err(|_| BatchError::DoesNotFit("too many blocks"))?;
        let size = 13 + self.blocks.iter().map(|b| BLOCK_HEADER_BYTES + b.txs.iter().map(|t| 3 + t.len()).sum::<usize>()).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.push(BATCH_VERSION);
        out.extend_from_slice(&self.first_block.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        for b in &self.blocks {
            let n = u16::try_from(b.txs.len()).map_err(|_| BatchError::DoesNotFit("more than 65535 transactions in a block"))?;
            out.extend_from_slice(&b.timestamp.to_be_bytes());
            out.extend_from_slice(&b.deposit_cursor.to_be_bytes());
            out.extend_from_slice(&b.l1_origin.to_be_bytes());
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
        let mut blocks = Vec::with_capacity((count as usize).min(data.len() / BLOCK_HEADER_BYTES));
        for _ in 0..count {
            let header_at = r.pos;
            if data.len() < header_at + BLOCK_HEADER_BYTES {
                return Err(BatchError::Truncated(header_at));
            }
            let timestamp = u64::from_be_bytes(r.take::<8>()?);
            let deposit_cursor = u64::from_be_bytes(r.take::<8>()?);
            let l1_origin = u64::from_be_bytes(r.take::<8>()?);
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
            blocks.push(BatchBlock { timestamp, deposit_cursor, l1_origin, txs });
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
            leaves.push(block_leaf(self.first_block + i as u64, b.timestamp, b.deposit_cursor, b.l1_origin, b.txs.len() as u16));
            leaves.extend(b.txs.iter().map(|tx| tx_leaf(tx)));
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

    /// Number of transactions in all blocks.
    pub fn tx_count(&self) -> usize {
        self.blocks.iter().map(|b| b.txs.len()).sum()
    }

    /// Encodes as a blob batch: the header for calldata and the payload for blobs.
    pub fn encode_blob(&self) -> Result<BlobBatch, BatchError> {
        if self.blocks.is_empty() {
            return Err(BatchError::EmptyBatch);
        }
        let count = u32::try_from(self.blocks.len()).map_err(|_| BatchError::DoesNotFit("too many blocks"))?;
        let txs = self.tx_count();
        let data_len: usize = self.blocks.iter().flat_map(|b| &b.txs).map(|t| t.len()).sum();
        let length = 3 * txs + data_len;
        if length > MAX_BATCH_TX_BYTES {
            return Err(BatchError::DoesNotFit("payload beyond 24-bit offsets"));
        }
        let mut header = Vec::with_capacity(BLOB_HEADER_PREFIX + BLOCK_HEADER_BYTES * self.blocks.len());
        header.push(BLOB_BATCH_VERSION);
        header.extend_from_slice(&self.first_block.to_be_bytes());
        header.extend_from_slice(&count.to_be_bytes());
        header.extend_from_slice(&(length as u32).to_be_bytes());
        let mut table = Vec::with_capacity(3 * txs);
        let mut data = Vec::with_capacity(data_len);
        for b in &self.blocks {
            let n = u16::try_from(b.txs.len()).map_err(|_| BatchError::DoesNotFit("more than 65535 transactions in a block"))?;
            header.extend_from_slice(&b.timestamp.to_be_bytes());
            header.extend_from_slice(&b.deposit_cursor.to_be_bytes());
            header.extend_from_slice(&b.l1_origin.to_be_bytes());
            header.extend_from_slice(&n.to_be_bytes());
            for tx in &b.txs {
                if tx.is_empty() {
                    return Err(BatchError::DoesNotFit("empty transaction"));
                }
                data.extend_from_slice(tx);
                table.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
            }
        }
        table.extend_from_slice(&data);
        Ok(BlobBatch { header, payload: table })
    }

    /// Decodes a blob batch: the header strictly (the inbox's rules, with its offsets),
    /// the payload totally. `payload` holds at least the header's payload length (what
    /// the blobs carry, read by [`crate::blob::decode`]); bytes past it are ignored.
    /// A transaction entry whose range is empty, runs backwards or past the data is
    /// **void**: it decodes as an empty transaction, which derivation skips like any
    /// undecodable one. Never panics on any input.
    pub fn decode_blob(header: &[u8], payload: &[u8]) -> Result<Self, BatchError> {
        let BlobHeader { first_block, length, blocks: heads } = decode_blob_header(header)?;
        let txs: usize = heads.iter().map(|h| h.3 as usize).sum();
        if length < 3 * txs {
            return Err(BatchError::PayloadTooShort { length, txs });
        }
        let payload = payload.get(..length).ok_or(BatchError::Truncated(payload.len()))?;
        let (table, data) = payload.split_at(3 * txs);
        let mut start = 0usize;
        let mut k = 0usize;
        let mut blocks = Vec::with_capacity(heads.len());
        for (timestamp, deposit_cursor, l1_origin, n) in heads {
            let mut block_txs = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let e = &table[3 * k..3 * k + 3];
                let end = u32::from_be_bytes([0, e[0], e[1], e[2]]) as usize;
                block_txs.push(if start < end && end <= data.len() { Bytes::copy_from_slice(&data[start..end]) } else { Bytes::new() });
                start = end;
                k += 1;
            }
            blocks.push(BatchBlock { timestamp, deposit_cursor, l1_origin, txs: block_txs });
        }
        Ok(Self { first_block, blocks })
    }

    /// The blob batch's Merkle leaves, one per block:
    /// `keccak256(0x03 ‖ number:u64 ‖ timestamp:u64 ‖ depositCursor:u64 ‖ l1Origin:u64 ‖ txCount:u16 ‖ firstTx:u32)`,
    /// where `firstTx` is the batch-wide index of the block's first transaction.
    pub fn blob_leaves(&self) -> Vec<B256> {
        let mut first_tx = 0u32;
        self.blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let leaf = blob_block_leaf(self.first_block + i as u64, b.timestamp, b.deposit_cursor, b.l1_origin, b.txs.len() as u16, first_tx);
                first_tx += b.txs.len() as u32;
                leaf
            })
            .collect()
    }

    /// The block root the inbox records for a blob batch.
    pub fn blob_root(&self) -> B256 {
        merkle_root(self.blob_leaves())
    }
}

/// A blob batch's block leaf (`docs/batches.md`, "Blob batches").
pub fn blob_block_leaf(number: u64, timestamp: u64, deposit_cursor: u64, l1_origin: u64, tx_count: u16, first_tx: u32) -> B256 {
    let mut pre = [0u8; 39];
    pre[0] = 0x03;
    pre[1..9].copy_from_slice(&number.to_be_bytes());
    pre[9..17].copy_from_slice(&timestamp.to_be_bytes());
    pre[17..25].copy_from_slice(&deposit_cursor.to_be_bytes());
    pre[25..33].copy_from_slice(&l1_origin.to_be_bytes());
    pre[33..35].copy_from_slice(&tx_count.to_be_bytes());
    pre[35..39].copy_from_slice(&first_tx.to_be_bytes());
    keccak256(pre)
}

/// A decoded blob batch header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobHeader {
    /// L2 number of the first block.
    pub first_block: u64,
    /// Payload length in the blobs.
    pub length: usize,
    /// Per block: timestamp, deposit cursor, L1 fee origin, transaction count.
    pub blocks: Vec<(u64, u64, u64, u16)>,
}

/// Decodes a blob batch header (the inbox's rules and offsets).
pub fn decode_blob_header(header: &[u8]) -> Result<BlobHeader, BatchError> {
    let mut r = Reader { data: header, pos: 0 };
    if header.len() < BLOB_HEADER_PREFIX {
        return Err(BatchError::Truncated(header.len()));
    }
    let version = r.take::<1>()?[0];
    if version != BLOB_BATCH_VERSION {
        return Err(BatchError::UnsupportedVersion(version));
    }
    let first_block = u64::from_be_bytes(r.take::<8>()?);
    let count = u32::from_be_bytes(r.take::<4>()?);
    let length = u32::from_be_bytes(r.take::<4>()?) as usize;
    if count == 0 {
        return Err(BatchError::EmptyBatch);
    }
    // The length is fixed by the block count; the inbox checks it before any block.
    let end = BLOB_HEADER_PREFIX + BLOCK_HEADER_BYTES * count as usize;
    if header.len() < end {
        return Err(BatchError::Truncated(header.len()));
    }
    if header.len() > end {
        return Err(BatchError::TrailingBytes(end));
    }
    let mut heads = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let timestamp = u64::from_be_bytes(r.take::<8>()?);
        let cursor = u64::from_be_bytes(r.take::<8>()?);
        let origin = u64::from_be_bytes(r.take::<8>()?);
        let n = u16::from_be_bytes(r.take::<2>()?);
        heads.push((timestamp, cursor, origin, n));
    }
    Ok(BlobHeader { first_block, length, blocks: heads })
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

/// Every level of the tree [`merkle_root`] computes, the leaves first and the root
/// alone last (one empty level for no leaves): what a proof walked from the root down
/// opens.
pub fn merkle_levels(leaves: &[B256]) -> Vec<Vec<B256>> {
    let mut levels = vec![leaves.to_vec()];
    while let Some(l) = levels.last().filter(|l| l.len() > 1) {
        let up = l.chunks(2).map(|c| hash_pair(&c[0], c.get(1).unwrap_or(&B256::ZERO))).collect();
        levels.push(up);
    }
    levels
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
        h = if index.is_multiple_of(2) { hash_pair(&h, s) } else { hash_pair(s, &h) };
        index /= 2;
    }
    h == root
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunked::CHUNK;
    use proptest::prelude::*;

    fn sample() -> Batch {
        Batch {
            first_block: 1,
            blocks: vec![
                BatchBlock { timestamp: 100, deposit_cursor: 0, l1_origin: 1, txs: vec![Bytes::from_static(&[0x02, 0xaa, 0xbb])] },
                BatchBlock { timestamp: 101, deposit_cursor: 2, l1_origin: 1, txs: vec![] },
                BatchBlock { timestamp: 101, deposit_cursor: 2, l1_origin: 1, txs: vec![Bytes::from(vec![0xf8; 112]), Bytes::from_static(&[0x01])] },
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
        assert_eq!(enc.len(), 13 + BLOCK_HEADER_BYTES * 3 + (3 + 3) + (3 + 112) + (3 + 1));
        assert_eq!(Batch::decode(&enc).unwrap(), b);
        assert_eq!(b.item_count(), 6);
    }

    /// A transaction leaf hashes `0x02 ‖ len:u32 ‖ chunked(tx)`, 37 bytes: keccak256 of the
    /// bytes up to one chunk, the chunk chain past it (so one byte over the boundary
    /// changes the leaf's preimage, not only its length).
    #[test]
    fn tx_leaf_commits_length_and_chunked_hash() {
        let by_hand = |tx: &[u8], inner: B256| {
            let mut pre = vec![0x02];
            pre.extend_from_slice(&(tx.len() as u32).to_be_bytes());
            pre.extend_from_slice(inner.as_slice());
            keccak256(pre)
        };
        for len in [1, 112, CHUNK - 1, CHUNK] {
            let tx = vec![0xab; len];
            assert_eq!(tx_leaf(&tx), by_hand(&tx, keccak256(&tx)), "len {len}: plain keccak256 inside");
        }
        for len in [CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1] {
            let tx: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(tx_leaf(&tx), by_hand(&tx, crate::chunked::hash(&tx)), "len {len}");
            assert_ne!(tx_leaf(&tx), by_hand(&tx, keccak256(&tx)), "len {len}: not plain keccak256");
        }
        assert_eq!(tx_leaf_of(3, keccak256([1, 2, 3])), tx_leaf(&[1, 2, 3]));
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

    /// Well-formed batches of up to five blocks of up to three transactions.
    fn batches() -> impl Strategy<Value = Batch> {
        (
            1u64..1_000_000,
            proptest::collection::vec(
                (any::<u64>(), any::<u64>(), any::<u64>(), proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..64), 0..4)),
                1..6,
            ),
        )
            .prop_map(|(first, blocks)| Batch {
                first_block: first,
                blocks: blocks
                    .into_iter()
                    .map(|(t, c, o, txs)| BatchBlock { timestamp: t, deposit_cursor: c, l1_origin: o, txs: txs.into_iter().map(Bytes::from).collect() })
                    .collect(),
            })
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
        fn encode_decode_round_trip(b in batches()) {
            let enc = b.encode().unwrap();
            prop_assert_eq!(Batch::decode(&enc).unwrap(), b);
        }
    }

    #[test]
    fn blob_batch_round_trip_and_layout() {
        let b = sample();
        let BlobBatch { header, payload } = b.encode_blob().unwrap();
        assert_eq!(header.len(), BLOB_HEADER_PREFIX + BLOCK_HEADER_BYTES * 3);
        assert_eq!(header[0], BLOB_BATCH_VERSION);
        assert_eq!(&header[13..17], &(payload.len() as u32).to_be_bytes());
        // Offset table: ends 3, 115, 116; then the bytes.
        assert_eq!(&payload[..9], &[0, 0, 3, 0, 0, 115, 0, 0, 116]);
        assert_eq!(payload.len(), 9 + 116);
        assert_eq!(Batch::decode_blob(&header, &payload).unwrap(), b);
        // Bytes past the stated length (blob padding) are ignored.
        let mut padded = payload.clone();
        padded.extend_from_slice(&[7; 40]);
        assert_eq!(Batch::decode_blob(&header, &padded).unwrap(), b);
        assert_eq!(b.blob_leaves().len(), 3);
        assert_eq!(b.blob_leaves()[2], blob_block_leaf(3, 101, 2, 1, 2, 1));
    }

    #[test]
    fn blob_entries_are_void_when_their_range_is_empty_backwards_or_out_of_the_data() {
        let b = sample();
        let BlobBatch { header, mut payload } = b.encode_blob().unwrap();
        let set = |p: &mut Vec<u8>, k: usize, end: u32| p[3 * k..3 * k + 3].copy_from_slice(&end.to_be_bytes()[1..]);
        // Entry 1 ends before entry 0 (backwards): void; entry 2 then starts at that end.
        set(&mut payload, 1, 2);
        let d = Batch::decode_blob(&header, &payload).unwrap();
        assert_eq!(d.blocks[0].txs[0], b.blocks[0].txs[0]);
        assert!(d.blocks[2].txs[0].is_empty());
        assert_eq!(d.blocks[2].txs[1].len(), 114, "entry 2 spans [2, 116)");
        // Empty range (end == start) and past the data.
        set(&mut payload, 1, 3);
        set(&mut payload, 2, 117);
        let d = Batch::decode_blob(&header, &payload).unwrap();
        assert!(d.blocks[2].txs[0].is_empty() && d.blocks[2].txs[1].is_empty());
        assert_eq!(d.tx_count(), 3, "void entries still count");
    }

    #[test]
    fn blob_header_errors_match_the_inbox() {
        let BlobBatch { header, payload } = sample().encode_blob().unwrap();
        for cut in 0..header.len() {
            assert!(Batch::decode_blob(&header[..cut], &payload).is_err(), "prefix of {cut} bytes decoded");
        }
        let mut longer = header.clone();
        longer.push(0);
        assert_eq!(Batch::decode_blob(&longer, &payload), Err(BatchError::TrailingBytes(header.len())));
        assert_eq!(Batch::decode_blob(&header[..20], &payload), Err(BatchError::Truncated(20)));
        let mut v0 = header.clone();
        v0[0] = 0;
        assert_eq!(Batch::decode_blob(&v0, &payload), Err(BatchError::UnsupportedVersion(0)));
        let mut short = header.clone();
        short[13..17].copy_from_slice(&8u32.to_be_bytes());
        assert_eq!(Batch::decode_blob(&short, &payload), Err(BatchError::PayloadTooShort { length: 8, txs: 3 }));
        assert_eq!(Batch::decode_blob(&header, &payload[..10]), Err(BatchError::Truncated(10)));
    }

    proptest! {
        #[test]
        fn decode_blob_never_panics(header in proptest::collection::vec(any::<u8>(), 0..128), payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Batch::decode_blob(&header, &payload);
        }

        #[test]
        fn decode_blob_is_total_on_any_payload(
            blocks in proptest::collection::vec(0u16..6, 1..5),
            payload in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            // A well-formed header over garbage: decodes whenever the table fits, every
            // entry void or inside the data.
            let txs: usize = blocks.iter().map(|n| *n as usize).sum();
            let mut header = vec![BLOB_BATCH_VERSION];
            header.extend_from_slice(&1u64.to_be_bytes());
            header.extend_from_slice(&(blocks.len() as u32).to_be_bytes());
            header.extend_from_slice(&(payload.len() as u32).to_be_bytes());
            for n in &blocks {
                header.extend_from_slice(&[0; 24]);
                header.extend_from_slice(&n.to_be_bytes());
            }
            match Batch::decode_blob(&header, &payload) {
                Ok(b) => {
                    prop_assert!(payload.len() >= 3 * txs);
                    prop_assert_eq!(b.tx_count(), txs);
                    let data = payload.len() - 3 * txs;
                    for tx in b.blocks.iter().flat_map(|b| &b.txs) {
                        prop_assert!(tx.len() <= data);
                    }
                }
                Err(e) => prop_assert_eq!(e, BatchError::PayloadTooShort { length: payload.len(), txs }),
            }
        }

        #[test]
        fn blob_encode_decode_round_trip(b in batches()) {
            let bb = b.encode_blob().unwrap();
            prop_assert_eq!(Batch::decode_blob(&bb.header, &bb.payload).unwrap(), b);
        }
    }

    /// A blob batch for the Foundry tests of the inbox and of `BatchReader`: some
    /// transactions straddle field elements, and three entries are made void.
    fn blob_vector_batch() -> (Batch, BlobBatch) {
        let b = Batch {
            first_block: 1,
            blocks: vec![
                BatchBlock { timestamp: 100, deposit_cursor: 0, l1_origin: 1, txs: vec![Bytes::from(vec![0x11; 112]), Bytes::from(vec![0x22; 5])] },
                BatchBlock { timestamp: 101, deposit_cursor: 1, l1_origin: 1, txs: vec![] },
                BatchBlock {
                    timestamp: 103,
                    deposit_cursor: 2,
                    l1_origin: 1,
                    txs: (0..7).map(|j| Bytes::from((0..(30 + 31 * j)).map(|i| (i * 13 + j) as u8 | 1).collect::<Vec<u8>>())).collect(),
                },
            ],
        };
        let mut bb = b.encode_blob().unwrap();
        let set = |p: &mut Vec<u8>, k: usize, end: u32| p[3 * k..3 * k + 3].copy_from_slice(&end.to_be_bytes()[1..]);
        let data_len = (bb.payload.len() - 3 * b.tx_count()) as u32;
        let end4 = u32::from_be_bytes([0, bb.payload[12], bb.payload[13], bb.payload[14]]);
        set(&mut bb.payload, 3, end4); // entry 3 ends where entry 4 ends: entry 4 is then empty (void)
        set(&mut bb.payload, 6, data_len + 1); // past the data (void)
        set(&mut bb.payload, 7, 1); // backwards (void); entry 8 then starts at 1
        (b, bb)
    }

    /// Writes/compares docs/vectors/blob_batches.json (`FAULTLINE_WRITE_VECTORS=1`
    /// rewrites): the blob batch's header, payload commitment, block proofs, and for every
    /// transaction what derivation reads and the KZG openings of the field elements a
    /// one-step proof needs (docs/batches.md, "Opening a transaction on L1").
    #[test]
    fn committed_blob_vectors_match() {
        use crate::blob;
        let (_, bb) = blob_vector_batch();
        let decoded = Batch::decode_blob(&bb.header, &bb.payload).unwrap();
        let blobs = blob::encode(&bb.payload);
        let hashes: Vec<B256> = blobs.iter().map(|b| blob::versioned_hash(b).unwrap()).collect();
        let commitments: Vec<Bytes> = blobs.iter().map(|b| Bytes::from(blob::commitment(b).unwrap().to_vec())).collect();
        let open = |from: usize, len: usize| -> (Vec<B256>, Vec<Bytes>) {
            if len == 0 {
                return (vec![], vec![]);
            }
            let (first, last) = (from / 31, (from + len - 1) / 31);
            (first..=last)
                .map(|g| {
                    let (_, y, proof) = blob::open_element(&blobs[g / 4096], g % 4096).unwrap();
                    (y, Bytes::from(proof.to_vec()))
                })
                .unzip()
        };
        let leaves = decoded.blob_leaves();
        let mut first_tx = 0usize;
        let blocks: Vec<serde_json::Value> = decoded
            .blocks
            .iter()
            .enumerate()
            .map(|(i, blk)| {
                let v = serde_json::json!({
                    "number": decoded.first_block + i as u64,
                    "timestamp": blk.timestamp,
                    "cursor": blk.deposit_cursor,
                    "l1Origin": blk.l1_origin,
                    "txCount": blk.txs.len(),
                    "firstTx": first_tx,
                    "proof": merkle_proof(leaves.clone(), i),
                });
                first_tx += blk.txs.len();
                v
            })
            .collect();
        let t = decoded.tx_count();
        let txs: Vec<serde_json::Value> = decoded
            .blocks
            .iter()
            .flat_map(|b| &b.txs)
            .enumerate()
            .map(|(k, tx)| {
                let from = if k == 0 { 0 } else { 3 * (k - 1) };
                let (entry_ys, entry_proofs) = open(from, 3 * k + 3 - from);
                let start = if k == 0 { 0 } else { u32::from_be_bytes([0, bb.payload[from], bb.payload[from + 1], bb.payload[from + 2]]) as usize };
                let (data_ys, data_proofs) = if tx.is_empty() { (vec![], vec![]) } else { open(3 * t + start, tx.len()) };
                serde_json::json!({
                    "valid": !tx.is_empty(),
                    "bytes": tx,
                    "entryYs": entry_ys, "entryProofs": entry_proofs,
                    "dataYs": data_ys, "dataProofs": data_proofs,
                })
            })
            .collect();
        let v = serde_json::json!({
            "header": Bytes::from(bb.header.clone()),
            "length": bb.payload.len(),
            "txCount": t,
            "root": decoded.blob_root(),
            "versionedHashes": hashes,
            "commitments": commitments,
            "blocks": blocks,
            "txs": txs,
        });
        let mut text = serde_json::to_string_pretty(&v).unwrap();
        text.push('\n');
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/vectors/blob_batches.json");
        if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(committed, text, "docs/vectors/blob_batches.json is stale: rerun with FAULTLINE_WRITE_VECTORS=1");
    }

    /// Writes/compares docs/vectors/batches.json, which the Foundry test of the inbox
    /// submits and checks root and item count against (`FAULTLINE_WRITE_VECTORS=1` rewrites).
    #[test]
    fn committed_vectors_match() {
        let cases = [
            sample(),
            Batch { first_block: 1, blocks: vec![BatchBlock { timestamp: 5, deposit_cursor: 0, l1_origin: 1, txs: vec![] }] },
            Batch {
                first_block: 1,
                blocks: (0..5)
                    .map(|i| BatchBlock {
                        timestamp: 10 + i,
                        deposit_cursor: 0,
                        l1_origin: 1,
                        txs: (0..(i as usize * 3)).map(|j| Bytes::from(vec![j as u8 + 1; 20 + j])).collect(),
                    })
                    .collect(),
            },
            // Transactions at the chunk boundaries: their leaves take the chunked hash.
            Batch {
                first_block: 1,
                blocks: vec![BatchBlock {
                    timestamp: 20,
                    deposit_cursor: 2,
                    l1_origin: 1,
                    txs: [CHUNK, CHUNK + 1, 2 * CHUNK].iter().map(|&n| Bytes::from((0..n).map(|i| (i * 7 + n) as u8).collect::<Vec<u8>>())).collect(),
                }],
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
