//! v4 onion payloads for HTTP servers (`/oxen/v4/lsrpc`, `spec/network.md` §1.6).
//!
//! Request: a bencoded list of one or two byte strings, `l<len>:<meta JSON>[<len>:<body>]e`,
//! meta `{"method","endpoint","headers"}` (endpoint starting with `/`). Response:
//! `l<len>:{"code":N,"headers":{…}}<len>:<body>e`. Meta JSON is written in that key order (as
//! desktop and the server's tests write it); any order is read.

use crate::error::{Error, Result};
use crate::json;
use serde_json::{Map, Value};
use session_protocol::bencode::Value as Bencode;
use std::fmt;

/// A request to an HTTP server inside an onion request.
#[derive(Clone, PartialEq, Eq)]
pub struct V4Request {
    /// HTTP method (`GET`, `POST` …).
    pub method: String,
    /// Path and query, starting with `/`.
    pub endpoint: String,
    /// Headers, in order (names are case-insensitive to the server).
    pub headers: Vec<(String, String)>,
    /// The body (POST/PUT); `None` for none. An empty body decodes as `None`.
    pub body: Option<Vec<u8>>,
}

/// An HTTP server's answer inside an onion response.
#[derive(Clone, PartialEq, Eq)]
pub struct V4Response {
    /// HTTP status.
    pub code: u16,
    /// Headers (lower-case names, no content-length, as the servers send them).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for V4Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V4Request")
            .field("method", &self.method)
            .field("endpoint", &self.endpoint)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl fmt::Debug for V4Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V4Response")
            .field("code", &self.code)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl V4Request {
    /// The bencoded payload.
    pub fn encode(&self) -> Vec<u8> {
        let meta = format!(
            "{{\"method\":{},\"endpoint\":{},\"headers\":{}}}",
            json::string(&self.method),
            json::string(&self.endpoint),
            headers_json(&self.headers)
        );
        let mut parts = vec![Bencode::Bytes(meta.into_bytes())];
        if let Some(body) = &self.body {
            parts.push(Bencode::Bytes(body.clone()));
        }
        Bencode::List(parts).encode()
    }

    /// Decodes a payload as a server does: a string `method`, an `endpoint` starting with `/`,
    /// optional `headers` (string or number values).
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let (meta, body) = split_parts(bytes)?;
        let method = meta
            .get("method")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .ok_or(bad("meta needs a string `method`"))?;
        let endpoint = meta
            .get("endpoint")
            .and_then(Value::as_str)
            .filter(|e| e.starts_with('/'))
            .ok_or(bad("meta needs an `endpoint` starting with /"))?;
        Ok(Self {
            method: method.to_owned(),
            endpoint: endpoint.to_owned(),
            headers: read_headers(&meta)?,
            body: body.filter(|b| !b.is_empty()),
        })
    }
}

impl V4Response {
    /// The bencoded payload (always two parts).
    pub fn encode(&self) -> Vec<u8> {
        let meta = format!(
            "{{\"code\":{},\"headers\":{}}}",
            self.code,
            headers_json(&self.headers)
        );
        Bencode::List(vec![
            Bencode::Bytes(meta.into_bytes()),
            Bencode::Bytes(self.body.clone()),
        ])
        .encode()
    }

    /// Decodes a payload: an integer `code`, optional `headers`, and a body (empty when the
    /// second part is absent).
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let (meta, body) = split_parts(bytes)?;
        let code = meta
            .get("code")
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .ok_or(bad("meta needs an integer `code`"))?;
        Ok(Self {
            code,
            headers: read_headers(&meta)?,
            body: body.unwrap_or_default(),
        })
    }
}

fn bad(what: &'static str) -> Error {
    Error::V4 { what }
}

fn headers_json(headers: &[(String, String)]) -> String {
    let pairs: Vec<String> = headers
        .iter()
        .map(|(k, v)| format!("{}:{}", json::string(k), json::string(v)))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// A payload's meta object and its optional second part.
type Parts = (Map<String, Value>, Option<Vec<u8>>);

/// Splits a payload into its meta object and optional second part.
fn split_parts(bytes: &[u8]) -> Result<Parts> {
    let value = Bencode::decode(bytes).map_err(|_| bad("not canonical bencode"))?;
    let Bencode::List(parts) = value else {
        return Err(bad("not a bencoded list"));
    };
    let mut parts = parts.into_iter();
    let (Some(Bencode::Bytes(meta)), second, None) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("expected one or two byte strings"));
    };
    let body = match second {
        None => None,
        Some(Bencode::Bytes(b)) => Some(b),
        Some(_) => return Err(bad("expected one or two byte strings")),
    };
    let meta = json::parse_object(&meta).map_err(|_| bad("meta is not a JSON object"))?;
    Ok((meta, body))
}

fn read_headers(meta: &Map<String, Value>) -> Result<Vec<(String, String)>> {
    let Some(headers) = meta.get("headers") else {
        return Ok(Vec::new());
    };
    let Some(headers) = headers.as_object() else {
        return Err(bad("`headers` is not an object"));
    };
    headers
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(n) => Ok((k.clone(), n.to_string())),
            _ => Err(bad("header values must be strings or numbers")),
        })
        .collect()
}
