//! Converting stored blocks, transactions, receipts and logs to their RPC form, and
//! resolving block ids.

use crate::EthApi;
use alloy_consensus::ReceiptEnvelope;
use alloy_consensus::{transaction::Recovered, Transaction as _, TxReceipt};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, U256};
use alloy_rpc_types_eth::{Block, BlockTransactions, Header, Log, Transaction, TransactionReceipt};
use faultline_rpc_server::RpcError;
use faultline_state::{BlockRecord, StoreError};

/// A store failure as a JSON-RPC internal error.
pub fn internal(e: StoreError) -> RpcError {
    tracing::error!(error = %e, "store error while serving RPC");
    RpcError::internal(format!("internal error: {e}"))
}

impl EthApi {
    /// The block number a tag or number names, if that block exists.
    pub fn number_of_tag(&self, tag: BlockNumberOrTag) -> Option<u64> {
        let head = self.chain.head();
        match tag {
            BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => Some(head),
            // Safe: batched on L1; finalized: covered by a final output (0 until known).
            BlockNumberOrTag::Safe => Some(self.safe_head().min(head)),
            BlockNumberOrTag::Finalized => Some(self.finalized_head().min(head)),
            BlockNumberOrTag::Earliest => Some(0),
            BlockNumberOrTag::Number(n) => (n <= head).then_some(n),
        }
    }

    /// Resolves a block id for a state method: errors "header not found" for an
    /// unknown block, as geth does.
    pub fn resolve(&self, id: Option<BlockId>) -> Result<u64, RpcError> {
        let not_found = || RpcError::server("header not found");
        match id.unwrap_or(BlockId::Number(BlockNumberOrTag::Latest)) {
            BlockId::Number(tag) => self.number_of_tag(tag).ok_or_else(not_found),
            BlockId::Hash(h) => self.chain.store().number_of(&h.block_hash).map_err(internal)?.ok_or_else(not_found),
        }
    }

    /// Resolves a block id for a block method: `None` (JSON null) for an unknown block.
    pub fn resolve_opt(&self, id: BlockId) -> Result<Option<u64>, RpcError> {
        match id {
            BlockId::Number(tag) => Ok(self.number_of_tag(tag)),
            BlockId::Hash(h) => self.chain.store().number_of(&h.block_hash).map_err(internal),
        }
    }

    /// The stored block `n` with its receipts.
    pub fn record(&self, n: u64) -> Result<Option<BlockRecord>, RpcError> {
        let store = self.chain.store();
        let Some((hash, header)) = store.header(n).map_err(internal)? else { return Ok(None) };
        let body = store.body(n).map_err(internal)?.unwrap_or_default();
        let receipts = store.receipts(n).map_err(internal)?.unwrap_or_default();
        Ok(Some(BlockRecord { header, hash, body, receipts }))
    }

    /// The RPC block.
    pub fn rpc_block(&self, rec: &BlockRecord, full: bool) -> Block {
        let header = rpc_header(rec);
        let transactions = if full {
            BlockTransactions::Full((0..rec.body.transactions.len()).map(|i| rpc_tx(rec, i)).collect())
        } else {
            BlockTransactions::Hashes(rec.body.transactions.iter().map(|(_, t)| *t.tx_hash()).collect())
        };
        Block { header, uncles: vec![], transactions, withdrawals: Some(Default::default()) }
    }
}

/// The RPC header of a block.
pub fn rpc_header(rec: &BlockRecord) -> Header {
    let size = alloy_rlp::Encodable::length(&rec.header)
        + rec.body.transactions.iter().map(|(_, t)| alloy_eips::eip2718::Encodable2718::encode_2718_len(t)).sum::<usize>();
    Header { hash: rec.hash, inner: rec.header.clone(), total_difficulty: Some(U256::ZERO), size: Some(U256::from(size)) }
}

/// The RPC form of transaction `i` of a block.
pub fn rpc_tx(rec: &BlockRecord, i: usize) -> Transaction {
    let (sender, tx) = &rec.body.transactions[i];
    let base_fee = rec.header.base_fee_per_gas.unwrap_or_default();
    Transaction {
        inner: Recovered::new_unchecked(tx.clone(), *sender),
        block_hash: Some(rec.hash),
        block_number: Some(rec.header.number),
        transaction_index: Some(i as u64),
        effective_gas_price: Some(tx.effective_gas_price(Some(base_fee))),
        block_timestamp: Some(rec.header.timestamp),
    }
}

/// The RPC logs of transaction `i`, given the index of its first log in the block.
pub fn rpc_logs(rec: &BlockRecord, i: usize, first_log_index: usize) -> Vec<Log> {
    let tx_hash = *rec.body.transactions[i].1.tx_hash();
    rec.receipts[i]
        .logs()
        .iter()
        .enumerate()
        .map(|(j, l)| Log {
            inner: l.clone(),
            block_hash: Some(rec.hash),
            block_number: Some(rec.header.number),
            block_timestamp: Some(rec.header.timestamp),
            transaction_hash: Some(tx_hash),
            transaction_index: Some(i as u64),
            log_index: Some((first_log_index + j) as u64),
            removed: false,
        })
        .collect()
}

