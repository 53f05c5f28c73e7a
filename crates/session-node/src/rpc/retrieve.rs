//! `retrieve`: messages of one namespace after a `last_hash`.

use super::{Reply, RpcResult, SIG_WINDOW_MS, add_t_hf, check_swarm, within};
use crate::state::NodeState;
use base64::Engine as _;
use serde_json::json;
use session_rpc::auth::{self, Auth, Requirement, flags};
use session_rpc::request::{RetrieveReq, needs_auth};

pub(crate) fn execute(state: &NodeState, now: u64, r: RetrieveReq) -> RpcResult<Reply> {
    check_swarm(state, &r.account)?;
    match &r.auth {
        None if needs_auth(r.ns) => {
            return Err(Reply::text(401, "retrieve: request signature required"));
        }
        None => {}
        Some(auth) => verify(state, now, &r, auth)?,
    }
    let got = state
        .store
        .retrieve(&r.account, r.ns, r.last_hash.as_ref(), r.max_count, r.max_size, now)
        .map_err(|e| {
            tracing::error!(error = %e, "retrieve failed");
            let a = &r.account.0;
            Reply::text(
                500,
                format!(
                    "Internal Server Error. Could not retrieve messages for {:02x}{:02x}\u{2026}{:02x}",
                    a[0], a[1], a[32]
                ),
            )
        })?;
    let messages: Vec<_> = got
        .messages
        .iter()
        .map(|m| {
            json!({
                "hash": m.hash.to_b64(),
                "timestamp": m.timestamp_ms,
                "expiration": m.expiry_ms,
                "data": base64::engine::general_purpose::STANDARD.encode(&m.data),
            })
        })
        .collect();
    let mut body = json!({ "messages": messages, "more": got.more });
    add_t_hf(&mut body, now);
    Ok(Reply::ok(body))
}

fn verify(state: &NodeState, now: u64, r: &RetrieveReq, auth: &Auth) -> RpcResult<()> {
    let ts = r.timestamp.unwrap_or(0);
    if !within(now, ts, SIG_WINDOW_MS) {
        return Err(Reply::text(
            406,
            "retrieve timestamp too far from current time",
        ));
    }
    let msg = format!("retrieve{}{}", auth::ns_sig(r.ns), ts);
    let req = Requirement {
        what: "retrieve",
        flags: flags::READ,
        ignore_revocation: r.ns.is_unrevocable(),
    };
    auth::verify(&r.account, auth, msg.as_bytes(), &req, |t| {
        Ok(state.store.is_revoked(&r.account, t)?)
    })
}
