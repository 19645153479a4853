//! `eth_`, `net_` and `web3_` methods.

use crate::{
    blocks::{internal, pending_tx, rpc_logs, rpc_receipt, rpc_receipts, rpc_tx},
    SUGGESTED_TIP,
};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256, U64};
use alloy_rpc_types_eth::FeeHistory;
use faultline_rpc_server::{Params, RpcError, RpcModule};
use faultline_sequencer::{Chain, PoolError};
use faultline_state::overlay::StateReader;
use revm::database_interface::DatabaseRef;
use serde_json::{json, Value};
use std::sync::Arc;

/// Shared state of the RPC methods.
pub struct EthApi {
    pub(crate) chain: Arc<Chain>,
    pub(crate) filters: crate::filters::Filters,
    pub(crate) dev_methods: bool,
    pub(crate) calls: crate::limits::CallLimiter,
}

impl EthApi {
    /// The API over a chain. `dev_methods` enables `evm_mine`.
    pub fn new(chain: Arc<Chain>, dev_methods: bool) -> Self {
        Self { chain, filters: Default::default(), dev_methods, calls: Default::default() }
    }

    /// Sets the limits of `eth_call` and `eth_estimateGas`.
    pub fn with_limits(mut self, limits: crate::RpcLimits) -> Self {
        self.calls = crate::limits::CallLimiter::new(limits);
        self
    }

    /// The chain served.
    pub fn chain(&self) -> &Arc<Chain> {
        &self.chain
    }

    pub(crate) fn safe_head(&self) -> u64 {
        self.chain.safe_head()
    }

    pub(crate) fn finalized_head(&self) -> u64 {
        self.chain.finalized_head()
    }
}

pub(crate) fn to_value<T: serde::Serialize>(v: T) -> Result<Value, RpcError> {
    serde_json::to_value(v).map_err(|e| RpcError::internal(e.to_string()))
}

/// A pool rejection as geth reports it: -32000 with geth's message.
pub(crate) fn pool_error(e: PoolError) -> RpcError {
    match e {
        PoolError::Internal(m) => RpcError::internal(m),
        other => RpcError::server(other.to_string()),
    }
}

fn quantity(n: impl Into<U256>) -> Value {
    Value::String(format!("{:#x}", n.into()))
}

/// The legacy gas price suggested to wallets (MetaMask on a custom chain uses it as its max
/// fee): one full block's rise over the larger of the head's base fee and the next block's.
/// The head's counts because `eth_estimateGas` and `eth_call` run at the head; the next
/// block's because that is where the transaction lands. While the base fee falls the next
/// one is the smaller, and a price from it alone failed the node's own estimate.
pub(crate) fn gas_price(api: &EthApi) -> Result<u128, RpcError> {
    let head = api.chain.head();
    let (_, header) = api.chain.store().header(head).map_err(internal)?.ok_or_else(|| RpcError::server("header not found"))?;
    let current = header.base_fee_per_gas.unwrap_or(api.chain.config().genesis_base_fee);
    let base = current.max(api.chain.next_base_fee().map_err(internal)?) as u128;
    Ok(base + base / 8 + SUGGESTED_TIP)
}

