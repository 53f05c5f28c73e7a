//! `revoke_subaccount` / `unrevoke_subaccount` (recursive; master key only). Each token's new
//! state keeps the request as its proof, so the sync round can pass it on to members that
//! missed it (`replication::revocations`).

use super::{Reply, RpcResult, SIG_WINDOW_MS, check_swarm, swarm_reply, within};
use crate::replication::revocations;
use crate::state::NodeState;
use serde_json::json;
use session_rpc::auth;
use session_rpc::proof::RevocationKind;
use session_rpc::request::{RevokeReq, UnrevokeReq, signed_request};

/// 421, time window, master-key signature; returns the bytes the node signs in its reply
/// (`pubkey_hex ‖ timestamp ‖ tokens`).
fn check(state: &NodeState, now: u64, r: &RevokeReq, method: &str) -> RpcResult<Vec<u8>> {
    check_swarm(state, &r.account)?;
    if !within(now, r.timestamp, SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            format!("{method} timestamp too far from current time"),
        ));
    }
    verify_master(r, method, &signed_request(method, r))?;
    let mut signed = format!("{}{}", r.account.to_hex(), r.timestamp).into_bytes();
    for t in &r.tokens {
        signed.extend_from_slice(t);
    }
    Ok(signed)
}

fn verify_master(r: &RevokeReq, method: &str, msg: &[u8]) -> RpcResult<()> {
    // Master key only: the parsed auth never carries a subaccount here.
    let req = auth::Requirement {
        what: method,
        flags: 0,
        ignore_revocation: true,
    };
    auth::verify(&r.account, &r.auth, msg, &req, |_| Ok(false))
}

pub(crate) fn execute_revoke(state: &NodeState, now: u64, r: RevokeReq) -> RpcResult<Reply> {
    let signed = check(state, now, &r, "revoke_subaccount")?;
    for rev in revocations::of_request(RevocationKind::Revoke, &r) {
        state.store.apply_revocation(&r.account, &rev)?;
    }
    let entry = json!({ "signature": state.sign_b64(&signed) });
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}

pub(crate) fn execute_unrevoke(state: &NodeState, now: u64, r: UnrevokeReq) -> RpcResult<Reply> {
    let signed = check(state, now, &r, "unrevoke_subaccount")?;
    let mut count = 0;
    for rev in revocations::of_request(RevocationKind::Unrevoke, &r) {
        // Counts the tokens this request took off the revoked list.
        let previous = state.store.apply_revocation(&r.account, &rev)?;
        count += usize::from(matches!(previous, Some(Some(p)) if p.revoked));
    }
    let entry = json!({ "count": count, "signature": state.sign_b64(&signed) });
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}
