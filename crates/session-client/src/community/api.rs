//! Signed requests to a community server, each a v4 payload through a 3-hop onion path
//! ([`OnionClient::request_server`]): the X-SOGS-* headers (`spec/crypto.md` §3.3) go inside
//! the v4 meta, signed with the user's blind15 key for the server (unblinded only when the
//! server is known to lack the `blind` capability). Several requests travel as one `/batch`
//! (independent) or `/sequence` (in order, stopping at the first failure), signed once.

use super::url::CommunityServer;
use crate::error::{Error, Result};
use crate::onion::OnionClient;
use base64::Engine as _;
use rand_core::Rng as _;
use serde_json::{Value, json};
use session_crypto::IdentityKeys;
use session_onion::V4Request;
use session_sogs::{AuthHeaders, NONCE_LEN, Signer};

/// Longest batch sent (the servers accept more; ours caps at 256).
pub const MAX_BATCH: usize = 64;

/// One request: method, endpoint (path and query, percent-encoded) and an optional JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// Path and query, starting with `/`.
    pub endpoint: String,
    /// JSON body (POST and PUT).
    pub json: Option<Value>,
}

impl Call {
    /// A `GET`.
    pub fn get(endpoint: impl Into<String>) -> Self {
        Self {
            method: "GET",
            endpoint: endpoint.into(),
            json: None,
        }
    }

    /// A request with a JSON body.
    pub fn with_json(method: &'static str, endpoint: impl Into<String>, body: Value) -> Self {
        Self {
            method,
            endpoint: endpoint.into(),
            json: Some(body),
        }
    }

    /// A `DELETE`.
    pub fn delete(endpoint: impl Into<String>) -> Self {
        Self {
            method: "DELETE",
            endpoint: endpoint.into(),
            json: None,
        }
    }

    fn body_bytes(&self) -> Option<Vec<u8>> {
        self.json.as_ref().map(|j| j.to_string().into_bytes())
    }

    fn sub(&self) -> Value {
        let mut v = json!({ "method": self.method, "path": self.endpoint });
        if let Some(j) = &self.json {
            v["json"] = j.clone();
        }
        v
    }
}

/// A server's answer to one request: its status and its body as JSON (`Null` when the body
/// is empty or not JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub code: u16,
    /// The body.
    pub body: Value,
}

impl Answer {
    /// The body of a 2xx answer, or an error naming `what` was refused and why.
    pub fn ok(self, what: &str) -> Result<Value> {
        if (200..300).contains(&self.code) {
            return Ok(self.body);
        }
        let why = match self.code {
            401 => "the server did not accept our signature",
            403 => "not permitted (banned, or not a moderator/admin of the room)",
            404 => "no such room, message or user",
            412 => "the server lacks a capability this needs",
            425 => "our clock is too far from the server's",
            429 => "rate limited",
            _ => "refused",
        };
        Err(Error::Community {
            status: self.code,
            what: format!("{what}: {why}"),
        })
    }
}

/// How to reach and sign for one server.
#[derive(Clone, Copy, Debug)]
pub struct Api<'a> {
    onion: &'a OnionClient,
    keys: &'a IdentityKeys,
    server: &'a CommunityServer,
    blind: bool,
}

fn garbage(what: &str) -> Error {
    Error::Community {
        status: 0,
        what: format!("unusable answer: {what}"),
    }
}

impl<'a> Api<'a> {
    /// Requests to `server` as `keys`, blinded unless `blind` is false.
    pub fn new(
        onion: &'a OnionClient,
        keys: &'a IdentityKeys,
        server: &'a CommunityServer,
        blind: bool,
    ) -> Self {
        Self {
            onion,
            keys,
            server,
            blind,
        }
    }

    /// The server.
    pub fn server(&self) -> &CommunityServer {
        self.server
    }

