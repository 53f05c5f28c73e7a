//! `store`: put a message into an account's namespace (recursive).

use super::{Reply, RpcResult, SIG_WINDOW_MS, check_swarm, swarm_reply, within};
use crate::state::NodeState;
use serde_json::json;
use session_rpc::auth::{self, Requirement, flags};
use session_rpc::request::StoreReq;
use session_store::{NewMessage, StoreOutcome};

const MIN_TTL_MS: u64 = 10_000;
const MAX_TTL_PUBLIC_MS: u64 = 14 * 24 * 3600 * 1000;
const MAX_TTL_PRIVATE_MS: u64 = 30 * 24 * 3600 * 1000;
const STORE_TOLERANCE_MS: u64 = 10_000;

pub(crate) fn execute(state: &NodeState, now: u64, r: StoreReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    let ttl = r.expiry.saturating_sub(r.timestamp);
    let max_ttl = if r.ns.is_public_inbox() {
        MAX_TTL_PUBLIC_MS
    } else {
        MAX_TTL_PRIVATE_MS
    };
    if r.expiry < r.timestamp || ttl < MIN_TTL_MS || ttl > max_ttl {
        return Err(Reply::text(403, "Provided expiry/TTL is not valid."));
    }
    if r.timestamp > now + STORE_TOLERANCE_MS || r.expiry < now.saturating_sub(STORE_TOLERANCE_MS) {
        return Err(Reply::text(406, "Timestamp error: check your clock"));
    }
    if !r.ns.is_public_inbox() {
        verify(state, now, &r)?;
    }
    let msg = NewMessage {
        account: r.account,
        namespace: r.ns,
        timestamp_ms: r.timestamp,
        expiry_ms: r.expiry,
        data: r.data,
    };
    let outcome = if r.ns.is_public_outbox() {
        state.store.store_exclusive(&msg)?
    } else {
        state.store.store(&msg)?
    };
    let (hash, expiry, already) = match outcome {
        StoreOutcome::Inserted { hash, expiry_ms } => (hash, expiry_ms, false),
        StoreOutcome::Duplicate { hash, expiry_ms } => (hash, expiry_ms, true),
    };
    let hash_b64 = hash.to_b64();
    let mut entry = json!({
        "hash": hash_b64,
        "signature": state.sign_b64(hash_b64.as_bytes()),
        "expiry": expiry,
        "t": now,
    });
    if already {
        entry["already"] = json!(true);
    }
    let mut body = swarm_reply(state, now, entry);
    body["hash"] = json!(hash_b64);
    Ok(Reply::ok(body))
}

fn verify(state: &NodeState, now: u64, r: &StoreReq) -> RpcResult<()> {
    let Some(auth) = &r.auth else {
        return Err(Reply::text(
            401,
            format!("store: signature required to store to namespace {}", r.ns.0),
        ));
    };
    if !within(now, r.sig_timestamp, SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            "store signature timestamp too far from current time",
        ));
    }
    let msg = format!("store{}{}", auth::ns_sig(r.ns), r.sig_timestamp);
    let needed = if r.ns.is_public_outbox() {
        flags::WRITE | flags::DELETE
    } else {
        flags::WRITE
    };
    let req = Requirement {
        what: "store",
        flags: needed,
        ignore_revocation: false,
    };
    auth::verify(&r.account, auth, msg.as_bytes(), &req, |t| {
        Ok(state.store.is_revoked(&r.account, t)?)
    })
}
