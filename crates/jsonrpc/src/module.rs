//! The method registry.

use crate::{Params, RpcError};
use futures::{future::BoxFuture, stream::BoxStream};
use serde_json::Value;
use std::{collections::HashMap, future::Future, sync::Arc};

/// A stream of notifications for one subscription.
pub type SubscriptionStream = BoxStream<'static, Value>;

type Method<Ctx> = Arc<dyn Fn(Arc<Ctx>, Params) -> BoxFuture<'static, Result<Value, RpcError>> + Send + Sync>;
type Subscription<Ctx> = Arc<dyn Fn(Arc<Ctx>, Params) -> Result<SubscriptionStream, RpcError> + Send + Sync>;

/// Methods and subscription kinds over a shared context.
pub struct RpcModule<Ctx> {
    pub(crate) ctx: Arc<Ctx>,
    pub(crate) methods: HashMap<&'static str, Method<Ctx>>,
    pub(crate) subscriptions: HashMap<&'static str, Subscription<Ctx>>,
}

impl<Ctx> Clone for RpcModule<Ctx> {
    fn clone(&self) -> Self {
        Self { ctx: self.ctx.clone(), methods: self.methods.clone(), subscriptions: self.subscriptions.clone() }
    }
}

impl<Ctx: Send + Sync + 'static> RpcModule<Ctx> {
    /// An empty module over `ctx`.
    pub fn new(ctx: Arc<Ctx>) -> Self {
        Self { ctx, methods: HashMap::new(), subscriptions: HashMap::new() }
    }

    /// Registers an async method.
    pub fn register<F, Fut>(&mut self, name: &'static str, f: F)
    where
        F: Fn(Arc<Ctx>, Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, RpcError>> + Send + 'static,
    {
        self.methods.insert(name, Arc::new(move |ctx, p| Box::pin(f(ctx, p))));
    }

    /// Registers an `eth_subscribe` kind (e.g. `newHeads`): given the params after the
    /// kind, returns the stream of notification payloads.
    pub fn register_subscription<F>(&mut self, kind: &'static str, f: F)
    where
        F: Fn(Arc<Ctx>, Params) -> Result<SubscriptionStream, RpcError> + Send + Sync + 'static,
    {
        self.subscriptions.insert(kind, Arc::new(f));
    }

    /// The registered method names.
    pub fn method_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.methods.keys().copied()
    }

    /// Calls a method by name (no transport), catching a panicking handler.
    pub async fn call(&self, method: &str, params: Params) -> Result<Value, RpcError> {
        use futures::FutureExt;
        let Some(m) = self.methods.get(method) else { return Err(RpcError::method_not_found(method)) };
        let fut = m(self.ctx.clone(), params);
        match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
            Ok(r) => r,
            Err(_) => {
                tracing::error!(method, "rpc handler panicked");
                Err(RpcError::internal("internal error: the handler failed"))
            }
        }
    }

    pub(crate) fn subscribe(&self, kind: &str, params: Params) -> Result<SubscriptionStream, RpcError> {
        let Some(s) = self.subscriptions.get(kind) else {
            return Err(RpcError::invalid_params(format!("unknown subscription kind {kind}")));
        };
        s(self.ctx.clone(), params)
    }
}
