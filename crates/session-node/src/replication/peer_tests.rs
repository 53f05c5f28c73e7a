//! Peer testing: the loop that pings other registered nodes on the schedule kept in
//! [`crate::internal::health`] and records the results there (shown by `GET /info`).

use crate::internal::health::{Schedule, TICK, lock};
use crate::internal::peers::Peers;
use crate::state::NodeState;
use crate::swarm_view::NodeRecord;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Runs the node's schedule until `shutdown`, testing peers with authenticated pings.
pub async fn test_loop(node: Arc<NodeState>, peers: Arc<Peers>, shutdown: CancellationToken) {
    let schedule = &node.peer_health;
    let mut ticks = crate::every::Every::new(TICK, shutdown);
    while ticks.next().await {
        let view = node.view();
        let others: Vec<NodeRecord> = view
            .nodes()
            .map(|(_, n)| n.clone())
            .filter(|n| n.ed25519 != node.record.ed25519)
            .collect();
        let keys: Vec<[u8; 32]> = others.iter().map(|n| n.ed25519).collect();
        let due = lock(schedule).due(node.now_ms(), &keys, &mut rand::rng());
        for key in due {
            let Some(peer) = others.iter().find(|n| n.ed25519 == key) else {
                continue;
            };
            let result = peers.ping(&node, peer).await.map_err(|e| e.to_string());
            log_result(schedule, peer, &result);
            lock(schedule).record(key, result, node.now_ms(), &mut rand::rng());
        }
    }
}

fn log_result(schedule: &Mutex<Schedule>, peer: &NodeRecord, result: &Result<(), String>) {
    let before = lock(schedule)
        .status(&peer.ed25519)
        .map_or(0, |s| s.failures);
    let who = hex::encode(peer.ed25519);
    match result {
        Err(e) if before == 0 => {
            tracing::warn!(peer = %who, addr = %peer.grpc, error = %e, "peer test failed")
        }
        Err(e) => {
            tracing::debug!(peer = %who, failures = before + 1, error = %e, "peer still failing")
        }
        Ok(()) if before > 0 => tracing::info!(peer = %who, after = before, "peer reachable again"),
        Ok(()) => {}
    }
}
