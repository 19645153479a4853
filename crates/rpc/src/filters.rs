//! Logs and polling filters (`eth_getLogs`, `eth_newFilter`, `eth_newBlockFilter`,
//! `eth_getFilterChanges`, ...) and the `eth_subscribe` kinds `newHeads` and `logs`.

use crate::{
    blocks::{internal, rpc_header},
    eth::{block_logs, to_value, EthApi},
    MAX_LOGS, MAX_LOG_RANGE,
};
use alloy_eips::BlockNumberOrTag;
use alloy_primitives::{B256, U256};
use alloy_rpc_types_eth::{Filter, FilterBlockOption, Log};
use faultline_rpc_server::{Params, RpcError, RpcModule};
use futures::StreamExt;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::{
    collections::{BTreeSet, HashMap},
    time::{Duration, Instant},
};
use tokio_stream::wrappers::BroadcastStream;

/// A filter not polled for this long is removed (as geth does).
const FILTER_TIMEOUT: Duration = Duration::from_secs(300);
/// Installed filters at most.
const MAX_FILTERS: usize = 10_000;

enum Kind {
    Blocks,
    Logs(Box<Filter>),
}

struct Entry {
    kind: Kind,
    /// Last block whose changes were returned.
    last: u64,
    polled: Instant,
}

/// Installed polling filters.
#[derive(Default)]
pub struct Filters {
    entries: Mutex<HashMap<U256, Entry>>,
}

impl Filters {
    fn install(&self, kind: Kind, head: u64) -> Result<U256, RpcError> {
        let mut entries = self.entries.lock();
        entries.retain(|_, e| e.polled.elapsed() < FILTER_TIMEOUT);
        if entries.len() >= MAX_FILTERS {
            return Err(RpcError::limit_exceeded("too many installed filters"));
        }
        let id = U256::from_be_bytes(rand_bytes());
        entries.insert(id, Entry { kind, last: head, polled: Instant::now() });
        Ok(id)
    }
}

fn rand_bytes() -> [u8; 32] {
    // Filter ids only need to be unguessable enough not to collide; derive them from a
    // random hasher seed and a counter.
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut out = [0u8; 32];
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    out[16..24].copy_from_slice(&h.finish().to_be_bytes());
    out[24..].copy_from_slice(&n.to_be_bytes());
    out
}

impl EthApi {
    /// Logs matching `filter` (range limited to [`MAX_LOG_RANGE`] blocks and
    /// [`MAX_LOGS`] results).
    pub fn logs(&self, filter: &Filter) -> Result<Vec<Log>, RpcError> {
        let store = self.chain.store();
        let head = self.chain.head();
        let (from, to) = match filter.block_option {
            FilterBlockOption::AtBlockHash(h) => {
                let n = store.number_of(&h).map_err(internal)?.ok_or_else(|| RpcError::server("unknown block"))?;
                (n, n)
            }
            FilterBlockOption::Range { from_block, to_block } => {
                let tag = |t: Option<BlockNumberOrTag>| match t.unwrap_or(BlockNumberOrTag::Latest) {
                    BlockNumberOrTag::Number(n) => n.min(head),
                    other => self.number_of_tag(other).unwrap_or(head),
                };
                (tag(from_block), tag(to_block))
            }
        };
        if from > to {
            return Err(RpcError::invalid_params("invalid block range: fromBlock is after toBlock"));
        }
        self.logs_in(filter, from, to)
    }

    fn logs_in(&self, filter: &Filter, from: u64, to: u64) -> Result<Vec<Log>, RpcError> {
        if to - from >= MAX_LOG_RANGE {
            return Err(RpcError::limit_exceeded(format!("query exceeds max block range {MAX_LOG_RANGE}")));
        }
        let store = self.chain.store();
        // With addresses, the address index names the only blocks worth reading.
        let blocks: Vec<u64> = if filter.address.is_empty() {
            (from..=to).collect()
        } else {
            let mut set = BTreeSet::new();
            for a in filter.address.iter() {
                set.extend(store.blocks_with_logs_from(a, from, to).map_err(internal)?);
            }
            set.into_iter().collect()
        };
        let mut out = Vec::new();
        for n in blocks {
            let Some((_, header)) = store.header(n).map_err(internal)? else { continue };
            if !filter.matches_bloom(header.logs_bloom) {
                continue;
            }
            let Some(rec) = self.record(n)? else { continue };
            out.extend(block_logs(&rec, filter));
            if out.len() > MAX_LOGS {
                return Err(RpcError::limit_exceeded(format!("query returned more than {MAX_LOGS} results")));
            }
        }
        Ok(out)
    }

