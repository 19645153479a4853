//! A block's inputs as L1 holds them (docs/fault-vm-inputs.md): the portal's deposits
//! with their accumulator, and the calldata or blob batch that carries the block's entries,
//! made into the [`L1Inputs`] a block's machine starts from. The machine opens every
//! input from these by its input steps; nothing here is trusted by a witness.

use alloy_primitives::{keccak256, Bytes, B256};
use faultline_primitives::Deposit;
use faultline_vm_core::inputs::{BatchSource, DepositSource, L1Data, L1Inputs};
use std::rc::Rc;

/// One block's inputs on L1.
#[derive(Debug, Clone, Default)]
pub struct L1Block {
    /// The block's deposits, `[from, from + len)`.
    pub deposits: Vec<Deposit>,
    /// The index of its first deposit (the parent's cursor).
    pub from: u64,
    /// `acc[from − 1]` (zero for `from = 0`).
    pub acc_from: B256,
    /// The block's batch entries, in order (any bytes: derivation skips what does not
    /// decode).
    pub entries: Vec<Bytes>,
    /// Every leaf of the batch that carries the block.
    pub batch_leaves: Vec<B256>,
    /// The item index of the block's leaf in it.
    pub first: u64,
    /// For a blob batch (version 1): its payload and where the block's entries are in
    /// it (`batch_leaves` are then the blob batch's block leaves, `entries` unused).
    pub blob: Option<BlobPayload>,
}

/// A blob batch's payload (docs/batches.md, "Blob batches") and the block's place in it.
#[derive(Debug, Clone, Default)]
pub struct BlobPayload {
    /// The payload: the end table, then the data.
    pub payload: Vec<u8>,
    /// The batch's transaction count (the table's length).
    pub tx_total: u64,
    /// The batch-wide index of the block's first entry.
    pub first_tx: u64,
    /// The blobs as L1 carries them (`None`: the payload's canonical encoding, as the
    /// batcher makes it). A faulty sequencer's blobs may differ from that encoding in the
    /// bytes derivation ignores, and the versioned hashes bind those bytes too.
    pub blobs: Option<Vec<faultline_primitives::blob::Blob>>,
}

impl BlobPayload {
    /// The payload of a batch whose entries are `entries` (an empty entry is void), with
    /// the block's first at `first_tx`.
    pub fn of(entries: &[Bytes], first_tx: u64) -> Self {
        let mut table = Vec::with_capacity(3 * entries.len());
        let mut data = Vec::new();
        for e in entries {
            data.extend_from_slice(e);
            table.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
        }
        table.extend_from_slice(&data);
        Self { payload: table, tx_total: entries.len() as u64, first_tx, blobs: None }
    }
}

impl L1Block {
    /// `acc[from − 1]` then the accumulator after each of the block's deposits.
    pub fn accumulators(&self) -> Vec<B256> {
        let mut accs = vec![self.acc_from];
        for d in &self.deposits {
            let last = *accs.last().unwrap_or(&B256::ZERO);
            accs.push(d.accumulate(last));
        }
        accs
    }

    /// The machine's inputs at the block's start (fails only if a blob cannot be
    /// committed to).
    pub fn inputs(&self) -> Result<L1Inputs, faultline_primitives::blob::BlobError> {
        let accumulators = self.accumulators();
        let end = self.from + self.deposits.len() as u64;
        let levels = faultline_primitives::batch::merkle_levels(&self.batch_leaves);
        let root = levels.last().and_then(|l| l.first()).copied().unwrap_or_default();
        let mut batch = BatchSource {
            version: 0,
            root,
            item_count: self.batch_leaves.len() as u64,
            first: self.first,
            count: self.entries.len() as u64,
            ..Default::default()
        };
        let mut data =
            L1Data { deposits: self.deposits.clone(), accumulators: accumulators.clone(), entries: self.entries.clone(), levels, ..Default::default() };
        if let Some(b) = &self.blob {
            data = data.with_blobs(b.blobs.clone().unwrap_or_else(|| faultline_primitives::blob::encode(&b.payload)))?;
            let hashes: Vec<u8> = data.versioned_hashes.iter().flat_map(|h| h.0).collect();
            batch.version = 1;
            batch.blobs = keccak256(hashes);
            batch.length = b.payload.len() as u64;
            batch.tx_total = b.tx_total;
            batch.first_tx = b.first_tx;
        }
        Ok(L1Inputs {
            started: false,
            deposits: DepositSource::new(self.from, end, self.acc_from, *accumulators.last().unwrap_or(&B256::ZERO)),
            batch,
            chunk: None,
            entry: None,
            data: Some(Rc::new(data)),
            skipped: Vec::new(),
        })
    }
}

