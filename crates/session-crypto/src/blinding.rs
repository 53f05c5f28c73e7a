//! Community (SOGS) blinding: blind15 and blind25 IDs, keypairs and signatures.
//!
//! A blinded key `kA` hides the Session ID from a community server while still letting the user
//! sign as `kA` with standard Ed25519 verification.

use crate::SessionId;
use crate::error::Result;
use crate::hash::{Blake2bParams, hash32, hash64, reduce64, sha512};
use crate::ids::{BlindKind, BlindedId};
use crate::keys::{Ed25519PublicKey, IdentityKeys};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::{EdwardsPoint, Scalar};
use std::fmt;
use zeroize::Zeroizing;

/// A community server's Ed25519 public key.
pub type ServerPubkey = [u8; 32];

/// blind15 factor `k = reduce(BLAKE2b-64(server_pk))`.
pub fn blind15_factor(server_pk: &ServerPubkey) -> Scalar {
    reduce64(&hash64(Blake2bParams::PLAIN, &[server_pk]))
}

/// blind25 factor `k' = reduce(BLAKE2b-64(05 || X || server_pk))`.
pub fn blind25_factor(session_id: &SessionId, server_pk: &ServerPubkey) -> Scalar {
    reduce64(&hash64(
        Blake2bParams::PLAIN,
        &[&session_id.to_bytes(), server_pk],
    ))
}

fn point(key: &Ed25519PublicKey) -> Result<EdwardsPoint> {
    CompressedEdwardsY(*key.as_bytes())
        .decompress()
        .ok_or(crate::Error::InvalidPoint {
            what: "Ed25519 public key",
        })
}

fn encode(p: EdwardsPoint) -> Ed25519PublicKey {
    Ed25519PublicKey::from_bytes(p.compress().to_bytes())
}

/// A blinded keypair: secret scalar `ka` and public key `kA`.
pub struct BlindedKeypair {
    kind: BlindKind,
    secret: Zeroizing<Scalar>,
    public: Ed25519PublicKey,
}

impl BlindedKeypair {
    fn from_scalar(kind: BlindKind, ka: Scalar) -> Self {
        let public = encode(EdwardsPoint::mul_base(&ka));
        Self {
            kind,
            secret: Zeroizing::new(ka),
            public,
        }
    }

    /// The blinded public key `kA`.
    pub fn public(&self) -> Ed25519PublicKey {
        self.public
    }

    /// The blinded ID (`15`/`25` || `kA`).
    pub fn id(&self) -> BlindedId {
        BlindedId::new(self.kind, self.public)
    }

    pub(crate) fn secret_scalar(&self) -> &Scalar {
        &self.secret
    }

    /// Ed25519 signature as `kA` with a caller-derived nonce scalar `r`.
    fn sign_with_nonce(&self, r: Scalar, msg: &[u8]) -> [u8; 64] {
        let big_r = EdwardsPoint::mul_base(&r).compress().to_bytes();
        let h = reduce64(&sha512(&[&big_r, self.public.as_bytes(), msg]));
        let s = r + h * *self.secret;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }
}

impl fmt::Debug for BlindedKeypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlindedKeypair")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

/// The blind15 keypair: `ka = k·a`.
pub fn blind15_keypair(keys: &IdentityKeys, server_pk: &ServerPubkey) -> BlindedKeypair {
    let a = keys.ed25519_scalar();
    BlindedKeypair::from_scalar(BlindKind::Blind15, blind15_factor(server_pk) * *a)
}

/// The blind25 keypair: `ka = ±k'·a`, the sign chosen so that `kA = k'·|A|`.
pub fn blind25_keypair(keys: &IdentityKeys, server_pk: &ServerPubkey) -> BlindedKeypair {
    let a = keys.ed25519_scalar();
    let mut k = blind25_factor(&keys.session_id(), server_pk);
    if keys.ed25519_public().is_negative() {
        k = -k;
    }
    BlindedKeypair::from_scalar(BlindKind::Blind25, k * *a)
}

/// Which nonce hash blind15 signing uses; both give valid, different signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blind15Nonce {
    /// libsession-util: `H_rh = SHA-512(seed || A)[32..64]`.
    Libsession,
    /// SOGS and Session desktop: `H_rh = SHA-512(seed)[32..64]`.
    Sogs,
}

