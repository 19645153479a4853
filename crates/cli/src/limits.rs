//! The node's resource limits as flags (and env vars, and keys of the config file's
//! `[limits]` table): the RPC's call and batch bounds and the pool's sizes. Defaults are the named
//! constants of the library crates; the README's "Limits" table lists them.

use clap::Args;
use eyre::eyre;
use faultline_rpc::RpcLimits;
use faultline_rpc_server::ServerConfig;
use faultline_sequencer::PoolConfig;
use serde::Deserialize;
use std::time::Duration;

/// Limit flags of `faultline node` (each unset one takes the file's value, then the default).
#[derive(Args, Debug, Clone, Default)]
pub struct LimitArgs {
    /// Most gas one `eth_call`/`eth_estimateGas` may use [default: 50000000].
    #[arg(long, env = "FAULTLINE_RPC_GAS_CAP")]
    pub rpc_gas_cap: Option<u64>,
    /// Time budget of one `eth_call`/`eth_estimateGas` (`5s`, `500ms`) [default: 5s].
    #[arg(long, env = "FAULTLINE_RPC_CALL_TIMEOUT")]
    pub rpc_call_timeout: Option<String>,
    /// Calls (`eth_call`, `eth_estimateGas`) running at once [default: cores - 1, at least 1].
    #[arg(long, env = "FAULTLINE_RPC_MAX_CONCURRENT_CALLS")]
    pub rpc_max_concurrent_calls: Option<usize>,
    /// Most requests in one JSON-RPC batch [default: 1000].
    #[arg(long, env = "FAULTLINE_RPC_MAX_BATCH_LEN")]
    pub rpc_max_batch_len: Option<usize>,
    /// Time budget of one batch: entries not started by then get -32005 [default: 10s].
    #[arg(long, env = "FAULTLINE_RPC_BATCH_TIMEOUT")]
    pub rpc_batch_timeout: Option<String>,
    /// Entries of one batch run at the same time [default: 16].
    #[arg(long, env = "FAULTLINE_RPC_BATCH_CONCURRENCY")]
    pub rpc_batch_concurrency: Option<usize>,
    /// Largest request body or WebSocket message, bytes [default: 10485760].
    #[arg(long, env = "FAULTLINE_RPC_MAX_REQUEST_BYTES")]
    pub rpc_max_request_bytes: Option<usize>,
    /// Subscriptions one WebSocket connection may hold [default: 1000].
    #[arg(long, env = "FAULTLINE_RPC_MAX_SUBSCRIPTIONS")]
    pub rpc_max_subscriptions: Option<usize>,
    /// Transactions per sender in the pool, pending and queued; also the largest nonce
    /// gap [default: 16384].
    #[arg(long, env = "FAULTLINE_POOL_MAX_PER_SENDER")]
    pub pool_max_per_sender: Option<usize>,
    /// Transactions in the pool [default: 262144].
    #[arg(long, env = "FAULTLINE_POOL_MAX_TOTAL")]
    pub pool_max_total: Option<usize>,
    /// Encoded bytes in the pool [default: 268435456].
    #[arg(long, env = "FAULTLINE_POOL_MAX_BYTES")]
    pub pool_max_bytes: Option<usize>,
    /// Queued (nonce-gapped) transactions per sender [default: 64].
    #[arg(long, env = "FAULTLINE_POOL_MAX_QUEUED_PER_SENDER")]
    pub pool_max_queued_per_sender: Option<usize>,
    /// Queued (nonce-gapped) transactions in the pool [default: 1024].
    #[arg(long, env = "FAULTLINE_POOL_MAX_QUEUED")]
    pub pool_max_queued: Option<usize>,
    /// How long a transaction may stay queued (`3h` is `10800s`) [default: 10800s].
    #[arg(long, env = "FAULTLINE_POOL_QUEUED_LIFETIME")]
    pub pool_queued_lifetime: Option<String>,
}

/// The same limits as keys of the config file's `[limits]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub(crate) rpc_gas_cap: Option<u64>,
    pub(crate) rpc_call_timeout: Option<String>,
    pub(crate) rpc_max_concurrent_calls: Option<usize>,
    pub(crate) rpc_max_batch_len: Option<usize>,
    pub(crate) rpc_batch_timeout: Option<String>,
    pub(crate) rpc_batch_concurrency: Option<usize>,
    pub(crate) rpc_max_request_bytes: Option<usize>,
    pub(crate) rpc_max_subscriptions: Option<usize>,
    pub(crate) pool_max_per_sender: Option<usize>,
    pub(crate) pool_max_total: Option<usize>,
    pub(crate) pool_max_bytes: Option<usize>,
    pub(crate) pool_max_queued_per_sender: Option<usize>,
    pub(crate) pool_max_queued: Option<usize>,
    pub(crate) pool_queued_lifetime: Option<String>,
}

