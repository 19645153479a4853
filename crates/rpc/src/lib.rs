//! The node's JSON-RPC API: the `eth_`, `net_` and `web3_` methods wallets and
//! libraries use, the `rollup_` methods of this chain, and `eth_subscribe` kinds, all
//! registered on the transport of `faultline-rpc-server`. See `docs/rpc.md`.
//!
//! State methods answer at any block (number, hash or tag) from the store's history.

mod blocks;
mod call;
mod eth;
mod filters;
mod limits;
mod rollup;

use faultline_rpc_server::RpcModule;
use faultline_sequencer::Chain;
use std::sync::Arc;

pub use eth::EthApi;
pub use limits::{default_max_concurrent_calls, RpcLimits, DEFAULT_CALL_TIMEOUT};

/// The largest block range `eth_getLogs` scans.
pub const MAX_LOG_RANGE: u64 = 10_000;
/// The most logs one `eth_getLogs` returns.
pub const MAX_LOGS: usize = 10_000;
/// Default gas cap of `eth_call` and `eth_estimateGas` (geth's `rpc.gascap`,
/// `--rpc-gas-cap`).
pub const RPC_GAS_CAP: u64 = 50_000_000;
/// The priority fee `eth_maxPriorityFeePerGas` suggests (wei).
pub const SUGGESTED_TIP: u128 = 1_000_000;

/// Builds the module with every method and subscription of the node.
pub fn module(chain: Arc<Chain>, dev_methods: bool) -> RpcModule<EthApi> {
    module_with_limits(chain, dev_methods, RpcLimits::default())
}

/// [`module`] with these call limits.
pub fn module_with_limits(chain: Arc<Chain>, dev_methods: bool, limits: RpcLimits) -> RpcModule<EthApi> {
    let api = Arc::new(EthApi::new(chain, dev_methods).with_limits(limits));
    let mut m = RpcModule::new(api);
    eth::register(&mut m);
    filters::register(&mut m);
    rollup::register(&mut m);
    m
}
