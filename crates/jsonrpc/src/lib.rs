//! A JSON-RPC 2.0 server: HTTP POST (single requests and batches) and WebSocket (the
//! same, plus `eth_subscribe`/`eth_unsubscribe`) on one port. It knows nothing of
//! Ethereum state: the node registers async method handlers and subscription kinds on an
//! [`RpcModule`]. Never panics on input: malformed requests get JSON-RPC errors, and a
//! handler that panics gets -32603 while the server keeps serving.

mod error;
mod module;
mod params;
mod server;
mod ws;

pub use error::RpcError;
pub use module::{RpcModule, SubscriptionStream};
pub use params::Params;
pub use server::{
    handle_body, serve, ServerConfig, DEFAULT_BATCH_CONCURRENCY, DEFAULT_BATCH_TIMEOUT, DEFAULT_MAX_BATCH_LEN, DEFAULT_MAX_REQUEST_BYTES,
    DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_WS_QUEUE,
};
