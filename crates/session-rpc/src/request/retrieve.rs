//! `retrieve` parameters.

use crate::auth::{self, Auth};
use crate::params::{Kind, Params, check_types};
use crate::reply::{RpcError, RpcResult};
use crate::types::{Account, MessageHash, Namespace};

/// The retrieve size cap, in the units of [`retrieve_cost`].
pub const RETRIEVE_MAX_SIZE: i64 = 7_800_000;
/// `max_size` when neither `max_count` nor `max_size` is given: a fifth of the cap.
const DEFAULT_MAX_SIZE: i64 = -5;
/// What each returned message costs besides its data: the reference's per-message overhead
/// (100) plus its 43-character hash.
pub const RETRIEVE_MSG_OVERHEAD: usize = 100 + 43;

/// What one message of `data_len` bytes counts against `max_size`: the overhead plus
/// ⌊4·len/3⌋ (the reference's estimate of its base64 length).
pub fn retrieve_cost(data_len: usize) -> usize {
    RETRIEVE_MSG_OVERHEAD.saturating_add(data_len.saturating_mul(4) / 3)
}

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
    /// `max_size`, in the units of [`retrieve_cost`].
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
        max_size: max_size(p.int("max_count"), p.int("max_size")),
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

/// The size cap as the reference computes it: 0 counts as absent; with neither a count nor a
/// size a fifth of the cap; a negative size is `1/|n|` of the cap; a positive one is capped.
fn max_size(count: Option<i64>, size: Option<i64>) -> usize {
    let (count, size) = (count.filter(|&n| n != 0), size.filter(|&n| n != 0));
    let size = match (count, size) {
        (None, None) => Some(DEFAULT_MAX_SIZE),
        (_, size) => size,
    };
    let cap = match size {
        Some(n) if n < 0 => {
            RETRIEVE_MAX_SIZE / n.unsigned_abs().min(RETRIEVE_MAX_SIZE as u64) as i64
        }
        Some(n) => n.min(RETRIEVE_MAX_SIZE),
        None => RETRIEVE_MAX_SIZE,
    };
    usize::try_from(cap).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's network test stores 70,000-byte messages: each costs 93,476.
    const BIG: usize = 143 + 93_333;

    #[test]
    fn a_message_costs_the_overhead_and_four_thirds_of_its_bytes() {
        assert_eq!(retrieve_cost(70_000), BIG);
        assert_eq!(retrieve_cost(0), 143);
        assert_eq!(retrieve_cost(1), 144);
        assert_eq!(retrieve_cost(1_000), 1_476);
        // no overflow on absurd lengths
        assert!(retrieve_cost(usize::MAX) > usize::MAX / 3);
    }

    #[test]
    fn the_cap_follows_the_reference_rules() {
        // a count alone leaves the whole cap: 83 of the big messages fit
        let cap = max_size(Some(100), None);
        assert_eq!(cap, 7_800_000);
        assert_eq!(cap / BIG, 83);
        // neither: a fifth (16 big messages)
        assert_eq!(max_size(None, None), 1_560_000);
        assert_eq!(max_size(Some(0), Some(0)), 1_560_000);
        assert_eq!(max_size(None, None) / BIG, 16);
        assert_eq!(max_size(None, Some(-1)), 7_800_000);
        assert_eq!(max_size(None, Some(-3)) / BIG, 27);
        assert_eq!(max_size(Some(10), Some(700_000)) / BIG, 7);
        assert_eq!(max_size(None, Some(500_000)), 500_000);
        assert_eq!(max_size(None, Some(i64::MAX)), 7_800_000);
        assert_eq!(max_size(None, Some(i64::MIN)), 1);
        assert_eq!(max_size(None, Some(-7_800_001)), 1);
    }
}
