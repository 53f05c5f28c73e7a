//! Opening the destination's answer (the client's side, `spec/network.md` §1.5).
//!
//! Only the destination encrypts, once, with the innermost layer's ephemeral key; a relay's own
//! errors come back as plain text with a non-200 status (see [`crate::path::Outcome`]).

use crate::build::client_key;
use crate::error::{Error, Result};
use crate::v4::V4Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use serde_json::Value;
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{X25519PublicKey, X25519Secret};
use std::fmt;

/// The client's key for the destination's answer.
///
/// With `xchacha20` it also holds the `aes-gcm` key of the same exchange and falls back to it,
/// as libsession does (a legacy server that cannot do XChaCha20 answers with AES-GCM).
pub struct ResponseKey {
    key: HopKey,
    fallback: Option<HopKey>,
    node_base64: bool,
}

impl fmt::Debug for ResponseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseKey")
            .field("enc_type", &self.key.enc_type())
            .field("node_base64", &self.node_base64)
            .finish_non_exhaustive()
    }
}

impl ResponseKey {
    /// The key for answers from `destination` to the layer encrypted with `ephemeral`. Node
    /// answers are expected in base64 (the default reply options).
    pub fn new(
        enc: EncType,
        ephemeral: &X25519Secret,
        destination: &X25519PublicKey,
    ) -> Result<Self> {
        let key = client_key(enc, ephemeral, destination)?;
        let fallback = match enc {
            EncType::XChaCha20 => Some(client_key(EncType::AesGcm, ephemeral, destination)?),
            EncType::AesGcm => None,
        };
        Ok(Self {
            key,
            fallback,
            node_base64: true,
        })
    }

    pub(crate) fn key(&self) -> &HopKey {
        &self.key
    }

    pub(crate) fn with_node_base64(self, node_base64: bool) -> Self {
        Self {
            node_base64,
            ..self
        }
    }

    /// The cipher of the request's layers.
    pub fn enc_type(&self) -> EncType {
        self.key.enc_type()
    }

    /// Decrypts raw answer bytes (`nonce || ciphertext || tag`).
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.key
            .decrypt(ciphertext)
            .or_else(|e| match &self.fallback {
                Some(fallback) => fallback.decrypt(ciphertext),
                None => Err(e),
            })
            .map_err(|source| Error::Crypto {
                what: "onion response",
                source,
            })
    }

    /// Opens a node's answer (the HTTP 200 body): base64 (unless the request turned it off),
    /// decrypt, then `{"status","body"}`.
    pub fn open_node_reply(&self, body: &[u8]) -> Result<NodeReply> {
        let plaintext = if self.node_base64 {
            self.decrypt(&base64_decode(body)?)?
        } else {
            self.decrypt(body)?
        };
        NodeReply::parse(&plaintext)
    }

    /// Opens an HTTP server's v4 answer (raw encrypted bencode).
    pub fn open_v4(&self, body: &[u8]) -> Result<V4Response> {
        V4Response::decode(&self.decrypt(body)?)
    }

    /// Opens an HTTP server's v3 answer (base64 of the encrypted body).
    pub fn open_v3(&self, body: &[u8]) -> Result<V3Reply> {
        Ok(V3Reply {
            body: self.decrypt(&base64_decode(body)?)?,
        })
    }
}

fn base64_decode(body: &[u8]) -> Result<Vec<u8>> {
    STANDARD_PAD_INDIFFERENT
        .decode(body)
        .map_err(|_| Error::Base64)
}

/// A node destination's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeReply {
    /// The storage RPC status (the HTTP status it would have had).
    pub status: u16,
    /// The body: a JSON string (text, or JSON double-encoded) unless `"json": true` was asked.
    pub body: Value,
}

impl NodeReply {
    /// Parses the decrypted `{"status": N, "body": …}` (`status_code` is read when `status` is
    /// absent, as desktop does; a missing body is `null`).
    pub fn parse(plaintext: &[u8]) -> Result<Self> {
        let bad = |what| Error::BadResponse { what };
        let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(plaintext) else {
            return Err(bad("not a JSON object"));
        };
        let status = obj
            .get("status")
            .or_else(|| obj.get("status_code"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .ok_or(bad("no integer `status`"))?;
        let body = obj.remove("body").unwrap_or(Value::Null);
        Ok(Self { status, body })
    }

    /// The body as JSON: a string body parsed as JSON, any other body as it is. `None` when a
    /// string body is not JSON (a text reason).
    pub fn body_json(&self) -> Option<Value> {
        match &self.body {
            Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    }

    /// The body's text, when it is a string.
    pub fn body_text(&self) -> Option<&str> {
        self.body.as_str()
    }
}

/// An HTTP server's v3 answer: the body on success, or `{"status_code": N}` otherwise.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Reply {
    /// The decrypted body.
    pub body: Vec<u8>,
}

impl fmt::Debug for V3Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3Reply")
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl V3Reply {
    /// The status: `status_code` (or `status`) of a JSON object body, otherwise 200.
    pub fn status(&self) -> u16 {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&self.body) else {
            return 200;
        };
        obj.get("status_code")
            .or_else(|| obj.get("status"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(200)
    }
}
