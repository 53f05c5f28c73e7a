//! Multi-recipient encryption (spec §4.4; libsession `src/multi_encrypt.cpp`).
//!
//! One value is encrypted separately for each recipient under a shared 24-byte nonce:
//! `key = BLAKE2b-256(X25519(a, B) ‖ A ‖ B; key = domain)` with the sender's X25519 keys
//! `(a, A)` and the recipient's `B` (the recipient computes `X25519(b, A) ‖ A ‖ B`), then
//! XChaCha20-Poly1305 without associated data. Recipients find their copy by trying each.
//! The "simple" container is the bencoded dict `{"#": nonce, "e": [ct…]}`, optionally padded
//! with random junk entries to a multiple of `pad`.

use crate::error::{Error, Result};
use chacha20::XChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use poly1305::Poly1305;
use rand_core::CryptoRng;
use session_crypto::hash::{Blake2bParams, hash32};
use session_crypto::primitives::x25519;
use session_crypto::{X25519PublicKey, X25519Secret};
use session_protocol::bencode::Value;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Bytes each encrypted copy adds (the Poly1305 tag).
pub const OVERHEAD: usize = 16;
/// Longest domain; libsession truncates longer ones to this (the BLAKE2b key limit).
const MAX_DOMAIN: usize = 64;

/// The sender's X25519 keys.
pub struct Sender<'a> {
    /// The sender's X25519 secret `a`.
    pub secret: &'a X25519Secret,
    /// The sender's X25519 public key `A`.
    pub public: &'a X25519PublicKey,
}

/// The per-recipient key. `own` is ours (secret and public), `peer` the other side's public
/// key; `sending` says which of the two is the sender (its key comes first in the hash).
pub fn pair_key(
    own: &Sender<'_>,
    peer: &X25519PublicKey,
    sending: bool,
    domain: &str,
) -> Result<Zeroizing<[u8; 32]>> {
    let shared = x25519(own.secret.expose_secret(), peer.as_bytes())?;
    let (s, r) = if sending {
        (own.public, peer)
    } else {
        (peer, own.public)
    };
    let domain = &domain.as_bytes()[..domain.len().min(MAX_DOMAIN)];
    Ok(Zeroizing::new(hash32(
        Blake2bParams::keyed(domain),
        &[&shared[..], s.as_bytes(), r.as_bytes()],
    )))
}

fn seal(key: &[u8; 32], nonce: &[u8; 24], msg: &[u8]) -> Result<Vec<u8>> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(nonce.into(), msg)
        .map_err(|_| Error::malformed("multi-encrypt", "message too long"))
}

/// XChaCha20-Poly1305 decryption without associated data; `None` when the tag fails.
pub(crate) fn open(key: &[u8; 32], nonce: &[u8; 24], ct: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if ct.len() < OVERHEAD {
        return None;
    }
    XChaCha20Poly1305::new(key.into())
        .decrypt(nonce.into(), ct)
        .ok()
        .map(Zeroizing::new)
}

/// Encrypts `msg` for each recipient, in order. Recipients whose key gives no shared secret
/// (low-order points) are skipped, as libsession's `ignore_invalid_recipient` does.
pub fn encrypt_for_multiple(
    msg: &[u8],
    recipients: &[X25519PublicKey],
    nonce: &[u8; 24],
    sender: &Sender<'_>,
    domain: &str,
) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(recipients.len());
    for r in recipients {
        let Ok(key) = pair_key(sender, r, true, domain) else {
            continue;
        };
        out.push(seal(&key, nonce, msg)?);
    }
    Ok(out)
}

