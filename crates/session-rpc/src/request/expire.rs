//! `expire`, `expire_all`, `get_expiries` parameters.

use super::delete::{NsSel, keys_with, parse_authed};
use super::{check_hash_format, hash_list, parse_hashes};
use crate::auth::Auth;
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, ExpiryMode};

/// Parsed `ExpireReq` parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpireReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `hashes`.
    pub hashes: Vec<String>,
    /// `expiries`.
    pub expiries: Vec<u64>,
    /// `mode`.
    pub mode: ExpiryMode,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_expire(p: Params<'_>) -> RpcResult<ExpireReq> {
    check_types(
        p,
        &keys_with(&[
            ("expiry", Kind::TimestampArray),
            ("extend", Kind::Bool),
            ("messages", Kind::StrArray),
            ("shorten", Kind::Bool),
        ]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    // The reference's order: expiry, the mode, the hashes, their count, their format.
    let expiries = p
        .ints("expiry")
        .ok_or_else(|| RpcError::missing("expiry"))?;
    if expiries.is_empty() {
        return Err(RpcError::invalid(
            "'expiry' does not contain any expiration timestamps",
        ));
    }
    let mode = match (p.flag("shorten"), p.flag("extend")) {
        (true, true) => {
            return Err(RpcError::invalid(
                "cannot specify both 'shorten' and 'extend'",
            ));
        }
        (true, false) => ExpiryMode::Shorten,
        (false, true) => ExpiryMode::Extend,
        (false, false) => ExpiryMode::Set,
    };
    let hashes = hash_list(p, "messages")?;
    if expiries.len() != 1 && expiries.len() != hashes.len() {
        return Err(RpcError::invalid(
            "'expiry' must be a single expiry, or the same length as 'messages'",
        ));
    }
    check_hash_format(&hashes)?;
    Ok(ExpireReq {
        account,
        auth,
        hashes,
        expiries,
        mode,
    })
}

/// The word `expire` signs for a mode: "", "shorten" or "extend".
pub fn mode_str(mode: ExpiryMode) -> &'static str {
    match mode {
        ExpiryMode::Set => "",
        ExpiryMode::Shorten => "shorten",
        ExpiryMode::Extend => "extend",
    }
}

/// Parsed `ExpireAllReq` parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpireAllReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `ns`.
    pub ns: NsSel,
    /// `expiry`.
    pub expiry: u64,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_expire_all(p: Params<'_>) -> RpcResult<ExpireAllReq> {
    check_types(
        p,
        &keys_with(&[("expiry", Kind::Timestamp), ("namespace", Kind::Int16OrAll)]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    let expiry = p.u64("expiry").ok_or_else(|| RpcError::missing("expiry"))?;
    Ok(ExpireAllReq {
        account,
        auth,
        ns: NsSel::parse(p),
        expiry,
    })
}

/// Parsed `GetExpiriesReq` parameters.
#[derive(Debug)]
pub struct GetExpiriesReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `hashes`.
    pub hashes: Vec<String>,
    /// `timestamp`.
    pub timestamp: u64,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_get_expiries(p: Params<'_>) -> RpcResult<GetExpiriesReq> {
    check_types(
        p,
        &keys_with(&[("messages", Kind::StrArray), ("timestamp", Kind::Timestamp)]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    let timestamp = p
        .u64("timestamp")
        .ok_or_else(|| RpcError::missing("timestamp"))?;
    let hashes = parse_hashes(p, "messages", false)?;
    Ok(GetExpiriesReq {
        account,
        auth,
        hashes,
        timestamp,
    })
}
