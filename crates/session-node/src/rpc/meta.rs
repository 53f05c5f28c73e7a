//! `info`, `get_swarm`, and running `batch` / `sequence`.

use super::{Reply, VERSION, add_t_hf, execute};
use crate::state::NodeState;
use serde_json::{Value, json};
use session_rpc::request::Request;
use session_store::Account;

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

pub(crate) fn run_batch(state: &NodeState, requests: Vec<Request>, sequence: bool) -> Reply {
    let mut results = Vec::with_capacity(requests.len());
    for req in requests {
        let reply = execute(state, req);
        let ok = (200..300).contains(&reply.code);
        results.push(json!({ "code": reply.code, "body": reply.body_json() }));
        if sequence && !ok {
            break;
        }
    }
    Reply::ok(json!({ "results": results }))
}
