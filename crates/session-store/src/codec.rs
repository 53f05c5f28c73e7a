//! Byte layouts of keys and values in the column families.
//!
//! * `msgs`:      account(33) ‖ ns(2, order-preserving) ‖ seq(8 BE) → hash(32) ‖ ts(8) ‖ expiry(8) ‖ data
//! * `by_hash`:   hash(32) → account(33) ‖ ns(2) ‖ seq(8)
//! * `by_expiry`: expiry(8 BE) ‖ hash(32) → ∅
//! * `revoked`:   account(33) ‖ token(36) → order(8 BE)
//! * `tombstones`: account(33) ‖ ns(2) ‖ hash(32) → expiry(8 BE) of the deleted message
//! * default:     `next_seq` → u64 BE

use crate::error::{Error, Result};
use crate::types::StoredMessage;
use session_rpc::types::{Account, MessageHash, Namespace};

/// Big-endian bytes that sort in numeric order (sign bit flipped).
fn ns_key(ns: Namespace) -> [u8; 2] {
    ((ns.0 as u16) ^ 0x8000).to_be_bytes()
}

fn ns_from_key(b: [u8; 2]) -> Namespace {
    Namespace((u16::from_be_bytes(b) ^ 0x8000) as i16)
}

pub(crate) const CF_MSGS: &str = "msgs";
pub(crate) const CF_BY_HASH: &str = "by_hash";
pub(crate) const CF_BY_EXPIRY: &str = "by_expiry";
pub(crate) const CF_REVOKED: &str = "revoked";
pub(crate) const CF_TOMBSTONES: &str = "tombstones";
pub(crate) const META_NEXT_SEQ: &[u8] = b"next_seq";

pub(crate) const LOC_LEN: usize = 33 + 2 + 8;

/// Where a message lives in `msgs`: its full key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Loc {
    pub account: Account,
    pub ns: Namespace,
    pub seq: u64,
}

impl Loc {
    pub fn key(&self) -> [u8; LOC_LEN] {
        let mut k = [0u8; LOC_LEN];
        k[..33].copy_from_slice(&self.account.0);
        k[33..35].copy_from_slice(&ns_key(self.ns));
        k[35..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }

    pub fn decode(b: &[u8]) -> Result<Self> {
        let b: &[u8; LOC_LEN] = b
            .try_into()
            .map_err(|_| Error::Corrupt { what: "msgs key" })?;
        let mut account = [0u8; 33];
        account.copy_from_slice(&b[..33]);
        Ok(Self {
            account: Account(account),
            ns: ns_from_key([b[33], b[34]]),
            seq: u64::from_be_bytes(b[35..].try_into().expect("8 bytes")),
        })
    }
}

/// Key of a tombstone: the (account, namespace) prefix and the deleted message's hash.
pub(crate) fn tombstone_key(account: &Account, ns: Namespace, hash: &MessageHash) -> Vec<u8> {
    let mut k = ns_prefix(account, ns);
    k.extend_from_slice(&hash.0);
    k
}

pub(crate) fn account_prefix(account: &Account) -> Vec<u8> {
    account.0.to_vec()
}

pub(crate) fn ns_prefix(account: &Account, ns: Namespace) -> Vec<u8> {
    let mut p = account.0.to_vec();
    p.extend_from_slice(&ns_key(ns));
    p
}

pub(crate) fn encode_value(hash: &MessageHash, ts: u64, expiry: u64, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(48 + data.len());
    v.extend_from_slice(&hash.0);
    v.extend_from_slice(&ts.to_be_bytes());
    v.extend_from_slice(&expiry.to_be_bytes());
    v.extend_from_slice(data);
    v
}

pub(crate) fn decode_value(ns: Namespace, v: &[u8]) -> Result<StoredMessage> {
    if v.len() < 48 {
        return Err(Error::Corrupt { what: "msgs value" });
    }
    Ok(StoredMessage {
        hash: MessageHash(v[..32].try_into().expect("32 bytes")),
        namespace: ns,
        timestamp_ms: u64::from_be_bytes(v[32..40].try_into().expect("8 bytes")),
        expiry_ms: u64::from_be_bytes(v[40..48].try_into().expect("8 bytes")),
        data: v[48..].to_vec(),
    })
}

/// Rewrites the expiry inside an encoded value.
pub(crate) fn with_expiry(v: &[u8], expiry: u64) -> Vec<u8> {
    let mut out = v.to_vec();
    out[40..48].copy_from_slice(&expiry.to_be_bytes());
    out
}

pub(crate) fn expiry_key(expiry: u64, hash: &MessageHash) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..8].copy_from_slice(&expiry.to_be_bytes());
    k[8..].copy_from_slice(&hash.0);
    k
}

pub(crate) fn decode_expiry_key(k: &[u8]) -> Result<(u64, MessageHash)> {
    let k: &[u8; 40] = k.try_into().map_err(|_| Error::Corrupt {
        what: "by_expiry key",
    })?;
    Ok((
        u64::from_be_bytes(k[..8].try_into().expect("8 bytes")),
        MessageHash(k[8..].try_into().expect("32 bytes")),
    ))
}

pub(crate) fn revoked_key(account: &Account, token: &[u8; 36]) -> [u8; 69] {
    let mut k = [0u8; 69];
    k[..33].copy_from_slice(&account.0);
    k[33..].copy_from_slice(token);
    k
}

pub(crate) fn u64_value(v: &[u8], what: &'static str) -> Result<u64> {
    Ok(u64::from_be_bytes(
        v.try_into().map_err(|_| Error::Corrupt { what })?,
    ))
}
