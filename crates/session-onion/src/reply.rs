//! Answering an onion request at its destination (`spec/network.md` §1.5).
//!
//! The destination encrypts its answer once, to the ephemeral key of the layer it decrypted,
//! with that layer's cipher; relays pass it back unchanged.
//!
//! * A node: `{"body": <body>, "status": <code>}` (the body a JSON string unless the request
//!   asked for `"json": true`), encrypted, then base64 unless it asked for `"base64": false`.
//! * An HTTP server: the v4 response payload encrypted and sent raw; v3: base64 of the encrypted
//!   body.

use crate::envelope::OnionEnvelope;
use crate::error::HopError;
use crate::json;
use crate::peel::NodeKeys;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_core::CryptoRng;
use serde_json::Value;
use session_crypto::hop::{EncType, HopKey};
use std::fmt;

/// How a node destination shapes its answer (the control keys of the innermost layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplyOptions {
    /// `"json": true`: embed a JSON body as JSON instead of as a JSON string.
    pub json: bool,
    /// `"base64": false` turns this off: the encrypted answer is sent raw.
    pub base64: bool,
}

impl Default for ReplyOptions {
    fn default() -> Self {
        Self {
            json: false,
            base64: true,
        }
    }
}

/// The body of a node's answer, as the storage RPC produced it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReplyBody<'a> {
    /// A `text/plain` reason.
    Text(&'a str),
    /// A JSON body.
    Json(&'a Value),
}

/// The key a destination (or a hop answering with a wrapped error) encrypts its answer with:
/// the layer's hop key.
pub struct ReplyKey {
    key: HopKey,
}

impl fmt::Debug for ReplyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyKey")
            .field("enc_type", &self.key.enc_type())
            .finish_non_exhaustive()
    }
}

impl ReplyKey {
    pub(crate) fn new(key: HopKey) -> Self {
        Self { key }
    }

    /// The cipher of the layer (and of the answer).
    pub fn enc_type(&self) -> EncType {
        self.key.enc_type()
    }

    /// Encrypts raw bytes (an HTTP server's v4 answer).
    pub fn seal(&self, plaintext: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
        self.key.encrypt(plaintext, rng)
    }

    /// Encrypts and base64-encodes (an HTTP server's v3 answer).
    pub fn seal_base64(&self, plaintext: &[u8], rng: &mut impl CryptoRng) -> String {
        STANDARD.encode(self.seal(plaintext, rng))
    }

    /// A node's answer: `{"body","status"}` encrypted, base64 unless `options.base64` is off.
    pub fn wrap(
        &self,
        status: u16,
        body: ReplyBody<'_>,
        options: ReplyOptions,
        rng: &mut impl CryptoRng,
    ) -> Vec<u8> {
        let plaintext = wrapper(status, body, options.json);
        let sealed = self.seal(plaintext.as_bytes(), rng);
        if options.base64 {
            STANDARD.encode(sealed).into_bytes()
        } else {
            sealed
        }
    }

    /// A wrapped [`HopError`] (`Invalid json`, `Invalid url`, `Snode not ready`) as the
    /// reference server sends it: a text body, base64.
    pub fn wrap_error(&self, err: &HopError, rng: &mut impl CryptoRng) -> Vec<u8> {
        let text = err.body();
        self.wrap(
            err.status(),
            ReplyBody::Text(&text),
            ReplyOptions::default(),
            rng,
        )
    }
}

/// `{"body":…,"status":…}`: the plaintext of a node's answer.
pub(crate) fn wrapper(status: u16, body: ReplyBody<'_>, embed_json: bool) -> String {
    let body = match body {
        ReplyBody::Json(v) if embed_json => v.to_string(),
        ReplyBody::Json(v) => json::string(&v.to_string()),
        ReplyBody::Text(t) => json::string(t),
    };
    json::object(&[("body", body), ("status", status.to_string())])
}

/// A request as an HTTP server receives it from the last hop, decrypted.
pub struct ServerRequest {
    /// The payload (v4 bencoded list, or v3 JSON).
    pub plaintext: Vec<u8>,
    /// Encrypts the answer.
    pub reply: ReplyKey,
}

impl fmt::Debug for ServerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerRequest")
            .field("plaintext_len", &self.plaintext.len())
            .field("reply", &self.reply)
            .finish()
    }
}

impl ServerRequest {
    /// Parses and decrypts the body the last hop POSTed (the same framing as a guard's input,
    /// with the server's own keys), as libsession's `OnionReqParser` does.
    pub fn open(keys: &NodeKeys, body: &[u8]) -> Result<Self, HopError> {
        let envelope = OnionEnvelope::parse(body)?;
        let key = keys.layer_key(&envelope)?;
        let plaintext = key
            .decrypt(&envelope.ciphertext)
            .map_err(|_| HopError::InvalidCiphertext)?;
        Ok(Self {
            plaintext,
            reply: ReplyKey::new(key),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_shapes() {
        let v = serde_json::json!({"a": 1});
        assert_eq!(
            wrapper(200, ReplyBody::Json(&v), false),
            r#"{"body":"{\"a\":1}","status":200}"#
        );
        assert_eq!(
            wrapper(200, ReplyBody::Json(&v), true),
            r#"{"body":{"a":1},"status":200}"#
        );
        assert_eq!(
            wrapper(421, ReplyBody::Text("no"), true),
            r#"{"body":"no","status":421}"#
        );
    }
}