    fn filter_changes(&self, id: U256) -> Result<Value, RpcError> {
        let head = self.chain.head();
        let (kind_logs, from) = {
            let mut entries = self.filters.entries.lock();
            let e = entries.get_mut(&id).ok_or_else(|| RpcError::server("filter not found"))?;
            e.polled = Instant::now();
            let from = e.last + 1;
            e.last = head.max(e.last);
            let logs = match &e.kind {
                Kind::Blocks => None,
                Kind::Logs(f) => Some(f.clone()),
            };
            (logs, from)
        };
        if from > head {
            return Ok(json!([]));
        }
        match kind_logs {
            None => {
                let mut hashes: Vec<B256> = Vec::new();
                for n in from..=head {
                    if let Some((h, _)) = self.chain.store().header(n).map_err(internal)? {
                        hashes.push(h);
                    }
                }
                to_value(hashes)
            }
            Some(f) => {
                let from = from.max(head.saturating_sub(MAX_LOG_RANGE - 1));
                to_value(self.logs_in(&f, from, head)?)
            }
        }
    }
}

pub(crate) fn register(m: &mut RpcModule<EthApi>) {
    m.register("eth_getLogs", |api, p: Params| async move {
        let (filter,): (Filter,) = p.parse()?;
        tokio::task::spawn_blocking(move || to_value(api.logs(&filter)?)).await.map_err(|e| RpcError::internal(e.to_string()))?
    });
    m.register("eth_newFilter", |api, p: Params| async move {
        let (filter,): (Filter,) = p.parse()?;
        let id = api.filters.install(Kind::Logs(Box::new(filter)), api.chain.head())?;
        Ok(json!(format!("{id:#x}")))
    });
    m.register("eth_newBlockFilter", |api, _| async move {
        let id = api.filters.install(Kind::Blocks, api.chain.head())?;
        Ok(json!(format!("{id:#x}")))
    });
    m.register("eth_getFilterChanges", |api, p: Params| async move {
        let (id,): (U256,) = p.parse()?;
        tokio::task::spawn_blocking(move || api.filter_changes(id)).await.map_err(|e| RpcError::internal(e.to_string()))?
    });
    m.register("eth_getFilterLogs", |api, p: Params| async move {
        let (id,): (U256,) = p.parse()?;
        let filter = match api.filters.entries.lock().get(&id).map(|e| &e.kind) {
            Some(Kind::Logs(f)) => f.clone(),
            Some(Kind::Blocks) => return Err(RpcError::server("filter is not a log filter")),
            None => return Err(RpcError::server("filter not found")),
        };
        tokio::task::spawn_blocking(move || to_value(api.logs(&filter)?)).await.map_err(|e| RpcError::internal(e.to_string()))?
    });
    m.register("eth_uninstallFilter", |api, p: Params| async move {
        let (id,): (U256,) = p.parse()?;
        Ok(json!(api.filters.entries.lock().remove(&id).is_some()))
    });

    m.register_subscription("newHeads", |api, _p: Params| {
        let stream =
            BroadcastStream::new(api.chain.subscribe()).filter_map(|b| async move { b.ok().and_then(|b| serde_json::to_value(rpc_header(&b.record)).ok()) });
        Ok(stream.boxed())
    });
    m.register_subscription("logs", |api, p: Params| {
        let (filter,): (Option<Filter>,) = p.parse()?;
        let filter = filter.unwrap_or_default();
        let stream = BroadcastStream::new(api.chain.subscribe())
            .filter_map(move |b| {
                let logs = b.ok().map(|b| block_logs(&b.record, &filter)).unwrap_or_default();
                async move { Some(futures::stream::iter(logs.into_iter().filter_map(|l| serde_json::to_value(l).ok()))) }
            })
            .flatten();
        Ok(stream.boxed())
    });
}
