//! Revocation proofs: the owner's signed `revoke_subaccount` / `unrevoke_subaccount` request,
//! kept with each token's revocation state so that the state can be replicated. A node that
//! missed the request (down at the time, or joining the swarm later) learns it from a peer in
//! the sync round and must not take the peer's word for it: without a proof, any registered node
//! could lock a member out of a group, or let a removed one back in.
//!
//! A proof is re-verified exactly as the request was (same signed string, the account's master
//! key only) except for the ±60 s time window. Per token, the newest proof wins (by the request's
//! timestamp; on a tie, a revoke beats an unrevoke).
//!
//! Wire form (exact length, version 1):
//! `1 ‖ kind(1: 0 revoke, 1 unrevoke) ‖ account(33) ‖ has(1: bit0 ed25519) ‖ [ed25519(32)] ‖
//! signature(64) ‖ timestamp(8 BE) ‖ count(2 BE) ‖ token(36)*`.

use super::Reader;
use crate::auth::{self, Auth, Requirement};
use crate::request::{RevokeReq, signed_request};
use crate::types::Account;

const VERSION: u8 = 1;

/// Which of the two requests a proof is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RevocationKind {
    /// `unrevoke_subaccount`: the tokens may be used again. Orders below `Revoke` (ties).
    Unrevoke,
    /// `revoke_subaccount`: the tokens are refused.
    Revoke,
}

impl RevocationKind {
    /// The RPC method, as signed.
    pub fn method(self) -> &'static str {
        match self {
            Self::Revoke => "revoke_subaccount",
            Self::Unrevoke => "unrevoke_subaccount",
        }
    }
}

/// An owner's signed revoke or unrevoke request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationProof {
    /// Revoke or unrevoke.
    pub kind: RevocationKind,
    /// The request as parsed (account, master-key auth, tokens, timestamp).
    pub request: RevokeReq,
}

impl RevocationProof {
    /// The proof of a parsed request of `kind`.
    pub fn of_request(kind: RevocationKind, request: &RevokeReq) -> Self {
        Self {
            kind,
            request: request.clone(),
        }
    }

    /// Whether the proof names `token`.
    pub fn covers(&self, account: &Account, token: &[u8; 36]) -> bool {
        &self.request.account == account && self.request.tokens.contains(token)
    }

    /// Checks the master-key signature as the request's own check does, without its time
    /// window. A subaccount can never revoke, so a proof carrying one is refused.
    pub fn verify(&self) -> bool {
        let method = self.kind.method();
        let req = Requirement {
            what: method,
            flags: 0,
            ignore_revocation: true,
        };
        self.request.auth.subaccount.is_none()
            && auth::verify(
                &self.request.account,
                &self.request.auth,
                &signed_request(method, &self.request),
                &req,
                |_| Ok(false),
            )
            .is_ok()
    }

    /// The wire form (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let r = &self.request;
        let kind = match self.kind {
            RevocationKind::Revoke => 0,
            RevocationKind::Unrevoke => 1,
        };
        let mut out = Vec::with_capacity(145 + 36 * r.tokens.len());
        out.extend_from_slice(&[VERSION, kind]);
        out.extend_from_slice(&r.account.0);
        out.push(u8::from(r.auth.pubkey_ed25519.is_some()));
        if let Some(ed) = &r.auth.pubkey_ed25519 {
            out.extend_from_slice(ed);
        }
        out.extend_from_slice(&r.auth.signature);
        out.extend_from_slice(&r.timestamp.to_be_bytes());
        let n = u16::try_from(r.tokens.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        for t in r.tokens.iter().take(usize::from(n)) {
            out.extend_from_slice(t);
        }
        out
    }

    /// Reads the wire form; `None` for anything malformed (untrusted bytes from peers).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut r = Reader(bytes);
        if r.byte()? != VERSION {
            return None;
        }
        let kind = match r.byte()? {
            0 => RevocationKind::Revoke,
            1 => RevocationKind::Unrevoke,
            _ => return None,
        };
        let account = Account(r.array()?);
        let pubkey_ed25519 = match r.byte()? {
            0 => None,
            1 => Some(r.array()?),
            _ => return None,
        };
        let signature = r.array()?;
        let timestamp = u64::from_be_bytes(r.array()?);
        let n = usize::from(u16::from_be_bytes(r.array()?));
        if r.0.len() != n * 36 {
            return None;
        }
        let tokens = (0..n).map(|_| r.array()).collect::<Option<Vec<_>>>()?;
        Some(Self {
            kind,
            request: RevokeReq {
                account,
                auth: Auth {
                    pubkey_ed25519,
                    signature,
                    subaccount: None,
                },
                tokens,
                timestamp,
            },
        })
    }
}

#[cfg(test)]
mod tests;
