//! What an L2 block of the faultline node is to the step machine: its header becomes the
//! [`BlockCtx`] the node's executor runs under (`crates/executor/src/env.rs`), a signed
//! transaction with its recovered sender or a portal deposit becomes a [`TxCtx`] input,
//! and the genesis allocation becomes the first world. A block runs its deposits first,
//! in index order, then its signed transactions, as the executor does, and ends with the
//! header's hash and the output root.

use alloy_consensus::{Header, Transaction, TxEnvelope, Typed2718};
use alloy_primitives::{Address, Bytes, B256, U256};
use faultline_primitives::GenesisAccount;
use faultline_vm_core::{
    encode::hash_of,
    machine::{AccessItem, BlockCtx, BlockHashes, Slice, Tree, TxCtx},
    world::Account,
};
use std::collections::BTreeMap;

/// The context of block `header` on chain `chain_id`. BLOCKHASH reads the EIP-2935
/// history in L2 state, which the block's first step extends with the parent's hash.
pub fn block_ctx(header: &Header, chain_id: u64, l1_scalars: faultline_primitives::l1fee::L1FeeScalars) -> BlockCtx {
    BlockCtx {
        number: header.number,
        timestamp: header.timestamp,
        gas_limit: header.gas_limit,
        basefee: header.base_fee_per_gas.unwrap_or(0),
        coinbase: header.beneficiary,
        // An L2 has no beacon randomness: the executor uses the parent hash.
        prevrandao: header.parent_hash,
        chain_id,
        // No blobs on the L2: excess blob gas 0, price 1.
        blob_basefee: 1,
        parent_hash: header.parent_hash,
        deposit_cursor: faultline_primitives::deposit_cursor(&header.extra_data),
        l1_fee: faultline_primitives::l1fee::l1_fee_inputs(&header.extra_data),
        l1_scalars,
        block_hashes: BlockHashes::State,
    }
}

/// A transaction context from its parts (data and access list become trees).
#[allow(clippy::too_many_arguments)]
pub fn tx_ctx_of(
    tx_type: u8,
    hash: B256,
    sender: Address,
    to: Option<Address>,
    value: U256,
    data: Bytes,
    gas_limit: u64,
    max_fee: u128,
    max_priority_fee: Option<u128>,
    nonce: u64,
    chain_id: Option<u64>,
    access_list: &[(Address, Vec<B256>)],
    mint: Option<U256>,
) -> TxCtx {
    let mut items = Vec::new();
    for (a, keys) in access_list {
        items.push(AccessItem { address: *a, slot: None });
        items.extend(keys.iter().map(|k| AccessItem { address: *a, slot: Some(*k) }));
    }
    let words: Vec<B256> = items.iter().map(hash_of).collect();
    TxCtx {
        tx_type,
        hash,
        sender,
        to,
        value,
        data_zeros: data.iter().filter(|b| **b == 0).count() as u64,
        data: Slice::of_bytes(&data),
        gas_limit,
        max_fee,
        max_priority_fee,
        nonce,
        chain_id,
        access: Tree::from_words(&words),
        access_len: items.len() as u64,
        access_addresses: access_list.len() as u64,
        access_items: Some(items),
        mint,
        size: 0,
    }
}

/// The machine's view of a signed transaction, or `None` for a type the L2 does not run
/// (blob and EIP-7702 transactions).
pub fn tx_ctx(sender: Address, tx: &TxEnvelope) -> Option<TxCtx> {
    let max_priority_fee = match tx {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) => None,
        TxEnvelope::Eip1559(_) => tx.max_priority_fee_per_gas(),
        _ => return None,
    };
    let access: Vec<(Address, Vec<B256>)> = tx.access_list().map(|l| l.iter().map(|i| (i.address, i.storage_keys.clone())).collect()).unwrap_or_default();
    let mut ctx = tx_ctx_of(
        tx.ty(),
        *tx.tx_hash(),
        sender,
        tx.kind().to().copied(),
        tx.value(),
        tx.input().clone(),
        tx.gas_limit(),
        tx.max_fee_per_gas(),
        max_priority_fee,
        tx.nonce(),
        tx.chain_id(),
        &access,
        None,
    );
    ctx.size = alloy_eips::eip2718::Encodable2718::encode_2718_len(tx) as u64;
    Some(ctx)
}

