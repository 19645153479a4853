//! JSON-RPC error objects with the codes Ethereum clients expect.

use alloy_primitives::Bytes;
use alloy_sol_types::{Revert, SolError};
use serde::Serialize;
use serde_json::Value;

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RpcError {
    /// Error code.
    pub code: i64,
    /// Message.
    pub message: String,
    /// Extra data (revert bytes for code 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// Any code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// -32700: the body is not JSON.
    pub fn parse_error(detail: impl std::fmt::Display) -> Self {
        Self::new(-32700, format!("parse error: {detail}"))
    }

    /// -32600: not a valid JSON-RPC 2.0 request.
    pub fn invalid_request(detail: impl std::fmt::Display) -> Self {
        Self::new(-32600, format!("invalid request: {detail}"))
    }

    /// -32601, with geth's message.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(-32601, format!("the method {method} does not exist/is not available"))
    }

    /// -32602.
    pub fn invalid_params(detail: impl std::fmt::Display) -> Self {
        Self::new(-32602, format!("invalid params: {detail}"))
    }

    /// -32603.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::new(-32603, detail.to_string())
    }

    /// -32000, the "server error" family where geth puts transaction rejections.
    pub fn server(message: impl Into<String>) -> Self {
        Self::new(-32000, message)
    }

    /// -32005: a limit was exceeded.
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(-32005, message)
    }

    /// Code 3 `execution reverted`, with the revert data and, for `Error(string)`, the
    /// decoded reason in the message (as geth).
    pub fn execution_reverted(output: Bytes) -> Self {
        let message = match Revert::abi_decode(&output) {
            Ok(r) => format!("execution reverted: {}", r.reason),
            Err(_) => "execution reverted".to_string(),
        };
        Self { code: 3, message, data: Some(Value::String(output.to_string())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_reason_is_decoded() {
        let data = Revert::from("boom").abi_encode();
        let e = RpcError::execution_reverted(data.clone().into());
        assert_eq!((e.code, e.message.as_str()), (3, "execution reverted: boom"));
        assert_eq!(e.data, Some(Value::String(Bytes::from(data).to_string())));
        let e = RpcError::execution_reverted(Bytes::from_static(&[0xde, 0xad]));
        assert_eq!((e.message.as_str(), e.data), ("execution reverted", Some(Value::String("0xdead".into()))));
    }
}
