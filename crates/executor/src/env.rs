//! Translating blocks and transactions into revm's environment.

use alloy_consensus::{Transaction, TxEnvelope, Typed2718};
use alloy_primitives::{Address, B256, U256};
use revm::context::{BlockEnv, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;

/// The inputs that fix a block's environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInputs {
    /// Block number.
    pub number: u64,
    /// Timestamp (seconds).
    pub timestamp: u64,
    /// Parent block hash (also the block's `prevrandao`: an L2 has no beacon randomness).
    pub parent_hash: B256,
    /// EIP-1559 base fee.
    pub base_fee: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Fee recipient (`COINBASE`).
    pub beneficiary: Address,
    /// Portal deposits included up to and including this block (the header's
    /// `extraData`, 8 bytes big-endian; `docs/bridge.md`).
    pub deposit_cursor: u64,
    /// The L1 values the block prices its transactions' L1 fees with (the rest of
    /// `extraData`; `docs/chain.md`, "L1 fee"). Zero: no L1 fee.
    pub l1_fee: faultline_primitives::l1fee::L1FeeInputs,
}

impl BlockInputs {
    /// revm's block environment.
    pub fn block_env(&self) -> BlockEnv {
        BlockEnv {
            number: U256::from(self.number),
            beneficiary: self.beneficiary,
            timestamp: U256::from(self.timestamp),
            gas_limit: self.gas_limit,
            basefee: self.base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(self.parent_hash),
            blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new_with_spec(0, crate::SPEC)),
            ..Default::default()
        }
    }
}

/// revm's transaction environment for a signed transaction, or `None` for a type the
/// L2 does not run (blob and EIP-7702 transactions: Cancun without blobs).
pub fn tx_env(sender: Address, tx: &TxEnvelope) -> Option<TxEnv> {
    let (gas_price, priority) = match tx {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) => (tx.max_fee_per_gas(), None),
        TxEnvelope::Eip1559(_) => (tx.max_fee_per_gas(), tx.max_priority_fee_per_gas()),
        _ => return None,
    };
    Some(TxEnv {
        tx_type: tx.ty(),
        caller: sender,
        gas_limit: tx.gas_limit(),
        gas_price,
        kind: tx.kind(),
        value: tx.value(),
        data: tx.input().clone(),
        nonce: tx.nonce(),
        chain_id: tx.chain_id(),
        access_list: tx.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: priority,
        ..Default::default()
    })
}
