//! The outer payload of an onion request: what a guard receives on `POST /onion_req/v2`, what
//! an HTTP server receives from the last hop, and (as fields) what one node relays to the next.
//!
//! ```text
//! [len(C)][C]{"enc_type": "xchacha20", "ephemeral_key": "<64 hex>", "hop_no": 0}
//! ```
//!
//! `enc_type` defaults to `aes-gcm`; `hop_no` (a fake starting hop number, to hide the guard's
//! position) defaults to 0, and a negative one counts as 0. Other keys are ignored: an HTTP server
//! receives the last hop's whole layer, whose JSON also carries `host`, `target` and so on.

use crate::error::{EnvelopeError, HopError, Result};
use crate::{framing, json};
use serde_json::Value;
use session_crypto::X25519PublicKey;
use session_crypto::hop::EncType;
use std::fmt;

/// The largest `hop_no` a node accepts from another node (`MAX_ONION_HOPS`).
pub const MAX_ONION_HOPS: u32 = 15;

/// One encrypted layer and what its receiver needs to decrypt it.
#[derive(Clone, PartialEq, Eq)]
pub struct OnionEnvelope {
    /// The layer: `nonce || ciphertext || tag`.
    pub ciphertext: Vec<u8>,
    /// The sender's ephemeral X25519 key for this layer.
    pub ephemeral_key: X25519PublicKey,
    /// The layer's cipher.
    pub enc_type: EncType,
    /// Hops taken so far (or the client's fake starting number).
    pub hop_no: u32,
}

impl fmt::Debug for OnionEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnionEnvelope")
            .field("ciphertext_len", &self.ciphertext.len())
            .field("ephemeral_key", &self.ephemeral_key)
            .field("enc_type", &self.enc_type)
            .field("hop_no", &self.hop_no)
            .finish()
    }
}

impl OnionEnvelope {
    /// Parses an outer payload, with the reference server's errors (all plain 400
    /// `Error parsing onion request: …`).
    pub fn parse(body: &[u8]) -> Result<Self, HopError> {
        Self::parse_fields(body).map_err(HopError::Envelope)
    }

    fn parse_fields(body: &[u8]) -> Result<Self, EnvelopeError> {
        let (ciphertext, rest) = framing::split(body)?;
        let obj = json::parse_object(rest).map_err(|e| match e {
            Some(e) => EnvelopeError::Json(e.to_string()),
            None => EnvelopeError::NotAnObject,
        })?;
        let key = match obj.get("ephemeral_key") {
            None => return Err(EnvelopeError::MissingEphemeralKey),
            Some(Value::String(s)) => json::key32(s)?,
            Some(_) => return Err(EnvelopeError::WrongType("ephemeral_key")),
        };
        let enc_type = match obj.get("enc_type") {
            None => EncType::default(),
            Some(Value::String(s)) => s
                .parse()
                .map_err(|_| EnvelopeError::InvalidEncType(s.clone()))?,
            Some(_) => return Err(EnvelopeError::WrongType("enc_type")),
        };
        let hop_no = match obj.get("hop_no") {
            None => 0,
            Some(Value::Number(n)) => hop_number(n),
            Some(_) => return Err(EnvelopeError::WrongType("hop_no")),
        };
        Ok(Self {
            ciphertext: ciphertext.to_vec(),
            ephemeral_key: X25519PublicKey::from_bytes(key),
            enc_type,
            hop_no,
        })
    }

    /// The outer payload: `[len][ciphertext]{"enc_type","ephemeral_key"[,"hop_no"]}` (`hop_no`
    /// only when it is not 0, as clients send it).
    pub fn encode(&self) -> Result<Vec<u8>> {
        framing::encode(&self.ciphertext, wrapper_json(self).as_bytes())
    }

    /// Refuses a layer relayed over more than [`MAX_ONION_HOPS`] hops (node-to-node only; the
    /// HTTPS entry does not check).
    pub fn check_hop_limit(&self) -> Result<(), HopError> {
        if self.hop_no > MAX_ONION_HOPS {
            return Err(HopError::MaxPathLength);
        }
        Ok(())
    }
}

