//! Byte layouts of keys and values in the column families.
//!
//! * `msgs`:      account(33) ‖ ns(2, order-preserving) ‖ seq(8 BE) → hash(32) ‖ ts(8) ‖ expiry(8) ‖ data
//! * `by_hash`:   hash(32) → account(33) ‖ ns(2) ‖ seq(8)
//! * `by_expiry`: expiry(8 BE) ‖ hash(32) → ∅
//! * `revoked`:   account(33) ‖ token(36) → 2 ‖ timestamp(8 BE) ‖ state(1: 1 revoked, 0
//!   unrevoked) ‖ proof (only order(8 BE), meaning revoked, as written before proofs)
//! * `tombstones`: account(33) ‖ ns(2) ‖ hash(32) → expiry(8 BE) of the deleted message ‖
//!   proof id(32) (only expiry(8 BE) for a tombstone without a proof, as written before proofs)
//! * `proofs`:    id(32) → lifetime(8 BE, the largest expiry of the tombstones and stamps citing
//!   it) ‖ body
//! * `stamps`:    account(33) ‖ ns(2) ‖ hash(32) → set at(8 BE) ‖ expiry(8 BE) ‖ proof id(32):
//!   the last proven expiry change of a message
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
pub(crate) const CF_PROOFS: &str = "proofs";
pub(crate) const CF_STAMPS: &str = "stamps";
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

/// Value of a tombstone: the expiry, then the proof id if there is one.
pub(crate) fn tombstone_value(expiry: u64, proof: Option<&[u8; 32]>) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    v.extend_from_slice(&expiry.to_be_bytes());
    if let Some(id) = proof {
        v.extend_from_slice(id);
    }
    v
}

/// Decodes a tombstone's value: 8 bytes (no proof) or 40 bytes (with one).
pub(crate) fn decode_tombstone_value(v: &[u8]) -> Result<(u64, Option<[u8; 32]>)> {
    let corrupt = || Error::Corrupt {
        what: "tombstone value",
    };
    let expiry = u64::from_be_bytes(v.get(..8).ok_or_else(corrupt)?.try_into().expect("8 bytes"));
    match &v[8..] {
        [] => Ok((expiry, None)),
        id => Ok((expiry, Some(id.try_into().map_err(|_| corrupt())?))),
    }
}

/// Value of a proof: its lifetime, then its body.
pub(crate) fn proof_value(lifetime: u64, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + body.len());
    v.extend_from_slice(&lifetime.to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// Decodes a proof's value into its lifetime and body.
pub(crate) fn decode_proof_value(v: &[u8]) -> Result<(u64, &[u8])> {
    let Some((lifetime, body)) = v.split_first_chunk::<8>() else {
        return Err(Error::Corrupt {
            what: "proof value",
        });
    };
    Ok((u64::from_be_bytes(*lifetime), body))
}

/// Value of an expiry stamp.
pub(crate) fn stamp_value(set_at: u64, expiry: u64, proof: &[u8; 32]) -> [u8; 48] {
    let mut v = [0u8; 48];
    v[..8].copy_from_slice(&set_at.to_be_bytes());
    v[8..16].copy_from_slice(&expiry.to_be_bytes());
    v[16..].copy_from_slice(proof);
    v
}

/// Decodes an expiry stamp's value into (set at, expiry, proof id).
pub(crate) fn decode_stamp_value(v: &[u8]) -> Result<(u64, u64, [u8; 32])> {
    let v: &[u8; 48] = v.try_into().map_err(|_| Error::Corrupt {
        what: "stamp value",
    })?;
    let (set_at, rest) = v.split_first_chunk::<8>().expect("48 bytes");
    let (expiry, proof) = rest.split_first_chunk::<8>().expect("40 bytes");
    Ok((
        u64::from_be_bytes(*set_at),
        u64::from_be_bytes(*expiry),
        proof.try_into().expect("32 bytes"),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstone_values_with_and_without_proof() {
        let id = [7u8; 32];
        let v = tombstone_value(0x0102, Some(&id));
        assert_eq!(v.len(), 40);
        assert_eq!(decode_tombstone_value(&v).ok(), Some((0x0102, Some(id))));
        // The form written before proofs existed: the expiry alone.
        let legacy = 0x0102u64.to_be_bytes();
        assert_eq!(tombstone_value(0x0102, None), legacy);
        assert_eq!(decode_tombstone_value(&legacy).ok(), Some((0x0102, None)));
        for len in [0, 7, 9, 39, 41] {
            assert!(matches!(
                decode_tombstone_value(&vec![0; len]),
                Err(Error::Corrupt { .. })
            ));
        }
    }

    #[test]
    fn stamp_values() {
        let v = stamp_value(0x0102, 0x0304, &[7; 32]);
        assert_eq!(v[..16], [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4]);
        assert_eq!(decode_stamp_value(&v).ok(), Some((0x0102, 0x0304, [7; 32])));
        for len in [0, 16, 47, 49] {
            assert!(matches!(
                decode_stamp_value(&vec![0; len]),
                Err(Error::Corrupt { .. })
            ));
        }
    }

    #[test]
    fn proof_values() {
        let v = proof_value(9, b"body");
        assert_eq!(decode_proof_value(&v).ok(), Some((9, &b"body"[..])));
        assert_eq!(
            decode_proof_value(&proof_value(9, b"")).ok(),
            Some((9, &b""[..]))
        );
        assert!(matches!(
            decode_proof_value(&[0; 7]),
            Err(Error::Corrupt { .. })
        ));
    }
}
