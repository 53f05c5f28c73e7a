//! Group message encryption (spec §4.5; libsession `Keys::encrypt_message`/`decrypt_message`).
//!
//! Inner dict (sorted keys): `""` → 1 (version), `a` → sender Ed25519 key, `d` → data (or `z`
//! → zstd data when that is smaller), `s` → the sender's Ed25519 signature over the (possibly
//! compressed) data bytes. It is padded with trailing zeros so that its length plus 40 is a
//! multiple of the padding (256), then sent as `nonce(24) ‖ XChaCha20-Poly1305(key, nonce)`.

use crate::error::{Error, Result};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use rand_core::CryptoRng;
use session_config::ConfigKey;
use session_crypto::{Ed25519PublicKey, IdentityKeys, SessionId};
use session_protocol::bencode::Value;
use std::fmt;
use zeroize::Zeroizing;

/// Largest plaintext encrypted or decompressed (libsession `MAX_PLAINTEXT_MESSAGE_SIZE`).
pub const MAX_PLAINTEXT: usize = 1_000_000;
/// Default padding multiple.
pub const DEFAULT_PADDING: usize = 256;
/// Nonce + tag.
pub const OVERHEAD: usize = 40;
/// Largest ciphertext accepted (a plaintext at the limit, its dict and padding).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 4096;
const ZSTD_LEVEL: i32 = 1;
const WHAT: &str = "group message";

/// A decrypted group message whose signature verified.
pub struct Decrypted {
    /// The sender's Session ID (`05 ‖ to_curve(a)`).
    pub sender: SessionId,
    /// The sender's Ed25519 key `a`.
    pub sender_ed25519: Ed25519PublicKey,
    /// The plaintext (a serialized `Envelope`).
    pub plaintext: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("sender", &self.sender)
            .field("len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

/// Encrypts `plaintext` from `sender` under the group `key`.
pub fn encrypt(
    key: &ConfigKey,
    sender: &IdentityKeys,
    plaintext: &[u8],
    compress: bool,
    padding: usize,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(Error::TooLarge {
            what: WHAT,
            limit: MAX_PLAINTEXT,
            got: plaintext.len(),
        });
    }
    let compressed = compress
        .then(|| zstd::bulk::compress(plaintext, ZSTD_LEVEL).ok())
        .flatten()
        .filter(|z| z.len() < plaintext.len());
    let data = compressed.as_deref().unwrap_or(plaintext);
    let data_key = if compressed.is_some() { "z" } else { "d" };
    let inner = Value::dict([
        ("", Value::Int(1)),
        (
            "a",
            Value::Bytes(sender.ed25519_public().as_bytes().to_vec()),
        ),
        (data_key, Value::Bytes(data.to_vec())),
        ("s", Value::Bytes(sender.sign(data).to_vec())),
    ]);
    let mut encoded = Zeroizing::new(inner.encode());
    let total = OVERHEAD + encoded.len();
    if padding > 1 && !total.is_multiple_of(padding) {
        let padded = encoded.len() + padding - total % padding;
        encoded.resize(padded, 0);
    }
    let mut nonce = [0u8; 24];
    rng.fill_bytes(&mut nonce);
    let ct = XChaCha20Poly1305::new(key.expose_secret().into())
        .encrypt((&nonce).into(), &encoded[..])
        .map_err(|_| Error::malformed(WHAT, "too long to encrypt"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts with the first of `keys` that opens the message, then checks the inner dict and
/// the sender's signature.
pub fn decrypt(keys: &[&ConfigKey], ciphertext: &[u8]) -> Result<Decrypted> {
    if ciphertext.len() < OVERHEAD {
        return Err(Error::malformed(WHAT, "too short to be encrypted"));
    }
    if ciphertext.len() > MAX_CIPHERTEXT {
        return Err(Error::TooLarge {
            what: WHAT,
            limit: MAX_CIPHERTEXT,
            got: ciphertext.len(),
        });
    }
    let (nonce, body) = ciphertext.split_at(24);
    let nonce: &[u8; 24] = nonce
        .try_into()
        .map_err(|_| Error::malformed(WHAT, "no nonce"))?;
    let plain = keys
        .iter()
        .find_map(|k| {
            XChaCha20Poly1305::new(k.expose_secret().into())
                .decrypt(nonce.into(), body)
                .ok()
        })
        .map(Zeroizing::new)
        .ok_or(Error::NoKey { what: WHAT })?;
    let end = plain.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    parse_inner(&plain[..end])
}

fn parse_inner(inner: &[u8]) -> Result<Decrypted> {
    let v = Value::decode(inner).map_err(|_| Error::malformed(WHAT, "not a bencoded dict"))?;
    if v.get(b"").and_then(Value::as_int) != Some(1) {
        return Err(Error::malformed(WHAT, "missing or unsupported version"));
    }
    let a: [u8; 32] = v
        .get(b"a")
        .and_then(Value::as_bytes)
        .and_then(|a| a.try_into().ok())
        .ok_or(Error::malformed(WHAT, "author key is not 32 bytes"))?;
    let sender_ed25519 = Ed25519PublicKey::from_bytes(a);
    let sender = SessionId::from_x25519(sender_ed25519.to_x25519()?);
    let sig: &[u8; 64] = v
        .get(b"s")
        .and_then(Value::as_bytes)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::malformed(
            WHAT,
            "signature is missing or not 64 bytes",
        ))?;
    let d = v.get(b"d").and_then(Value::as_bytes);
    let z = v.get(b"z").and_then(Value::as_bytes);
    let (data, compressed) = match (d, z) {
        (Some(d), None) if !d.is_empty() => (d, false),
        (None, Some(z)) if !z.is_empty() => (z, true),
        (Some(_), Some(_)) => return Err(Error::malformed(WHAT, "both d and z data")),
        _ => return Err(Error::malformed(WHAT, "no (non-empty) d or z data")),
    };
    sender_ed25519
        .verify(data, sig, WHAT)
        .map_err(|_| Error::BadSignature { what: WHAT })?;
    let plaintext = if compressed {
        session_config::encrypt::decompress(data, MAX_PLAINTEXT)
            .map_err(|_| Error::malformed(WHAT, "decompression failed"))?
    } else {
        data.to_vec()
    };
    Ok(Decrypted {
        sender,
        sender_ed25519,
        plaintext: Zeroizing::new(plaintext),
    })
}
