//! JSON-RPC values: errors, positions and ranges as JSON, merging JSON objects.

use std::fmt;

use serde_json::{json, Value};

/// A JSON-RPC error (from a response, or returned by a responder).
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(-32601, format!("method not found: {method}"))
    }
    pub(super) fn from_value(v: &Value) -> RpcError {
        RpcError {
            code: v.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            data: v.get("data").cloned(),
        }
    }
    pub(super) fn to_value(&self) -> Value {
        let mut v = json!({"code": self.code, "message": self.message});
        if let Some(d) = &self.data {
            v["data"] = d.clone();
        }
        v
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)?;
        if let Some(d) = &self.data {
            write!(f, " (data: {d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

/// `{"line": l, "character": c}`.
pub fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// `{"start": pos(l1, c1), "end": pos(l2, c2)}`.
pub fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": pos(l1, c1), "end": pos(l2, c2)})
}

/// Deep merge: objects merge key by key; any other value replaces; a `null` in `patch`
/// removes the key from `base`.
pub fn deep_merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(slot) = b.get_mut(k) {
                    deep_merge(slot, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}
