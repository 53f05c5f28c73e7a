//! `store` parameters.

use crate::auth::{self, Auth};
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, Namespace};
use base64::Engine as _;

/// Largest message payload in bytes.
pub const MAX_DATA_BYTES: usize = 76_800;
const MAX_DATA_B64: usize = 102_400;

const KEYS: &[(&str, Kind)] = &[
    ("data", Kind::Str),
    ("expiry", Kind::Timestamp),
    ("namespace", Kind::Int16),
    ("pubKey", Kind::Str),
    ("pubkey", Kind::Str),
    ("pubkey_ed25519", Kind::Str),
    ("sig_timestamp", Kind::Timestamp),
    ("signature", Kind::Str),
    ("subaccount", Kind::Str),
    ("subaccount_sig", Kind::Str),
    ("timestamp", Kind::StoreTimestamp),
    ("ttl", Kind::StoreTtl),
];

/// Parsed `StoreReq` parameters.
#[derive(Debug)]
pub struct StoreReq {
    /// `account`.
    pub account: Account,
    /// `ns`.
    pub ns: Namespace,
    /// `timestamp`.
    pub timestamp: u64,
    /// `expiry`.
    pub expiry: u64,
    /// `sig_timestamp`.
    pub sig_timestamp: u64,
    /// `data`.
    pub data: Vec<u8>,
    /// `auth`.
    pub auth: Option<Auth>,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse(p: Params<'_>) -> RpcResult<StoreReq> {
    check_types(p, KEYS)?;
    let timestamp = p
        .store_timestamp("timestamp")
        .ok_or_else(|| RpcError::missing("timestamp"))?;
    let expiry = match (p.u64("expiry"), p.u64("ttl")) {
        (Some(_), Some(_)) => {
            return Err(RpcError::invalid("Cannot specify both 'expiry' and 'ttl'"));
        }
        (None, None) => {
            return Err(RpcError::invalid(
                "Required field 'expiry' or 'ttl' missing",
            ));
        }
        (Some(e), None) => e,
        (None, Some(ttl)) => timestamp.saturating_add(ttl),
    };
    let account = auth::parse_account(p, true)?;
    let auth = if p.has("signature") {
        Some(auth::parse_auth(p, &account, true)?)
    } else {
        None
    };
    let data = p.req_str("data")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(data))
        .map_err(|_| RpcError::invalid("Invalid 'data' value: not base64 encoded"))?;
    if data.len() > MAX_DATA_B64 || bytes.len() > MAX_DATA_BYTES {
        return Err(RpcError::invalid(format!(
            "Message body exceeds maximum allowed length of {MAX_DATA_BYTES} bytes"
        )));
    }
    Ok(StoreReq {
        account,
        ns: Namespace(p.namespace("namespace").unwrap_or(0)),
        timestamp,
        expiry,
        sig_timestamp: p.u64("sig_timestamp").unwrap_or(timestamp),
        data: bytes,
        auth,
    })
}
