//! What an L2 block header commits to beside the state root (docs/chain.md, "Header"):
//! its `transactionsRoot` and `receiptsRoot` are binary Merkle roots (the tree of
//! [`crate::batch::merkle_root`]) over the included signed transactions' hashes and over
//! receipt leaves, instead of Ethereum's Patricia tries, so that the fault proof extends
//! them by one leaf per transaction and closes them at the end of the block in bounded
//! steps. A receipt leaf commits to the transaction's logs through a hash chain of log
//! items. The logs bloom is Ethereum's.

use crate::batch::merkle_root;
use alloy_consensus::{constants::EMPTY_WITHDRAWALS, Header, EMPTY_OMMER_ROOT_HASH};
use alloy_primitives::{keccak256, Address, Bloom, Bytes, Log, B256};

/// A log's item in its transaction's chain: `address ‖ topicCount:u8 ‖ topics ‖
/// keccak256(data) ‖ dataLength:u64`.
pub fn log_item(address: &Address, topics: &[B256], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + 1 + 32 * topics.len() + 40);
    out.extend_from_slice(address.as_slice());
    out.push(topics.len() as u8);
    for t in topics {
        out.extend_from_slice(t.as_slice());
    }
    out.extend_from_slice(keccak256(data).as_slice());
    out.extend_from_slice(&(data.len() as u64).to_be_bytes());
    out
}

/// The chain over a transaction's logs: `head' = keccak256(head ‖ item)` from zero.
pub fn logs_head(logs: &[Log]) -> B256 {
    let mut head = B256::ZERO;
    for l in logs {
        let mut buf = head.to_vec();
        buf.extend_from_slice(&log_item(&l.address, l.topics(), &l.data.data));
        head = keccak256(buf);
    }
    head
}

/// Bytes a receipt leaf hashes.
pub const RECEIPT_LEAF_PREIMAGE: usize = 50;

/// A receipt leaf: `keccak256(txType:u8 ‖ status:u8 ‖ cumulativeGasUsed:u64 ‖ logsHead ‖
/// logCount:u64)`.
pub fn receipt_leaf(tx_type: u8, success: bool, cumulative_gas: u64, logs_head: B256, log_count: u64) -> B256 {
    let mut buf = [0u8; RECEIPT_LEAF_PREIMAGE];
    buf[0] = tx_type;
    buf[1] = success as u8;
    buf[2..10].copy_from_slice(&cumulative_gas.to_be_bytes());
    buf[10..42].copy_from_slice(logs_head.as_slice());
    buf[42..].copy_from_slice(&log_count.to_be_bytes());
    keccak256(buf)
}

/// The transactions root over these transaction hashes.
pub fn transactions_root(hashes: Vec<B256>) -> B256 {
    merkle_root(hashes)
}

/// The receipts root over these receipt leaves.
pub fn receipts_root(leaves: Vec<B256>) -> B256 {
    merkle_root(leaves)
}

/// The fields of an L2 header that vary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderFields {
    /// Parent block hash (also the block's PREVRANDAO).
    pub parent_hash: B256,
    /// Fee recipient.
    pub beneficiary: Address,
    /// The SMT state root.
    pub state_root: B256,
    /// [`transactions_root`].
    pub transactions_root: B256,
    /// [`receipts_root`].
    pub receipts_root: B256,
    /// Ethereum's logs bloom.
    pub logs_bloom: Bloom,
    /// Number.
    pub number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used by the signed transactions (deposits do not count).
    pub gas_used: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Portal deposits included up to and including this block (extraData).
    pub deposit_cursor: u64,
    /// The L1 values the block prices its L1 fees with (extraData, after the cursor).
    pub l1_fee: crate::l1fee::L1FeeInputs,
    /// Base fee.
    pub base_fee: u64,
}

/// The L2 header: an Ethereum Cancun header (no blobs, no withdrawals, zero beacon root)
/// so that standard clients decode it.
pub fn l2_header(f: &HeaderFields) -> Header {
    Header {
        parent_hash: f.parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: f.beneficiary,
        state_root: f.state_root,
        transactions_root: f.transactions_root,
        receipts_root: f.receipts_root,
        logs_bloom: f.logs_bloom,
        difficulty: Default::default(),
        number: f.number,
        gas_limit: f.gas_limit,
        gas_used: f.gas_used,
        timestamp: f.timestamp,
        extra_data: Bytes::copy_from_slice(&crate::l1fee::encode_extra_data(f.deposit_cursor, &f.l1_fee)),
        mix_hash: f.parent_hash,
        nonce: Default::default(),
        base_fee_per_gas: Some(f.base_fee),
        withdrawals_root: Some(EMPTY_WITHDRAWALS),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: None,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::LogData;

    #[test]
    fn receipt_leaves_commit_to_every_log_byte() {
        let log = |d: &[u8]| Log { address: Address::repeat_byte(1), data: LogData::new_unchecked(vec![B256::repeat_byte(2)], Bytes::copy_from_slice(d)) };
        let a = logs_head(&[log(b"x"), log(b"y")]);
        assert_ne!(a, logs_head(&[log(b"x"), log(b"z")]));
        assert_ne!(a, logs_head(&[log(b"y"), log(b"x")]));
        assert_eq!(logs_head(&[]), B256::ZERO);
        assert_ne!(receipt_leaf(2, true, 21_000, a, 2), receipt_leaf(2, false, 21_000, a, 2));
        assert_eq!(transactions_root(vec![]), B256::ZERO);
    }
}
