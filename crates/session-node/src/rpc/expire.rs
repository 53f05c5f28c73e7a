//! `expire`, `expire_all` (recursive) and `get_expiries`.

use super::delete::{grouped, verify};
use super::{Reply, RpcResult, SIG_WINDOW_MS, check_swarm, swarm_reply, within};
use crate::replication::expiries;
use crate::state::NodeState;
use serde_json::{Map, Value, json};
use session_rpc::auth::flags;
use session_rpc::proof::{ExpiryProof, MAX_EXPIRY_SPAN_MS};
use session_rpc::request::{ExpireAllReq, ExpireReq, GetExpiriesReq, decode_hashes, mode_str};
use session_store::{ExpiryMode, MessageHash};

/// Whether an expiry the client gave is in the past for the reference: more than the
/// signature window before now, or (read as the reference's signed 64-bit number) negative.
fn in_the_past(expiry: u64, now: u64) -> bool {
    expiry > i64::MAX as u64 || expiry < now.saturating_sub(SIG_WINDOW_MS)
}

pub(crate) fn execute_expire(state: &NodeState, now: u64, r: ExpireReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    if r.expiries.iter().any(|&e| in_the_past(e, now)) {
        return Err(Reply::text(
            401,
            "expire: timestamp should be >= current time",
        ));
    }
    let exp_str: String = r.expiries.iter().map(u64::to_string).collect();
    let msg = format!("expire{}{}{}", mode_str(r.mode), exp_str, r.hashes.concat());
    verify(state, &r.account, &r.auth, &msg, "expire:", flags::WRITE)?;
    let mode = effective_mode(&r)?;
    let decoded = decode_hashes(&r.hashes);
    // Each change is stamped with the request, so that members that miss it learn it, and
    // dated on the network's clock (ours unless our peers' clocks say it is off).
    let at = state.network_ms();
    let clamp = |e: u64| e.min(at + MAX_EXPIRY_SPAN_MS);
    let proof = expiries::stored(&ExpiryProof::Expire(r.clone()));
    let stamping = Some(expiries::stamping(&proof, at));
    let mut changes = Vec::new();
    if r.expiries.len() == 1 {
        changes = state.store.update_expiry(
            &r.account,
            &decoded,
            clamp(r.expiries[0]),
            mode,
            stamping,
        )?;
    } else {
        for (h, &e) in decoded.iter().zip(&r.expiries) {
            changes.extend(state.store.update_expiry(
                &r.account,
                &[*h],
                clamp(e),
                mode,
                stamping,
            )?);
        }
    }
    // The reference lists (and signs) the updated hashes in the order of their base64 text.
    changes.sort_by_cached_key(|c| c.hash.to_b64());
    let (mut updated, mut unchanged) = (Vec::new(), Map::new());
    let mut updated_expiries = Vec::new();
    for c in &changes {
        if c.new_ms != c.old_ms || mode == ExpiryMode::Set {
            updated.push(c.hash.to_b64());
            updated_expiries.push(c.new_ms);
        } else {
            unchanged.insert(c.hash.to_b64(), json!(c.old_ms));
        }
    }
    // `unchanged` only when the request asked for shorten or extend (not for a set that a
    // subaccount without Delete turned into extend-only).
    if r.mode == ExpiryMode::Set {
        unchanged.clear();
    }
    let expiry_value = if r.expiries.len() == 1 {
        json!(clamp(r.expiries[0]))
    } else {
        json!(updated_expiries)
    };
    let expiry_sig: String = if r.expiries.len() == 1 {
        clamp(r.expiries[0]).to_string()
    } else {
        updated_expiries.iter().map(u64::to_string).collect()
    };
    let unchanged_sig: String = unchanged.iter().map(|(h, e)| format!("{h}{e}")).collect();
    let signed = format!(
        "{}{expiry_sig}{}{}{unchanged_sig}",
        r.account.to_hex(),
        r.hashes.concat(),
        updated.concat()
    );
    let mut entry = json!({
        "updated": updated,
        "expiry": expiry_value,
        "signature": state.sign_b64(signed.as_bytes()),
    });
    if r.mode != ExpiryMode::Set {
        entry["unchanged"] = Value::Object(unchanged);
    }
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}

/// What a request may do: expire needs only the Write permission, but a subaccount without
/// Delete may not shorten (400, as the reference) and its plain set only extends.
fn effective_mode(r: &ExpireReq) -> RpcResult<ExpiryMode> {
    let may_delete = r
        .auth
        .subaccount
        .as_ref()
        .is_none_or(|s| s.token[1] & flags::DELETE != 0);
    match r.mode {
        _ if may_delete => Ok(r.mode),
        ExpiryMode::Shorten => Err(Reply::text(
            400,
            "expire: shorten parameter cannot be used with this subaccount token (missing delete access)",
        )),
        _ => Ok(ExpiryMode::Extend),
    }
}

pub(crate) fn execute_expire_all(state: &NodeState, now: u64, r: ExpireAllReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    if r.expiry < now.saturating_sub(SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            "expire_all timestamp should be >= current time",
        ));
    }
    let msg = format!("expire_all{}{}", r.ns.sig_str(), r.expiry);
    verify(
        state,
        &r.account,
        &r.auth,
        &msg,
        "expire_all",
        flags::DELETE,
    )?;
    let proof = expiries::stored(&ExpiryProof::ExpireAll(r.clone()));
    let changes = state.store.expire_all(
        &r.account,
        r.ns.store_sel(),
        r.expiry,
        Some(expiries::stamping(&proof, state.network_ms())),
    )?;
    let items: Vec<_> = changes.iter().map(|c| (c.namespace, c.hash)).collect();
    let (updated, all) = grouped(r.ns, &items);
    let signed = format!("{}{}{}", r.account.to_hex(), r.expiry, all.concat());
    let entry = json!({ "updated": updated, "signature": state.sign_b64(signed.as_bytes()) });
    Ok(Reply::ok(swarm_reply(state, now, entry)))
}

pub(crate) fn execute_get_expiries(
    state: &NodeState,
    now: u64,
    r: GetExpiriesReq,
) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    if !within(now, r.timestamp, SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            "get_expiries timestamp too far from current time",
        ));
    }
    let msg = format!("get_expiries{}{}", r.timestamp, r.hashes.concat());
    verify(
        state,
        &r.account,
        &r.auth,
        &msg,
        "get_expiries",
        flags::READ,
    )?;
    // No `["all"]` form: the reference documents one but looks up a hash named "all".
    let mut expiries = Map::new();
    for h in decode_hashes(&r.hashes) {
        if let Some(m) = state
            .store
            .get(&r.account, &h)?
            .filter(|m| m.expiry_ms > now)
        {
            expiries.insert(MessageHash::to_b64(&h), json!(m.expiry_ms));
        }
    }
    Ok(Reply::ok(json!({ "expiries": expiries })))
}
