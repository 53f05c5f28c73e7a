//! Replication by comparison (catch-up and handover): every round a node compares its
//! per-(account, namespace) summaries with each peer's and fetches the pairs that differ.
//!
//! While the swarms stay the same it asks its swarm peers (catch-up after downtime, missed
//! forwards). When they change — and at start — it asks every node once, so a node that joined a swarm, or
//! whose accounts moved to a new swarm or out of a dissolved one, pulls what now belongs to it
//! wherever it was. Fetched messages are checked against their hash before they are stored;
//! stores are idempotent, so repeating a round is harmless.

use super::revocations;
use crate::internal::peers::{PeerError, Peers};
use crate::internal::proto::{AccountSummary, RevocationSummary as RevocationSummaryWire};
use crate::state::NodeState;
use crate::swarm_view::{NodeRecord, SwarmView};
use session_store::{
    Account, MessageHash, Namespace, NewMessage, Proof, RevocationSummary, StoredMessage, Summary,
    Tombstone,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs sync rounds every `every` until `shutdown`.
pub async fn sync_loop(
    node: Arc<NodeState>,
    peers: Arc<Peers>,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut synced: Option<Arc<SwarmView>> = None;
    let mut ticks = crate::every::Every::new(every, shutdown);
    while ticks.next().await {
        let view = node.view();
        let Some(own) = view.own_swarm() else {
            continue;
        };
        let everyone = needs_everyone(&view, synced.as_deref());
        count(&node.sync.rounds);
        if everyone {
            count(&node.sync.everyone_rounds);
        }
        let sources: Vec<NodeRecord> = if everyone {
            view.nodes().map(|(_, n)| n.clone()).collect()
        } else {
            view.members(own).to_vec()
        };
        let mut complete = true;
        // One scan of our own store per round, whatever the number of peers.
        let mine = match own_summaries(&node).await {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(error = %e, "summarising the store");
                continue;
            }
        };
        for peer in sources.iter().filter(|p| p.ed25519 != node.record.ed25519) {
            match sync_from(&node, &peers, peer, &mine).await {
                Ok(0) => {}
                Ok(added) => {
                    tracing::info!(peer = %hex::encode(peer.ed25519), added, "synced messages")
                }
                Err(e) => {
                    complete = false;
                    tracing::debug!(peer = %hex::encode(peer.ed25519), error = %e, "sync failed");
                }
            }
        }
        if complete || !everyone {
            synced = Some(view);
        }
    }
}

/// Whether a round must ask every node rather than its swarm peers: at start, and whenever the
/// swarms differ from those of the last complete round (a new epoch with the same swarms moves
/// no account, so it needs no more than a swarm round: sync work grows with the swarm, not with
/// the network).
pub(crate) fn needs_everyone(view: &SwarmView, synced: Option<&SwarmView>) -> bool {
    synced.is_none_or(|s| !s.same_swarms(view))
}

