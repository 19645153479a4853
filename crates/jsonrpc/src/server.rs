//! The HTTP side, and request/batch handling shared with WebSocket.

use crate::{Params, RpcError, RpcModule};
use axum::{
    body::{Body, Bytes},
    extract::{ws::WebSocketUpgrade, State},
    http::{header, Method, StatusCode},
    response::IntoResponse,
    Router,
};
use futures::StreamExt;
use serde::Serialize;
use serde_json::{value::RawValue, Value};
use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::net::TcpListener;

/// Default largest request body and WebSocket message, 10 MiB (`--rpc-max-request-bytes`).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;
/// Default most entries in one batch, as geth's `rpc.batch-request-limit`
/// (`--rpc-max-batch-len`).
pub const DEFAULT_MAX_BATCH_LEN: usize = 1_000;
/// Default entries of one batch run at the same time (`--rpc-batch-concurrency`).
pub const DEFAULT_BATCH_CONCURRENCY: usize = 16;
/// Default time one batch may take; entries not started by then are answered with
/// -32005 instead of run (`--rpc-batch-timeout`).
pub const DEFAULT_BATCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Default notifications queued per WebSocket connection.
pub const DEFAULT_WS_QUEUE: usize = 4_096;
/// Default subscriptions one WebSocket connection may hold (`--rpc-max-subscriptions`).
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 1_000;

/// Server limits.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body (and WebSocket message) in bytes.
    pub max_request_bytes: usize,
    /// Most entries in one batch.
    pub max_batch_len: usize,
    /// Entries of one batch run at the same time (in order, the answers in order).
    pub batch_concurrency: usize,
    /// Time one batch may take: entries not started by then get -32005 unrun.
    pub batch_timeout: Duration,
    /// Notifications queued per WebSocket connection before it is closed as too slow.
    pub ws_queue: usize,
    /// Subscriptions per WebSocket connection; past it `eth_subscribe` gets -32005.
    pub max_subscriptions: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_batch_len: DEFAULT_MAX_BATCH_LEN,
            batch_concurrency: DEFAULT_BATCH_CONCURRENCY,
            batch_timeout: DEFAULT_BATCH_TIMEOUT,
            ws_queue: DEFAULT_WS_QUEUE,
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
        }
    }
}

pub(crate) struct Shared<Ctx> {
    pub(crate) module: RpcModule<Ctx>,
    pub(crate) config: ServerConfig,
}

/// A response object. The id is the request's raw JSON text, echoed byte for byte
/// (a number past 2^64 stays exact, which a parsed `Value` would round to a float).
#[derive(Serialize)]
struct Response<'a> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<RpcError>,
}

/// The serialized response to the request with this raw `id`.
pub(crate) fn response(id: &RawValue, result: Result<Value, RpcError>) -> String {
    let (result, error) = match result {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    serde_json::to_string(&Response { jsonrpc: "2.0", id, result, error })
        .unwrap_or_else(|_| r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"response not serializable"}}"#.into())
}

/// What a request entry asks for, once validated.
pub(crate) enum Parsed {
    /// A call; `id` is `None` for a notification, else the id's raw JSON.
    Call { id: Option<Box<RawValue>>, method: String, params: Params },
    /// An entry that is not a valid request: the error response to send.
    Invalid(String),
}

/// A body: one request or a batch, each entry still raw.
pub(crate) enum Entries<'a> {
    Single(&'a RawValue),
    Batch(Vec<&'a RawValue>),
}

/// Parses a body into raw entries, or the -32700 response.
pub(crate) fn parse_body(body: &[u8]) -> Result<Entries<'_>, String> {
    let parse_error = |e: &dyn std::fmt::Display| response(RawValue::NULL, Err(RpcError::parse_error(e)));
    let text = std::str::from_utf8(body).map_err(|e| parse_error(&e))?;
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| parse_error(&e))?;
    if raw.get().starts_with('[') {
        serde_json::from_str::<Vec<&RawValue>>(raw.get()).map(Entries::Batch).map_err(|e| parse_error(&e))
    } else {
        Ok(Entries::Single(raw))
    }
}

/// The `id` member's raw text.
#[derive(serde::Deserialize)]
struct RawId<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
}

pub(crate) fn parse_entry(raw: &RawValue) -> Parsed {
    let invalid = |id: &RawValue, e: RpcError| Parsed::Invalid(response(id, Err(e)));
    let v: Value = match serde_json::from_str(raw.get()) {
        Ok(v) => v,
        Err(e) => return Parsed::Invalid(response(RawValue::NULL, Err(RpcError::parse_error(e)))),
    };
    let Value::Object(mut obj) = v else { return invalid(RawValue::NULL, RpcError::invalid_request("not an object")) };
    let id = match obj.remove("id") {
        None => None,
        Some(Value::Null) => Some(RawValue::NULL.to_owned()),
        Some(v @ (Value::Number(_) | Value::String(_))) => {
            // The exact text; a duplicated `id` key falls back to the parsed value.
            let exact = serde_json::from_str::<RawId<'_>>(raw.get()).ok().and_then(|r| r.id).map(RawValue::to_owned);
            match exact.or_else(|| serde_json::value::to_raw_value(&v).ok()) {
                Some(id) => Some(id),
                None => return invalid(RawValue::NULL, RpcError::invalid_request("unreadable id")),
            }
        }
        Some(_) => return invalid(RawValue::NULL, RpcError::invalid_request("id must be a number, string or null")),
    };
    let reply_id: &RawValue = id.as_deref().unwrap_or(RawValue::NULL);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(reply_id, RpcError::invalid_request("jsonrpc must be \"2.0\""));
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        _ => return invalid(reply_id, RpcError::invalid_request("method must be a string")),
    };
    let params = match obj.remove("params") {
        None | Some(Value::Null) => Params(None),
        Some(p @ (Value::Array(_) | Value::Object(_))) => Params(Some(p)),
        Some(_) => return invalid(reply_id, RpcError::invalid_params("params must be an array or an object")),
    };
    Parsed::Call { id, method, params }
}

