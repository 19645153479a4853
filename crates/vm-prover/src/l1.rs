//! A block's inputs as L1 holds them (docs/fault-vm-inputs.md): the portal's deposits
//! with their accumulator, and the calldata or blob batch that carries the block's entries,
//! made into the [`L1Inputs`] a block's machine starts from. The machine opens every
//! input from these by its input steps; nothing here is trusted by a witness.

use alloy_primitives::{keccak256, Bytes, B256};
use faultline_vm_core::inputs::{item_levels, tx_leaf_preimage, BatchSource, DepositFields, DepositSource, L1Data, L1Inputs};
use std::rc::Rc;

/// The fields of a portal deposit as its hash encodes them.
pub fn deposit_fields(d: &faultline_primitives::Deposit) -> DepositFields {
    DepositFields { index: d.index, from: d.from, to: d.to, mint: d.mint, value: d.value, gas_limit: d.gas_limit, l1_block: d.l1_block, data: d.data.clone() }
}

/// `acc[i] = keccak256(acc[i − 1] ‖ h_i)` (docs/bridge.md, "Accumulator").
pub fn accumulate(previous: B256, deposit_hash: B256) -> B256 {
    keccak256([previous.as_slice(), deposit_hash.as_slice()].concat())
}

/// A calldata batch's block leaf: `keccak256(0x01 ‖ number ‖ timestamp ‖ depositCursor ‖
/// l1Origin ‖ txCount:u16)` (docs/batches.md, "Commitment").
pub fn block_leaf(number: u64, timestamp: u64, deposit_cursor: u64, l1_origin: u64, tx_count: u16) -> B256 {
    let mut pre = Vec::with_capacity(35);
    pre.push(0x01);
    for v in [number, timestamp, deposit_cursor, l1_origin] {
        pre.extend_from_slice(&v.to_be_bytes());
    }
    pre.extend_from_slice(&tx_count.to_be_bytes());
    keccak256(pre)
}

/// A calldata batch's transaction leaf.
pub fn tx_leaf(tx: &[u8]) -> B256 {
    keccak256(tx_leaf_preimage(tx))
}

/// One block's inputs on L1.
#[derive(Debug, Clone, Default)]
pub struct L1Block {
    /// The block's deposits, `[from, from + len)`.
    pub deposits: Vec<DepositFields>,
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
        Self { payload: table, tx_total: entries.len() as u64, first_tx }
    }
}

impl L1Block {
    /// `acc[from − 1]` then the accumulator after each of the block's deposits.
    pub fn accumulators(&self) -> Vec<B256> {
        let mut accs = vec![self.acc_from];
        for d in &self.deposits {
            let last = *accs.last().unwrap_or(&B256::ZERO);
            accs.push(accumulate(last, d.hash()));
        }
        accs
    }

    /// The machine's inputs at the block's start (fails only if a blob cannot be
    /// committed to).
    pub fn inputs(&self) -> Result<L1Inputs, faultline_primitives::blob::BlobError> {
        let accumulators = self.accumulators();
        let end = self.from + self.deposits.len() as u64;
        let levels = item_levels(&self.batch_leaves);
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
            data = data.with_blobs(faultline_primitives::blob::encode(&b.payload))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256};

    #[test]
    fn the_machine_hashes_deposits_and_leaves_as_l1_does() {
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
            assert_eq!(deposit_fields(&d).hash(), d.hash(), "deposit hash, {len} bytes of data");
            if len > 0 {
                assert_eq!(tx_leaf(&data), faultline_primitives::batch::tx_leaf(&data), "tx leaf, {len} bytes");
            }
        }
    }
}
