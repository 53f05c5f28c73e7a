//! A storage RPC body from either entry (`POST /storage_rpc/v1`, or an onion request whose
//! destination is this node) run to its answer: decode and execute on the blocking pool, then,
//! for a recursive request that succeeded, forward it to the rest of the swarm and merge.

use super::{Body, Reply};
use crate::internal::peers::{PeerError, Peers};
use crate::state::NodeState;
use serde_json::{Value, json};
use std::sync::Arc;

/// Runs a storage RPC body as `/storage_rpc/v1` does once its request-level checks passed
/// (`spec/rpc-errors.md` §1 from row 8 on): decode and execute on the blocking pool, then, for
/// a recursive request that succeeded, forward it to the rest of the swarm and merge the
/// answers. Onion requests whose destination is this node run through here too.
pub async fn storage_request(node: Arc<NodeState>, peers: Arc<Peers>, body: Arc<[u8]>) -> Reply {
    // RocksDB calls block; keep them off the async workers.
    let (local_node, local_body) = (node.clone(), body.clone());
    let (reply, recursive) =
        match tokio::task::spawn_blocking(move || super::handle_entry(&local_node, &local_body))
            .await
        {
            Ok(done) => done,
            Err(e) => {
                return Reply::text(
                    500,
                    format!("Exception caught with processing client request: {e}"),
                );
            }
        };
    // A recursive request that succeeded here goes to the rest of the swarm.
    if recursive && reply.code == 200 && node.has_swarm_peers() {
        return fan_out(node, peers, body, reply).await;
    }
    reply
}

/// Forwards a recursive request that succeeded locally to every other member of this node's
/// swarm, concurrently, and merges their entries into the reply's `swarm` object. A peer that
/// fails is listed as `{"failed": true, ...}`; the reply is 500 only if every entry failed.
pub async fn fan_out(
    node: Arc<NodeState>,
    peers: Arc<Peers>,
    body: Arc<[u8]>,
    local: Reply,
) -> Reply {
    let view = node.view();
    let Some(own) = view.own_swarm() else {
        return local;
    };
    let Body::Json(mut merged) = local.body else {
        return local;
    };
    let mut calls = tokio::task::JoinSet::new();
    for peer in view.members(own) {
        if peer.ed25519 == node.record.ed25519 {
            continue;
        }
        let (node, peers, body, peer) = (node.clone(), peers.clone(), body.clone(), peer.clone());
        calls.spawn(async move {
            let key = hex::encode(peer.ed25519);
            let entry = peer_entry(peers.forward(&node, &peer, &body).await, &key);
            (key, entry)
        });
    }
    while let Some(done) = calls.join_next().await {
        let Ok((key, entry)) = done else { continue };
        if let Some(swarm) = merged.get_mut("swarm").and_then(Value::as_object_mut) {
            swarm.insert(key, entry);
        }
    }
    let all_failed = merged["swarm"]
        .as_object()
        .is_some_and(|s| s.values().all(|e| e.get("failed") == Some(&json!(true))));
    Reply::json(if all_failed { 500 } else { local.code }, merged)
}

/// Turns a peer's answer into its entry of the `swarm` object.
fn peer_entry(result: Result<(u16, Vec<u8>), PeerError>, key: &str) -> Value {
    match result {
        Ok((200, body)) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("swarm").and_then(|s| s.get(key)).cloned())
            .unwrap_or_else(|| json!({"failed": true, "bad_peer_response": true})),
        Ok((code, body)) => json!({
            "failed": true,
            "code": code,
            "reason": String::from_utf8_lossy(&body),
        }),
        Err(PeerError::Timeout) => json!({"failed": true, "timeout": true}),
        Err(PeerError::Call(e)) => {
            tracing::debug!(peer = key, error = %e, "forward failed");
            json!({"failed": true, "query_failure": true})
        }
    }
}