/// Tries each ciphertext with the key shared with `sender_public`; the first that opens wins.
///
/// Every copy shares the key and nonce, so the Poly1305 key (the first 32 bytes of the
/// XChaCha20 keystream) is derived and set up once, and each copy's tag is checked with a copy
/// of that state; only a copy whose tag matches is opened (and authenticated again) by the
/// AEAD. Trying the 1,050 copies of a 1,000-member keys message costs 1,050 Poly1305 tags
/// instead of 1,050 AEAD setups (HChaCha20, a keystream block and a Poly1305 key schedule).
pub fn decrypt_for_multiple<'c>(
    ciphertexts: impl IntoIterator<Item = &'c [u8]>,
    nonce: &[u8; 24],
    own: &Sender<'_>,
    sender_public: &X25519PublicKey,
    domain: &str,
) -> Option<Zeroizing<Vec<u8>>> {
    let key = pair_key(own, sender_public, false, domain).ok()?;
    let mac = Poly1305::new((&*poly1305_key(&key, nonce)).into());
    let mut scratch = Vec::new();
    ciphertexts
        .into_iter()
        .filter(|ct| tag_matches(&mac, ct, &mut scratch))
        .find_map(|ct| open(&key, nonce, ct))
}

/// The one-time Poly1305 key of XChaCha20-Poly1305 under `key` and `nonce` (keystream block 0).
fn poly1305_key(key: &[u8; 32], nonce: &[u8; 24]) -> Zeroizing<[u8; 32]> {
    let mut mac_key = Zeroizing::new([0u8; 32]);
    XChaCha20::new(key.into(), nonce.into()).apply_keystream(&mut mac_key[..]);
    mac_key
}

/// True when `ct`'s tag is the Poly1305 tag under `mac` (keyed for this key and nonce) of its
/// body, laid out as RFC 8439 does with no associated data: `body ‖ zeros to a multiple of 16 ‖
/// le64(0) ‖ le64(body length)`. `scratch` is reused between copies.
fn tag_matches(mac: &Poly1305, ct: &[u8], scratch: &mut Vec<u8>) -> bool {
    let Some(body_len) = ct.len().checked_sub(OVERHEAD) else {
        return false;
    };
    let (body, tag) = ct.split_at(body_len);
    scratch.clear();
    scratch.extend_from_slice(body);
    scratch.resize(body_len.div_ceil(16) * 16, 0);
    scratch.extend_from_slice(&0u64.to_le_bytes());
    scratch.extend_from_slice(&(body_len as u64).to_le_bytes());
    let expected = mac.clone().compute_unpadded(scratch);
    expected.as_slice().ct_eq(tag).into()
}

/// The "simple" container: `{"#": nonce, "e": [copies…, junk…]}`, junk entries (random bytes
/// as long as the first copy) padding the list to a multiple of `pad` when `pad > 1`.
pub fn encrypt_simple(
    msg: &[u8],
    recipients: &[X25519PublicKey],
    sender: &Sender<'_>,
    domain: &str,
    nonce: &[u8; 24],
    pad: usize,
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let mut list: Vec<Value> = encrypt_for_multiple(msg, recipients, nonce, sender, domain)?
        .into_iter()
        .map(Value::Bytes)
        .collect();
    if pad > 1 {
        while !list.len().is_multiple_of(pad) {
            let mut junk = vec![0u8; msg.len() + OVERHEAD];
            rng.fill_bytes(&mut junk);
            list.push(Value::Bytes(junk));
        }
    }
    Ok(Value::dict([
        ("#", Value::Bytes(nonce.to_vec())),
        ("e", Value::List(list)),
    ])
    .encode())
}

/// Opens a "simple" container sent by `sender_public`.
pub fn decrypt_simple(
    encoded: &[u8],
    own: &Sender<'_>,
    sender_public: &X25519PublicKey,
    domain: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    const WHAT: &str = "multi-encrypted container";
    let v = Value::decode(encoded).map_err(|_| Error::malformed(WHAT, "not canonical bencode"))?;
    let nonce: &[u8; 24] = v
        .get(b"#")
        .and_then(Value::as_bytes)
        .and_then(|n| n.try_into().ok())
        .ok_or(Error::malformed(WHAT, "no 24-byte nonce"))?;
    let list = v
        .get(b"e")
        .and_then(Value::as_list)
        .ok_or(Error::malformed(WHAT, "no list of copies"))?;
    let cts = list.iter().filter_map(Value::as_bytes);
    decrypt_for_multiple(cts, nonce, own, sender_public, domain).ok_or(Error::NoKey { what: WHAT })
}