    /// The auth headers of `method endpoint` with `body` at `timestamp` with `nonce`.
    pub fn headers(
        keys: &IdentityKeys,
        server: &CommunityServer,
        blind: bool,
        call: (&str, &str, &[u8]),
        timestamp: i64,
        nonce: &[u8; NONCE_LEN],
    ) -> AuthHeaders {
        let (method, endpoint, body) = call;
        let signer = if blind {
            Signer::Blind15(keys)
        } else {
            Signer::Unblinded(keys)
        };
        let target = session_sogs::decode_path(endpoint);
        session_sogs::sign_request(
            signer,
            &server.pubkey,
            method,
            &target,
            body,
            timestamp,
            nonce,
        )
    }

    /// Sends one request (signed) and returns the server's answer, whatever its status.
    pub async fn call(&self, call: &Call) -> Result<Answer> {
        let body = call.body_bytes();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ts = i64::try_from(self.onion.network_now_ms() / 1000).unwrap_or(i64::MAX);
        let auth = Self::headers(
            self.keys,
            self.server,
            self.blind,
            (
                call.method,
                &call.endpoint,
                body.as_deref().unwrap_or_default(),
            ),
            ts,
            &nonce,
        );
        let mut headers: Vec<(String, String)> = auth
            .pairs()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let req = V4Request {
            method: call.method.to_owned(),
            endpoint: call.endpoint.clone(),
            headers,
            body,
        };
        let answer = self
            .onion
            .request_server(&self.server.destination(), &req)
            .await?;
        let body = if answer.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&answer.body).unwrap_or(Value::Null)
        };
        Ok(Answer {
            code: answer.code,
            body,
        })
    }

    /// Sends `calls` as one `/batch` (or `/sequence`) and returns one answer per call (a
    /// sequence may answer fewer: it stops at a failure). A server answer that is not a list
    /// of `{code, body}` is an error.
    pub async fn batch(&self, calls: &[Call], sequence: bool) -> Result<Vec<Answer>> {
        if calls.is_empty() || calls.len() > MAX_BATCH {
            return Err(garbage("batch of the wrong size"));
        }
        let endpoint = if sequence { "/sequence" } else { "/batch" };
        let subs = Value::Array(calls.iter().map(Call::sub).collect());
        let answer = self.call(&Call::with_json("POST", endpoint, subs)).await?;
        let code = answer.code;
        let list = answer.ok(endpoint.trim_start_matches('/'))?;
        parse_batch(list, calls.len()).ok_or_else(|| {
            tracing::debug!(code, "malformed batch answer");
            garbage("the batch answer is not a list of {code, body}")
        })
    }
}

/// The entries of a batch answer (at most `n`); `None` when it does not have that shape.
pub fn parse_batch(list: Value, n: usize) -> Option<Vec<Answer>> {
    let Value::Array(items) = list else {
        return None;
    };
    if items.len() > n {
        return None;
    }
    items
        .into_iter()
        .map(|item| {
            let Value::Object(mut o) = item else {
                return None;
            };
            let code = u16::try_from(o.get("code")?.as_u64()?).ok()?;
            let body = match o.remove("body") {
                // A non-JSON body comes base64-encoded; JSON inside it is still JSON.
                Some(Value::String(s)) => base64::engine::general_purpose::STANDARD
                    .decode(&s)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(Value::String(s)),
                Some(v) => v,
                None => Value::Null,
            };
            Some(Answer { code, body })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_answers_parse_or_are_refused() {
        let ok = json!([{"code": 200, "headers": {}, "body": [1, 2]}, {"code": 304, "body": ""}]);
        let got = parse_batch(ok, 2).unwrap();
        assert_eq!(
            got[0],
            Answer {
                code: 200,
                body: json!([1, 2])
            }
        );
        assert_eq!(got[1].code, 304);
        for bad in [
            json!({"code": 200}),
            json!([{"code": "200"}]),
            json!([1]),
            json!([{"code": 70000}]),
            json!([{"code": 200}, {"code": 200}, {"code": 200}]),
        ] {
            assert!(parse_batch(bad.clone(), 2).is_none(), "{bad}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let e = Answer {
            code: 403,
            body: Value::Null,
        }
        .ok("ban")
        .unwrap_err();
        assert!(e.to_string().contains("not permitted"), "{e}");
        assert!(matches!(e, Error::Community { status: 403, .. }));
    }
}
