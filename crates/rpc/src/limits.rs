//! Bounds on the work of `eth_call` and `eth_estimateGas`: a gas cap per call (geth's
//! `rpc.gascap`), a time budget per call (geth's `rpc.evmtimeout`) and a bound on the
//! calls running at once, so that no client can take every core from the node.

use faultline_rpc_server::RpcError;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default time budget of one call (geth's `rpc.evmtimeout`, `--rpc-call-timeout`).
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Default calls running at once: one fewer than the cores (at least one), leaving a
/// core to the block producer and the rest of the node (`--rpc-max-concurrent-calls`).
pub fn default_max_concurrent_calls() -> usize {
    std::thread::available_parallelism().map(|n| n.get().saturating_sub(1)).unwrap_or(1).max(1)
}

/// Limits of simulated calls.
#[derive(Clone, Debug)]
pub struct RpcLimits {
    /// Most gas one call may use (also bounded by the block gas limit).
    pub gas_cap: u64,
    /// Most time one call may run (an `eth_estimateGas` counts all its runs).
    pub call_timeout: Duration,
    /// Calls running at once; the others wait in order, up to `call_timeout`.
    pub max_concurrent_calls: usize,
}

impl Default for RpcLimits {
    fn default() -> Self {
        Self { gas_cap: crate::RPC_GAS_CAP, call_timeout: DEFAULT_CALL_TIMEOUT, max_concurrent_calls: default_max_concurrent_calls() }
    }
}

/// The limits and the permits of calls in flight.
#[derive(Debug)]
pub(crate) struct CallLimiter {
    pub(crate) limits: RpcLimits,
    permits: Arc<Semaphore>,
}

impl Default for CallLimiter {
    fn default() -> Self {
        Self::new(RpcLimits::default())
    }
}

impl CallLimiter {
    pub(crate) fn new(limits: RpcLimits) -> Self {
        let permits = Arc::new(Semaphore::new(limits.max_concurrent_calls.max(1)));
        Self { limits, permits }
    }

    /// Waits (in order) for a slot; returns it (held until the call's work ends, even if
    /// the client goes away) with the call's deadline, or -32005 when no slot frees
    /// within the call timeout.
    pub(crate) async fn acquire(&self) -> Result<(OwnedSemaphorePermit, (Instant, Duration)), RpcError> {
        let budget = self.limits.call_timeout;
        match tokio::time::timeout(budget, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok((permit, (Instant::now() + budget, budget))),
            _ => Err(RpcError::limit_exceeded(format!(
                "too many concurrent calls: {} running, none finished within {budget:?}; retry later",
                self.limits.max_concurrent_calls
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_waits_for_a_slot_and_gives_up_with_a_clear_error() {
        let l = CallLimiter::new(RpcLimits { call_timeout: Duration::from_millis(50), max_concurrent_calls: 1, ..Default::default() });
        let first = l.acquire().await.expect("a free slot");
        let err = l.acquire().await.expect_err("no slot");
        assert_eq!(err.code, -32005);
        assert!(err.message.starts_with("too many concurrent calls"), "{}", err.message);
        drop(first);
        assert!(l.acquire().await.is_ok());
    }
}
