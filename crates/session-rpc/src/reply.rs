//! RPC replies: an HTTP status and either JSON or the exact reason text of the reference
//! storage server. Failures are replies too (`RpcError` is the same type).

use serde_json::Value;

/// A reply: status code and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub code: u16,
    /// The body.
    pub body: Body,
}

/// A failed RPC is a reply with a non-2xx code.
pub type RpcError = Reply;

/// The body of a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `text/plain` reason.
    Text(String),
    /// `application/json`.
    Json(Value),
}

impl Reply {
    /// Any status with a text reason.
    pub fn text(code: u16, reason: impl Into<String>) -> Self {
        Self {
            code,
            body: Body::Text(reason.into()),
        }
    }

    /// 200 with a JSON body.
    pub fn ok(json: Value) -> Self {
        Self {
            code: 200,
            body: Body::Json(json),
        }
    }

    /// Any status with a JSON body.
    pub fn json(code: u16, json: Value) -> Self {
        Self {
            code,
            body: Body::Json(json),
        }
    }

    /// The body as sent over HTTP: the text, or the serialised JSON.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Text(t) => t.as_bytes().to_vec(),
            Body::Json(v) => v.to_string().into_bytes(),
        }
    }

    /// The body as JSON: a text reason becomes a JSON string (as batch results carry it).
    pub fn body_json(&self) -> Value {
        match &self.body {
            Body::Json(v) => v.clone(),
            Body::Text(t) => Value::String(t.clone()),
        }
    }

    /// 400 `invalid request: {msg}` — every parameter problem.
    pub fn invalid(msg: impl std::fmt::Display) -> Self {
        Self::text(400, format!("invalid request: {msg}"))
    }

    /// 400 `Invalid value given for '{f}': expected {t}`.
    pub fn wrong_type(field: &str, expected: &str) -> Self {
        Self::invalid(format!(
            "Invalid value given for '{field}': expected {expected}"
        ))
    }

    /// 400 `Required field '{f}' missing`.
    pub fn missing(field: &str) -> Self {
        Self::invalid(format!("Required field '{field}' missing"))
    }

    /// 401 `{what} signature verification failed`.
    pub fn bad_signature(what: &str) -> Self {
        Self::text(401, format!("{what} signature verification failed"))
    }

    /// 500 `request failed` (storage or other internal failure).
    pub fn internal() -> Self {
        Self::text(500, "request failed")
    }
}

/// Shorthand.
pub type RpcResult<T> = Result<T, RpcError>;
