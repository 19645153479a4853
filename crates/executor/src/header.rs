//! The Ethereum header of an L2 block: its `stateRoot` is the SMT root, and its
//! transactions and receipts roots are the binary Merkle roots of
//! `faultline_primitives::commitments` (docs/chain.md, "Header").

use crate::{BlockInputs, IncludedTx};
use alloy_consensus::{Header, TxReceipt};
use alloy_primitives::{Bloom, B256};
use faultline_primitives::commitments::{self, HeaderFields};

/// The header of a block with these inputs, transactions and post-state root.
pub fn assemble_header(inputs: &BlockInputs, included: &[IncludedTx], gas_used: u64, state_root: B256) -> Header {
    let mut logs_bloom = Bloom::ZERO;
    let mut leaves = Vec::with_capacity(included.len());
    for i in included {
        let r = &i.receipt;
        logs_bloom.accrue_bloom(&r.bloom());
        let logs = r.logs();
        leaves.push(commitments::receipt_leaf(r.tx_type() as u8, r.status(), r.cumulative_gas_used(), commitments::logs_head(logs), logs.len() as u64));
    }
    commitments::l2_header(&HeaderFields {
        parent_hash: inputs.parent_hash,
        beneficiary: inputs.beneficiary,
        state_root,
        transactions_root: commitments::transactions_root(included.iter().map(|i| *i.tx.tx_hash()).collect()),
        receipts_root: commitments::receipts_root(leaves),
        logs_bloom,
        number: inputs.number,
        gas_limit: inputs.gas_limit,
        gas_used,
        timestamp: inputs.timestamp,
        deposit_cursor: inputs.deposit_cursor,
        l1_fee: inputs.l1_fee,
        base_fee: inputs.base_fee,
    })
}
