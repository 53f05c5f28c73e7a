//! Session desktop's legacy attachment encryption (`attachmentsEncrypter.ts`, `BufferPadding.ts`;
//! `spec/crypto.md` §6.1), still what older clients send.
//!
//! A random 64-byte key is `AES-256 key (32) ‖ HMAC-SHA256 key (32)`; the blob is
//! `IV(16) ‖ AES-256-CBC-PKCS#7(padded data) ‖ HMAC-SHA256(mac key, IV ‖ ciphertext)(32)` and the
//! pointer carries the key, `digest = SHA-256(blob)` and the unpadded `size`. Attachments are
//! zero-padded first to [`padded_size`] (at least 541 bytes, then powers of 1.05).
//!
//! Decryption checks the MAC, then the digest (both in constant time), then the CBC padding, then
//! cuts the zero padding off at the pointer's size, in desktop's order.

use crate::error::{Error, Result};
use aes::Aes256;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes of a legacy key (AES key ‖ MAC key).
pub const KEY_SIZE: usize = 64;
/// Bytes of the IV at the start of a blob.
pub const IV_SIZE: usize = 16;
/// Bytes of the MAC at the end of a blob.
pub const MAC_SIZE: usize = 32;
/// Bytes of the digest (`AttachmentPointer.digest`).
pub const DIGEST_SIZE: usize = 32;
/// The smallest padded size.
pub const MIN_PADDED_SIZE: usize = 541;
/// Desktop's attachment size limit (`MAX_ATTACHMENT_FILESIZE_BYTES`); padding never takes a file
/// at or under it past it.
pub const MAX_ATTACHMENT_SIZE: usize = 10_000_000;

const WHAT: &str = "attachment (legacy)";

/// A legacy attachment key. Zeroized on drop; `Debug` shows nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct LegacyKey([u8; KEY_SIZE]);

impl LegacyKey {
    /// A fresh random key.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut k = [0u8; KEY_SIZE];
        rng.fill_bytes(&mut k);
        Self(k)
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_SIZE]) -> Self {
        Self(bytes)
    }

    /// A key from a pointer's bytes (exactly 64).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; KEY_SIZE] = bytes.try_into().map_err(|_| Error::InvalidLength {
            what: "legacy attachment key",
            expected: "64",
            got: bytes.len(),
        })?;
        Ok(Self(arr))
    }

    /// The key bytes (to put in an `AttachmentPointer`).
    pub fn expose_secret(&self) -> &[u8; KEY_SIZE] {
        &self.0
    }

    fn aes(&self) -> &[u8; 32] {
        self.0[..32].try_into().expect("32-byte half")
    }

    fn mac(&self) -> &[u8] {
        &self.0[32..]
    }
}

impl fmt::Debug for LegacyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LegacyKey(<redacted>)")
    }
}

/// An encrypted blob and what its pointer carries besides the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyEncrypted {
    /// `IV ‖ ciphertext ‖ MAC`: what is uploaded.
    pub blob: Vec<u8>,
    /// SHA-256 of the blob (`AttachmentPointer.digest`).
    pub digest: [u8; DIGEST_SIZE],
}

/// Desktop's padded size for `n` bytes: `max(541, ⌊1.05^⌈ln n / ln 1.05⌉⌋)`, held at 10,000,000
/// for files at or under that limit, and never below `n`.
pub fn padded_size(n: usize) -> usize {
    // The same f64 operations as desktop's JavaScript (Math.log, Math.ceil, Math.pow, Math.floor).
    #[allow(clippy::cast_precision_loss)]
    let exp = ((n as f64).ln() / 1.05f64.ln()).ceil();
    let grown = 1.05f64.powf(exp).floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let grown = if grown.is_finite() && grown > 0.0 {
        grown as usize
    } else {
        0
    };
    let mut padded = grown.max(MIN_PADDED_SIZE);
    if padded > MAX_ATTACHMENT_SIZE && n <= MAX_ATTACHMENT_SIZE {
        padded = MAX_ATTACHMENT_SIZE;
    }
    padded.max(n)
}

/// `data` followed by zeros up to [`padded_size`].
pub fn pad(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(padded_size(data.len()));
    v.extend_from_slice(data);
    v.resize(padded_size(data.len()), 0);
    v
}