/// A blind15 signature of `msg` as `kA`.
pub fn blind15_sign(
    keys: &IdentityKeys,
    server_pk: &ServerPubkey,
    msg: &[u8],
    nonce: Blind15Nonce,
) -> [u8; 64] {
    let kp = blind15_keypair(keys, server_pk);
    let seed = keys.seed().expose_secret();
    let full = Zeroizing::new(match nonce {
        Blind15Nonce::Libsession => sha512(&[seed, keys.ed25519_public().as_bytes()]),
        Blind15Nonce::Sogs => sha512(&[seed]),
    });
    let r = reduce64(&sha512(&[&full[32..], kp.public.as_bytes(), msg]));
    kp.sign_with_nonce(r, msg)
}

/// A blind25 signature of `msg` as `kA`.
pub fn blind25_sign(keys: &IdentityKeys, server_pk: &ServerPubkey, msg: &[u8]) -> [u8; 64] {
    let kp = blind25_keypair(keys, server_pk);
    let seedhash = Zeroizing::new(hash32(
        Blake2bParams::keyed(b"SessCommBlind25_seed"),
        &[keys.seed().expose_secret()],
    ));
    let r = reduce64(&hash64(
        Blake2bParams::keyed(b"SessCommBlind25_sig"),
        &[&*seedhash, kp.public.as_bytes(), msg],
    ));
    kp.sign_with_nonce(r, msg)
}

/// Both blind15 candidates for a Session ID: `[k·T, -k·T]` with `T` the positive XEd25519 key
/// (the positive candidate first).
pub fn blind15_ids(session_id: &SessionId, server_pk: &ServerPubkey) -> Result<[BlindedId; 2]> {
    let t = point(&session_id.to_ed25519_positive()?)?;
    let id = BlindedId::new(BlindKind::Blind15, encode(blind15_factor(server_pk) * t));
    Ok([id, id.negated()])
}

/// The blind25 ID of a Session ID (unique: no sign ambiguity).
pub fn blind25_id(session_id: &SessionId, server_pk: &ServerPubkey) -> Result<BlindedId> {
    let t = point(&session_id.to_ed25519_positive()?)?;
    let k = blind25_factor(session_id, server_pk);
    Ok(BlindedId::new(BlindKind::Blind25, encode(k * t)))
}

/// The blind15 ID of a known Ed25519 key (the true sign).
pub fn blind15_id_from_ed25519(
    ed: &Ed25519PublicKey,
    server_pk: &ServerPubkey,
) -> Result<BlindedId> {
    let a = point(ed)?;
    Ok(BlindedId::new(
        BlindKind::Blind15,
        encode(blind15_factor(server_pk) * a),
    ))
}

/// The blind25 ID of a known Ed25519 key (its sign bit is cleared first, as libsession does).
pub fn blind25_id_from_ed25519(
    ed: &Ed25519PublicKey,
    server_pk: &ServerPubkey,
) -> Result<BlindedId> {
    let session_id = SessionId::from_x25519(ed.to_x25519()?);
    let a = point(&ed.positive())?;
    let k = blind25_factor(&session_id, server_pk);
    Ok(BlindedId::new(BlindKind::Blind25, encode(k * a)))
}

/// True when `blinded` is (either blind15 candidate of, or the blind25 ID of) `session_id` on
/// the server `server_pk`.
pub fn session_id_matches_blinded_id(
    session_id: &SessionId,
    blinded: &BlindedId,
    server_pk: &ServerPubkey,
) -> bool {
    match blinded.kind() {
        BlindKind::Blind15 => {
            blind15_ids(session_id, server_pk).is_ok_and(|ids| ids.contains(blinded))
        }
        BlindKind::Blind25 => blind25_id(session_id, server_pk).is_ok_and(|id| id == *blinded),
    }
}

/// The blinded keypair of `kind` for `keys` on `server_pk`.
pub fn blinded_keypair(
    kind: BlindKind,
    keys: &IdentityKeys,
    server_pk: &ServerPubkey,
) -> BlindedKeypair {
    match kind {
        BlindKind::Blind15 => blind15_keypair(keys, server_pk),
        BlindKind::Blind25 => blind25_keypair(keys, server_pk),
    }
}
