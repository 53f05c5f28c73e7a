//! Onion hop ciphers (storage server `channel_encryption`, libsession `hop_encryption`).
//!
//! * `aes-gcm`: key = HMAC-SHA256(key = "LOKI", X25519(a, B)); `iv(12) || ct || tag(16)`.
//! * `xchacha20`: key = BLAKE2b-32(X25519(a, B) || A || B) with A the client's (ephemeral) key and
//!   B the hop's key, in both directions; `nonce(24) || ct || tag(16)`.
//!
//! The client derives with its ephemeral secret and the hop's public key; the hop derives with
//! its static secret and the client's ephemeral public key; both get the same key and use it for
//! the request and the response.

use crate::error::{Error, Result};
use crate::hash::{Blake2bParams, hash32};
use crate::keys::{X25519PublicKey, X25519Secret};
use aes_gcm::Aes256Gcm;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

/// The cipher named by an onion layer's `enc_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EncType {
    /// AES-256-GCM (the default when `enc_type` is absent).
    #[default]
    AesGcm,
    /// XChaCha20-Poly1305 (IETF).
    XChaCha20,
}

impl EncType {
    /// The canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AesGcm => "aes-gcm",
            Self::XChaCha20 => "xchacha20",
        }
    }

    /// Bytes added to a plaintext.
    pub fn overhead(self) -> usize {
        match self {
            Self::AesGcm => 12 + 16,
            Self::XChaCha20 => 24 + 16,
        }
    }
}

impl FromStr for EncType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "aes-gcm" | "gcm" => Ok(Self::AesGcm),
            "xchacha20" | "xchacha20-poly1305" => Ok(Self::XChaCha20),
            _ => Err(Error::UnknownEncType),
        }
    }
}

impl fmt::Display for EncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A symmetric key shared by a client and one hop.
pub struct HopKey {
    enc: EncType,
    key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for HopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HopKey")
            .field("enc", &self.enc)
            .finish_non_exhaustive()
    }
}

const WHAT: &str = "onion hop";

impl HopKey {
    fn derive(
        enc: EncType,
        shared: &[u8; 32],
        client_pk: &X25519PublicKey,
        hop_pk: &X25519PublicKey,
    ) -> Self {
        let key = match enc {
            EncType::AesGcm => {
                let mut mac =
                    <Hmac<Sha256> as KeyInit>::new_from_slice(b"LOKI").expect("HMAC takes any key");
                mac.update(shared);
                mac.finalize().into_bytes().into()
            }
            EncType::XChaCha20 => hash32(
                Blake2bParams::PLAIN,
                &[shared, client_pk.as_bytes(), hop_pk.as_bytes()],
            ),
        };
        Self {
            enc,
            key: Zeroizing::new(key),
        }
    }

    /// The client's side: its ephemeral secret and the hop's public key.
    pub fn client(
        enc: EncType,
        ephemeral: &X25519Secret,
        hop_pk: &X25519PublicKey,
    ) -> Result<Self> {
        let shared = ephemeral.diffie_hellman(hop_pk)?;
        Ok(Self::derive(enc, &shared, &ephemeral.public_key(), hop_pk))
    }

    /// The hop's side: its static keypair and the client's ephemeral public key.
    pub fn hop(
        enc: EncType,
        own_secret: &X25519Secret,
        own_pk: &X25519PublicKey,
        client_pk: &X25519PublicKey,
    ) -> Result<Self> {
        let shared = own_secret.diffie_hellman(client_pk)?;
        Ok(Self::derive(enc, &shared, client_pk, own_pk))
    }

    /// The cipher this key is for.
    pub fn enc_type(&self) -> EncType {
        self.enc
    }

    /// Encrypts with a random IV/nonce: `nonce || ciphertext || tag`.
    pub fn encrypt(&self, plaintext: &[u8], rng: &mut impl CryptoRng) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        let nonce = &mut nonce[..self.enc.overhead() - 16];
        rng.fill_bytes(nonce);
        self.seal(nonce, plaintext)
    }

    /// `nonce || AEAD(plaintext) || tag`. Not generic, so the AEAD is compiled here, at this
    /// crate's optimisation level, and not in every caller.
    fn seal(&self, nonce: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let ct = match self.enc {
            EncType::AesGcm => Aes256Gcm::new((&*self.key).into())
                .encrypt(nonce.try_into().expect("12-byte IV"), plaintext),
            EncType::XChaCha20 => XChaCha20Poly1305::new((&*self.key).into())
                .encrypt(nonce.try_into().expect("24-byte nonce"), plaintext),
        };
        prepend(nonce, ct)
    }

    /// Decrypts `nonce || ciphertext || tag`.
    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>> {
        let min = self.enc.overhead();
        if data.len() < min {
            return Err(Error::CiphertextTooShort {
                what: WHAT,
                min,
                got: data.len(),
            });
        }
        let (nonce, ct) = data.split_at(min - 16);
        match self.enc {
            EncType::AesGcm => Aes256Gcm::new((&*self.key).into())
                .decrypt(nonce.try_into().expect("12-byte IV"), ct),
            EncType::XChaCha20 => XChaCha20Poly1305::new((&*self.key).into())
                .decrypt(nonce.try_into().expect("24-byte nonce"), ct),
        }
        .map_err(|_| Error::DecryptionFailed { what: WHAT })
    }
}

fn prepend(nonce: &[u8], ct: std::result::Result<Vec<u8>, aes_gcm::Error>) -> Vec<u8> {
    let ct = ct.expect("AEAD encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(nonce.len() + ct.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ct);
    out
}
