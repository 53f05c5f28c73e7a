//! Parsed requests: one struct per method, and [`decode`] from raw request bytes.
//!
//! All parse errors (400) are found here, before the executor looks at swarms, clocks or
//! signatures, matching the reference server's order.

mod delete;
mod expire;
mod ifelse;
mod meta;
mod retrieve;
mod revoke;
mod store;

pub use delete::{DeleteAllReq, DeleteBeforeReq, DeleteReq, NsSel, keys_with, parse_authed};
pub use expire::{ExpireAllReq, ExpireReq, GetExpiriesReq, mode_str};
pub use ifelse::{Condition, IfElse};
pub use meta::{MAX_SUBREQUESTS, OxendEndpoint, OxendReq};
pub use retrieve::{
    RETRIEVE_MAX_SIZE, RETRIEVE_MSG_OVERHEAD, RetrieveReq, needs_auth, retrieve_cost,
};
pub use revoke::{MAX_REVOKE, RevokeReq, UnrevokeReq, signed_request};
pub use store::{MAX_DATA_BYTES, StoreReq};

use crate::params::Params;
use crate::reply::{Reply, RpcError, RpcResult};
use crate::types::{Account, MessageHash};
use serde_json::{Map, Value};

/// A parsed request, ready to execute.
#[derive(Debug)]
#[non_exhaustive]
pub enum Request {
    /// `store`.
    Store(StoreReq),
    /// `retrieve`.
    Retrieve(RetrieveReq),
    /// `delete`.
    Delete(DeleteReq),
    /// `delete_all`.
    DeleteAll(DeleteAllReq),
    /// `delete_before`.
    DeleteBefore(DeleteBeforeReq),
    /// `expire`.
    Expire(ExpireReq),
    /// `expire_all`.
    ExpireAll(ExpireAllReq),
    /// `get_expiries`.
    GetExpiries(GetExpiriesReq),
    /// `revoke_subaccount`.
    Revoke(RevokeReq),
    /// `unrevoke_subaccount`.
    Unrevoke(UnrevokeReq),
    /// `info`.
    Info,
    /// `get_swarm` (alias `get_snodes_for_pubkey`).
    GetSwarm(Account),
    /// `oxend_request`: a read-only question about the network the node relays (in Session to
    /// oxend; here the node answers from its own chain view).
    Oxend(OxendReq),
    /// `batch` or (with `sequence`) `sequence`.
    Batch {
        /// The subrequests, in order.
        requests: Vec<SubRequest>,
        /// Stop at the first non-2xx result.
        sequence: bool,
    },
    /// `ifelse`: a condition on the node's height and versions, and what to run either way.
    IfElse(Box<IfElse>),
}

/// A request inside `batch`, `sequence` or `ifelse`, with the body a swarm peer is sent when
/// the entry node forwards it (recursive methods are forwarded wherever they stand).
#[derive(Debug)]
pub struct SubRequest {
    /// The parsed request.
    pub request: Request,
    /// `{"method": …, "params": …}` as JSON, for forwarding.
    pub body: Vec<u8>,
}

impl SubRequest {
    /// Parses `method` with `params` and keeps the body to forward.
    fn parse(method: &str, params: &Map<String, Value>) -> RpcResult<Self> {
        let request = parse(method, params)?;
        let body = serde_json::json!({ "method": method, "params": params }).to_string();
        Ok(Self {
            request,
            body: body.into_bytes(),
        })
    }
}

impl Request {
    /// `batch`, `sequence` and `ifelse`: requests that hold other requests.
    pub fn is_meta(&self) -> bool {
        matches!(self, Request::Batch { .. } | Request::IfElse(_))
    }

    /// Whether the entry node forwards this request to the rest of its swarm (the methods of
    /// [`RECURSIVE_METHODS`]).
    pub fn is_recursive(&self) -> bool {
        matches!(
            self,
            Request::Store(_)
                | Request::Delete(_)
                | Request::DeleteAll(_)
                | Request::DeleteBefore(_)
                | Request::Expire(_)
                | Request::ExpireAll(_)
                | Request::Revoke(_)
                | Request::Unrevoke(_)
        )
    }
}

