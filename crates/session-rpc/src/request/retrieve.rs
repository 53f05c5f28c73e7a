//! `retrieve` parameters.

use crate::auth::{self, Auth};
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, MessageHash, Namespace};

/// The retrieve size cap in (base64) bytes.
pub const RETRIEVE_MAX_SIZE: i64 = 7_800_000;
const DEFAULT_MAX_SIZE: i64 = -5;

const KEYS: &[(&str, Kind)] = &[
    ("lastHash", Kind::Str),
    ("last_hash", Kind::Str),
    ("max_count", Kind::Int),
    ("max_size", Kind::Int),
    ("namespace", Kind::Int16),
    ("pubKey", Kind::Str),
    ("pubkey", Kind::Str),
    ("pubkey_ed25519", Kind::Str),
    ("signature", Kind::Str),
    ("subaccount", Kind::Str),
    ("subaccount_sig", Kind::Str),
    ("timestamp", Kind::Timestamp),
];

/// Parsed `RetrieveReq` parameters.
#[derive(Debug)]
pub struct RetrieveReq {
    /// `account`.
    pub account: Account,
    /// `ns`.
    pub ns: Namespace,
    /// `last_hash`.
    pub last_hash: Option<MessageHash>,
    /// `max_count`.
    pub max_count: usize,
    /// `max_size`.
    pub max_size: usize,
    /// `timestamp`.
    pub timestamp: Option<u64>,
    /// `auth`.
    pub auth: Option<Auth>,
}

/// Whether retrieving from `ns` needs a signature (all but −10 and the public outboxes).
pub fn needs_auth(ns: Namespace) -> bool {
    !(ns.is_legacy_closed() || ns.is_public_outbox())
}

/// Parses the parameters: type errors first, in key order, then each field in the reference order.
pub fn parse(p: Params<'_>) -> RpcResult<RetrieveReq> {
    check_types(p, KEYS)?;
    let account = auth::parse_account(p, true)?;
    let ns = Namespace(p.namespace("namespace").unwrap_or(0));
    let auth_given = ["pubkey_ed25519", "signature", "timestamp"]
        .iter()
        .any(|k| p.has(k))
        || (p.has("namespace") && needs_auth(ns));
    let auth = if auth_given {
        Some(auth::parse_auth(p, &account, true)?)
    } else {
        None
    };
    let last_hash = match (p.str("last_hash"), p.str("lastHash")) {
        (Some(_), Some(_)) => {
            return Err(RpcError::invalid(
                "Cannot specify both 'last_hash' and 'lastHash'",
            ));
        }
        (Some(h), None) | (None, Some(h)) if !h.is_empty() => Some(parse_last_hash(h)?),
        _ => None,
    };
    Ok(RetrieveReq {
        account,
        ns,
        last_hash,
        max_count: max_count(p.int("max_count")),
        max_size: max_size(p.int("max_size").unwrap_or(DEFAULT_MAX_SIZE)),
        timestamp: p.u64("timestamp"),
        auth,
    })
}

fn parse_last_hash(h: &str) -> RpcResult<MessageHash> {
    if h.len() != 43 {
        return Err(RpcError::invalid(
            "Invalid last_hash: expected base64 (43 chars)",
        ));
    }
    MessageHash::from_b64(h).ok_or_else(|| RpcError::invalid("Invalid last_hash: not base64"))
}

fn max_count(n: Option<i64>) -> usize {
    match n {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => usize::MAX,
    }
}

/// Negative `n` means `1/|n|` of the cap; positive is bytes (capped); 0 means the cap.
fn max_size(n: i64) -> usize {
    let b64 = match n {
        n if n < 0 => RETRIEVE_MAX_SIZE / -n.max(-RETRIEVE_MAX_SIZE),
        0 => RETRIEVE_MAX_SIZE,
        n => n.min(RETRIEVE_MAX_SIZE),
    };
    // the store counts raw bytes; the cap counts their base64 expansion
    usize::try_from(b64 * 3 / 4).unwrap_or(0)
}
