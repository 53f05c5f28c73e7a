//! Typed identity keys: the seed, the Ed25519 identity keypair, X25519 conversions and
//! XEd25519 (X25519 → positive Ed25519).

use crate::error::{Error, Result};
use crate::hex_util::decode_fixed;
use crate::mnemonic;
use curve25519_dalek::Scalar;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::clamp_integer;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The 32-byte Ed25519 seed that is a Session account's only secret.
///
/// A 16-byte seed (what a 13-word phrase encodes) is right-padded with 16 zero bytes.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Seed([u8; 32]);

impl Seed {
    /// Wraps 32 seed bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Accepts 16 bytes (padded with zeros) or 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let mut seed = [0u8; 32];
        match bytes.len() {
            16 | 32 => seed[..bytes.len()].copy_from_slice(bytes),
            got => {
                return Err(Error::InvalidLength {
                    what: "seed",
                    expected: "16 or 32 bytes",
                    got,
                });
            }
        }
        Ok(Self(seed))
    }

    /// Parses 32 or 64 hex digits (16 or 32 bytes).
    pub fn from_hex(s: &str) -> Result<Self> {
        let bytes =
            Zeroizing::new(hex::decode(s.trim()).map_err(|_| Error::InvalidHex { what: "seed" })?);
        Self::from_slice(&bytes)
    }

    /// A new random seed as Session clients make it: 16 random bytes (a 13-word phrase), padded.
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed[..16]);
        Self(seed)
    }

    /// A new random seed with all 32 bytes random (a 25-word phrase).
    pub fn generate_full(rng: &mut impl CryptoRng) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self(seed)
    }

    /// The raw seed bytes. Handle with care: this is the account secret.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// True when the last 16 bytes are zero, i.e. the seed round-trips through 13 words.
    pub fn is_short(&self) -> bool {
        self.0[16..].iter().all(|&b| b == 0)
    }

    /// The recovery phrase: 13 words for a short seed, 25 words otherwise.
    pub fn to_mnemonic(&self) -> Zeroizing<String> {
        let len = if self.is_short() { 16 } else { 32 };
        mnemonic::encode(&self.0[..len]).expect("16 and 32 are multiples of 4")
    }

    /// Decodes a recovery phrase (13 or 25 words) into a seed.
    pub fn from_mnemonic(phrase: &str) -> Result<Self> {
        let bytes = mnemonic::decode(phrase)?;
        Self::from_slice(&bytes)
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

/// An Ed25519 public key (32 bytes, compressed Edwards y with sign bit).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ed25519PublicKey(pub(crate) [u8; 32]);

impl Ed25519PublicKey {
    /// Wraps 32 bytes without checking that they are a point.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        decode_fixed(s, "Ed25519 public key").map(Self)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// True when the sign bit (bit 255) is set: XEd25519 recovers `-A` for such a key.
    pub fn is_negative(&self) -> bool {
        self.0[31] & 0x80 != 0
    }

    /// The key with its sign bit cleared.
    pub fn positive(&self) -> Self {
        let mut b = self.0;
        b[31] &= 0x7f;
        Self(b)
    }

    /// The birational map to X25519 (libsodium `crypto_sign_ed25519_pk_to_curve25519`), which
    /// rejects non-points, low-order points and points outside the prime-order subgroup.
    pub fn to_x25519(&self) -> Result<X25519PublicKey> {
        let point = CompressedEdwardsY(self.0)
            .decompress()
            .filter(|p| !p.is_small_order() && p.is_torsion_free())
            .ok_or(Error::InvalidPoint {
                what: "Ed25519 public key",
            })?;
        Ok(X25519PublicKey(point.to_montgomery().to_bytes()))
    }

    /// Verifies a standard Ed25519 signature (strict: rejects low-order keys and `R`).
    pub fn verify(&self, msg: &[u8], sig: &[u8; 64], what: &'static str) -> Result<()> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| Error::BadSignature { what })?;
        let sig = ed25519_dalek::Signature::from_bytes(sig);
        key.verify_strict(msg, &sig)
            .map_err(|_| Error::BadSignature { what })
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({})", hex::encode(self.0))
    }
}

/// An X25519 public key (Montgomery u-coordinate).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct X25519PublicKey(pub(crate) [u8; 32]);

impl X25519PublicKey {
    /// Wraps 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self> {
        decode_fixed(s, "X25519 public key").map(Self)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// XEd25519: the Ed25519 point with this u-coordinate and sign bit 0, i.e. `y = (u-1)/(u+1)`.
    /// For a user whose real Ed25519 key is negative this gives `-A`.
    pub fn to_ed25519_positive(&self) -> Result<Ed25519PublicKey> {
        let point = MontgomeryPoint(self.0)
            .to_edwards(0)
            .ok_or(Error::InvalidPoint {
                what: "X25519 public key",
            })?;
        Ok(Ed25519PublicKey(point.compress().to_bytes()))
    }
}

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X25519PublicKey({})", hex::encode(self.0))
    }
}