/// Pads and encrypts an attachment under a fresh random key and IV.
pub fn encrypt(data: &[u8], rng: &mut impl CryptoRng) -> (LegacyEncrypted, LegacyKey) {
    let key = LegacyKey::generate(rng);
    let mut iv = [0u8; IV_SIZE];
    rng.fill_bytes(&mut iv);
    (encrypt_unpadded(&pad(data), &key, &iv), key)
}

/// Encrypts `plaintext` as it is (no zero padding: desktop's link previews and the known-answer
/// tests) under `key` and `iv`.
pub fn encrypt_unpadded(plaintext: &[u8], key: &LegacyKey, iv: &[u8; IV_SIZE]) -> LegacyEncrypted {
    let ct = cbc::Encryptor::<Aes256>::new(key.aes().into(), iv.into())
        .encrypt_padded_vec::<Pkcs7>(plaintext);
    let mut blob = Vec::with_capacity(IV_SIZE + ct.len() + MAC_SIZE);
    blob.extend_from_slice(iv);
    blob.extend_from_slice(&ct);
    let mac = hmac(key, &blob);
    blob.extend_from_slice(&mac);
    let digest = Sha256::digest(&blob).into();
    LegacyEncrypted { blob, digest }
}

fn hmac(key: &LegacyKey, data: &[u8]) -> [u8; MAC_SIZE] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key.mac()).expect("HMAC takes any key");
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Decrypts a blob: MAC, digest (32 bytes, required), CBC padding; then, with `size`, drops the
/// zero padding (the plaintext must be at least `size` bytes).
pub fn decrypt(
    blob: &[u8],
    key: &LegacyKey,
    digest: &[u8],
    size: Option<usize>,
) -> Result<Vec<u8>> {
    const MIN: usize = IV_SIZE + 16 + MAC_SIZE;
    if blob.len() < MIN {
        return Err(Error::CiphertextTooShort {
            what: WHAT,
            min: MIN,
            got: blob.len(),
        });
    }
    let (signed, mac) = blob.split_at(blob.len() - MAC_SIZE);
    if !bool::from(hmac(key, signed).ct_eq(mac)) {
        return Err(Error::DecryptionFailed {
            what: "attachment (legacy): bad MAC",
        });
    }
    if digest.len() != DIGEST_SIZE {
        return Err(Error::InvalidLength {
            what: "attachment digest",
            expected: "32",
            got: digest.len(),
        });
    }
    let ours: [u8; DIGEST_SIZE] = Sha256::digest(blob).into();
    if !bool::from(ours.ct_eq(digest)) {
        return Err(Error::DecryptionFailed {
            what: "attachment (legacy): bad digest",
        });
    }
    let (iv, ct) = signed.split_at(IV_SIZE);
    let iv: &[u8; IV_SIZE] = iv.try_into().expect("16-byte IV");
    let mut plain = cbc::Decryptor::<Aes256>::new(key.aes().into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(ct)
        .map_err(|_| Error::DecryptionFailed {
            what: "attachment (legacy): bad padding",
        })?;
    if let Some(size) = size {
        if plain.len() < size {
            return Err(Error::InvalidLength {
                what: "attachment (legacy) plaintext",
                expected: "at least the pointer's size",
                got: plain.len(),
            });
        }
        plain.truncate(size);
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_sizes() {
        assert_eq!(padded_size(0), 541);
        assert_eq!(padded_size(1), 541);
        assert_eq!(padded_size(541), 541);
        assert_eq!(padded_size(10_000_000), 10_000_000);
        for n in [542, 1000, 4096, 65_537, 9_999_999, 10_000_001] {
            let p = padded_size(n);
            assert!(p >= n && p <= n + n / 20 + 1, "{n} -> {p}");
        }
    }

    #[test]
    fn round_trip_and_tamper() {
        let mut rng = rand::rng();
        let data = b"legacy attachment bytes".to_vec();
        let (enc, key) = encrypt(&data, &mut rng);
        assert_eq!(enc.blob.len(), IV_SIZE + 544 + MAC_SIZE);
        let plain = decrypt(&enc.blob, &key, &enc.digest, Some(data.len())).unwrap();
        assert_eq!(plain, data);
        let mut bad = enc.blob.clone();
        bad[20] ^= 1;
        assert!(decrypt(&bad, &key, &enc.digest, Some(data.len())).is_err());
        assert!(decrypt(&enc.blob, &key, &[0; 32], None).is_err());
        assert!(decrypt(&enc.blob, &key, &[], None).is_err());
        assert!(decrypt(&enc.blob, &key, &enc.digest, Some(600)).is_err());
    }
}