/// All RPC receipts of a block.
pub fn rpc_receipts(rec: &BlockRecord) -> Vec<TransactionReceipt> {
    let mut first_log = 0usize;
    (0..rec.receipts.len())
        .map(|i| {
            let r = rpc_receipt_at(rec, i, first_log);
            first_log += rec.receipts[i].logs().len();
            r
        })
        .collect()
}

/// The RPC receipt of transaction `i` alone (log indexes counted from the block start).
pub fn rpc_receipt(rec: &BlockRecord, i: usize) -> TransactionReceipt {
    let first_log = rec.receipts[..i].iter().map(|r| r.logs().len()).sum();
    rpc_receipt_at(rec, i, first_log)
}

fn rpc_receipt_at(rec: &BlockRecord, i: usize, first_log: usize) -> TransactionReceipt {
    let r = &rec.receipts[i];
    let (sender, tx) = &rec.body.transactions[i];
    let base_fee = rec.header.base_fee_per_gas.unwrap_or_default();
    let prev_cumulative = if i == 0 { 0 } else { rec.receipts[i - 1].cumulative_gas_used() };
    let contract_address = (tx.kind().is_create() && r.status()).then(|| sender.create(tx.nonce()));
    TransactionReceipt {
        inner: map_receipt(r, rpc_logs(rec, i, first_log)),
        transaction_hash: *tx.tx_hash(),
        transaction_index: Some(i as u64),
        block_hash: Some(rec.hash),
        block_number: Some(rec.header.number),
        gas_used: r.cumulative_gas_used() - prev_cumulative,
        effective_gas_price: tx.effective_gas_price(Some(base_fee)),
        blob_gas_used: None,
        blob_gas_price: None,
        from: *sender,
        to: tx.to(),
        contract_address,
    }
}

fn map_receipt(r: &ReceiptEnvelope, logs: Vec<Log>) -> ReceiptEnvelope<Log> {
    use alloy_consensus::{Receipt, ReceiptWithBloom};
    let receipt = Receipt { status: r.status().into(), cumulative_gas_used: r.cumulative_gas_used(), logs };
    let rwb = ReceiptWithBloom { receipt, logs_bloom: r.bloom() };
    match r {
        ReceiptEnvelope::Legacy(_) => ReceiptEnvelope::Legacy(rwb),
        ReceiptEnvelope::Eip2930(_) => ReceiptEnvelope::Eip2930(rwb),
        ReceiptEnvelope::Eip1559(_) => ReceiptEnvelope::Eip1559(rwb),
        ReceiptEnvelope::Eip4844(_) => ReceiptEnvelope::Eip4844(rwb),
        ReceiptEnvelope::Eip7702(_) => ReceiptEnvelope::Eip7702(rwb),
    }
}

/// The pending (pooled) RPC form of a transaction.
pub fn pending_tx(sender: Address, tx: alloy_consensus::TxEnvelope) -> Transaction {
    Transaction {
        inner: Recovered::new_unchecked(tx, sender),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
        block_timestamp: None,
    }
}

/// A receipt as JSON with OP Stack's L1 fee fields (`docs/chain.md`, "L1 fee"):
/// `l1Fee`, `l1GasUsed` (16 per byte), `l1GasPrice` (the L1 base fee), `l1BlobBaseFee`,
/// `l1BaseFeeScalar`, `l1BlobBaseFeeScalar`, all hex quantities, for transaction `i` of
/// `rec`, from the L1 values its header names. Absent in a block without an L1 fee origin.
pub fn receipt_with_l1_fee(
    rec: &BlockRecord,
    i: usize,
    scalars: &faultline_primitives::l1fee::L1FeeScalars,
    receipt: TransactionReceipt,
) -> Result<serde_json::Value, RpcError> {
    use alloy_eips::eip2718::Encodable2718;
    use faultline_primitives::l1fee;
    let mut v = serde_json::to_value(receipt).map_err(|e| RpcError::internal(e.to_string()))?;
    let inputs = l1fee::l1_fee_inputs(&rec.header.extra_data);
    if inputs.origin == 0 {
        return Ok(v);
    }
    let Some((_, tx)) = rec.body.transactions.get(i) else { return Ok(v) };
    let size = tx.encode_2718_len() as u64;
    if let Some(m) = v.as_object_mut() {
        let q = |x: U256| serde_json::Value::String(format!("{x:#x}"));
        m.insert("l1Fee".into(), q(l1fee::l1_fee(size, &inputs, scalars)));
        m.insert("l1GasUsed".into(), q(U256::from(l1fee::l1_gas_used(size))));
        m.insert("l1GasPrice".into(), q(U256::from(inputs.base_fee)));
        m.insert("l1BlobBaseFee".into(), q(U256::from(inputs.blob_base_fee)));
        m.insert("l1BaseFeeScalar".into(), q(U256::from(scalars.base_fee_scalar)));
        m.insert("l1BlobBaseFeeScalar".into(), q(U256::from(scalars.blob_base_fee_scalar)));
    }
    Ok(v)
}
