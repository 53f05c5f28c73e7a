//! `info`, `get_swarm`, `oxend_request`, and running `batch` / `sequence` / `ifelse`.

use super::entry::run_sub;
use super::{HARDFORK, Reply, VERSION, add_t_hf};
use crate::internal::peers::Peers;
use crate::state::NodeState;
use serde_json::{Value, json};
use session_rpc::request::{IfElse, OxendEndpoint, OxendReq, Request};
use session_store::Account;
use std::sync::Arc;

pub(crate) fn info(_state: &NodeState, now: u64) -> Reply {
    let mut body = json!({ "version": VERSION, "timestamp": now });
    add_t_hf(&mut body, now);
    Reply::ok(body)
}

/// `{"snodes": [...], "swarm": "<hex id>"}` for the swarm that owns `account`.
pub(crate) fn swarm_json(state: &NodeState, account: &Account) -> Value {
    let swarm = state.swarm_for(account);
    let snodes: Vec<Value> = swarm.members.iter().map(|n| n.to_json()).collect();
    json!({ "snodes": snodes, "swarm": format!("{:016x}", swarm.id) })
}

pub(crate) fn get_swarm(state: &NodeState, now: u64, account: &Account) -> Reply {
    let mut body = swarm_json(state, account);
    add_t_hf(&mut body, now);
    Reply::ok(body)
}

/// `oxend_request`: `get_service_nodes` is answered from this node's swarm view (Session's
/// oxend answers from its appchain; here the chain watcher's last epoch is the source).
pub(crate) fn oxend(state: &NodeState, now: u64, req: &OxendReq) -> Reply {
    match req.endpoint {
        OxendEndpoint::GetServiceNodes => {
            let fields = req
                .params
                .as_ref()
                .and_then(|p| p.get("fields"))
                .and_then(Value::as_object);
            let mut result = service_nodes_json(state, fields);
            add_t_hf(&mut result, now);
            Reply::ok(json!({ "result": result }))
        }
        OxendEndpoint::OnsResolve => Reply::text(400, "ONS is not available on this network"),
    }
}

/// oxend's `get_service_nodes` result for the current epoch: every node in a swarm, with only
/// the `fields` asked for (all when none are named).
pub fn service_nodes_json(
    state: &NodeState,
    fields: Option<&serde_json::Map<String, Value>>,
) -> Value {
    let view = state.view();
    let wanted = |k: &str| fields.is_none_or(|f| f.get(k).and_then(Value::as_bool) == Some(true));
    let states: Vec<Value> = view
        .nodes()
        .map(|(swarm, n)| {
            let full = json!({
                "service_node_pubkey": hex::encode(n.ed25519),
                "pubkey_ed25519": hex::encode(n.ed25519),
                "pubkey_x25519": hex::encode(n.x25519),
                "public_ip": n.addr.ip().to_string(),
                "storage_port": n.addr.port(),
                "storage_lmq_port": n.addr.port(),
                "swarm_id": swarm,
                "swarm": format!("{swarm:016x}"),
                "active": true,
                "funded": true,
                "requested_unlock_height": 0,
            });
            let Value::Object(all) = full else {
                return full;
            };
            Value::Object(all.into_iter().filter(|(k, _)| wanted(k)).collect())
        })
        .collect();
    json!({
        "service_node_states": states,
        "height": view.epoch_block,
        "status": "OK",
    })
}

/// Runs `batch`, `sequence` or `ifelse`: each subrequest as a request of its own (recursive
/// ones forwarded to the swarm), one after another. A sequence stops after the first answer
/// outside 2xx. Anything else is an internal error (the caller checked `is_meta`).
pub(crate) async fn run_meta(node: Arc<NodeState>, peers: Arc<Peers>, req: Request) -> Reply {
    match req {
        Request::Batch { requests, sequence } => {
            let mut results = Vec::with_capacity(requests.len());
            for sub in requests {
                let reply = run_sub(node.clone(), peers.clone(), sub).await;
                let ok = (200..300).contains(&reply.code);
                results.push(json!({ "code": reply.code, "body": reply.body_json() }));
                if sequence && !ok {
                    break;
                }
            }
            Reply::ok(json!({ "results": results }))
        }
        Request::IfElse(i) => run_ifelse(node, peers, *i).await,
        _ => Reply::internal(),
    }
}

/// `ifelse`: always 200 once parsed, with the node's `hf`, `v` and `height`, the condition's
/// value and (when that branch was given) the branch's `result`.
async fn run_ifelse(node: Arc<NodeState>, peers: Arc<Peers>, i: IfElse) -> Reply {
    let height = node.view().epoch_block;
    let condition = i.condition.holds(height, HARDFORK, VERSION);
    let mut body =
        json!({ "hf": HARDFORK, "v": VERSION, "height": height, "condition": condition });
    let branch = if condition { i.then } else { i.otherwise };
    if let Some(sub) = branch {
        let reply = run_sub(node, peers, sub).await;
        body["result"] = json!({ "code": reply.code, "body": reply.body_json() });
    }
    Reply::ok(body)
}
