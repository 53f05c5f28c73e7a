//! Expiry proofs: the owner's signed `expire` / `expire_all` request, kept with the expiry
//! stamps it caused so that an expiry change reaches the swarm members that missed it. A node
//! must not take a peer's word for a new expiry: a shortened expiry deletes the message early,
//! so without a proof any registered node could delete anyone's messages.
//!
//! A proof is re-verified exactly as the request was (same signed string, same master-key or
//! subaccount rules: `Write`, and `Delete` to shorten or for `expire_all`) except for its time
//! checks. It allows one expiry per message: for `expire`, the requested expiry clamped to
//! [`MAX_EXPIRY_SPAN_MS`] after the moment the node applied it (every mode sets exactly that
//! when it changes anything); for `expire_all`, the requested expiry, on the namespaces it
//! selected.
//!
//! Wire form (exact length, version 1):
//! `1 ‖ kind(1: 0 expire, 1 expire_all) ‖ account(33) ‖ auth ‖ scope`, auth as in a
//! deletion proof (`has(1) ‖ [ed25519(32)] ‖ signature(64) ‖ [token(36) ‖ token signature(64)]`),
//! scope = `mode(1: 0 set, 1 shorten, 2 extend) ‖ count(2 BE) ‖ expiry(8 BE)* ‖ hashes` for
//! `expire` (hashes as in a deletion proof), `sel(1: 0 one, 1 all) ‖ [ns(2 BE)] ‖ expiry(8 BE)`
//! for `expire_all`.

use super::{Reader, put_auth, put_hashes, put_ns};
use crate::auth::{self, Requirement, flags};
use crate::reply::RpcResult;
use crate::request::{ExpireAllReq, ExpireReq, mode_str};
use crate::types::{Account, ExpiryMode, MessageHash, Namespace};

/// Furthest ahead an `expire` may set an expiry: 30 days after it is applied (later values
/// are clamped to this).
pub const MAX_EXPIRY_SPAN_MS: u64 = 30 * 24 * 3600 * 1000;

const VERSION: u8 = 1;

/// An owner's signed expiry change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpiryProof {
    /// `expire` of listed hashes.
    Expire(ExpireReq),
    /// `expire_all` of one namespace or all.
    ExpireAll(ExpireAllReq),
}

impl ExpiryProof {
    /// Whose messages.
    pub fn account(&self) -> &Account {
        match self {
            Self::Expire(r) => &r.account,
            Self::ExpireAll(r) => &r.account,
        }
    }

    /// The string the owner signed (as the request's method signs it).
    pub fn signed_message(&self) -> String {
        match self {
            Self::Expire(r) => {
                let expiries: String = r.expiries.iter().map(u64::to_string).collect();
                format!("expire{}{expiries}{}", mode_str(r.mode), r.hashes.concat())
            }
            Self::ExpireAll(r) => format!("expire_all{}{}", r.ns.sig_str(), r.expiry),
        }
    }

    /// Checks the signature as the request's own check does (without its time checks);
    /// `is_revoked` consults the verifier's revocation list for subaccount tokens.
    pub fn verify(&self, is_revoked: impl FnOnce(&[u8; 36]) -> RpcResult<bool>) -> bool {
        let (what, needed) = match self {
            Self::Expire(r) if r.mode == ExpiryMode::Shorten => {
                ("expire proof", flags::WRITE | flags::DELETE)
            }
            Self::Expire(_) => ("expire proof", flags::WRITE),
            Self::ExpireAll(_) => ("expire_all proof", flags::DELETE),
        };
        let req = Requirement {
            what,
            flags: needed,
            ignore_revocation: false,
        };
        let auth = match self {
            Self::Expire(r) => &r.auth,
            Self::ExpireAll(r) => &r.auth,
        };
        let msg = self.signed_message();
        auth::verify(self.account(), auth, msg.as_bytes(), &req, is_revoked).is_ok()
    }

    /// Whether the request gives the message `hash` of `account`, stored in `ns`, the expiry
    /// `expiry_ms` when a node applies it at `set_at_ms`.
    pub fn allows(
        &self,
        account: &Account,
        ns: Namespace,
        hash: &MessageHash,
        expiry_ms: u64,
        set_at_ms: u64,
    ) -> bool {
        if account != self.account() {
            return false;
        }
        match self {
            Self::Expire(r) => {
                let Some(i) = r
                    .hashes
                    .iter()
                    .position(|h| MessageHash::from_b64(h).as_ref() == Some(hash))
                else {
                    return false;
                };
                let requested = match r.expiries.as_slice() {
                    [one] => Some(*one),
                    many => many.get(i).copied(),
                };
                requested.is_some_and(|e| {
                    expiry_ms == e.min(set_at_ms.saturating_add(MAX_EXPIRY_SPAN_MS))
                })
            }
            Self::ExpireAll(r) => {
                r.ns.store_sel().is_none_or(|one| one == ns) && expiry_ms == r.expiry
            }
        }
    }

    /// The wire form (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let kind = match self {
            Self::Expire(_) => 0,
            Self::ExpireAll(_) => 1,
        };
        let mut out = vec![VERSION, kind];
        out.extend_from_slice(&self.account().0);
        match self {
            Self::Expire(r) => {
                put_auth(&mut out, &r.auth);
                out.push(match r.mode {
                    ExpiryMode::Set => 0,
                    ExpiryMode::Shorten => 1,
                    ExpiryMode::Extend => 2,
                });
                let n = u16::try_from(r.expiries.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&n.to_be_bytes());
                for e in r.expiries.iter().take(usize::from(n)) {
                    out.extend_from_slice(&e.to_be_bytes());
                }
                put_hashes(&mut out, &r.hashes);
            }
            Self::ExpireAll(r) => {
                put_auth(&mut out, &r.auth);
                put_ns(&mut out, r.ns);
                out.extend_from_slice(&r.expiry.to_be_bytes());
            }
        }
        out
    }

    /// Reads the wire form; `None` for anything malformed (untrusted bytes from peers).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader(bytes);
        if r.byte()? != VERSION {
            return None;
        }
        let kind = r.byte()?;
        let account = Account(r.array()?);
        let auth = r.auth()?;
        let proof = match kind {
            0 => {
                let mode = match r.byte()? {
                    0 => ExpiryMode::Set,
                    1 => ExpiryMode::Shorten,
                    2 => ExpiryMode::Extend,
                    _ => return None,
                };
                let n = usize::from(u16::from_be_bytes(r.array()?));
                let expiries = (0..n)
                    .map(|_| r.array().map(u64::from_be_bytes))
                    .collect::<Option<Vec<_>>>()?;
                let hashes = r.hashes()?;
                Self::Expire(ExpireReq {
                    account,
                    auth,
                    hashes,
                    expiries,
                    mode,
                })
            }
            1 => {
                let ns = r.ns()?;
                let expiry = u64::from_be_bytes(r.array()?);
                Self::ExpireAll(ExpireAllReq {
                    account,
                    auth,
                    ns,
                    expiry,
                })
            }
            _ => return None,
        };
        r.0.is_empty().then_some(proof)
    }
}

#[cfg(test)]
mod tests;
