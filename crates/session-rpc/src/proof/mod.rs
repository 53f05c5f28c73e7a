//! Deletion proofs: the owner's signed `delete` / `delete_all` / `delete_before` request, kept
//! with the tombstones it caused so that any node can check a peer's tombstone before acting on
//! it. A node that replicates by pulling must not take a peer's word that a message was
//! deleted: without a proof, any registered node could delete anyone's messages.
//!
//! A proof is re-verified exactly as the request was (same signed string, same master-key or
//! subaccount rules, the `Delete` permission), except for the ±60 s time window: the proof
//! is checked later than the request. What it covers is limited by its scope: the listed
//! hashes; or, for `delete_all`, the messages of the selected namespace sent no later than the
//! request (plus [`ALL_SLACK_MS`]); for `delete_before`, those sent at or before `before`.
//!
//! Wire form (exact length, version 1):
//! `1 ‖ kind(1: 0 hashes, 1 all, 2 before) ‖ account(33) ‖ has(1: bit0 ed25519, bit1
//! subaccount) ‖ [ed25519(32)] ‖ signature(64) ‖ [token(36) ‖ token signature(64)] ‖ scope`,
//! scope = `count(2 BE) ‖ (len(1) ‖ hash string)*` for hashes, else `sel(1: 0 one, 1 all) ‖
//! [ns(2 BE)] ‖ time(8 BE)`.

use crate::auth::{self, Auth, Requirement, Subaccount, flags};
use crate::reply::RpcResult;
use crate::request::{DeleteAllReq, DeleteBeforeReq, DeleteReq, NsSel};
use crate::types::{Account, MessageHash, Namespace};
use session_crypto::hash::{Blake2bParams, hash32};

/// A message sent up to this long after a `delete_all` still counts as covered by it (the
/// request's own time window: a message stored just before the deletion may carry a
/// timestamp slightly ahead of the deleting client's).
pub const ALL_SLACK_MS: u64 = 60_000;

const VERSION: u8 = 1;

/// What a deletion covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `delete`: these hashes, as the client listed (and signed) them.
    Hashes(Vec<String>),
    /// `delete_all` at `timestamp_ms`.
    All {
        /// Namespace selection.
        ns: NsSel,
        /// The request's timestamp.
        timestamp_ms: u64,
    },
    /// `delete_before` `before_ms`.
    Before {
        /// Namespace selection.
        ns: NsSel,
        /// Messages sent at or before this were deleted.
        before_ms: u64,
    },
}

/// An owner's signed deletion request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionProof {
    /// Whose messages.
    pub account: Account,
    /// The request's signature (master key or subaccount).
    pub auth: Auth,
    /// What it deleted.
    pub scope: Scope,
}

impl DeletionProof {
    /// The proof of a `delete` request.
    pub fn of_delete(r: &DeleteReq) -> Self {
        Self {
            account: r.account,
            auth: r.auth.clone(),
            scope: Scope::Hashes(r.hashes.clone()),
        }
    }

    /// The proof of a `delete_all` request.
    pub fn of_delete_all(r: &DeleteAllReq) -> Self {
        Self {
            account: r.account,
            auth: r.auth.clone(),
            scope: Scope::All {
                ns: r.ns,
                timestamp_ms: r.timestamp,
            },
        }
    }

    /// The proof of a `delete_before` request.
    pub fn of_delete_before(r: &DeleteBeforeReq) -> Self {
        Self {
            account: r.account,
            auth: r.auth.clone(),
            scope: Scope::Before {
                ns: r.ns,
                before_ms: r.before,
            },
        }
    }

    /// The string the owner signed (as the request's method signs it).
    pub fn signed_message(&self) -> String {
        match &self.scope {
            Scope::Hashes(h) => format!("delete{}", h.concat()),
            Scope::All { ns, timestamp_ms } => format!("delete_all{}{timestamp_ms}", ns.sig_str()),
            Scope::Before { ns, before_ms } => format!("delete_before{}{before_ms}", ns.sig_str()),
        }
    }

    /// Checks the signature as the request's own check does (without its time window);
    /// `is_revoked` consults the verifier's revocation list for subaccount tokens.
    pub fn verify(&self, is_revoked: impl FnOnce(&[u8; 36]) -> RpcResult<bool>) -> bool {
        let req = Requirement {
            what: "delete proof",
            flags: flags::DELETE,
            ignore_revocation: false,
        };
        let msg = self.signed_message();
        auth::verify(&self.account, &self.auth, msg.as_bytes(), &req, is_revoked).is_ok()
    }

    /// Whether the deletion covers the message `hash` of `account`, stored in `ns` with send
    /// time `timestamp_ms`.
    pub fn covers(
        &self,
        account: &Account,
        ns: Namespace,
        hash: &MessageHash,
        timestamp_ms: u64,
    ) -> bool {
        if account != &self.account {
            return false;
        }
        let selected = |sel: &NsSel| match sel {
            NsSel::All => true,
            NsSel::One(one) => *one == ns,
        };
        match &self.scope {
            Scope::Hashes(h) => h
                .iter()
                .any(|s| MessageHash::from_b64(s).as_ref() == Some(hash)),
            Scope::All {
                ns,
                timestamp_ms: t,
            } => selected(ns) && timestamp_ms <= t.saturating_add(ALL_SLACK_MS),
            Scope::Before { ns, before_ms } => selected(ns) && timestamp_ms <= *before_ms,
        }
    }

