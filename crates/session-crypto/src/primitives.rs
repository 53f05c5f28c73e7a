//! Low-level primitives composed the way libsodium composes them: X25519 with the all-zero
//! check, `crypto_secretbox` (XSalsa20-Poly1305), `crypto_box` and sealed boxes.
//!
//! Nothing here knows about Session formats; the modules above build those from these pieces.

use crate::error::{Error, Result};
use crate::hash::{Blake2bParams, hash24};
use curve25519_dalek::montgomery::MontgomeryPoint;
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use rand_core::CryptoRng;
use salsa20::XSalsa20;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Bytes a sealed box adds: ephemeral public key (32) and Poly1305 tag (16).
pub const SEAL_OVERHEAD: usize = 48;
const TAG_LEN: usize = 16;

/// X25519 (`crypto_scalarmult`): clamps the scalar; fails when the result is all zeros.
pub fn x25519(secret: &[u8; 32], public: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    let shared = Zeroizing::new(MontgomeryPoint(*public).mul_clamped(*secret).to_bytes());
    if bool::from(shared.ct_eq(&[0u8; 32])) {
        return Err(Error::LowOrderKey { what: "x25519" });
    }
    Ok(shared)
}

/// X25519 public key of a secret (`crypto_scalarmult_base`).
pub fn x25519_base(secret: &[u8; 32]) -> [u8; 32] {
    MontgomeryPoint::mul_base_clamped(*secret).to_bytes()
}

/// `crypto_box_seed_keypair`: secret = first half of SHA-512(seed), public = its X25519 base mult.
pub fn box_seed_keypair(seed: &[u8; 32]) -> (Zeroizing<[u8; 32]>, [u8; 32]) {
    let h = Zeroizing::new(crate::hash::sha512(&[seed]));
    let mut sk = Zeroizing::new([0u8; 32]);
    sk.copy_from_slice(&h[..32]);
    let pk = x25519_base(&sk);
    (sk, pk)
}

/// `crypto_box_beforenm`: HSalsa20 of the X25519 shared secret.
fn box_beforenm(secret: &[u8; 32], public: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>> {
    let shared = x25519(secret, public)?;
    let key = salsa20::hsalsa::<U10>(&(*shared).into(), &[0u8; 16].into());
    Ok(Zeroizing::new(key.into()))
}

/// `crypto_secretbox_easy`: returns `tag(16) || ciphertext`.
pub fn secretbox_seal(key: &[u8; 32], nonce: &[u8; 24], msg: &[u8]) -> Vec<u8> {
    let mut cipher = XSalsa20::new(key.into(), nonce.into());
    let mut mac_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(&mut *mac_key);
    let mut out = vec![0u8; TAG_LEN + msg.len()];
    out[TAG_LEN..].copy_from_slice(msg);
    cipher.apply_keystream(&mut out[TAG_LEN..]);
    let tag = Poly1305::new((&*mac_key).into()).compute_unpadded(&out[TAG_LEN..]);
    out[..TAG_LEN].copy_from_slice(&tag);
    out
}

/// `crypto_secretbox_open_easy`: verifies the tag, then decrypts.
pub fn secretbox_open(key: &[u8; 32], nonce: &[u8; 24], boxed: &[u8]) -> Result<Vec<u8>> {
    const WHAT: &str = "secretbox";
    if boxed.len() < TAG_LEN {
        return Err(Error::CiphertextTooShort {
            what: WHAT,
            min: TAG_LEN,
            got: boxed.len(),
        });
    }
    let (tag, ct) = boxed.split_at(TAG_LEN);
    let mut cipher = XSalsa20::new(key.into(), nonce.into());
    let mut mac_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(&mut *mac_key);
    let expected = Poly1305::new((&*mac_key).into()).compute_unpadded(ct);
    if !bool::from(expected.as_slice().ct_eq(tag)) {
        return Err(Error::DecryptionFailed { what: WHAT });
    }
    let mut out = ct.to_vec();
    cipher.apply_keystream(&mut out);
    Ok(out)
}

/// A sealed box with a caller-chosen ephemeral keypair: `eph_pk || crypto_box_easy(msg)` with
/// nonce `BLAKE2b-24(eph_pk || recipient_pk)`. Used directly by Session's deterministic variant.
pub fn seal_with_ephemeral(
    eph_sk: &[u8; 32],
    eph_pk: &[u8; 32],
    recipient_pk: &[u8; 32],
    msg: &[u8],
) -> Result<Vec<u8>> {
    let nonce = hash24(Blake2bParams::PLAIN, &[eph_pk, recipient_pk]);
    let key = box_beforenm(eph_sk, recipient_pk)?;
    let mut out = Vec::with_capacity(SEAL_OVERHEAD + msg.len());
    out.extend_from_slice(eph_pk);
    out.extend_from_slice(&secretbox_seal(&key, &nonce, msg));
    Ok(out)
}

/// `crypto_box_seal` with a fresh ephemeral key from `rng`.
pub fn seal(recipient_pk: &[u8; 32], msg: &[u8], rng: &mut impl CryptoRng) -> Result<Vec<u8>> {
    let mut eph_sk = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut *eph_sk);
    let eph_pk = x25519_base(&eph_sk);
    seal_with_ephemeral(&eph_sk, &eph_pk, recipient_pk, msg)
}

/// `crypto_box_seal_open`.
pub fn seal_open(own_sk: &[u8; 32], own_pk: &[u8; 32], sealed: &[u8]) -> Result<Vec<u8>> {
    const WHAT: &str = "sealed box";
    if sealed.len() < SEAL_OVERHEAD {
        return Err(Error::CiphertextTooShort {
            what: WHAT,
            min: SEAL_OVERHEAD,
            got: sealed.len(),
        });
    }
    let (eph_pk, boxed) = sealed.split_at(32);
    let eph_pk: &[u8; 32] = eph_pk.try_into().expect("split at 32");
    let nonce = hash24(Blake2bParams::PLAIN, &[eph_pk, own_pk]);
    let key = box_beforenm(own_sk, eph_pk).map_err(|_| Error::DecryptionFailed { what: WHAT })?;
    secretbox_open(&key, &nonce, boxed).map_err(|_| Error::DecryptionFailed { what: WHAT })
}
