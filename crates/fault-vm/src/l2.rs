//! What an L2 block of the faultline node is to the step machine: its header becomes the
//! [`BlockCtx`] the node's executor runs under (`crates/executor/src/env.rs`), a signed
//! transaction with its recovered sender becomes a [`TxCtx`], the genesis allocation
//! becomes the first world, and a world hashes to the L2 state root (the SMT of
//! `docs/state.md`), which is what a block's last position is compared with.
//!
//! A block runs its portal deposits first, in index order ([`deposit_tx_ctx`]), then its
//! signed transactions, as the executor does (`crates/executor/src/lib.rs`).

use crate::machine::{Account, BlockCtx, TxCtx};
use alloy_consensus::{Header, Transaction, TxEnvelope, Typed2718};
use alloy_primitives::{Address, B256};
use faultline_primitives::GenesisAccount;
use faultline_state::smt;
use std::collections::BTreeMap;

/// The context of block `header` on chain `chain_id`. `recent` holds the hashes of the
/// blocks before it, oldest first (at most the last 256 are used; older or missing ones
/// read as zero, as the node's BLOCKHASH does for blocks it does not have).
pub fn block_ctx(header: &Header, chain_id: u64, recent: &[B256]) -> BlockCtx {
    let mut block_hashes = vec![B256::ZERO; 256];
    let take = recent.len().min(256);
    block_hashes[256 - take..].copy_from_slice(&recent[recent.len() - take..]);
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
        block_hashes,
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
    Some(TxCtx {
        tx_type: tx.ty(),
        sender,
        to: tx.kind().to().copied(),
        value: tx.value(),
        data: tx.input().clone(),
        gas_limit: tx.gas_limit(),
        max_fee: tx.max_fee_per_gas(),
        max_priority_fee,
        nonce: tx.nonce(),
        access_list: tx
            .access_list()
            .map(|l| l.iter().map(|i| (i.address, i.storage_keys.clone())).collect())
            .unwrap_or_default(),
        mint: None,
    })
}

/// The machine's view of a portal deposit (`docs/bridge.md`): `mint` credited to `from`,
/// then the call `from → to` at gas price 0, with the nonce `from` has in `world` (a
/// deposit never fails on its nonce). The executor runs it the same way.
pub fn deposit_tx_ctx(d: &faultline_primitives::Deposit, world: &BTreeMap<Address, Account>) -> TxCtx {
    TxCtx {
        tx_type: 0,
        sender: d.from,
        to: Some(d.to),
        value: d.value,
        data: d.data.clone(),
        gas_limit: d.gas_limit,
        max_fee: 0,
        max_priority_fee: None,
        nonce: world.get(&d.from).map_or(0, |a| a.nonce),
        access_list: Vec::new(),
        mint: Some(d.mint),
    }
}

/// The world of a genesis allocation.
pub fn genesis_world(alloc: &BTreeMap<Address, GenesisAccount>) -> BTreeMap<Address, Account> {
    alloc
        .iter()
        .map(|(a, g)| (*a, Account::new(g.nonce, g.balance, g.code.clone(), g.storage.iter().map(|(k, v)| ((*k).into(), (*v).into())))))
        .collect()
}

/// The L2 state root of a world: the SMT over every non-empty account and every
/// non-zero slot (`docs/state.md`).
pub fn state_root(world: &BTreeMap<Address, Account>) -> B256 {
    let mut leaves = Vec::new();
    for (a, acc) in world {
        if !acc.is_empty() {
            let value = smt::account_value_hash(acc.nonce, &acc.balance, &acc.code.hash(), acc.code.len() as u64);
            leaves.push((smt::account_key(a), Some(value)));
        }
        for (slot, v) in &acc.storage {
            if !v.is_zero() {
                leaves.push((smt::storage_key(a, &B256::from(*slot)), Some(B256::from(*v))));
            }
        }
    }
    leaves.sort_unstable_by_key(|(k, _)| *k);
    match smt::update(&smt::MemStore::default(), smt::EMPTY_ROOT, &leaves) {
        Ok((root, _)) => root,
        // An empty store is only read at the empty root, which needs no node.
        Err(_) => unreachable!("building from the empty root reads no node"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    #[test]
    fn genesis_world_hashes_to_the_node_genesis_root() {
        let cfg = faultline_primitives::ChainConfig::devnet();
        let (header, _) = faultline_executor::genesis::genesis_output(&cfg).expect("genesis");
        assert_eq!(state_root(&genesis_world(&cfg.genesis_alloc())), header.state_root);
    }

    #[test]
    fn empty_accounts_and_zero_slots_have_no_leaf() {
        let a = Address::repeat_byte(1);
        let empty = Account::new(0, U256::ZERO, Default::default(), []);
        assert_eq!(state_root(&BTreeMap::from([(a, empty.clone())])), smt::EMPTY_ROOT);
        let mut with_zero = empty;
        with_zero.storage.insert(U256::from(1), U256::ZERO);
        assert_eq!(state_root(&BTreeMap::from([(a, with_zero)])), smt::EMPTY_ROOT);
    }
}
