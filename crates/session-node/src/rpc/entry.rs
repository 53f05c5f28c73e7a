//! A storage RPC body from either entry (`POST /storage_rpc/v1`, or an onion request whose
//! destination is this node) run to its answer: decode and execute on the blocking pool, then,
//! for a recursive request that succeeded, forward it to the rest of the swarm and merge.

use super::{Body, Reply};
use crate::executor::ExecError;
use crate::internal::peers::{PeerError, Peers};
use crate::state::NodeState;
use serde_json::{Value, json};
use session_rpc::request::{Request, SubRequest};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Runs a storage RPC body as `/storage_rpc/v1` does once its request-level checks passed
/// (`spec/rpc-errors.md` §1 from row 8 on): decode and execute on the blocking pool, then, for
/// a recursive request that succeeded, forward it to the rest of the swarm and merge the
/// answers. Onion requests whose destination is this node run through here too, and so do the
/// requests inside `batch`, `sequence` and `ifelse` (each forwarded with its own body).
pub async fn storage_request(node: Arc<NodeState>, peers: Arc<Peers>, body: Arc<[u8]>) -> Reply {
    // RocksDB calls block; keep them off the async workers. One hand-off decodes and, for a
    // plain request, executes.
    let (local_node, local_body) = (node.clone(), body.clone());
    let local = on_executor(&node, move || match session_rpc::decode(&local_body) {
        Err(reply) => Local::Done(reply, Forward::default()),
        Ok(req) if req.is_meta() => Local::Meta(Box::new(req)),
        Ok(req) => {
            let forward = Forward::of(&req);
            Local::Done(super::execute(&local_node, req), forward)
        }
    })
    .await;
    match local {
        Ok(Local::Done(reply, forward)) => finish(node, peers, body, reply, forward).await,
        Ok(Local::Meta(req)) => super::meta::run_meta(node, peers, *req).await,
        Err(reply) => reply,
    }
}

/// A subrequest of `batch`, `sequence` or `ifelse`, run as a request of its own would be.
pub(crate) fn run_sub(
    node: Arc<NodeState>,
    peers: Arc<Peers>,
    sub: SubRequest,
) -> Pin<Box<dyn Future<Output = Reply> + Send>> {
    Box::pin(async move {
        if sub.request.is_meta() {
            return super::meta::run_meta(node, peers, sub.request).await;
        }
        let forward = Forward::of(&sub.request);
        let (local_node, req) = (node.clone(), sub.request);
        match on_executor(&node, move || super::execute(&local_node, req)).await {
            Ok(reply) => finish(node, peers, Arc::from(sub.body), reply, forward).await,
            Err(reply) => reply,
        }
    })
}

/// What became of a request on this node.
enum Local {
    /// Executed (or refused while decoding).
    Done(Reply, Forward),
    /// A request holding others, still to run.
    Meta(Box<Request>),
}

/// What happens after local execution.
#[derive(Default, Clone, Copy)]
struct Forward {
    /// The entry node forwards it to its swarm.
    recursive: bool,
    /// A `delete` with `required`: 404 unless some member deleted something.
    required: bool,
}

impl Forward {
    fn of(req: &Request) -> Self {
        Self {
            recursive: req.is_recursive(),
            required: matches!(req, Request::Delete(d) if d.required),
        }
    }
}

/// Runs `f` on the node's executor: a panic there is the reference's 500; a full queue is a
/// 503 (the node is overloaded; a client tries another swarm member or later).
async fn on_executor<T: Send + 'static>(
    node: &NodeState,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Reply> {
    node.executor.run(f).await.map_err(|e| match e {
        ExecError::Busy => Reply::text(503, format!("Server busy, try again later: {e}")),
        ExecError::Panicked => Reply::text(
            500,
            format!("Exception caught with processing client request: {e}"),
        ),
    })
}

/// A recursive request that succeeded here goes to the rest of the swarm; a required delete
/// is decided on the merged answer (as the reference forwards before deciding).
async fn finish(
    node: Arc<NodeState>,
    peers: Arc<Peers>,
    body: Arc<[u8]>,
    reply: Reply,
    forward: Forward,
) -> Reply {
    let reply = if forward.recursive && reply.code == 200 && node.has_swarm_peers() {
        fan_out(node, peers, body, reply).await
    } else {
        reply
    };
    if forward.required && reply.code == 200 && !any_deleted(&reply) {
        return Reply { code: 404, ..reply };
    }
    reply
}

/// Whether some member's entry lists a deleted hash.
fn any_deleted(reply: &Reply) -> bool {
    let Body::Json(v) = &reply.body else {
        return false;
    };
    v["swarm"].as_object().is_some_and(|swarm| {
        swarm
            .values()
            .any(|e| e["deleted"].as_array().is_some_and(|d| !d.is_empty()))
    })
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
        // The reference passes the peer's status on as a string.
        Ok((code, body)) => json!({
            "failed": true,
            "code": code.to_string(),
            "reason": String::from_utf8_lossy(&body),
        }),
        Err(PeerError::Timeout) => json!({"failed": true, "timeout": true}),
        Err(PeerError::Call(e)) => {
            tracing::debug!(peer = key, error = %e, "forward failed");
            json!({"failed": true, "query_failure": true})
        }
    }
}
