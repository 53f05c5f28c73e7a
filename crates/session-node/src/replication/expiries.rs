//! Expiry changes between nodes: the stamp an owner's `expire` / `expire_all` leaves on each
//! message it changes, and the check a node makes before it applies a peer's stamp. A stamp is
//! applied only when its proof (the owner's signed request) verifies here and allows exactly
//! the stamp's expiry at the stamp's time, and that time is not ahead of this node's clock by
//! more than the signature window (a peer cannot make its stamps win by dating them ahead).

use crate::internal::proto;
use session_rpc::proof::{ExpiryProof, id_of};
use session_store::{Account, ExpiryStamp, MessageHash, Namespace, Proof, Stamping, Store};
use std::collections::HashMap;

/// How far ahead of this node's clock a peer's stamp may be dated (the signature window).
pub(crate) const MAX_AHEAD_MS: u64 = 60_000;

/// The stored form of `proof`.
pub(crate) fn stored(proof: &ExpiryProof) -> Proof {
    let body = proof.to_bytes();
    Proof {
        id: id_of(&body),
        body,
    }
}

/// What an applied change records: `proof`, applied now.
pub(crate) fn stamping(proof: &Proof, now_ms: u64) -> Stamping<'_> {
    Stamping {
        proof,
        set_at_ms: now_ms,
    }
}

/// A peer's expiry proofs that hold up: the id matches the body, the body decodes, is about
/// `account`, and its signature verifies (subaccounts checked against this node's
/// revocations). Returns them in stored form with their decoded meaning.
pub(crate) fn verified(
    store: &Store,
    account: &Account,
    proofs: &[proto::Proof],
) -> HashMap<[u8; 32], (Proof, ExpiryProof)> {
    super::proofs::verified_with(proofs, |body| {
        let proof = ExpiryProof::from_bytes(body)?;
        let revoked = |t: &[u8; 36]| Ok(store.is_revoked(account, t)?);
        (proof.account() == account && proof.verify(revoked)).then_some(proof)
    })
}

/// The peer's stamps of one batch, as the store takes them (malformed ones dropped).
pub(crate) fn stamps(wire: &[proto::ExpiryStamp]) -> Vec<ExpiryStamp> {
    wire.iter()
        .filter_map(|s| {
            Some(ExpiryStamp {
                hash: MessageHash(s.hash.as_slice().try_into().ok()?),
                expiry_ms: s.expiry_ms,
                set_at_ms: s.set_at_ms,
                proof: s.proof.as_slice().try_into().ok()?,
            })
        })
        .collect()
}

/// Our stamps in wire form.
pub(crate) fn to_wire(stamps: &[ExpiryStamp]) -> Vec<proto::ExpiryStamp> {
    stamps
        .iter()
        .map(|s| proto::ExpiryStamp {
            hash: s.hash.0.to_vec(),
            expiry_ms: s.expiry_ms,
            set_at_ms: s.set_at_ms,
            proof: s.proof.to_vec(),
        })
        .collect()
}

/// Whether a peer's stamp may be applied at `now_ms`: its proof verified (it is in
/// `verified`), allows this expiry at this time, and the time is not too far ahead.
pub(crate) fn accepts(
    verified: &HashMap<[u8; 32], (Proof, ExpiryProof)>,
    account: &Account,
    ns: Namespace,
    s: &ExpiryStamp,
    now_ms: u64,
) -> bool {
    let Some((_, proof)) = verified.get(&s.proof) else {
        return false;
    };
    s.set_at_ms <= now_ms.saturating_add(MAX_AHEAD_MS)
        && proof.allows(account, ns, &s.hash, s.expiry_ms, s.set_at_ms)
}

/// Applies a peer's stamps of (account, namespace) with their proofs at `now_ms` (our clock;
/// `network_ms` on the network's, for the stamps' dates); returns how many messages changed
/// expiry.
pub(crate) fn apply(
    store: &Store,
    (account, ns): (&Account, Namespace),
    wire: &[proto::ExpiryStamp],
    proofs: &[proto::Proof],
    now_ms: u64,
    network_ms: u64,
) -> usize {
    if wire.is_empty() {
        return 0;
    }
    let verified = verified(store, account, proofs);
    let proofs: Vec<Proof> = verified.values().map(|(p, _)| p.clone()).collect();
    let accept = |s: &ExpiryStamp, _: &session_store::StoredMessage, _: &Proof| {
        accepts(&verified, account, ns, s, network_ms)
    };
    match store.apply_stamps(account, ns, &stamps(wire), &proofs, now_ms, accept) {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "applying expiry stamps");
            0
        }
    }
}

/// The proofs `stamps` reference, read from the store for a Fetch reply.
pub(crate) fn for_reply(store: &Store, stamps: &[ExpiryStamp]) -> Vec<proto::Proof> {
    super::proofs::bodies(store, stamps.iter().map(|s| s.proof).collect())
}

#[cfg(test)]
mod tests;
