//! `delete`, `delete_all`, `delete_before` (all recursive).

use super::{Reply, RpcResult, SIG_WINDOW_MS, check_swarm, swarm_reply, within};
use crate::replication::proofs::stored;
use crate::state::NodeState;
use serde_json::{Map, Value, json};
use session_rpc::auth::{self, Auth, Requirement, flags};
use session_rpc::proof::DeletionProof;
use session_rpc::request::{DeleteAllReq, DeleteBeforeReq, DeleteReq, NsSel, decode_hashes};
use session_store::{Account, MessageHash, Namespace};

pub(crate) fn verify(
    state: &NodeState,
    account: &Account,
    auth: &Auth,
    msg: &str,
    what: &str,
    flags: u8,
) -> RpcResult<()> {
    let req = Requirement {
        what,
        flags,
        ignore_revocation: false,
    };
    auth::verify(account, auth, msg.as_bytes(), &req, |t| {
        Ok(state.store.is_revoked(account, t)?)
    })
}

pub(crate) fn execute_delete(state: &NodeState, r: DeleteReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    let msg = format!("delete{}", r.hashes.concat());
    verify(
        state,
        &r.account,
        &r.auth,
        &msg,
        "delete_msgs",
        flags::DELETE,
    )?;
    let deleted: Vec<String> = state
        .store
        .delete_hashes(
            &r.account,
            &decode_hashes(&r.hashes),
            Some(&stored(&DeletionProof::of_delete(&r))),
        )?
        .iter()
        .map(MessageHash::to_b64)
        .collect();
    let mut deleted_sorted = deleted.clone();
    deleted_sorted.sort();
    let signed = format!(
        "{}{}{}",
        r.account.to_hex(),
        r.hashes.concat(),
        deleted_sorted.concat()
    );
    let entry =
        json!({ "deleted": deleted_sorted, "signature": state.sign_b64(signed.as_bytes()) });
    // `required` (404 when nothing was deleted) is decided once the swarm has answered.
    Ok(Reply::ok(swarm_reply(state, state.now_ms(), entry)))
}

/// `deleted`: a sorted list for one namespace, or `{ns: [sorted]}` for all; plus all hashes
/// sorted (what the node signs).
pub(crate) fn grouped(ns: NsSel, items: &[(Namespace, MessageHash)]) -> (Value, Vec<String>) {
    let mut all: Vec<String> = items.iter().map(|(_, h)| h.to_b64()).collect();
    all.sort();
    let value = match ns {
        NsSel::One(_) => json!(all),
        NsSel::All => {
            let mut map: Map<String, Value> = Map::new();
            for (n, h) in items {
                let e = map.entry(n.0.to_string()).or_insert_with(|| json!([]));
                if let Some(a) = e.as_array_mut() {
                    a.push(json!(h.to_b64()));
                }
            }
            for v in map.values_mut() {
                if let Some(a) = v.as_array_mut() {
                    a.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
                }
            }
            Value::Object(map)
        }
    };
    (value, all)
}

pub(crate) fn execute_delete_all(state: &NodeState, now: u64, r: DeleteAllReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    if !within(now, r.timestamp, SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            "delete_all timestamp too far from current time",
        ));
    }
    let msg = format!("delete_all{}{}", r.ns.sig_str(), r.timestamp);
    verify(
        state,
        &r.account,
        &r.auth,
        &msg,
        "delete_all",
        flags::DELETE,
    )?;
    let proof = stored(&DeletionProof::of_delete_all(&r));
    let items = state
        .store
        .delete_all(&r.account, r.ns.store_sel(), Some(&proof))?;
    let (deleted, all) = grouped(r.ns, &items);
    let signed = format!("{}{}{}", r.account.to_hex(), r.timestamp, all.concat());
    let entry = json!({ "deleted": deleted, "signature": state.sign_b64(signed.as_bytes()) });
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}

pub(crate) fn execute_delete_before(
    state: &NodeState,
    now: u64,
    r: DeleteBeforeReq,
) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    if r.before > now + SIG_WINDOW_MS {
        return Err(Reply::text(
            401,
            "delete_before timestamp too far in the future",
        ));
    }
    let msg = format!("delete_before{}{}", r.ns.sig_str(), r.before);
    verify(
        state,
        &r.account,
        &r.auth,
        &msg,
        "delete_before",
        flags::DELETE,
    )?;
    let items = state.store.delete_before(
        &r.account,
        r.ns.store_sel(),
        r.before,
        Some(&stored(&DeletionProof::of_delete_before(&r))),
    )?;
    let (deleted, all) = grouped(r.ns, &items);
    let signed = format!("{}{}{}", r.account.to_hex(), r.before, all.concat());
    let entry = json!({ "deleted": deleted, "signature": state.sign_b64(signed.as_bytes()) });
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}
