//! Method parameters: positional arrays decoded as tuples, trailing optionals allowed.

use crate::RpcError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The `params` of a request: an array, an object, or absent.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Option<Value>);

/// Most trailing optional parameters a method takes.
const MAX_TRAILING: usize = 4;

impl Params {
    /// Decodes positional params into `T` (usually a tuple). Missing trailing params
    /// decode as `None` when their type is an `Option`.
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, RpcError> {
        let mut arr = match self.0 {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a,
            Some(other) => vec![other],
        };
        let mut first_err = None;
        for _ in 0..=MAX_TRAILING {
            match serde_json::from_value::<T>(Value::Array(arr.clone())) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let msg = e.to_string();
                    first_err.get_or_insert(msg.clone());
                    // Only a too-short array is worth padding with nulls.
                    if !msg.contains("invalid length") {
                        break;
                    }
                    arr.push(Value::Null);
                }
            }
        }
        Err(RpcError::invalid_params(first_err.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trailing_optionals_and_errors() {
        let p = Params(Some(json!(["0x01"])));
        let (a, b): (String, Option<u64>) = p.parse().unwrap();
        assert_eq!((a.as_str(), b), ("0x01", None));
        let (a,): (u64,) = Params(Some(json!([5]))).parse().unwrap();
        assert_eq!(a, 5);
        assert!(Params(Some(json!([]))).parse::<(u64,)>().is_err());
        assert!(Params(Some(json!(["x"]))).parse::<(u64,)>().unwrap_err().message.starts_with("invalid params"));
    }
}