pub(crate) fn register(m: &mut RpcModule<EthApi>) {
    m.register("web3_clientVersion", |_, _| async { Ok(json!(concat!("faultline/v", env!("CARGO_PKG_VERSION")))) });
    m.register("web3_sha3", |_, p: Params| async move {
        let (data,): (Bytes,) = p.parse()?;
        Ok(json!(keccak256(&data)))
    });
    m.register("net_version", |api, _| async move { Ok(json!(api.chain.config().chain_id.to_string())) });
    m.register("net_listening", |_, _| async { Ok(json!(true)) });
    m.register("net_peerCount", |_, _| async { Ok(json!("0x0")) });
    m.register("eth_chainId", |api, _| async move { Ok(quantity(U256::from(api.chain.config().chain_id))) });
    m.register("eth_syncing", |_, _| async { Ok(json!(false)) });
    m.register("eth_mining", |_, _| async { Ok(json!(true)) });
    m.register("eth_hashrate", |_, _| async { Ok(json!("0x0")) });
    m.register("eth_coinbase", |api, _| async move { Ok(json!(api.chain.config().fee_recipient)) });
    m.register("eth_accounts", |_, _| async { Ok(json!([])) });
    m.register("eth_blockNumber", |api, _| async move { Ok(quantity(U256::from(api.chain.head()))) });
    m.register("eth_gasPrice", |api, _| async move { Ok(quantity(U256::from(gas_price(&api)?))) });
    m.register("eth_maxPriorityFeePerGas", |_, _| async { Ok(quantity(U256::from(SUGGESTED_TIP))) });
    m.register("eth_blobBaseFee", |_, _| async { Ok(json!("0x1")) });
    m.register("eth_feeHistory", |api, p: Params| async move {
        let (count, newest, percentiles): (U64, BlockNumberOrTag, Option<Vec<f64>>) = p.parse()?;
        fee_history(&api, count.to::<u64>(), newest, percentiles)
    });

    m.register("eth_getBalance", |api, p: Params| async move {
        let (addr, block): (Address, Option<BlockId>) = p.parse()?;
        let n = api.resolve(block)?;
        let acc = api.chain.store().state_at(n).account_record(&addr).map_err(internal)?;
        Ok(quantity(acc.map(|a| a.balance).unwrap_or_default()))
    });
    m.register("eth_getTransactionCount", |api, p: Params| async move {
        let (addr, block): (Address, Option<BlockId>) = p.parse()?;
        if matches!(block, Some(BlockId::Number(BlockNumberOrTag::Pending))) {
            return Ok(quantity(U256::from(api.chain.pending_nonce(&addr).map_err(internal)?)));
        }
        let n = api.resolve(block)?;
        let acc = api.chain.store().state_at(n).account_record(&addr).map_err(internal)?;
        Ok(quantity(U256::from(acc.map(|a| a.nonce).unwrap_or_default())))
    });
    m.register("eth_getCode", |api, p: Params| async move {
        let (addr, block): (Address, Option<BlockId>) = p.parse()?;
        let n = api.resolve(block)?;
        let state = api.chain.store().state_at(n);
        let Some(acc) = state.account_record(&addr).map_err(internal)? else { return Ok(json!("0x")) };
        let code = state.code_by_hash_ref(acc.code_hash).map_err(internal)?;
        Ok(json!(code.original_bytes()))
    });
    m.register("eth_getStorageAt", |api, p: Params| async move {
        let (addr, slot, block): (Address, U256, Option<BlockId>) = p.parse()?;
        let n = api.resolve(block)?;
        let v = api.chain.store().state_at(n).storage_ref(addr, slot).map_err(internal)?;
        Ok(json!(B256::from(v)))
    });
    m.register("eth_call", |api, p: Params| async move { crate::call::eth_call(api, p).await });
    m.register("eth_estimateGas", |api, p: Params| async move { crate::call::estimate_gas(api, p).await });

    m.register("eth_sendRawTransaction", |api, p: Params| async move {
        let (raw,): (Bytes,) = p.parse()?;
        // Inline on the async worker: sender recovery (~40 µs) and the journal write are
        // shorter than a hand-off to the blocking pool, whose lock and wake-ups cost more
        // under many concurrent senders (docs/bench.md, "Single requests").
        let hash = api.chain.submit_raw(&raw).map_err(pool_error)?;
        Ok(json!(hash))
    });
    m.register("eth_sendTransaction", |_, _| async { Err(RpcError::server("the node holds no keys: sign locally and use eth_sendRawTransaction")) });

    m.register("eth_getBlockByNumber", |api, p: Params| async move {
        let (tag, full): (BlockNumberOrTag, Option<bool>) = p.parse()?;
        block_by(&api, BlockId::Number(tag), full.unwrap_or(false))
    });
    m.register("eth_getBlockByHash", |api, p: Params| async move {
        let (hash, full): (B256, Option<bool>) = p.parse()?;
        block_by(&api, BlockId::from(hash), full.unwrap_or(false))
    });
    m.register("eth_getBlockTransactionCountByNumber", |api, p: Params| async move {
        let (tag,): (BlockNumberOrTag,) = p.parse()?;
        tx_count(&api, BlockId::Number(tag))
    });
    m.register("eth_getBlockTransactionCountByHash", |api, p: Params| async move {
        let (hash,): (B256,) = p.parse()?;
        tx_count(&api, BlockId::from(hash))
    });
    m.register("eth_getUncleCountByBlockNumber", |_, _| async { Ok(json!("0x0")) });
    m.register("eth_getUncleCountByBlockHash", |_, _| async { Ok(json!("0x0")) });
    m.register("eth_getBlockReceipts", |api, p: Params| async move {
        let (id,): (BlockId,) = p.parse()?;
        let Some(n) = api.resolve_opt(id)? else { return Ok(Value::Null) };
        let Some(rec) = api.record(n)? else { return Ok(Value::Null) };
        let scalars = api.chain.config().l1_fee_scalars();
        let receipts = rpc_receipts(&rec).into_iter().enumerate().map(|(i, r)| crate::blocks::receipt_with_l1_fee(&rec, i, &scalars, r));
        Ok(Value::Array(receipts.collect::<Result<_, _>>()?))
    });
    m.register("eth_getTransactionByHash", |api, p: Params| async move {
        let (hash,): (B256,) = p.parse()?;
        if let Some((n, i)) = api.chain.store().tx_location(&hash).map_err(internal)? {
            if let Some(rec) = api.record(n)? {
                return to_value(rpc_tx(&rec, i as usize));
            }
        }
        match api.chain.pooled(&hash) {
            Some(p) => to_value(pending_tx(p.sender, p.tx)),
            None => Ok(Value::Null),
        }
    });
    m.register("eth_getTransactionByBlockNumberAndIndex", |api, p: Params| async move {
        let (tag, index): (BlockNumberOrTag, U64) = p.parse()?;
        tx_by_index(&api, BlockId::Number(tag), index.to::<usize>())
    });
    m.register("eth_getTransactionByBlockHashAndIndex", |api, p: Params| async move {
        let (hash, index): (B256, U64) = p.parse()?;
        tx_by_index(&api, BlockId::from(hash), index.to::<usize>())
    });
    m.register("eth_getTransactionReceipt", |api, p: Params| async move {
        let (hash,): (B256,) = p.parse()?;
        let Some((n, i)) = api.chain.store().tx_location(&hash).map_err(internal)? else { return Ok(Value::Null) };
        let Some(rec) = api.record(n)? else { return Ok(Value::Null) };
        if (i as usize) >= rec.receipts.len() {
            return Ok(Value::Null);
        }
        crate::blocks::receipt_with_l1_fee(&rec, i as usize, &api.chain.config().l1_fee_scalars(), rpc_receipt(&rec, i as usize))
    });
}

