//! WebSocket connections: JSON-RPC over text frames plus `eth_subscribe` and
//! `eth_unsubscribe`. Each subscription forwards its stream into the connection's bounded
//! outgoing queue; a client too slow to drain it is disconnected, and every subscription
//! task ends with its connection.

use crate::{
    server::{handle_body, parse_body, parse_entry, response, run_call, Entries, Parsed, Shared},
    Params, RpcError,
};
use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::{json, value::RawValue, Value};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};
use tokio::{sync::mpsc, task::JoinHandle};

static NEXT_SUB: AtomicU64 = AtomicU64::new(1);

fn new_sub_id() -> String {
    // Unique per process; unguessability is not needed (ids are per connection).
    let n = NEXT_SUB.fetch_add(1, Ordering::Relaxed);
    let salt = std::process::id() as u64;
    format!("0x{:016x}{:016x}", salt.wrapping_mul(0x9e37_79b9_7f4a_7c15), n)
}

pub(crate) async fn serve_socket<Ctx: Send + Sync + 'static>(socket: WebSocket, shared: Arc<Shared<Ctx>>) {
    let span = tracing::debug_span!("ws");
    tracing::Instrument::instrument(serve_socket_inner(socket, shared), span).await
}

async fn serve_socket_inner<Ctx: Send + Sync + 'static>(socket: WebSocket, shared: Arc<Shared<Ctx>>) {
    let (mut sink, mut source) = socket.split();
    let (tx, mut rx) = mpsc::channel::<String>(shared.config.ws_queue);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let mut subs: HashMap<String, JoinHandle<()>> = HashMap::new();
    while let Some(Ok(msg)) = source.next().await {
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            Message::Close(_) => break,
            _ => continue,
        };
        let reply = handle_ws_text(&shared, &text, &mut subs, &tx).await;
        if let Some(v) = reply {
            if tx.try_send(v).is_err() {
                tracing::debug!("websocket client too slow; closing");
                break;
            }
        }
        if tx.is_closed() {
            break;
        }
    }
    for (_, h) in subs.drain() {
        h.abort();
    }
    drop(tx);
    let _ = writer.await;
}

async fn handle_ws_text<Ctx: Send + Sync + 'static>(
    shared: &Arc<Shared<Ctx>>,
    text: &str,
    subs: &mut HashMap<String, JoinHandle<()>>,
    tx: &mpsc::Sender<String>,
) -> Option<String> {
    // Subscriptions are single requests; batches go through the shared path.
    let raw = match parse_body(text.as_bytes()) {
        Ok(Entries::Single(raw)) => raw,
        Ok(Entries::Batch(_)) => return handle_body(&shared.module, &shared.config, text.as_bytes()).await,
        Err(resp) => return Some(resp),
    };
    let (id, method, params) = match parse_entry(raw) {
        Parsed::Invalid(resp) => return Some(resp),
        Parsed::Call { id, method, params } => (id, method, params),
    };
    let result = match method.as_str() {
        "eth_subscribe" => subscribe(shared, params, subs, tx),
        "eth_unsubscribe" => params.parse::<(String,)>().map(|(sub,)| Value::Bool(subs.remove(&sub).map(|h| h.abort()).is_some())),
        _ => return run_call(&shared.module, id, method, params).await,
    };
    Some(response(id.as_deref().unwrap_or(RawValue::NULL), result))
}

fn subscribe<Ctx: Send + Sync + 'static>(
    shared: &Arc<Shared<Ctx>>,
    params: Params,
    subs: &mut HashMap<String, JoinHandle<()>>,
    tx: &mpsc::Sender<String>,
) -> Result<Value, RpcError> {
    let mut arr = match params.0 {
        Some(Value::Array(a)) => a,
        _ => return Err(RpcError::invalid_params("expected [kind, ...params]")),
    };
    if arr.is_empty() {
        return Err(RpcError::invalid_params("missing subscription kind"));
    }
    let kind = match arr.remove(0) {
        Value::String(k) => k,
        _ => return Err(RpcError::invalid_params("subscription kind must be a string")),
    };
    if subs.len() >= shared.config.max_subscriptions {
        let limit = shared.config.max_subscriptions;
        return Err(RpcError::limit_exceeded(format!("too many subscriptions on this connection (limit {limit}); eth_unsubscribe some first")));
    }
    let mut stream = shared.module.subscribe(&kind, Params(Some(Value::Array(arr))))?;
    let id = new_sub_id();
    let tx = tx.clone();
    let sub = id.clone();
    let task = tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            let note = json!({"jsonrpc": "2.0", "method": "eth_subscription", "params": {"subscription": sub, "result": item}});
            if tx.try_send(note.to_string()).is_err() {
                // Full (too slow) or closed: dropping our sender side ends the stream.
                break;
            }
        }
    });
    subs.insert(id.clone(), task);
    Ok(Value::String(id))
}
