//! Blinded direct messages through a community server's inbox (libsession
//! `encrypt_for_blinded_recipient` / `decrypt_from_blinded_recipient`).
//!
//! Wire form: `0x00 || XChaCha20-Poly1305(key, nonce, M || A_s) || nonce(24)`, where `A_s` is the
//! sender's unblinded Ed25519 key and the key is BLAKE2b-32 of a blinded Diffie-Hellman value
//! followed by `kA_sender || kB_recipient`.

use crate::SessionId;
use crate::blinding::{
    ServerPubkey, blind15_id_from_ed25519, blind25_id_from_ed25519, blinded_keypair,
};
use crate::error::{Error, Result};
use crate::hash::{Blake2bParams, hash32};
use crate::ids::{BlindKind, BlindedId};
use crate::keys::{Ed25519PublicKey, IdentityKeys};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use curve25519_dalek::edwards::CompressedEdwardsY;
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

const WHAT: &str = "blinded message";
const VERSION: u8 = 0;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Smallest valid ciphertext: version, tag, nonce and the 32-byte sender key.
pub const MIN_LEN: usize = 1 + TAG_LEN + NONCE_LEN + 32;

/// The shared key between `sender` and `recipient` (both blinded, same kind), computed by
/// whichever of the two `own` is.
fn shared_key(
    own: &IdentityKeys,
    server_pk: &ServerPubkey,
    sender: &BlindedId,
    recipient: &BlindedId,
) -> Result<Zeroizing<[u8; 32]>> {
    let kind = recipient.kind();
    let own_blinded = blinded_keypair(kind, own, server_pk);
    let other = if own_blinded.public() == sender.key() {
        recipient.key()
    } else if own_blinded.public() == recipient.key() {
        sender.key()
    } else {
        return Err(Error::NotAParty);
    };
    let other = CompressedEdwardsY(*other.as_bytes())
        .decompress()
        .ok_or(Error::InvalidPoint { what: "blinded ID" })?;
    // blind15 multiplies by the unblinded scalar a; blind25 by the blinded scalar k·a.
    let scalar = match kind {
        BlindKind::Blind15 => own.ed25519_scalar(),
        BlindKind::Blind25 => Zeroizing::new(*own_blinded.secret_scalar()),
    };
    let dh = Zeroizing::new((*scalar * other).compress().to_bytes());
    let key = hash32(
        Blake2bParams::PLAIN,
        &[&*dh, sender.key().as_bytes(), recipient.key().as_bytes()],
    );
    Ok(Zeroizing::new(key))
}

/// Encrypts `msg` from `sender` to the blinded `recipient` (its prefix picks blind15 or 25).
pub fn encrypt_blinded_dm(
    sender: &IdentityKeys,
    server_pk: &ServerPubkey,
    recipient: &BlindedId,
    msg: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<Vec<u8>> {
    let own_id = blinded_keypair(recipient.kind(), sender, server_pk).id();
    let key = shared_key(sender, server_pk, &own_id, recipient)?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(msg.len() + 32));
    plaintext.extend_from_slice(msg);
    plaintext.extend_from_slice(sender.ed25519_public().as_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new((&*key).into());
    let ct = cipher
        .encrypt((&nonce).into(), plaintext.as_slice())
        .map_err(|_| Error::DecryptionFailed { what: WHAT })?;
    let mut out = Vec::with_capacity(1 + ct.len() + NONCE_LEN);
    out.push(VERSION);
    out.extend_from_slice(&ct);
    out.extend_from_slice(&nonce);
    Ok(out)
}

/// A decrypted blinded message.
pub struct BlindedDm {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The sender's real Ed25519 key (verified to blind to the claimed sender ID).
    pub sender_ed25519: Ed25519PublicKey,
    /// The sender's Session ID.
    pub sender: SessionId,
}

impl fmt::Debug for BlindedDm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindedDm")
            .field("sender", &self.sender)
            .field("plaintext_len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

/// Decrypts a blinded message between `sender` and `recipient`, where `own` is either party
/// (a sender can read its own outbox), and checks the embedded sender key.
pub fn decrypt_blinded_dm(
    own: &IdentityKeys,
    server_pk: &ServerPubkey,
    sender: &BlindedId,
    recipient: &BlindedId,
    ciphertext: &[u8],
) -> Result<BlindedDm> {
    if ciphertext.len() < MIN_LEN {
        return Err(Error::CiphertextTooShort {
            what: WHAT,
            min: MIN_LEN,
            got: ciphertext.len(),
        });
    }
    if ciphertext[0] != VERSION {
        return Err(Error::UnsupportedVersion {
            what: WHAT,
            got: ciphertext[0],
        });
    }
    if sender.kind() != recipient.kind() {
        return Err(Error::BlindedSenderMismatch);
    }
    let key = shared_key(own, server_pk, sender, recipient)?;
    let (body, nonce) = ciphertext[1..].split_at(ciphertext.len() - 1 - NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().expect("split at NONCE_LEN");
    let cipher = XChaCha20Poly1305::new((&*key).into());
    let plaintext = Zeroizing::new(
        cipher
            .decrypt(nonce.into(), body)
            .map_err(|_| Error::DecryptionFailed { what: WHAT })?,
    );
    let (msg, a_s) = plaintext.split_at(plaintext.len() - 32);
    let sender_ed25519 = Ed25519PublicKey::from_bytes(a_s.try_into().expect("32-byte tail"));
    check_sender(&sender_ed25519, sender, server_pk)?;
    Ok(BlindedDm {
        plaintext: Zeroizing::new(msg.to_vec()),
        sender_ed25519,
        sender: SessionId::from_x25519(sender_ed25519.to_x25519()?),
    })
}

fn check_sender(
    a_s: &Ed25519PublicKey,
    claimed: &BlindedId,
    server_pk: &ServerPubkey,
) -> Result<()> {
    let ok = match claimed.kind() {
        BlindKind::Blind15 => {
            let id = blind15_id_from_ed25519(a_s, server_pk)?;
            id == *claimed || id.negated() == *claimed
        }
        BlindKind::Blind25 => blind25_id_from_ed25519(a_s, server_pk)? == *claimed,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::BlindedSenderMismatch)
    }
}
