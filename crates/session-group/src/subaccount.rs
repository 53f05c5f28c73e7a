//! Members' authentication to the group's swarm (spec §4.6; libsession
//! `Keys::swarm_make_subaccount`, `swarm_subaccount_token`, `swarm_subaccount_sign`,
//! `swarm_verify_subaccount`).
//!
//! The admin blinds the member's positive Ed25519 key `T = XEd(X)` with
//! `k = reduce(BLAKE2b-512(0x05 ‖ X ‖ 0x03 ‖ C; key = BLAKE2b-256(seed; "SessionGroupSubaccountMask")))`
//! and signs the token `0x03 ‖ flags ‖ 0 ‖ 0 ‖ kT`. The member gets `0x03 ‖ flags ‖ 0 ‖ 0 ‖ k ‖
//! signature` (100 bytes, the "auth data") and signs requests with the scalar `k·t` (`t = ±a`)
//! — signatures that verify as plain Ed25519 under `kT`.

use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::{Scalar, traits::IsIdentity};
use session_crypto::hash::{Blake2bParams, hash32, hash64, reduce64, sha512};
use session_crypto::{Ed25519PublicKey, GroupId, IdentityKeys, SessionId, X25519PublicKey};
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// May retrieve.
pub const READ: u8 = 0b0001;
/// May store.
pub const WRITE: u8 = 0b0010;
/// May delete (and shorten expiries).
pub const DELETE: u8 = 0b0100;
/// May be used on an account of another prefix.
pub const ANY_PREFIX: u8 = 0b1000;
/// The network prefix of group accounts.
const PREFIX: u8 = 0x03;

/// The flags libsession gives a member (`READ` always).
pub fn flags(write: bool, delete: bool) -> u8 {
    READ | if write { WRITE } else { 0 } | if delete { DELETE } else { 0 }
}

/// A subaccount token `0x03 ‖ flags ‖ 0 ‖ 0 ‖ kT` (36 bytes): what the swarm sees, and what
/// admins revoke.
pub type Token = [u8; 36];

/// A member's 100-byte auth data `0x03 ‖ flags ‖ 0 ‖ 0 ‖ k ‖ admin signature`. Private to the
/// member (it links them to the group); never printed.
#[derive(Clone)]
pub struct AuthData(Zeroizing<[u8; 100]>);

impl AuthData {
    /// Wraps 100 bytes (from an invite or the user groups config `s`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let b: [u8; 100] = bytes
            .try_into()
            .map_err(|_| session_crypto::Error::InvalidLength {
                what: "subaccount auth data",
                expected: "100 bytes",
                got: bytes.len(),
            })?;
        Ok(Self(Zeroizing::new(b)))
    }

    /// The 100 bytes.
    pub fn as_bytes(&self) -> &[u8; 100] {
        &self.0
    }

    /// The flags byte.
    pub fn flags(&self) -> u8 {
        self.0[1]
    }

    fn k(&self) -> Scalar {
        let mut k: [u8; 32] = self.0[4..36].try_into().unwrap_or([0; 32]);
        k[31] &= 0x7f; // libsodium's scalarmult_ed25519_noclamp ignores the top bit
        Scalar::from_bytes_mod_order(k)
    }

    fn admin_signature(&self) -> [u8; 64] {
        self.0[36..].try_into().unwrap_or([0; 64])
    }
}

impl fmt::Debug for AuthData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthData(flags {:#04x}, <redacted>)", self.flags())
    }
}

/// What a member sends with a request to the group swarm: `subaccount`, `subaccount_sig` and
/// `signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAuth {
    /// The token (`subaccount`).
    pub token: Token,
    /// The admin's signature of the token (`subaccount_sig`).
    pub token_signature: [u8; 64],
    /// The member's signature of the request (`signature`), plain Ed25519 under the token key.
    pub signature: [u8; 64],
}

fn point(bytes: &[u8; 32], what: &'static str) -> Result<EdwardsPoint> {
    CompressedEdwardsY(*bytes)
        .decompress()
        .filter(|p| p.is_torsion_free() && !p.is_small_order())
        .ok_or(Error::Crypto(session_crypto::Error::InvalidPoint { what }))
}

fn blinded(k: &Scalar, t: &EdwardsPoint) -> Result<[u8; 32]> {
    let kt = k * t;
    if kt.is_identity() {
        return Err(Error::Crypto(session_crypto::Error::InvalidPoint {
            what: "subaccount key",
        }));
    }
    Ok(kt.compress().to_bytes())
}

fn member_t(member: &SessionId) -> Result<EdwardsPoint> {
    let t = member.to_ed25519_positive()?;
    point(t.as_bytes(), "member key")
}

impl GroupAdmin {
    /// The blinding factor `k` of `member` in this group.
    fn blind_factor(&self, member: &X25519PublicKey) -> Scalar {
        let mask = self.seed_hash("SessionGroupSubaccountMask");
        let group = self.group_id().ed25519();
        let h = Zeroizing::new(hash64(
            Blake2bParams::keyed(&mask[..]),
            &[&[0x05], member.as_bytes(), &[PREFIX], group.as_bytes()],
        ));
        reduce64(&h)
    }

    /// The member's token with `flags(write, delete)` (what [`GroupAdmin::make_subaccount`]
    /// signs, and what a revocation names).
    pub fn subaccount_token(&self, member: &SessionId, write: bool, delete: bool) -> Result<Token> {
        let k = self.blind_factor(&member.x25519());
        let kt = blinded(&k, &member_t(member)?)?;
        Ok(token(flags(write, delete), &kt))
    }