/// Methods the entry node forwards to the rest of its swarm.
pub const RECURSIVE_METHODS: [&str; 8] = [
    "store",
    "delete",
    "delete_all",
    "delete_before",
    "expire",
    "expire_all",
    "revoke_subaccount",
    "unrevoke_subaccount",
];

/// Decodes a request body: JSON `{"method", "params"}` (request-level rows 8-12), then the
/// method's parameters.
pub fn decode(body: &[u8]) -> RpcResult<Request> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Err(Reply::text(400, "invalid json"));
    };
    let Some(method) = v.get("method").and_then(Value::as_str) else {
        return Err(Reply::text(400, "invalid json: no `method` field"));
    };
    let Some(params) = v.get("params").and_then(Value::as_object) else {
        return Err(Reply::text(400, "invalid json: no `params` field"));
    };
    parse(method, params)
}

/// Parses one method's `params`.
pub fn parse(method: &str, params: &Map<String, Value>) -> RpcResult<Request> {
    let p = Params(params);
    Ok(match method {
        "store" => Request::Store(store::parse(p)?),
        "retrieve" => Request::Retrieve(retrieve::parse(p)?),
        "delete" => Request::Delete(delete::parse_delete(p)?),
        "delete_all" => Request::DeleteAll(delete::parse_delete_all(p)?),
        "delete_before" => Request::DeleteBefore(delete::parse_delete_before(p)?),
        "expire" => Request::Expire(expire::parse_expire(p)?),
        "expire_all" => Request::ExpireAll(expire::parse_expire_all(p)?),
        "get_expiries" => Request::GetExpiries(expire::parse_get_expiries(p)?),
        "revoke_subaccount" => Request::Revoke(revoke::parse_revoke(p)?),
        "unrevoke_subaccount" => Request::Unrevoke(revoke::parse_unrevoke(p)?),
        "info" => Request::Info,
        "get_swarm" | "get_snodes_for_pubkey" => Request::GetSwarm(meta::parse_get_swarm(p)?),
        "oxend_request" => Request::Oxend(meta::parse_oxend(p)?),
        "batch" | "sequence" => meta::parse_batch(p, method == "sequence")?,
        "ifelse" => Request::IfElse(Box::new(ifelse::parse(p)?)),
        _ => return Err(Reply::text(400, format!("no method {method}"))),
    })
}

/// A required list of message hashes (`messages`), format-checked when `check_format`.
pub fn parse_hashes(p: Params<'_>, key: &str, check_format: bool) -> RpcResult<Vec<String>> {
    let list = hash_list(p, key)?;
    if check_format {
        check_hash_format(&list)?;
    }
    Ok(list)
}

/// A required, non-empty list of strings under `key`.
fn hash_list(p: Params<'_>, key: &str) -> RpcResult<Vec<String>> {
    let list = p.strings(key).ok_or_else(|| RpcError::missing(key))?;
    if list.is_empty() {
        return Err(RpcError::invalid(format!(
            "{key} does not contain any message hashes"
        )));
    }
    Ok(list.into_iter().map(str::to_owned).collect())
}

/// Every hash is 43 characters of base64.
fn check_hash_format(list: &[String]) -> RpcResult<()> {
    match list.iter().find(|h| MessageHash::from_b64(h).is_none()) {
        Some(bad) => Err(RpcError::invalid(format!("invalid message hash: {bad}"))),
        None => Ok(()),
    }
}

/// The well-formed hashes of a list (where the reference does not check the format, malformed
/// entries simply match nothing).
pub fn decode_hashes(list: &[String]) -> Vec<MessageHash> {
    list.iter()
        .filter_map(|h| MessageHash::from_b64(h))
        .collect()
}