fn count(c: &std::sync::atomic::AtomicU64) {
    c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// One comparison of `peer`'s summaries with ours (`mine`); fetches only the messages of
/// differing pairs that this node lacks. Returns how many messages were new here.
pub async fn sync_from(
    node: &Arc<NodeState>,
    peers: &Peers,
    peer: &NodeRecord,
    mine: &Mine,
) -> Result<usize, PeerError> {
    let reply = peers.summary(node, peer).await?;
    count(&node.sync.summary_calls);
    let bytes = prost::Message::encoded_len(&reply) as u64;
    node.sync
        .summary_bytes
        .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    // Revocations first: the deletion proofs of this round are checked against them.
    sync_revocations(node, peers, peer, &reply.revocations, &mine.revocations).await?;
    let theirs = reply.summaries;
    let mine = &mine.messages;
    let mut added = 0;
    for s in theirs.iter().filter(|s| differs(s, mine)) {
        let (Ok(account), Ok(ns)) = (
            <[u8; 33]>::try_from(s.account.as_slice()),
            i16::try_from(s.namespace),
        ) else {
            continue;
        };
        let (account, ns) = (Account(account), Namespace(ns));
        // Batches of at most FETCH_BATCH_BYTES, each continuing after the last hash received.
        let n = node.clone();
        let have: Vec<Vec<u8>> =
            tokio::task::spawn_blocking(move || n.store.live_hashes(&account, ns, n.now_ms()))
                .await
                .map_err(|e| PeerError::Call(e.to_string()))?
                .map_err(|e| PeerError::Call(e.to_string()))?
                .into_iter()
                .map(|h| h.0.to_vec())
                .collect();
        let mut after = Vec::new();
        loop {
            let reply = peers
                .fetch(node, peer, &s.account, s.namespace, &after, &have)
                .await?;
            let more = reply.more;
            let last = (!reply.last.is_empty()).then(|| reply.last.clone());
            let n = node.clone();
            added += tokio::task::spawn_blocking(move || apply(&n, account, ns, reply))
                .await
                .map_err(|e| PeerError::Call(e.to_string()))?;
            match last {
                Some(hash) if more => after = hash,
                _ => break,
            }
        }
    }
    Ok(added)
}

type Key = (Account, Namespace);

/// Our own summaries of a round, to compare with each peer's.
pub struct Mine {
    messages: HashMap<Key, Summary>,
    revocations: HashMap<Account, RevocationSummary>,
}

async fn own_summaries(node: &Arc<NodeState>) -> Result<Mine, PeerError> {
    let n = node.clone();
    let (list, revocations) = tokio::task::spawn_blocking(move || {
        let view = n.view();
        Ok::<_, session_store::Error>((
            n.store.summaries(n.now_ms(), |a| view.owns(a))?,
            n.store.revocation_summaries(|a| view.owns(a))?,
        ))
    })
    .await
    .map_err(|e| PeerError::Call(e.to_string()))?
    .map_err(|e| PeerError::Call(e.to_string()))?;
    Ok(Mine {
        messages: list
            .into_iter()
            .map(|s| ((s.account, s.namespace), s))
            .collect(),
        revocations: revocations.into_iter().map(|s| (s.account, s)).collect(),
    })
}

/// Fetches and applies `peer`'s revocation states of the accounts whose summaries differ.
async fn sync_revocations(
    node: &Arc<NodeState>,
    peers: &Peers,
    peer: &NodeRecord,
    theirs: &[RevocationSummaryWire],
    mine: &HashMap<Account, RevocationSummary>,
) -> Result<(), PeerError> {
    for account in revocations::differing(theirs, mine) {
        let states = peers.revocations(node, peer, &account.0).await?;
        let n = node.clone();
        let changed =
            tokio::task::spawn_blocking(move || revocations::apply(&n.store, &account, states))
                .await
                .map_err(|e| PeerError::Call(e.to_string()))?;
        if changed > 0 {
            tracing::info!(account = %account.to_hex(), changed, "applied a peer's revocations");
        }
    }
    Ok(())
}

fn differs(theirs: &AccountSummary, mine: &HashMap<Key, Summary>) -> bool {
    let (Ok(account), Ok(ns)) = (
        <[u8; 33]>::try_from(theirs.account.as_slice()),
        i16::try_from(theirs.namespace),
    ) else {
        return false;
    };
    mine.get(&(Account(account), Namespace(ns)))
        .is_none_or(|m| {
            m.count != theirs.count
                || m.digest.as_slice() != theirs.digest.as_slice()
                || (!theirs.expiry_digest.is_empty()
                    && m.expiry_digest.as_slice() != theirs.expiry_digest.as_slice())
        })
}

/// Applies one fetched batch: the peer's tombstones first (deleting copies that were deleted
/// there, when the deletion's proof verifies and covers them: see [`super::proofs`]), then the
/// messages whose hash checks out and that were not deleted here, then the peer's expiry stamps
/// (see [`super::expiries`]). Returns how many messages were new.
pub(crate) fn apply(
    node: &NodeState,
    account: Account,
    ns: Namespace,
    reply: crate::internal::proto::FetchReply,
) -> usize {
    let now = node.now_ms();
    let tombstones = super::proofs::tombstones(&reply.deleted);
    let verified = super::proofs::verified(&node.store, &account, &reply.proofs);
    let proofs: Vec<Proof> = verified.values().map(|(p, _)| p.clone()).collect();
    let accept = |t: &Tombstone, held: Option<&StoredMessage>, _: Option<&Proof>| {
        super::proofs::accepts(&verified, &account, ns, t, held)
    };
    match node
        .store
        .apply_tombstones(&account, ns, &tombstones, &proofs, now, accept)
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "applied a peer's deletions"),
        Err(e) => tracing::error!(error = %e, "applying tombstones"),
    }
    let mut added = 0;
    for m in reply.messages {
        if m.expiry_ms <= now
            || MessageHash::compute(&account, ns, &m.data).0.as_slice() != m.hash.as_slice()
        {
            continue;
        }
        let msg = NewMessage {
            account,
            namespace: ns,
            timestamp_ms: m.timestamp_ms,
            expiry_ms: m.expiry_ms,
            data: m.data,
        };
        match node.store.store_replicated(&msg) {
            Ok(Some(session_store::StoreOutcome::Inserted { .. })) => added += 1,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "storing a synced message"),
        }
    }
    let (stamps, proofs) = (&reply.stamps, &reply.expiry_proofs);
    let network = node.network_ms();
    match super::expiries::apply(&node.store, (&account, ns), stamps, proofs, now, network) {
        0 => {}
        n => tracing::info!(changed = n, "applied a peer's expiry changes"),
    }
    added
}

#[cfg(test)]
mod tests;