/// An X25519 secret key (32 bytes; clamped when used).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct X25519Secret([u8; 32]);

impl X25519Secret {
    /// Wraps 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random secret (e.g. an onion ephemeral key).
    pub fn generate(rng: &mut impl CryptoRng) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        Self(b)
    }

    /// The raw bytes. Handle with care.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// The matching public key.
    pub fn public_key(&self) -> X25519PublicKey {
        X25519PublicKey(MontgomeryPoint::mul_base_clamped(self.0).to_bytes())
    }

    /// X25519 Diffie-Hellman; fails on the all-zero result (a low-order peer key).
    pub fn diffie_hellman(&self, peer: &X25519PublicKey) -> Result<Zeroizing<[u8; 32]>> {
        crate::primitives::x25519(&self.0, &peer.0)
    }
}

impl fmt::Debug for X25519Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("X25519Secret(<redacted>)")
    }
}

/// A Session account's keys: the seed, its Ed25519 keypair and the derived X25519 keypair.
pub struct IdentityKeys {
    seed: Seed,
    signing: SigningKey,
    x25519_secret: X25519Secret,
    ed25519_public: Ed25519PublicKey,
    x25519_public: X25519PublicKey,
}

impl IdentityKeys {
    /// Derives every key from the seed (libsodium `crypto_sign_seed_keypair` and conversions).
    pub fn from_seed(seed: Seed) -> Self {
        let signing = SigningKey::from_bytes(seed.expose_secret());
        let ed25519_public = Ed25519PublicKey(signing.verifying_key().to_bytes());
        let x25519_secret = X25519Secret(clamp_integer(signing.to_scalar_bytes()));
        let x25519_public = X25519PublicKey(signing.verifying_key().to_montgomery().to_bytes());
        Self {
            seed,
            signing,
            x25519_secret,
            ed25519_public,
            x25519_public,
        }
    }

    /// The seed.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The Ed25519 public key `A`.
    pub fn ed25519_public(&self) -> Ed25519PublicKey {
        self.ed25519_public
    }

    /// The X25519 public key `X` (the Session ID without its 05 prefix).
    pub fn x25519_public(&self) -> X25519PublicKey {
        self.x25519_public
    }

    /// The X25519 secret (`sk_to_curve25519`: clamped first half of SHA-512(seed)).
    pub fn x25519_secret(&self) -> &X25519Secret {
        &self.x25519_secret
    }

    /// The Session ID (`05 || X`).
    pub fn session_id(&self) -> crate::SessionId {
        crate::SessionId::from_x25519(self.x25519_public)
    }

    /// The libsodium 64-byte secret key `seed || A`.
    pub fn libsodium_secret_key(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.signing.to_keypair_bytes())
    }

    /// A standard Ed25519 signature.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// An Ed25519 signature that verifies against the *positive* key `|A|` recovered from the
    /// Session ID ([`crate::SessionId::to_ed25519_positive`]), as XEd25519 signatures do: when
    /// `A` is negative the scalar is negated. The nonce is standard Ed25519's
    /// (`SHA-512(seed)[32..64] || msg`), so for a positive `A` this equals [`Self::sign`].
    /// Used where a signer is known only by Session ID (unblinded community posts).
    pub fn sign_xed25519(&self, msg: &[u8]) -> [u8; 64] {
        let mut a = self.ed25519_scalar();
        if self.ed25519_public.is_negative() {
            *a = -*a;
        }
        let public = self.ed25519_public.positive();
        let expanded = Zeroizing::new(crate::hash::sha512(&[self.seed.expose_secret()]));
        let r = Zeroizing::new(crate::hash::reduce64(&crate::hash::sha512(&[
            &expanded[32..],
            msg,
        ])));
        let big_r = curve25519_dalek::EdwardsPoint::mul_base(&r)
            .compress()
            .to_bytes();
        let h = crate::hash::reduce64(&crate::hash::sha512(&[&big_r, public.as_bytes(), msg]));
        let s = *r + h * *a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }

    /// The Ed25519 private scalar `a` (equal to the clamped X25519 secret, reduced mod L).
    pub(crate) fn ed25519_scalar(&self) -> Zeroizing<Scalar> {
        Zeroizing::new(self.signing.to_scalar())
    }
}

impl fmt::Debug for IdentityKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityKeys")
            .field("ed25519_public", &self.ed25519_public)
            .finish_non_exhaustive()
    }
}
