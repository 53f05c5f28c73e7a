//! `delete`, `delete_all`, `delete_before` parameters, and the helpers every authenticated
//! method shares.

use super::parse_hashes;
use crate::auth::{self, Auth};
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, Namespace};

const AUTH_KEYS: [(&str, Kind); 5] = [
    ("pubkey", Kind::Str),
    ("pubkey_ed25519", Kind::Str),
    ("signature", Kind::Str),
    ("subaccount", Kind::Str),
    ("subaccount_sig", Kind::Str),
];

/// A namespace parameter that may be `"all"`; absent means the default namespace 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsSel {
    /// One namespace.
    One(Namespace),
    /// Every namespace (`"all"`).
    All,
}

impl NsSel {
    /// Reads `namespace` (already type-checked).
    pub fn parse(p: Params<'_>) -> Self {
        if p.str("namespace") == Some("all") {
            return NsSel::All;
        }
        NsSel::One(Namespace(p.namespace("namespace").unwrap_or(0)))
    }

    /// The namespace as signed: "" for 0, decimal, or "all".
    pub fn sig_str(self) -> String {
        match self {
            NsSel::One(ns) => auth::ns_sig(ns),
            NsSel::All => "all".into(),
        }
    }

    /// `Some(ns)` for one namespace, `None` for all.
    pub fn store_sel(self) -> Option<Namespace> {
        match self {
            NsSel::One(ns) => Some(ns),
            NsSel::All => None,
        }
    }
}

/// Key specs: the auth keys plus method keys, in ASCII order.
pub fn keys_with(extra: &[(&'static str, Kind)]) -> Vec<(&'static str, Kind)> {
    let mut keys: Vec<_> = AUTH_KEYS
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect();
    keys.sort_by_key(|(k, _)| *k);
    keys
}

/// Account + auth (§2 steps 1-9).
pub fn parse_authed(p: Params<'_>, subaccount: bool) -> RpcResult<(Account, Auth)> {
    let account = auth::parse_account(p, false)?;
    let auth = auth::parse_auth(p, &account, subaccount)?;
    Ok((account, auth))
}

/// Parsed `DeleteReq` parameters.
#[derive(Debug)]
pub struct DeleteReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `hashes`.
    pub hashes: Vec<String>,
    /// `required`.
    pub required: bool,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_delete(p: Params<'_>) -> RpcResult<DeleteReq> {
    check_types(
        p,
        &keys_with(&[("messages", Kind::StrArray), ("required", Kind::Bool)]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    let hashes = parse_hashes(p, "messages", true)?;
    Ok(DeleteReq {
        account,
        auth,
        hashes,
        required: p.flag("required"),
    })
}

/// Parsed `DeleteAllReq` parameters.
#[derive(Debug)]
pub struct DeleteAllReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `ns`.
    pub ns: NsSel,
    /// `timestamp`.
    pub timestamp: u64,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_delete_all(p: Params<'_>) -> RpcResult<DeleteAllReq> {
    check_types(
        p,
        &keys_with(&[
            ("namespace", Kind::Int16OrAll),
            ("timestamp", Kind::Timestamp),
        ]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    let timestamp = p
        .u64("timestamp")
        .ok_or_else(|| RpcError::missing("timestamp"))?;
    Ok(DeleteAllReq {
        account,
        auth,
        ns: NsSel::parse(p),
        timestamp,
    })
}

/// Parsed `DeleteBeforeReq` parameters.
#[derive(Debug)]
pub struct DeleteBeforeReq {
    /// `account`.
    pub account: Account,
    /// `auth`.
    pub auth: Auth,
    /// `ns`.
    pub ns: NsSel,
    /// `before`.
    pub before: u64,
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse_delete_before(p: Params<'_>) -> RpcResult<DeleteBeforeReq> {
    check_types(
        p,
        &keys_with(&[("before", Kind::Timestamp), ("namespace", Kind::Int16OrAll)]),
    )?;
    let (account, auth) = parse_authed(p, true)?;
    let before = p.u64("before").ok_or_else(|| RpcError::missing("before"))?;
    Ok(DeleteBeforeReq {
        account,
        auth,
        ns: NsSel::parse(p),
        before,
    })
}