/// Runs a parsed call and serializes its answer (`None` for a notification).
pub(crate) async fn run_call<Ctx: Send + Sync + 'static>(module: &RpcModule<Ctx>, id: Option<Box<RawValue>>, method: String, params: Params) -> Option<String> {
    let span = tracing::debug_span!("rpc", %method);
    let result = if method == "eth_subscribe" || method == "eth_unsubscribe" {
        Err(RpcError::new(-32601, "notifications not supported: subscribe over a WebSocket connection"))
    } else {
        tracing::Instrument::instrument(module.call(&method, params), span).await
    };
    id.map(|id| response(&id, result))
}

/// Handles one entry; with a `deadline` (a batch's), an entry reached after it is
/// answered with -32005 instead of run.
pub(crate) async fn handle_entry<Ctx: Send + Sync + 'static>(module: &RpcModule<Ctx>, raw: &RawValue, deadline: Option<(Instant, Duration)>) -> Option<String> {
    match parse_entry(raw) {
        Parsed::Invalid(resp) => Some(resp),
        Parsed::Call { id, .. } if deadline.is_some_and(|(at, _)| Instant::now() >= at) => {
            let budget = deadline.map(|(_, b)| b).unwrap_or_default();
            let msg = format!("batch exceeded its time budget of {budget:?}; this request was not run (send fewer or lighter requests per batch)");
            id.map(|id| response(&id, Err(RpcError::limit_exceeded(msg))))
        }
        Parsed::Call { id, method, params } => run_call(module, id, method, params).await,
    }
}

/// Handles one HTTP body (or WebSocket text message without subscriptions): a single
/// request or a batch. Returns the serialized answer, `None` when nothing is to be sent
/// back (only notifications). A batch runs at most `batch_concurrency` entries at a
/// time and within `batch_timeout`.
pub async fn handle_body<Ctx: Send + Sync + 'static>(module: &RpcModule<Ctx>, config: &ServerConfig, body: &[u8]) -> Option<String> {
    let items = match parse_body(body) {
        Ok(Entries::Single(raw)) => return handle_entry(module, raw, None).await,
        Ok(Entries::Batch(items)) => items,
        Err(resp) => return Some(resp),
    };
    if items.is_empty() {
        return Some(response(RawValue::NULL, Err(RpcError::invalid_request("empty batch"))));
    }
    if items.len() > config.max_batch_len {
        let msg = format!("batch of {} exceeds the limit of {}", items.len(), config.max_batch_len);
        return Some(response(RawValue::NULL, Err(RpcError::limit_exceeded(msg))));
    }
    let deadline = Some((Instant::now() + config.batch_timeout, config.batch_timeout));
    // Owned entries: a stream over borrowed ones trips the compiler's `Send` inference.
    let items: Vec<Box<RawValue>> = items.into_iter().map(RawValue::to_owned).collect();
    let out: Vec<String> = futures::stream::iter(items)
        .map(|raw| async move { handle_entry(module, &raw, deadline).await })
        .buffered(config.batch_concurrency.max(1))
        .filter_map(futures::future::ready)
        .collect()
        .await;
    (!out.is_empty()).then(|| format!("[{}]", out.join(",")))
}

fn json_response(status: StatusCode, body: String) -> axum::response::Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn entry<Ctx: Send + Sync + 'static>(
    State(shared): State<Arc<Shared<Ctx>>>,
    method: Method,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    body: Body,
) -> axum::response::Response {
    if let Ok(ws) = ws {
        let shared = shared.clone();
        return ws.max_message_size(shared.config.max_request_bytes).on_upgrade(move |socket| crate::ws::serve_socket(socket, shared));
    }
    match method {
        Method::GET => return (StatusCode::OK, "faultline JSON-RPC: POST JSON-RPC 2.0 here, or open a WebSocket\n").into_response(),
        Method::POST => {}
        _ => return StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
    let bytes: Bytes = match axum::body::to_bytes(body, shared.config.max_request_bytes).await {
        Ok(b) => b,
        Err(_) => {
            let err = RpcError::invalid_request(format!("request too large (limit {} bytes)", shared.config.max_request_bytes));
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, response(RawValue::NULL, Err(err)));
        }
    };
    match handle_body(&shared.module, &shared.config, &bytes).await {
        Some(v) => json_response(StatusCode::OK, v),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Serves `module` on `listener` until `shutdown` resolves.
pub async fn serve<Ctx: Send + Sync + 'static>(
    listener: TcpListener,
    module: RpcModule<Ctx>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shared = Arc::new(Shared { module, config });
    let app = Router::new().fallback(entry::<Ctx>).with_state(shared).layer(tower_http::cors::CorsLayer::permissive());
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