/// Why block `number` cannot be read from its batch.
#[derive(Debug, thiserror::Error)]
pub enum L1BlockError {
    /// The batch does not hold the block.
    #[error("batch of blocks {first}..{end} does not hold block {number}")]
    NotInBatch {
        /// The block.
        number: u64,
        /// The batch's first block.
        first: u64,
        /// One past its last.
        end: u64,
    },
    /// A deposit of the block's range was not supplied.
    #[error("deposit {0} was not supplied (read it from L1)")]
    MissingDeposit(u64),
    /// The blobs do not hold the payload's length.
    #[error("the blobs: {0}")]
    Blobs(#[from] faultline_primitives::blob::BlobError),
}

/// Block `number`'s leaf in `batch` (a blob batch's if `blobs`), as `BatchReader.verifyItem`
/// proves it: its item index (calldata: after every earlier block's leaf and entries;
/// blobs: the block's index) and fields.
pub fn batch_leaf(batch: &faultline_primitives::batch::Batch, blobs: bool, number: u64) -> Result<faultline_vm_core::initial::BlockLeaf, L1BlockError> {
    let end = batch.first_block + batch.blocks.len() as u64;
    let i = number.checked_sub(batch.first_block).filter(|_| number < end).ok_or(L1BlockError::NotInBatch { number, first: batch.first_block, end })? as usize;
    let b = &batch.blocks[i];
    let index = if blobs { i as u64 } else { batch.blocks[..i].iter().map(|x| 1 + x.txs.len() as u64).sum() };
    Ok(faultline_vm_core::initial::BlockLeaf {
        index,
        number,
        timestamp: b.timestamp,
        deposit_cursor: b.deposit_cursor,
        l1_origin: b.l1_origin,
        tx_count: b.txs.len() as u64,
        first_tx: batch.blocks[..i].iter().map(|x| x.txs.len() as u64).sum(),
    })
}

/// What L1 holds for block `number` of `batch` (decoded from L1: `blobs` and the
/// payload's `length` for a blob batch, `None` for a calldata batch), with its deposits
/// `[from, to)` from `deposits` (by index): the prover's [`L1Block`], and the record and
/// leaf the game reads (`initial::BatchRecord`, `initial::BlockLeaf`).
pub fn of_batch(
    batch: &faultline_primitives::batch::Batch,
    blobs: Option<(&[faultline_primitives::blob::Blob], u64)>,
    number: u64,
    deposits: &std::collections::BTreeMap<u64, faultline_primitives::Deposit>,
    (from, to): (u64, u64),
) -> Result<(L1Block, faultline_vm_core::initial::BatchRecord, faultline_vm_core::initial::BlockLeaf), L1BlockError> {
    use faultline_vm_core::initial::BatchRecord;
    let leaf = batch_leaf(batch, blobs.is_some(), number)?;
    let (i, first_tx) = ((number - batch.first_block) as usize, leaf.first_tx);
    let b = &batch.blocks[i];
    let mut fields = Vec::with_capacity((to - from) as usize);
    for index in from..to {
        fields.push(deposits.get(&index).ok_or(L1BlockError::MissingDeposit(index))?.clone());
    }
    let acc_from = if from == 0 {
        B256::ZERO
    } else {
        let mut acc = B256::ZERO;
        for index in 0..from {
            acc = deposits.get(&index).ok_or(L1BlockError::MissingDeposit(index))?.accumulate(acc);
        }
        acc
    };
    let (block, record, leaf) = match blobs {
        None => {
            let leaves = batch.leaves();
            let record = BatchRecord {
                root: batch.root(),
                first_block: batch.first_block,
                item_count: leaves.len() as u64,
                length: 0,
                tx_count: batch.tx_count() as u64,
                blobs: B256::ZERO,
            };
            let block = L1Block { deposits: fields, from, acc_from, entries: b.txs.clone(), batch_leaves: leaves, first: leaf.index, blob: None };
            (block, record, leaf)
        }
        Some((blobs, length)) => {
            let payload = faultline_primitives::blob::decode(blobs, length as usize)?;
            let hashes: Vec<u8> =
                blobs.iter().map(faultline_primitives::blob::versioned_hash).collect::<Result<Vec<_>, _>>()?.iter().flat_map(|h| h.0).collect();
            let leaves = batch.blob_leaves();
            let record = BatchRecord {
                root: batch.blob_root(),
                first_block: batch.first_block,
                item_count: leaves.len() as u64,
                length,
                tx_count: batch.tx_count() as u64,
                blobs: keccak256(hashes),
            };
            let blob = BlobPayload { payload, tx_total: batch.tx_count() as u64, first_tx, blobs: Some(blobs.to_vec()) };
            let block = L1Block { deposits: fields, from, acc_from, entries: b.txs.clone(), batch_leaves: leaves, first: leaf.index, blob: Some(blob) };
            (block, record, leaf)
        }
    };
    Ok((block, record, leaf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256};

    #[test]
    fn the_machine_reads_deposits_and_leaves_as_l1_commits_them() {
        for len in [0usize, 1, 4_351, 4_352, 4_353, 10_000] {
            let data: Bytes = (0..len).map(|i| (i * 7 + 3) as u8).collect::<Vec<u8>>().into();
            let d = faultline_primitives::Deposit {
                index: 9,
                from: Address::repeat_byte(1),
                to: Address::repeat_byte(2),
                mint: U256::from(3),
                value: U256::from(4),
                gas_limit: 5,
                l1_block: 6,
                l1_timestamp: 7,
                data: data.clone(),
            };
            let (back, n, chunked) = faultline_vm_core::inputs::parse_deposit(&d.hash_preimage()).expect("nine words");
            assert_eq!(
                (back.index, back.from, back.to, back.mint, back.value, back.gas_limit, back.l1_block),
                (d.index, d.from, d.to, d.mint, d.value, d.gas_limit, d.l1_block)
            );
            assert_eq!((n, chunked), (len as u64, faultline_primitives::chunked::hash(&data)), "deposit preimage, {len} bytes of data");
            if len > 0 {
                let leaf = faultline_primitives::batch::tx_leaf_preimage(&data);
                assert_eq!((leaf[0], u32::from_be_bytes([leaf[1], leaf[2], leaf[3], leaf[4]])), (0x02, len as u32), "tx leaf, {len} bytes");
                assert_eq!(&leaf[5..], faultline_primitives::chunked::hash(&data).as_slice());
            }
        }
    }
}
