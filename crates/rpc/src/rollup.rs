//! `rollup_` methods (state proofs, output roots, chain config, sync status) and the
//! devnet's `evm_mine`.

use crate::{
    blocks::internal,
    eth::{to_value, EthApi},
};
use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, U256};
use faultline_primitives::output_root;
use faultline_rpc_server::{Params, RpcError, RpcModule};
use faultline_state::{overlay::StateReader, smt};
use serde_json::{json, Value};

pub(crate) fn register(m: &mut RpcModule<EthApi>) {
    m.register("rollup_getProof", |api, p: Params| async move {
        let (address, slots, block): (Address, Vec<B256>, Option<BlockId>) = p.parse()?;
        if slots.len() > 1024 {
            return Err(RpcError::invalid_params("at most 1024 slots per proof"));
        }
        tokio::task::spawn_blocking(move || get_proof(&api, address, slots, block)).await.map_err(|e| RpcError::internal(e.to_string()))?
    });
    m.register("rollup_outputAtBlock", |api, p: Params| async move {
        let (block,): (BlockId,) = p.parse()?;
        let n = api.resolve(Some(block))?;
        let (hash, header) = api.chain.store().header(n).map_err(internal)?.ok_or_else(|| RpcError::server("header not found"))?;
        Ok(json!({
            "version": B256::ZERO,
            "outputRoot": output_root(header.state_root, hash),
            "stateRoot": header.state_root,
            "blockHash": hash,
            "blockNumber": format!("{n:#x}"),
        }))
    });
    m.register("rollup_config", |api, _| async move { to_value(api.chain.config()) });
    m.register("rollup_syncStatus", |api, _| async move {
        let head = api.chain.head();
        Ok(json!({
            "head": format!("{head:#x}"),
            "safe": format!("{:#x}", api.safe_head().min(head)),
            "finalized": format!("{:#x}", api.finalized_head().min(head)),
            "pooledTransactions": api.chain.pool_len(),
        }))
    });
    m.register("evm_mine", |api, _| async move {
        if !api.dev_methods {
            return Err(RpcError::method_not_found("evm_mine"));
        }
        let chain = api.chain.clone();
        let block = tokio::task::spawn_blocking(move || chain.produce_block(faultline_sequencer::now()))
            .await
            .map_err(|e| RpcError::internal(e.to_string()))?
            .map_err(|e| RpcError::internal(e.to_string()))?;
        Ok(json!(format!("{:#x}", block.record.header.number)))
    });
}

fn get_proof(api: &EthApi, address: Address, slots: Vec<B256>, block: Option<BlockId>) -> Result<Value, RpcError> {
    let n = api.resolve(block)?;
    let store = api.chain.store();
    let state = store.state_at(n);
    let key = smt::account_key(&address);
    let (root, account_proof) = store.prove(n, &key).map_err(internal)?;
    let acc = state.account_record(&address).map_err(internal)?;
    let mut storage = Vec::with_capacity(slots.len());
    for slot in slots {
        let skey = smt::storage_key(&address, &slot);
        let (_, proof) = store.prove(n, &skey).map_err(internal)?;
        let value = revm::database_interface::DatabaseRef::storage_ref(&state, address, U256::from_be_bytes(slot.0)).map_err(internal)?;
        storage.push(json!({"slot": slot, "key": skey, "value": B256::from(value), "proof": proof}));
    }
    Ok(json!({
        "blockNumber": format!("{n:#x}"),
        "stateRoot": root,
        "address": address,
        "accountKey": key,
        "account": acc.map(|a| json!({
            "nonce": format!("{:#x}", a.nonce),
            "balance": format!("{:#x}", a.balance),
            "codeHash": a.code_hash,
            "codeSize": format!("{:#x}", a.code_size),
            "valueHash": a.value_hash(),
        })),
        "accountProof": account_proof,
        "storage": storage,
    }))
}