fn block_by(api: &EthApi, id: BlockId, full: bool) -> Result<Value, RpcError> {
    let Some(n) = api.resolve_opt(id)? else { return Ok(Value::Null) };
    match api.record(n)? {
        Some(rec) => to_value(api.rpc_block(&rec, full)),
        None => Ok(Value::Null),
    }
}

fn tx_count(api: &EthApi, id: BlockId) -> Result<Value, RpcError> {
    let Some(n) = api.resolve_opt(id)? else { return Ok(Value::Null) };
    match api.chain.store().body(n).map_err(internal)? {
        Some(b) => Ok(quantity(U256::from(b.transactions.len()))),
        None => Ok(Value::Null),
    }
}

fn tx_by_index(api: &EthApi, id: BlockId, index: usize) -> Result<Value, RpcError> {
    let Some(n) = api.resolve_opt(id)? else { return Ok(Value::Null) };
    match api.record(n)? {
        Some(rec) if index < rec.body.transactions.len() => to_value(rpc_tx(&rec, index)),
        _ => Ok(Value::Null),
    }
}

/// `eth_feeHistory`: `count` blocks ending at `newest`, with N+1 base fees (the last is
/// the next block's) and, per block, the tips at the requested gas-weighted percentiles.
fn fee_history(api: &EthApi, count: u64, newest: BlockNumberOrTag, percentiles: Option<Vec<f64>>) -> Result<Value, RpcError> {
    if let Some(p) = &percentiles {
        if p.len() > 100 || p.iter().any(|x| !(0.0..=100.0).contains(x)) || p.windows(2).any(|w| w[0] > w[1]) {
            return Err(RpcError::invalid_params("invalid reward percentiles"));
        }
    }
    let count = count.min(1024);
    let newest = api.number_of_tag(newest).ok_or_else(|| RpcError::server("header not found"))?;
    if count == 0 {
        return to_value(FeeHistory { oldest_block: newest, ..Default::default() });
    }
    let oldest = newest.saturating_sub(count - 1);
    let mut h = FeeHistory { oldest_block: oldest, ..Default::default() };
    let mut rewards = Vec::new();
    let cfg = api.chain.config();
    let mut last = None;
    for n in oldest..=newest {
        let Some(rec) = api.record(n)? else { break };
        let base = rec.header.base_fee_per_gas.unwrap_or_default();
        h.base_fee_per_gas.push(base as u128);
        h.gas_used_ratio.push(rec.header.gas_used as f64 / rec.header.gas_limit.max(1) as f64);
        h.base_fee_per_blob_gas.push(0);
        h.blob_gas_used_ratio.push(0.0);
        if let Some(p) = &percentiles {
            rewards.push(block_rewards(&rec, base, p));
        }
        last = Some((rec.header.gas_used, rec.header.gas_limit, base));
    }
    if let Some((used, limit, base)) = last {
        h.base_fee_per_gas.push(cfg.next_base_fee(used, limit, base) as u128);
        h.base_fee_per_blob_gas.push(0);
    }
    if percentiles.is_some() {
        h.reward = Some(rewards);
    }
    to_value(h)
}

