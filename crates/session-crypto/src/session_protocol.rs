//! The 1:1 Session Protocol (libsession `encrypt_for_recipient` / `decrypt_incoming`):
//! sign `M || A_s || X_r` with the sender's Ed25519 key, then seal `M || A_s || sig` to `X_r`.

use crate::SessionId;
use crate::error::{Error, Result};
use crate::hash::{Blake2bParams, hash32};
use crate::keys::{Ed25519PublicKey, IdentityKeys};
use crate::primitives::{SEAL_OVERHEAD, box_seed_keypair, seal, seal_open, seal_with_ephemeral};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

/// Bytes the protocol adds to a message: `A_s` (32) + signature (64) + sealed box (48).
pub const OVERHEAD: usize = 96 + SEAL_OVERHEAD;
const WHAT: &str = "session protocol";
const EPHEMERAL_KEY: &[u8] = b"SessionBoxEphemeralHashKey";

fn inner_plaintext(sender: &IdentityKeys, recipient: &SessionId, msg: &[u8]) -> Zeroizing<Vec<u8>> {
    let a_s = sender.ed25519_public();
    let x_r = recipient.x25519();
    let mut to_sign = Zeroizing::new(Vec::with_capacity(msg.len() + 64));
    to_sign.extend_from_slice(msg);
    to_sign.extend_from_slice(a_s.as_bytes());
    to_sign.extend_from_slice(x_r.as_bytes());
    let sig = sender.sign(&to_sign);
    let mut inner = Zeroizing::new(Vec::with_capacity(msg.len() + 96));
    inner.extend_from_slice(msg);
    inner.extend_from_slice(a_s.as_bytes());
    inner.extend_from_slice(&sig);
    inner
}

/// Encrypts `msg` for `recipient` with a random ephemeral key (`len(msg) + 144` bytes).
pub fn encrypt_for_recipient(
    sender: &IdentityKeys,
    recipient: &SessionId,
    msg: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let inner = inner_plaintext(sender, recipient, msg);
    seal(recipient.x25519().as_bytes(), &inner, rng)
}

/// The deterministic variant: the ephemeral key is derived from the sender's seed, the
/// recipient and the message, so the same inputs give the same bytes.
pub fn encrypt_for_recipient_deterministic(
    sender: &IdentityKeys,
    recipient: &SessionId,
    msg: &[u8],
) -> Result<Vec<u8>> {
    let x_r = recipient.x25519();
    let eph_seed = Zeroizing::new(hash32(
        Blake2bParams::keyed(EPHEMERAL_KEY),
        &[sender.seed().expose_secret(), x_r.as_bytes(), msg],
    ));
    let (eph_sk, eph_pk) = box_seed_keypair(&eph_seed);
    let inner = inner_plaintext(sender, recipient, msg);
    seal_with_ephemeral(&eph_sk, &eph_pk, x_r.as_bytes(), &inner)
}

/// A decrypted and verified 1:1 message.
pub struct Decrypted {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The sender's Ed25519 key, as carried inside the box and verified by the signature.
    pub sender_ed25519: Ed25519PublicKey,
    /// The sender's Session ID (`05 || to_x25519(A_s)`).
    pub sender: SessionId,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("sender", &self.sender)
            .field("plaintext_len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

/// Opens a 1:1 ciphertext addressed to `own`, verifies the sender's signature and returns the
/// plaintext with the sender's identity.
pub fn decrypt_incoming(own: &IdentityKeys, ciphertext: &[u8]) -> Result<Decrypted> {
    if ciphertext.len() < OVERHEAD {
        return Err(Error::CiphertextTooShort {
            what: WHAT,
            min: OVERHEAD,
            got: ciphertext.len(),
        });
    }
    let x_self = own.x25519_public();
    let inner = Zeroizing::new(seal_open(
        own.x25519_secret().expose_secret(),
        x_self.as_bytes(),
        ciphertext,
    )?);
    let (msg, tail) = inner.split_at(inner.len() - 96);
    let a_s = Ed25519PublicKey::from_bytes(tail[..32].try_into().expect("96-byte tail"));
    let sig: [u8; 64] = tail[32..].try_into().expect("96-byte tail");
    let mut signed = Zeroizing::new(Vec::with_capacity(msg.len() + 64));
    signed.extend_from_slice(msg);
    signed.extend_from_slice(a_s.as_bytes());
    signed.extend_from_slice(x_self.as_bytes());
    a_s.verify(&signed, &sig, WHAT)?;
    let sender = SessionId::from_x25519(a_s.to_x25519()?);
    Ok(Decrypted {
        plaintext: Zeroizing::new(msg.to_vec()),
        sender_ed25519: a_s,
        sender,
    })
}
