//! `revoke_subaccount` / `unrevoke_subaccount` parameters.

use super::delete::parse_authed;
use crate::auth::{Auth, decode_token};
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::Account;

/// Most tokens one revoke request may name.
pub const MAX_REVOKE: usize = 50;

/// Parsed `RevokeReq` parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokeReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `tokens`.
    pub tokens: Vec<[u8; 36]>,
    /// `timestamp`.
    pub timestamp: u64,
}

/// Unrevoke has the same shape.
pub type UnrevokeReq = RevokeReq;

fn tokens(p: Params<'_>, key: &str) -> RpcResult<Vec<[u8; 36]>> {
    let list = p.strings(key).ok_or_else(|| RpcError::missing(key))?;
    if key == "revoke" && list.len() > MAX_REVOKE {
        return Err(RpcError::invalid(format!(
            "invalid revoke: cannot revoke more than {MAX_REVOKE} subaccounts at once"
        )));
    }
    list.iter()
        .map(|t| {
            decode_token(t).ok_or_else(|| {
                RpcError::invalid(format!(
                    "invalid {key}: expected base64 or hex-encoded subaccount tag"
                ))
            })
        })
        .collect()
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_revoke(p: Params<'_>) -> RpcResult<RevokeReq> {
    check_types(
        p,
        &[
            ("pubkey", Kind::Str),
            ("pubkey_ed25519", Kind::Str),
            ("revoke", Kind::StrArray),
            ("signature", Kind::Str),
            ("timestamp", Kind::Timestamp),
        ],
    )?;
    let (account, auth) = parse_authed(p, false)?;
    let tokens = tokens(p, "revoke")?;
    let timestamp = p
        .u64("timestamp")
        .ok_or_else(|| RpcError::missing("timestamp"))?;
    Ok(RevokeReq {
        account,
        auth,
        tokens,
        timestamp,
    })
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_unrevoke(p: Params<'_>) -> RpcResult<UnrevokeReq> {
    check_types(
        p,
        &[
            ("pubkey", Kind::Str),
            ("pubkey_ed25519", Kind::Str),
            ("signature", Kind::Str),
            ("timestamp", Kind::Timestamp),
            ("unrevoke", Kind::StrArray),
        ],
    )?;
    let (account, auth) = parse_authed(p, false)?;
    let timestamp = p
        .u64("timestamp")
        .ok_or_else(|| RpcError::missing("timestamp"))?;
    let tokens = tokens(p, "unrevoke")?;
    Ok(RevokeReq {
        account,
        auth,
        tokens,
        timestamp,
    })
}

/// The bytes the account master key signs: `method ‖ timestamp ‖ tokens`.
pub fn signed_request(method: &str, r: &RevokeReq) -> Vec<u8> {
    let mut msg = format!("{method}{}", r.timestamp).into_bytes();
    for t in &r.tokens {
        msg.extend_from_slice(t);
    }
    msg
}
