//! `get_swarm` and `batch` / `sequence` parameters.

use super::{Request, SubRequest};
use crate::auth::account_from_str;
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::Account;
use serde_json::Value;

/// Most subrequests in one batch or sequence.
pub const MAX_SUBREQUESTS: usize = 20;

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_get_swarm(p: Params<'_>) -> RpcResult<Account> {
    check_types(p, &[("pubKey", Kind::Str), ("pubkey", Kind::Str)])?;
    let raw = match (p.str("pubkey"), p.str("pubKey")) {
        (Some(_), Some(_)) => {
            return Err(RpcError::invalid(
                "Cannot specify both 'pubkey' and 'pubKey'",
            ));
        }
        (Some(s), None) | (None, Some(s)) => s,
        (None, None) => return Err(RpcError::missing("pubkey")),
    };
    account_from_str(raw)
        .ok_or_else(|| RpcError::invalid("Pubkey must be 66 hex digits/33 bytes long"))
}

/// The two oxend endpoints the reference relays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OxendEndpoint {
    /// `get_service_nodes`: the node list.
    GetServiceNodes,
    /// `ons_resolve`: Session's name service (not part of this network yet).
    OnsResolve,
}

/// `oxend_request` parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct OxendReq {
    /// Which endpoint.
    pub endpoint: OxendEndpoint,
    /// Its parameters, passed through (an object, or absent).
    pub params: Option<Value>,
}

/// Parses `oxend_request`: `endpoint` (string, one of two) and optional `params`.
pub fn parse_oxend(p: Params<'_>) -> RpcResult<OxendReq> {
    check_types(p, &[("endpoint", Kind::Str)])?;
    let endpoint = match p.str("endpoint") {
        None => return Err(RpcError::missing("endpoint")),
        Some("get_service_nodes") => OxendEndpoint::GetServiceNodes,
        Some("ons_resolve") => OxendEndpoint::OnsResolve,
        Some(other) => {
            return Err(RpcError::invalid(format!(
                "Invalid oxend endpoint '{other}'"
            )));
        }
    };
    Ok(OxendReq {
        endpoint,
        params: p.get("params").cloned(),
    })
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_batch(p: Params<'_>, sequence: bool) -> RpcResult<Request> {
    let invalid = |m: &str| RpcError::invalid(format!("Invalid batch request: {m}"));
    let list = p
        .get("requests")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| invalid("no valid \"requests\" field"))?;
    if list.len() > MAX_SUBREQUESTS {
        return Err(invalid("subrequest limit exceeded"));
    }
    let mut requests = Vec::with_capacity(list.len());
    for item in list {
        let obj = item
            .as_object()
            .ok_or_else(|| invalid("requests must be objects"))?;
        let (Some(method), Some(params)) = (
            obj.get("method").and_then(Value::as_str),
            obj.get("params").and_then(Value::as_object),
        ) else {
            return Err(invalid("subrequests must have method/params keys"));
        };
        let sub = SubRequest::parse(method, params).map_err(|e| {
            if super::ifelse::is_no_method(&e) {
                RpcError::invalid(format!(
                    "Invalid batch subrequest: invalid method \"{method}\""
                ))
            } else {
                e
            }
        })?;
        if sub.request.is_meta() {
            return Err(RpcError::invalid(
                "Invalid batch subrequest: subrequests may not contain meta-requests",
            ));
        }
        requests.push(sub);
    }
    Ok(Request::Batch { requests, sequence })
}