fn block_rewards(rec: &faultline_state::BlockRecord, base: u64, percentiles: &[f64]) -> Vec<u128> {
    use alloy_consensus::Transaction;
    if rec.body.transactions.is_empty() {
        return vec![0; percentiles.len()];
    }
    let mut prev = 0;
    let mut tips: Vec<(u128, u64)> = rec
        .body
        .transactions
        .iter()
        .zip(&rec.receipts)
        .map(|((_, tx), r)| {
            let used = r.cumulative_gas_used() - prev;
            prev = r.cumulative_gas_used();
            (tx.effective_tip_per_gas(base).unwrap_or(0), used)
        })
        .collect();
    tips.sort_unstable();
    let total: u64 = tips.iter().map(|t| t.1).sum();
    percentiles
        .iter()
        .map(|p| {
            let threshold = (total as f64 * p / 100.0) as u64;
            let mut acc = 0;
            for (tip, used) in &tips {
                acc += used;
                if acc >= threshold {
                    return *tip;
                }
            }
            tips.last().map(|t| t.0).unwrap_or(0)
        })
        .collect()
}

/// Logs of block `rec` matching `filter`, with block-wide log indexes.
pub(crate) fn block_logs(rec: &faultline_state::BlockRecord, filter: &alloy_rpc_types_eth::Filter) -> Vec<alloy_rpc_types_eth::Log> {
    let mut out = Vec::new();
    let mut first = 0usize;
    for i in 0..rec.receipts.len() {
        let logs = rpc_logs(rec, i, first);
        first += logs.len();
        out.extend(logs.into_iter().filter(|l| filter.matches(&l.inner)));
    }
    out
}
