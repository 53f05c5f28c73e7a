//! Session's storage RPC (`POST /storage_rpc/v1` semantics), transport-free: bytes of a JSON
//! request in, a [`Reply`] out. The HTTP route and the onion exit both call
//! [`storage_request`] (which adds the swarm fan-out); the gRPC `Forward` calls
//! [`handle_forwarded`].
//!
//! Parsing (all 400s, before anything else) is `session-rpc`'s; this module executes a parsed
//! request: 421 → time window → signature → method checks → work, as the reference orders them.

mod delete;
mod entry;
mod expire;
mod meta;
mod retrieve;
mod revoke;
mod store;

use crate::state::NodeState;
pub use entry::{fan_out, storage_request};
pub use meta::service_nodes_json;
use serde_json::{Value, json};
use session_rpc::request::Request;
pub use session_rpc::{Body, Reply, RpcError, RpcResult};
use session_store::Account;

/// Hardfork version reported in `hf`: 19.4, where the reference release we match has every
/// feature active (multi-expiry `expire` included).
pub const HARDFORK: [u16; 2] = [19, 4];
/// Storage-server version reported by `info`.
pub const VERSION: [u16; 3] = [2, 8, 0];

/// A request forwarded by a swarm peer: executed if it is recursive, `None` otherwise (a
/// forwarded request is never forwarded again, and only recursive ones may be forwarded).
pub fn handle_forwarded(state: &NodeState, body: &[u8]) -> Option<Reply> {
    match session_rpc::decode(body) {
        Ok(req) if req.is_recursive() => Some(execute(state, req)),
        Ok(_) => None,
        Err(reply) => Some(reply),
    }
}

/// Executes one request that holds no others (`batch`, `sequence` and `ifelse` run in
/// [`storage_request`], so that their recursive parts are forwarded too).
pub(crate) fn execute(state: &NodeState, req: Request) -> Reply {
    let now = state.now_ms();
    let result = match req {
        Request::Store(r) => store::execute(state, now, r),
        Request::Retrieve(r) => retrieve::execute(state, now, r),
        Request::Delete(r) => delete::execute_delete(state, r),
        Request::DeleteAll(r) => delete::execute_delete_all(state, now, r),
        Request::DeleteBefore(r) => delete::execute_delete_before(state, now, r),
        Request::Expire(r) => expire::execute_expire(state, now, r),
        Request::ExpireAll(r) => expire::execute_expire_all(state, now, r),
        Request::GetExpiries(r) => expire::execute_get_expiries(state, now, r),
        Request::Revoke(r) => revoke::execute_revoke(state, now, r),
        Request::Unrevoke(r) => revoke::execute_unrevoke(state, now, r),
        Request::Info => Ok(meta::info(state, now)),
        Request::GetSwarm(a) => Ok(meta::get_swarm(state, now, &a)),
        Request::Oxend(r) => Ok(meta::oxend(state, now, &r)),
        _ => Err(Reply::internal()),
    };
    result.unwrap_or_else(|e| e)
}

/// 421 when this node's swarm does not own the account.
pub(crate) fn check_swarm(state: &NodeState, account: &Account) -> RpcResult<()> {
    if state.owns(account) {
        return Ok(());
    }
    let mut body = meta::swarm_json(state, account);
    add_t_hf(&mut body, state.now_ms());
    Err(Reply::json(421, body))
}

/// Adds `t` and `hf` to a JSON object.
pub(crate) fn add_t_hf(v: &mut Value, now: u64) {
    if let Some(o) = v.as_object_mut() {
        o.insert("t".into(), json!(now));
        o.insert("hf".into(), json!(HARDFORK));
    }
}

/// The recursive-method envelope: `{"swarm": {own_ed25519_hex: entry}, "t", "hf"}`.
pub(crate) fn swarm_reply(state: &NodeState, now: u64, entry: Value) -> Value {
    let mut v = json!({ "swarm": { state.ed25519_hex(): entry } });
    add_t_hf(&mut v, now);
    v
}

/// True when `ts` is within `tolerance_ms` of `now`.
pub(crate) fn within(now: u64, ts: u64, tolerance_ms: u64) -> bool {
    now.abs_diff(ts) <= tolerance_ms
}

/// Signature time window (±60 s).
pub(crate) const SIG_WINDOW_MS: u64 = 60_000;
