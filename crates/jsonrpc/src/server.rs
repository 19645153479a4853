//! The HTTP side, and request/batch handling shared with WebSocket.

use crate::{Params, RpcError, RpcModule};
use axum::{
    body::{Body, Bytes},
    extract::{ws::WebSocketUpgrade, State},
    http::{header, Method, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use futures::future::join_all;
use serde_json::{Map, Value};
use std::{future::Future, sync::Arc};
use tokio::net::TcpListener;

/// Server limits.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body (and WebSocket message) in bytes.
    pub max_request_bytes: usize,
    /// Most entries in one batch.
    pub max_batch_len: usize,
    /// Notifications queued per WebSocket connection before it is closed as too slow.
    pub ws_queue: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self { max_request_bytes: 10 * 1024 * 1024, max_batch_len: 1_000, ws_queue: 4_096 }
    }
}

pub(crate) struct Shared<Ctx> {
    pub(crate) module: RpcModule<Ctx>,
    pub(crate) config: ServerConfig,
}

pub(crate) fn response(id: Value, result: Result<Value, RpcError>) -> Value {
    let mut m = Map::with_capacity(3);
    m.insert("jsonrpc".into(), Value::String("2.0".into()));
    m.insert("id".into(), id);
    match result {
        Ok(v) => m.insert("result".into(), v),
        Err(e) => m.insert("error".into(), serde_json::to_value(e).unwrap_or(Value::Null)),
    };
    Value::Object(m)
}

/// What a request entry asks for, once validated.
pub(crate) enum Parsed {
    /// A call; `id` is `None` for a notification.
    Call { id: Option<Value>, method: String, params: Params },
    /// An entry that is not a valid request: the error response to send.
    Invalid(Value),
}

pub(crate) fn parse_entry(v: Value) -> Parsed {
    let Value::Object(mut obj) = v else {
        return Parsed::Invalid(response(Value::Null, Err(RpcError::invalid_request("not an object"))));
    };
    let id = obj.remove("id");
    let reply_id = match &id {
        None => Value::Null,
        Some(v @ (Value::Number(_) | Value::String(_) | Value::Null)) => v.clone(),
        Some(_) => return Parsed::Invalid(response(Value::Null, Err(RpcError::invalid_request("id must be a number, string or null")))),
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Parsed::Invalid(response(reply_id, Err(RpcError::invalid_request("jsonrpc must be \"2.0\""))));
    }
    let method = match obj.remove("method") {
        Some(Value::String(m)) => m,
        _ => return Parsed::Invalid(response(reply_id, Err(RpcError::invalid_request("method must be a string")))),
    };
    let params = match obj.remove("params") {
        None | Some(Value::Null) => Params(None),
        Some(p @ (Value::Array(_) | Value::Object(_))) => Params(Some(p)),
        Some(_) => return Parsed::Invalid(response(reply_id, Err(RpcError::invalid_params("params must be an array or an object")))),
    };
    Parsed::Call { id, method, params }
}

pub(crate) async fn handle_entry<Ctx: Send + Sync + 'static>(module: &RpcModule<Ctx>, v: Value) -> Option<Value> {
    match parse_entry(v) {
        Parsed::Invalid(resp) => Some(resp),
        Parsed::Call { id, method, params } => {
            let span = tracing::debug_span!("rpc", %method);
            let result = if method == "eth_subscribe" || method == "eth_unsubscribe" {
                Err(RpcError::new(-32601, "notifications not supported: subscribe over a WebSocket connection"))
            } else {
                tracing::Instrument::instrument(module.call(&method, params), span).await
            };
            id.map(|id| response(id, result))
        }
    }
}

/// Handles one HTTP body (or WebSocket text message without subscriptions): a single
/// request or a batch. `None` when nothing is to be sent back (only notifications).
pub async fn handle_body<Ctx: Send + Sync + 'static>(module: &RpcModule<Ctx>, config: &ServerConfig, body: &[u8]) -> Option<Value> {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Some(response(Value::Null, Err(RpcError::parse_error(e)))),
    };
    match v {
        Value::Array(items) => {
            if items.is_empty() {
                return Some(response(Value::Null, Err(RpcError::invalid_request("empty batch"))));
            }
            if items.len() > config.max_batch_len {
                return Some(response(
                    Value::Null,
                    Err(RpcError::limit_exceeded(format!("batch of {} exceeds the limit of {}", items.len(), config.max_batch_len))),
                ));
            }
            let out: Vec<Value> = join_all(items.into_iter().map(|i| handle_entry(module, i))).await.into_iter().flatten().collect();
            (!out.is_empty()).then_some(Value::Array(out))
        }
        other => handle_entry(module, other).await,
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn entry<Ctx: Send + Sync + 'static>(
    State(shared): State<Arc<Shared<Ctx>>>,
    method: Method,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    body: Body,
) -> Response {
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
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, &response(Value::Null, Err(err)));
        }
    };
    match handle_body(&shared.module, &shared.config, &bytes).await {
        Some(v) => json_response(StatusCode::OK, &v),
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