fn wrapper_json(e: &OnionEnvelope) -> String {
    let mut pairs = vec![
        ("enc_type", json::string(e.enc_type.as_str())),
        (
            "ephemeral_key",
            json::string(&hex::encode(e.ephemeral_key.as_bytes())),
        ),
    ];
    if e.hop_no != 0 {
        pairs.push(("hop_no", e.hop_no.to_string()));
    }
    json::object(&pairs)
}

/// `max(0, n)` as the reference reads it (an integer, or a float truncated), saturated to u32.
fn hop_number(n: &serde_json::Number) -> u32 {
    if let Some(i) = n.as_i64() {
        return u32::try_from(i.max(0)).unwrap_or(u32::MAX);
    }
    if n.as_u64().is_some() {
        return u32::MAX;
    }
    match n.as_f64() {
        // `as` saturates and maps NaN to 0, which is what we want here.
        Some(f) => f.max(0.0) as u32,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> Vec<u8> {
        framing::encode(b"ct", json.as_bytes()).unwrap()
    }

    const KEY: &str = "bbdfc83022d0aff084a6f0c529a93d1c4d728bf7e41199afed0e01ae70d20540";

    #[test]
    fn parses_defaults_and_options() {
        let e = OnionEnvelope::parse(&body(&format!(r#"{{"ephemeral_key":"{KEY}"}}"#))).unwrap();
        assert_eq!(e.enc_type, EncType::AesGcm);
        assert_eq!(e.hop_no, 0);
        assert_eq!(e.ciphertext, b"ct");
        let e = OnionEnvelope::parse(&body(&format!(
            r#"{{"ephemeral_key":"{KEY}","enc_type":"xchacha20-poly1305","hop_no":-3}}"#
        )))
        .unwrap();
        assert_eq!(e.enc_type, EncType::XChaCha20);
        assert_eq!(e.hop_no, 0);
        let e = OnionEnvelope::parse(&body(&format!(
            r#"{{"ephemeral_key":"{KEY}","hop_no":4.9}}"#
        )))
        .unwrap();
        assert_eq!(e.hop_no, 4);
    }

    #[test]
    fn errors_have_the_reference_texts() {
        let err = |json: &str| OnionEnvelope::parse(&body(json)).unwrap_err().body();
        assert_eq!(
            err(r#"{"ephemeral_key":"zz"}"#),
            "Error parsing onion request: Hex key data is invalid: data is not hex"
        );
        assert_eq!(
            err(r#"{"ephemeral_key":"abcd"}"#),
            "Error parsing onion request: Hex key data is invalid: expected 64 hex digits, \
             received 4"
        );
        assert_eq!(
            err(&format!(
                r#"{{"ephemeral_key":"{KEY}","enc_type":"aes-cbc"}}"#
            )),
            "Error parsing onion request: Invalid encryption type aes-cbc"
        );
        assert!(err("{}").starts_with("Error parsing onion request: "));
        assert!(err("nope").starts_with("Error parsing onion request: "));
        let e = OnionEnvelope::parse(b"ab").unwrap_err();
        assert_eq!(e.status(), 400);
        assert!(!e.is_wrapped());
        assert_eq!(
            e.body(),
            "Error parsing onion request: Unexpected payload size; expected ciphertext size"
        );
    }

    #[test]
    fn encode_parse_round_trip() {
        let e = OnionEnvelope {
            ciphertext: vec![1, 2, 3],
            ephemeral_key: X25519PublicKey::from_bytes([7; 32]),
            enc_type: EncType::XChaCha20,
            hop_no: 2,
        };
        let bytes = e.encode().unwrap();
        assert!(
            bytes.ends_with(
                format!(
                    r#"{{"enc_type":"xchacha20","ephemeral_key":"{}","hop_no":2}}"#,
                    "07".repeat(32)
                )
                .as_bytes()
            )
        );
        assert_eq!(OnionEnvelope::parse(&bytes).unwrap(), e);
        let limit = OnionEnvelope { hop_no: 16, ..e };
        assert_eq!(limit.check_hop_limit(), Err(HopError::MaxPathLength));
    }
}
