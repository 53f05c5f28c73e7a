//! Deletion proofs between nodes: the proof a deletion leaves with its tombstones, and the
//! check a node makes before it applies a peer's tombstone. A tombstone is applied only when
//! its proof (the owner's signed request) verifies here and covers the message: the held copy
//! by its hash, namespace and send time; a message not held only when the proof lists its hash
//! (a `delete_all`/`delete_before` scope cannot be checked without the message's send time).

use crate::internal::proto;
use session_rpc::proof::{DeletionProof, Scope, id_of};
use session_store::{Account, MessageHash, Namespace, Proof, Store, StoredMessage, Tombstone};
use std::collections::HashMap;

/// The stored form of `proof`.
pub(crate) fn stored(proof: &DeletionProof) -> Proof {
    let body = proof.to_bytes();
    Proof {
        id: id_of(&body),
        body,
    }
}

/// A peer's proofs that hold up: the id matches the body, the body decodes, is about
/// `account`, and its signature verifies (subaccounts checked against this node's
/// revocations). Returns them in stored form with their decoded meaning.
pub(crate) fn verified(
    store: &Store,
    account: &Account,
    proofs: &[proto::Proof],
) -> HashMap<[u8; 32], (Proof, DeletionProof)> {
    verified_with(proofs, |body| {
        let proof = DeletionProof::from_bytes(body)?;
        let revoked = |t: &[u8; 36]| Ok(store.is_revoked(account, t)?);
        (&proof.account == account && proof.verify(revoked)).then_some(proof)
    })
}

/// A peer's proofs whose id matches their body and that `check` decodes and accepts, by id,
/// in stored form with their decoded meaning (deletion and expiry proofs alike).
pub(crate) fn verified_with<P>(
    proofs: &[proto::Proof],
    check: impl Fn(&[u8]) -> Option<P>,
) -> HashMap<[u8; 32], (Proof, P)> {
    let mut out = HashMap::new();
    for p in proofs {
        let Ok(id) = <[u8; 32]>::try_from(p.id.as_slice()) else {
            continue;
        };
        if id_of(&p.body) != id || out.contains_key(&id) {
            continue;
        }
        if let Some(proof) = check(&p.body) {
            let stored = Proof {
                id,
                body: p.body.clone(),
            };
            out.insert(id, (stored, proof));
        }
    }
    out
}

/// The peer's tombstones of one batch, as the store takes them (malformed ones dropped).
pub(crate) fn tombstones(deleted: &[proto::Tombstone]) -> Vec<Tombstone> {
    deleted
        .iter()
        .filter_map(|t| {
            Some(Tombstone {
                hash: MessageHash(t.hash.as_slice().try_into().ok()?),
                expiry_ms: t.expiry_ms,
                proof: t.proof.as_slice().try_into().ok(),
            })
        })
        .collect()
}

/// Whether a peer's tombstone may be applied: its proof verified (it is in `verified`) and
/// covers the message.
pub(crate) fn accepts(
    verified: &HashMap<[u8; 32], (Proof, DeletionProof)>,
    account: &Account,
    ns: Namespace,
    t: &Tombstone,
    held: Option<&StoredMessage>,
) -> bool {
    let Some((_, proof)) = t.proof.and_then(|id| verified.get(&id)) else {
        return false;
    };
    match held {
        Some(m) => proof.covers(account, ns, &t.hash, m.timestamp_ms),
        None => matches!(proof.scope, Scope::Hashes(_)) && proof.covers(account, ns, &t.hash, 0),
    }
}

/// The proofs `tombstones` reference, read from the store for a Fetch reply.
pub(crate) fn for_reply(store: &Store, tombstones: &[Tombstone]) -> Vec<proto::Proof> {
    bodies(store, tombstones.iter().filter_map(|t| t.proof).collect())
}

/// The stored proofs of `ids` (each once), for a Fetch reply.
pub(crate) fn bodies(store: &Store, mut ids: Vec<[u8; 32]>) -> Vec<proto::Proof> {
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| match store.proof(&id) {
            Ok(Some(body)) => Some(proto::Proof {
                id: id.to_vec(),
                body,
            }),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "reading a proof");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