/// Resolved limits.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// `eth_call`/`eth_estimateGas` bounds.
    pub rpc: RpcLimits,
    /// Transport bounds.
    pub server: ServerConfig,
    /// Pool sizes.
    pub pool: PoolConfig,
}

/// Parses `5s`, `500ms`, `2.5` (seconds); must be above zero.
pub fn parse_duration(what: &str, s: &str) -> eyre::Result<Duration> {
    let t = s.trim();
    let d = if let Some(ms) = t.strip_suffix("ms") {
        ms.trim().parse::<u64>().ok().map(Duration::from_millis)
    } else if let Some(h) = t.strip_suffix('h') {
        h.trim().parse::<u64>().ok().and_then(|h| h.checked_mul(3600)).map(Duration::from_secs)
    } else {
        t.strip_suffix('s').unwrap_or(t).trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9).map(Duration::from_secs_f64)
    };
    match d {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(eyre!("{what}: bad duration {s:?} (use e.g. 5s, 500ms, 3h)")),
    }
}

impl LimitArgs {
    /// Flags over file over defaults.
    pub fn resolve(&self, file: FileLimits) -> eyre::Result<Limits> {
        let mut l = Limits::default();
        if let Some(v) = self.rpc_gas_cap.or(file.rpc_gas_cap) {
            l.rpc.gas_cap = v;
        }
        if let Some(v) = self.rpc_call_timeout.clone().or(file.rpc_call_timeout) {
            l.rpc.call_timeout = parse_duration("rpc call timeout", &v)?;
        }
        if let Some(v) = self.rpc_max_concurrent_calls.or(file.rpc_max_concurrent_calls) {
            l.rpc.max_concurrent_calls = v.max(1);
        }
        if let Some(v) = self.rpc_max_batch_len.or(file.rpc_max_batch_len) {
            l.server.max_batch_len = v;
        }
        if let Some(v) = self.rpc_batch_timeout.clone().or(file.rpc_batch_timeout) {
            l.server.batch_timeout = parse_duration("rpc batch timeout", &v)?;
        }
        if let Some(v) = self.rpc_batch_concurrency.or(file.rpc_batch_concurrency) {
            l.server.batch_concurrency = v.max(1);
        }
        if let Some(v) = self.rpc_max_request_bytes.or(file.rpc_max_request_bytes) {
            l.server.max_request_bytes = v;
        }
        if let Some(v) = self.rpc_max_subscriptions.or(file.rpc_max_subscriptions) {
            l.server.max_subscriptions = v;
        }
        if let Some(v) = self.pool_max_per_sender.or(file.pool_max_per_sender) {
            l.pool.max_per_sender = v.max(1);
        }
        if let Some(v) = self.pool_max_total.or(file.pool_max_total) {
            l.pool.max_total = v;
        }
        if let Some(v) = self.pool_max_bytes.or(file.pool_max_bytes) {
            l.pool.max_bytes = v;
        }
        if let Some(v) = self.pool_max_queued_per_sender.or(file.pool_max_queued_per_sender) {
            l.pool.max_queued_per_sender = v;
        }
        if let Some(v) = self.pool_max_queued.or(file.pool_max_queued) {
            l.pool.max_queued_total = v;
        }
        if let Some(v) = self.pool_queued_lifetime.clone().or(file.pool_queued_lifetime) {
            l.pool.queued_lifetime = parse_duration("pool queued lifetime", &v)?;
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_precedence() {
        assert_eq!(parse_duration("t", "5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("t", "250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("t", "3h").unwrap(), Duration::from_secs(10_800));
        assert!(parse_duration("t", "0").is_err());
        assert!(parse_duration("t", "soon").is_err());
        let flags = LimitArgs { rpc_gas_cap: Some(1_000_000), pool_max_queued: Some(7), ..Default::default() };
        let file: FileLimits = toml::from_str("rpc_gas_cap = 5\npool_max_total = 9\nrpc_batch_timeout = \"2s\"").unwrap();
        let l = flags.resolve(file).unwrap();
        assert_eq!((l.rpc.gas_cap, l.pool.max_queued_total, l.pool.max_total), (1_000_000, 7, 9));
        assert_eq!(l.server.batch_timeout, Duration::from_secs(2));
        assert_eq!(l.pool.max_queued_per_sender, faultline_sequencer::DEFAULT_MAX_QUEUED_PER_SENDER);
    }
}