    /// The 100-byte auth data for `member` (sent in the invite, kept in user groups `s`).
    pub fn make_subaccount(
        &self,
        member: &SessionId,
        write: bool,
        delete: bool,
    ) -> Result<AuthData> {
        let k = self.blind_factor(&member.x25519());
        let kt = blinded(&k, &member_t(member)?)?;
        let f = flags(write, delete);
        let sig = self.sign(&token(f, &kt));
        let mut out = Zeroizing::new([0u8; 100]);
        out[..4].copy_from_slice(&[PREFIX, f, 0, 0]);
        out[4..36].copy_from_slice(k.as_bytes());
        out[36..].copy_from_slice(&sig);
        Ok(AuthData(out))
    }
}

fn token(flags: u8, kt: &[u8; 32]) -> Token {
    let mut t = [0u8; 36];
    t[..4].copy_from_slice(&[PREFIX, flags, 0, 0]);
    t[4..].copy_from_slice(kt);
    t
}

/// The member's own `T = |A|` and the token its auth data stands for.
fn own_token(user: &IdentityKeys, auth: &AuthData) -> Result<Token> {
    let t = point(user.ed25519_public().positive().as_bytes(), "own key")?;
    let kt = blinded(&auth.k(), &t)?;
    let mut tok = token(auth.flags(), &kt);
    tok[..4].copy_from_slice(&auth.as_bytes()[..4]);
    Ok(tok)
}

/// Checks auth data received by `user` for `group`: prefix, flags (read, and write/delete when
/// asked for) and the admin's signature of the token. A forged invite fails here.
pub fn verify_auth_data(
    group: &GroupId,
    user: &IdentityKeys,
    auth: &AuthData,
    write: bool,
    delete: bool,
) -> Result<()> {
    check_flags(&auth.as_bytes()[..4], flags(write, delete))?;
    let tok = own_token(user, auth)?;
    group
        .ed25519()
        .verify(&tok, &auth.admin_signature(), "subaccount token")
        .map_err(|_| Error::BadSignature {
            what: "subaccount token",
        })
}

fn check_flags(head: &[u8], needed: u8) -> Result<()> {
    if head[0] != PREFIX && head[1] & ANY_PREFIX == 0 {
        return Err(Error::Subaccount {
            reason: "token prefix is not 03",
        });
    }
    if head[1] & needed != needed {
        return Err(Error::Subaccount {
            reason: "token lacks a needed permission",
        });
    }
    Ok(())
}

/// Signs a swarm request `msg` (e.g. `"retrieve" ‖ "11" ‖ timestamp`) as a subaccount:
/// `r = reduce(BLAKE2b-512(BLAKE2b-256(seed; "SubaccountSeed") ‖ kT ‖ msg; "SubaccountSig"))`,
/// `R = rB`, `S = r + reduce(SHA-512(R ‖ kT ‖ msg))·kt`.
pub fn sign_request(user: &IdentityKeys, auth: &AuthData, msg: &[u8]) -> Result<RequestAuth> {
    let tok = own_token(user, auth)?;
    let kt_pub: &[u8] = &tok[4..];
    let a = Zeroizing::new(Scalar::from_bytes_mod_order(
        *user.x25519_secret().expose_secret(),
    ));
    let t = Zeroizing::new(if user.ed25519_public().is_negative() {
        -*a
    } else {
        *a
    });
    let kt = Zeroizing::new(auth.k() * *t);
    let hseed = Zeroizing::new(hash32(
        Blake2bParams::keyed(b"SubaccountSeed"),
        &[user.seed().expose_secret()],
    ));
    let r = Zeroizing::new(reduce64(&hash64(
        Blake2bParams::keyed(b"SubaccountSig"),
        &[&hseed[..], kt_pub, msg],
    )));
    let big_r = EdwardsPoint::mul_base(&r).compress().to_bytes();
    let h = reduce64(&sha512(&[&big_r, kt_pub, msg]));
    let s = *r + h * *kt;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(s.as_bytes());
    Ok(RequestAuth {
        token: tok,
        token_signature: auth.admin_signature(),
        signature,
    })
}

/// Verifies a subaccount request as the group's swarm does: the token is signed by the group
/// key, carries `needed` flags, is not in `revoked` (whole 36-byte tokens, flags included, as
/// the storage server compares them: revoke the token with the flags the member was given),
/// and `signature` is a plain Ed25519 signature of `msg` by the token's key.
pub fn verify_request(
    group: &GroupId,
    auth: &RequestAuth,
    msg: &[u8],
    needed: u8,
    revoked: &[Token],
) -> Result<()> {
    check_flags(&auth.token[..4], needed)?;
    if revoked.iter().any(|r| bool::from(r.ct_eq(&auth.token))) {
        return Err(Error::Subaccount {
            reason: "token is revoked",
        });
    }
    group
        .ed25519()
        .verify(&auth.token, &auth.token_signature, "subaccount token")
        .map_err(|_| Error::BadSignature {
            what: "subaccount token",
        })?;
    let key: [u8; 32] = auth.token[4..].try_into().unwrap_or([0; 32]);
    Ed25519PublicKey::from_bytes(key)
        .verify(msg, &auth.signature, "subaccount request")
        .map_err(|_| Error::BadSignature {
            what: "subaccount request",
        })
}
