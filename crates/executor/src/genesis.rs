//! Genesis: the state and header of block 0 from a chain config. Part of the state
//! transition function, so the sequencer and the verifier build the same block 0.

use crate::{assemble_header, BlockInputs};
use alloy_primitives::{B256, U256};
use faultline_primitives::ChainConfig;
use faultline_state::{AccountRecord, BlockBody, BlockRecord, StateChanges, Store, StoreError};
use revm::bytecode::Bytecode;

/// The genesis state changes of a config.
pub fn genesis_changes(config: &ChainConfig) -> StateChanges {
    let mut changes = StateChanges::default();
    for (address, acc) in &config.genesis_alloc() {
        let code = Bytecode::new_raw(acc.code.clone());
        let code_hash = if acc.code.is_empty() { alloy_primitives::KECCAK256_EMPTY } else { code.hash_slow() };
        if !acc.code.is_empty() {
            changes.code.insert(code_hash, code);
        }
        let rec = AccountRecord { nonce: acc.nonce, balance: acc.balance, code_hash, code_size: acc.code.len() as u64 };
        changes.accounts.insert(*address, Some(rec));
        let slots = changes.storage.entry(*address).or_default();
        for (k, v) in &acc.storage {
            slots.insert(U256::from_be_bytes(k.0), U256::from_be_bytes(v.0));
        }
    }
    changes
}

/// The genesis block header of a config and its output root (the output the L1 oracle
/// starts from), computed without a store.
pub fn genesis_output(config: &ChainConfig) -> Result<(alloy_consensus::Header, B256), StoreError> {
    let root = faultline_state::store::genesis_root(&genesis_changes(config)).map_err(StoreError::from)?;
    let header = assemble_header(&genesis_inputs(config), &[], 0, root);
    let output = faultline_primitives::output_root(root, header.hash_slow());
    Ok((header, output))
}

/// The genesis block inputs of a config.
pub fn genesis_inputs(config: &ChainConfig) -> BlockInputs {
    BlockInputs {
        number: 0,
        timestamp: config.genesis_timestamp,
        parent_hash: B256::ZERO,
        base_fee: config.genesis_base_fee,
        gas_limit: config.block_gas_limit,
        beneficiary: config.fee_recipient,
        deposit_cursor: 0,
        l1_fee: Default::default(),
    }
}

/// Writes genesis into an empty store, or checks that a non-empty store holds this
/// config's genesis. Returns the genesis hash.
pub fn init_genesis(store: &Store, config: &ChainConfig) -> Result<B256, GenesisError> {
    let changes = genesis_changes(config);
    let inputs = genesis_inputs(config);
    match store.head()? {
        Some(_) => {
            let stored = store.genesis_hash()?.ok_or(StoreError::Corrupt { what: "genesis hash" })?;
            let root = faultline_state::store::genesis_root(&changes).map_err(StoreError::from)?;
            let expected = assemble_header(&inputs, &[], 0, root).hash_slow();
            if stored != expected {
                return Err(GenesisError::Mismatch { stored, expected });
            }
            Ok(stored)
        }
        None => {
            let prepared = store.prepare(0, faultline_state::smt::EMPTY_ROOT, &changes)?;
            let header = assemble_header(&inputs, &[], 0, prepared.state_root);
            let hash = header.hash_slow();
            let record = BlockRecord { header, hash, body: BlockBody::default(), receipts: vec![] };
            store.commit(prepared, &record, &[])?;
            Ok(hash)
        }
    }
}

/// Why genesis could not be written or checked.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds another chain.
    #[error("the data dir holds another chain: genesis {stored}, this config's is {expected}")]
    Mismatch {
        /// Stored genesis hash.
        stored: B256,
        /// This config's.
        expected: B256,
    },
}