    /// The wire form (see the module docs).
    pub fn to_bytes(&self) -> Vec<u8> {
        let kind = match self.scope {
            Scope::Hashes(_) => 0,
            Scope::All { .. } => 1,
            Scope::Before { .. } => 2,
        };
        let mut out = vec![VERSION, kind];
        out.extend_from_slice(&self.account.0);
        put_auth(&mut out, &self.auth);
        match &self.scope {
            Scope::Hashes(hashes) => put_hashes(&mut out, hashes),
            Scope::All {
                ns,
                timestamp_ms: t,
            }
            | Scope::Before { ns, before_ms: t } => {
                put_ns(&mut out, *ns);
                out.extend_from_slice(&t.to_be_bytes());
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
        let scope = match kind {
            0 => Scope::Hashes(r.hashes()?),
            1 | 2 => {
                let ns = r.ns()?;
                let t = u64::from_be_bytes(r.array()?);
                if kind == 1 {
                    Scope::All {
                        ns,
                        timestamp_ms: t,
                    }
                } else {
                    Scope::Before { ns, before_ms: t }
                }
            }
            _ => return None,
        };
        if !r.0.is_empty() {
            return None;
        }
        Some(Self {
            account,
            auth,
            scope,
        })
    }

    /// The proof's id: BLAKE2b-256 of its wire form.
    pub fn id(&self) -> [u8; 32] {
        id_of(&self.to_bytes())
    }
}

/// The id of a proof's wire form.
pub fn id_of(bytes: &[u8]) -> [u8; 32] {
    hash32(Blake2bParams::PLAIN, &[bytes])
}

/// Appends `has(1: bit0 ed25519, bit1 subaccount) ‖ [ed25519(32)] ‖ signature(64) ‖
/// [token(36) ‖ token signature(64)]`.
pub(crate) fn put_auth(out: &mut Vec<u8>, auth: &Auth) {
    let has = u8::from(auth.pubkey_ed25519.is_some()) | (u8::from(auth.subaccount.is_some()) << 1);
    out.push(has);
    if let Some(ed) = &auth.pubkey_ed25519 {
        out.extend_from_slice(ed);
    }
    out.extend_from_slice(&auth.signature);
    if let Some(sub) = &auth.subaccount {
        out.extend_from_slice(&sub.token);
        out.extend_from_slice(&sub.sig);
    }
}

/// Appends `count(2 BE) ‖ (len(1) ‖ hash string)*`.
pub(crate) fn put_hashes(out: &mut Vec<u8>, hashes: &[String]) {
    let n = u16::try_from(hashes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&n.to_be_bytes());
    for h in hashes.iter().take(usize::from(n)) {
        let bytes = &h.as_bytes()[..h.len().min(255)];
        out.push(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(bytes);
    }
}

/// Appends `sel(1: 0 one, 1 all) ‖ [ns(2 BE)]`.
pub(crate) fn put_ns(out: &mut Vec<u8>, ns: NsSel) {
    match ns {
        NsSel::All => out.push(1),
        NsSel::One(one) => {
            out.push(0);
            out.extend_from_slice(&one.0.to_be_bytes());
        }
    }
}

pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl Reader<'_> {
    /// Reads what [`put_auth`] wrote.
    pub(crate) fn auth(&mut self) -> Option<Auth> {
        let has = self.byte()?;
        if has & !0b11 != 0 {
            return None;
        }
        let pubkey_ed25519 = if has & 1 != 0 {
            Some(self.array()?)
        } else {
            None
        };
        let signature = self.array()?;
        let subaccount = if has & 2 != 0 {
            Some(Subaccount {
                token: self.array()?,
                sig: self.array()?,
            })
        } else {
            None
        };
        Some(Auth {
            pubkey_ed25519,
            signature,
            subaccount,
        })
    }

    /// Reads what [`put_hashes`] wrote.
    pub(crate) fn hashes(&mut self) -> Option<Vec<String>> {
        let n = u16::from_be_bytes(self.array()?);
        let mut hashes = Vec::with_capacity(usize::from(n).min(self.0.len()));
        for _ in 0..n {
            let len = usize::from(self.byte()?);
            hashes.push(String::from_utf8(self.take(len)?.to_vec()).ok()?);
        }
        Some(hashes)
    }

    /// Reads what [`put_ns`] wrote.
    pub(crate) fn ns(&mut self) -> Option<NsSel> {
        match self.byte()? {
            0 => Some(NsSel::One(Namespace(i16::from_be_bytes(self.array()?)))),
            1 => Some(NsSel::All),
            _ => None,
        }
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub(crate) fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

mod expiry;
mod revocation;
pub use expiry::{ExpiryProof, MAX_EXPIRY_SPAN_MS};
pub use revocation::{RevocationKind, RevocationProof};

#[cfg(test)]
mod tests;