/// The machine's view of a portal deposit (`docs/bridge.md`): `mint` credited to `from`,
/// then the call `from → to` at gas price 0 with the nonce `from` has when it runs.
pub fn deposit_tx_ctx(d: &faultline_primitives::Deposit) -> TxCtx {
    tx_ctx_of(0, B256::ZERO, d.from, Some(d.to), d.value, d.data.clone(), d.gas_limit, 0, None, 0, None, &[], Some(d.mint))
}

/// The world of a genesis allocation.
pub fn genesis_world(alloc: &BTreeMap<Address, GenesisAccount>) -> BTreeMap<Address, Account> {
    alloc.iter().map(|(a, g)| (*a, Account::new(g.nonce, g.balance, g.code.clone(), g.storage.iter().map(|(k, v)| ((*k).into(), (*v).into()))))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_vm_core::world::{MemWorld, WorldBase};

    #[test]
    fn genesis_world_hashes_to_the_node_genesis_root() {
        let cfg = faultline_primitives::ChainConfig::devnet();
        let (header, _) = faultline_executor::genesis::genesis_output(&cfg).expect("genesis");
        assert_eq!(MemWorld::new(&genesis_world(&cfg.genesis_alloc())).root(), header.state_root);
    }
}

/// Why a block of a store could not be made into machine inputs.
#[derive(Debug, thiserror::Error)]
pub enum StoreBlockError {
    /// The store failed or lacks the block.
    #[error("store: {0}")]
    Store(String),
    /// The block includes a deposit the caller did not supply.
    #[error("block {number} includes deposit {index}, which was not supplied (read it from L1)")]
    MissingDeposit {
        /// Block.
        number: u64,
        /// Deposit index.
        index: u64,
    },
    /// A transaction type the machine does not run.
    #[error("block {0} holds a transaction type the L2 does not run")]
    UnsupportedType(u64),
}

/// Block `number` (≥ 1) of a node's store as the machine's inputs over the world after
/// its parent (the store's own history): deposits `[parent cursor, cursor)` taken from
/// `deposits` (read from L1: the store does not keep them), then the block's signed
/// transactions.
pub fn block_from_store(
    store: &std::sync::Arc<faultline_state::Store>,
    chain_id: u64,
    l1_scalars: faultline_primitives::l1fee::L1FeeScalars,
    number: u64,
    deposits: &BTreeMap<u64, faultline_primitives::Deposit>,
) -> Result<crate::block::Block, StoreBlockError> {
    let err = |e: faultline_state::StoreError| StoreBlockError::Store(e.to_string());
    let missing = |n: u64| StoreBlockError::Store(format!("block {n} is not in the store"));
    let (_, header) = store.header(number).map_err(err)?.ok_or_else(|| missing(number))?;
    let (_, parent) = store.header(number - 1).map_err(err)?.ok_or_else(|| missing(number - 1))?;
    let body = store.body(number).map_err(err)?.ok_or_else(|| missing(number))?;
    let ctx = block_ctx(&header, chain_id, l1_scalars);
    let (from, to) = (faultline_primitives::deposit_cursor(&parent.extra_data), faultline_primitives::deposit_cursor(&header.extra_data));
    let mut txs = Vec::new();
    for index in from..to {
        let d = deposits.get(&index).ok_or(StoreBlockError::MissingDeposit { number, index })?;
        txs.push(deposit_tx_ctx(d));
    }
    for (sender, tx) in &body.transactions {
        txs.push(tx_ctx(*sender, tx).ok_or(StoreBlockError::UnsupportedType(number))?);
    }
    let pre = crate::store::StoreWorld::new(store.clone(), number - 1).map_err(|e| StoreBlockError::Store(e.to_string()))?;
    Ok(crate::block::Block { ctx, txs, pre: std::rc::Rc::new(pre), l1: None })
}
