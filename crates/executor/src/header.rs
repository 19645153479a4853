//! The Ethereum header of an L2 block, whose `stateRoot` is the SMT root.

use crate::{BlockInputs, IncludedTx};
use alloy_consensus::{
    proofs::{calculate_receipt_root, calculate_transaction_root},
    Header, TxReceipt, EMPTY_OMMER_ROOT_HASH,
};
use alloy_primitives::{Bloom, Bytes, B256};
use alloy_consensus::constants::EMPTY_WITHDRAWALS;

/// The header of a block with these inputs, transactions and post-state root. Cancun
/// fields are present (no blobs, no withdrawals, zero beacon root) so that standard
/// clients decode it as a Cancun block.
pub fn assemble_header(inputs: &BlockInputs, included: &[IncludedTx], gas_used: u64, state_root: B256) -> Header {
    let txs: Vec<_> = included.iter().map(|i| i.tx.clone()).collect();
    let receipts: Vec<_> = included.iter().map(|i| i.receipt.clone()).collect();
    let mut logs_bloom = Bloom::ZERO;
    for r in &receipts {
        logs_bloom.accrue_bloom(&r.bloom());
    }
    Header {
        parent_hash: inputs.parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: inputs.beneficiary,
        state_root,
        transactions_root: calculate_transaction_root(&txs),
        receipts_root: calculate_receipt_root(&receipts),
        logs_bloom,
        difficulty: Default::default(),
        number: inputs.number,
        gas_limit: inputs.gas_limit,
        gas_used,
        timestamp: inputs.timestamp,
        extra_data: Bytes::copy_from_slice(&inputs.deposit_cursor.to_be_bytes()),
        mix_hash: inputs.parent_hash,
        nonce: Default::default(),
        base_fee_per_gas: Some(inputs.base_fee),
        withdrawals_root: Some(EMPTY_WITHDRAWALS),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: None,
        ..Default::default()
    }
}
