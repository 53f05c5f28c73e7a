//! Subaccount revocations between nodes. A `revoke_subaccount` reaches the swarm only through
//! the client's recursive request; a member that was down then, or that joins the swarm later,
//! learns it here: every sync round compares per-account revocation summaries with each peer's
//! and fetches the states of the accounts that differ. A peer's state is applied only when its
//! proof (the owner's signed request) verifies here, names the token, says the same thing and
//! carries the same timestamp; then the newer state wins (see `session_store::Revocation`).

use crate::internal::proto;
use session_rpc::proof::{RevocationKind, RevocationProof};
use session_rpc::request::RevokeReq;
use session_store::{Account, Revocation, RevocationSummary, Store};
use std::collections::HashMap;

/// The states a request of `kind` sets, one per token, with the request as their proof.
pub(crate) fn of_request(kind: RevocationKind, req: &RevokeReq) -> Vec<Revocation> {
    let proof = RevocationProof::of_request(kind, req).to_bytes();
    req.tokens
        .iter()
        .map(|token| Revocation {
            token: *token,
            timestamp_ms: req.timestamp,
            revoked: kind == RevocationKind::Revoke,
            proof: proof.clone(),
        })
        .collect()
}

/// Our summaries in wire form.
pub(crate) fn to_wire(list: Vec<RevocationSummary>) -> Vec<proto::RevocationSummary> {
    list.into_iter()
        .map(|s| proto::RevocationSummary {
            account: s.account.0.to_vec(),
            count: s.count,
            digest: s.digest.to_vec(),
        })
        .collect()
}

/// The accounts whose summary at the peer differs from ours (`mine`).
pub(crate) fn differing(
    theirs: &[proto::RevocationSummary],
    mine: &HashMap<Account, RevocationSummary>,
) -> Vec<Account> {
    theirs
        .iter()
        .filter_map(|s| {
            let account = Account(s.account.as_slice().try_into().ok()?);
            let same = mine
                .get(&account)
                .is_some_and(|m| m.count == s.count && m.digest.as_slice() == s.digest.as_slice());
            (!same).then_some(account)
        })
        .collect()
}

/// `account`'s states in wire form (the answer to a peer's `Revocations`).
pub(crate) fn reply(
    store: &Store,
    account: &Account,
) -> session_store::Result<Vec<proto::Revocation>> {
    Ok(store
        .revocations(account)?
        .into_iter()
        .map(|r| proto::Revocation {
            token: r.token.to_vec(),
            timestamp_ms: r.timestamp_ms,
            revoked: r.revoked,
            proof: r.proof,
        })
        .collect())
}

/// Applies the peer's states of `account` that hold up; returns how many changed ours.
pub(crate) fn apply(store: &Store, account: &Account, theirs: Vec<proto::Revocation>) -> usize {
    let mut checked: HashMap<Vec<u8>, Option<RevocationProof>> = HashMap::new();
    let mut changed = 0;
    for r in theirs {
        let Ok(token) = <[u8; 36]>::try_from(r.token.as_slice()) else {
            continue;
        };
        let proof = checked
            .entry(r.proof.clone())
            .or_insert_with(|| RevocationProof::from_bytes(&r.proof).filter(|p| p.verify()));
        let holds = proof.as_ref().is_some_and(|p| {
            p.covers(account, &token)
                && p.request.timestamp == r.timestamp_ms
                && (p.kind == RevocationKind::Revoke) == r.revoked
        });
        if !holds {
            tracing::warn!(account = %account.to_hex(), "a peer's revocation without a valid proof");
            continue;
        }
        let rev = Revocation {
            token,
            timestamp_ms: r.timestamp_ms,
            revoked: r.revoked,
            proof: r.proof,
        };
        match store.apply_revocation(account, &rev) {
            Ok(Some(_)) => changed += 1,
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "applying a revocation"),
        }
    }
    changed
}

#[cfg(test)]
mod tests;
