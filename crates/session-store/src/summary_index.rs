//! The summary index: running totals of every (account, namespace)'s stored messages, kept in
//! the same write batch as the messages themselves, so that replication's summaries
//! ([`Store::summaries`]) read one record per (account, namespace) instead of scanning every
//! message (issue 20: no full-column-family scans in the sync round).
//!
//! A record holds (count, XOR of hashes, XOR of BLAKE2b-256(hash ‖ expiry)) over the messages in
//! `msgs`, expired ones included until they are purged; [`Store::summaries`] takes out those
//! expired at its `now` (the few `by_expiry` keys at or before it). Every change is a RocksDB
//! merge of a delta of the same shape (counts add, digests XOR), so writers never read it.

use crate::codec::{
    CF_BY_EXPIRY, CF_BY_HASH, CF_MSGS, CF_SUMMARIES, Loc, decode_expiry_key, decode_ns_prefix,
    decode_value, ns_prefix,
};
use crate::error::{DbContext, Error, Result};
use crate::store::Store;
use crate::sync::Summary;
use rocksdb::{IteratorMode, MergeOperands, WriteBatch};
use session_crypto::hash::{Blake2bParams, hash32};
use session_rpc::types::{Account, MessageHash};
use std::collections::BTreeMap;

/// Name of the merge operator (stored by RocksDB: renaming it makes old databases unreadable).
pub(crate) const MERGE_OPERATOR: &str = "session-summary-v1";
/// Marks a database whose summary index is complete (written with the rebuild at open).
pub(crate) const META_SUMMARIES: &[u8] = b"summaries_v1";
/// Merges a key may gather in a memtable before a write folds them into one value: a busy
/// mailbox would otherwise make every read of its record fold thousands of deltas.
pub(crate) const MAX_SUCCESSIVE_MERGES: usize = 8;

const VALUE_LEN: usize = 8 + 32 + 32;

/// A record of the index, or a delta merged into one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Messages (a delta's −1 wraps; the folded total never does).
    pub count: u64,
    /// XOR of their hashes.
    pub digest: [u8; 32],
    /// XOR of [`expiry_mix`] over them.
    pub expiry_digest: [u8; 32],
}

impl Totals {
    /// One message.
    pub fn of(hash: &MessageHash, expiry_ms: u64) -> Self {
        Self {
            count: 1,
            digest: hash.0,
            expiry_digest: expiry_mix(hash, expiry_ms),
        }
    }

    /// The delta that takes this one out again.
    pub fn negated(self) -> Self {
        Self {
            count: self.count.wrapping_neg(),
            ..self
        }
    }

    /// Adds `other` (counts add, digests XOR).
    pub fn add(&mut self, other: &Self) {
        self.count = self.count.wrapping_add(other.count);
        xor_into(&mut self.digest, &other.digest);
        xor_into(&mut self.expiry_digest, &other.expiry_digest);
    }

    pub fn encode(&self) -> [u8; VALUE_LEN] {
        let mut v = [0u8; VALUE_LEN];
        v[..8].copy_from_slice(&self.count.to_be_bytes());
        v[8..40].copy_from_slice(&self.digest);
        v[40..].copy_from_slice(&self.expiry_digest);
        v
    }

    pub fn decode(v: &[u8]) -> Option<Self> {
        let v: &[u8; VALUE_LEN] = v.try_into().ok()?;
        let (count, rest) = v.split_first_chunk::<8>()?;
        let (digest, expiry_digest) = rest.split_first_chunk::<32>()?;
        Some(Self {
            count: u64::from_be_bytes(*count),
            digest: *digest,
            expiry_digest: expiry_digest.try_into().ok()?,
        })
    }
}

/// BLAKE2b-256(hash ‖ expiry (8 BE)): what a message adds to an expiry digest.
pub(crate) fn expiry_mix(hash: &MessageHash, expiry_ms: u64) -> [u8; 32] {
    hash32(Blake2bParams::PLAIN, &[&hash.0, &expiry_ms.to_be_bytes()])
}

pub(crate) fn xor_into(digest: &mut [u8; 32], bytes: &[u8; 32]) {
    for (d, b) in digest.iter_mut().zip(bytes) {
        *d ^= b;
    }
}

/// RocksDB's merge operator for the index (associative: used for full and partial merges).
/// `None` (a corrupt operand) makes RocksDB report corruption rather than guess.
pub(crate) fn merge(
    _key: &[u8],
    existing: Option<&[u8]>,
    operands: &MergeOperands,
) -> Option<Vec<u8>> {
    let mut total = match existing {
        Some(v) => Totals::decode(v)?,
        None => Totals::default(),
    };
    for op in operands {
        total.add(&Totals::decode(op)?);
    }
    Some(total.encode().to_vec())
}

impl Store {
    /// Counts a new message of (account, namespace) into its record.
    pub(crate) fn summary_add_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        expiry_ms: u64,
    ) {
        self.summary_merge(batch, loc, Totals::of(hash, expiry_ms));
    }

    /// Takes a message out of its record.
    pub(crate) fn summary_remove_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        expiry_ms: u64,
    ) {
        self.summary_merge(batch, loc, Totals::of(hash, expiry_ms).negated());
    }

    /// Moves a message's expiry within its record.
    pub(crate) fn summary_reexpire_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        old_ms: u64,
        new_ms: u64,
    ) {
        let mut delta = Totals {
            expiry_digest: expiry_mix(hash, old_ms),
            ..Totals::default()
        };
        xor_into(&mut delta.expiry_digest, &expiry_mix(hash, new_ms));
        self.summary_merge(batch, loc, delta);
    }

    fn summary_merge(&self, batch: &mut WriteBatch, loc: &Loc, delta: Totals) {
        batch.merge_cf(
            self.cf(CF_SUMMARIES),
            ns_prefix(&loc.account, loc.ns),
            delta.encode(),
        );
    }

    /// Builds the index from the messages when the database has none yet (created before it),
    /// in one batch with its marker: a crash leaves either no index or a whole one.
    pub(crate) fn ensure_summary_index(&self) -> Result<()> {
        if (self.db().get(META_SUMMARIES))
            .ctx("reading the summary marker")?
            .is_some()
        {
            return Ok(());
        }
        let _guard = self.lock();
        let mut totals: BTreeMap<Vec<u8>, Totals> = BTreeMap::new();
        for item in self.db().iterator_cf(self.cf(CF_MSGS), IteratorMode::Start) {
            let (k, v) = item.ctx("scanning messages for the summary index")?;
            let loc = Loc::decode(&k)?;
            let msg = decode_value(loc.ns, &v)?;
            totals
                .entry(ns_prefix(&loc.account, loc.ns))
                .or_default()
                .add(&Totals::of(&msg.hash, msg.expiry_ms));
        }
        let mut batch = WriteBatch::default();
        for item in (self.db()).iterator_cf(self.cf(CF_SUMMARIES), IteratorMode::Start) {
            let (k, _) = item.ctx("clearing the summary index")?;
            batch.delete_cf(self.cf(CF_SUMMARIES), k);
        }
        for (key, t) in &totals {
            batch.put_cf(self.cf(CF_SUMMARIES), key, t.encode());
        }
        batch.put(META_SUMMARIES, []);
        self.write(batch, "building the summary index")
    }

    /// Summaries of every (account, namespace) with live messages at `now_ms` whose account
    /// `wanted` accepts, in key order: one record per (account, namespace), less the messages
    /// expired but not yet purged, read from one snapshot.
    pub fn summaries(
        &self,
        now_ms: u64,
        wanted: impl Fn(&Account) -> bool,
    ) -> Result<Vec<Summary>> {
        let snap = self.db().snapshot();
        let mut out: Vec<Summary> = Vec::new();
        for item in snap.iterator_cf(self.cf(CF_SUMMARIES), IteratorMode::Start) {
            let (k, v) = item.ctx("reading summaries")?;
            let (account, namespace) = decode_ns_prefix(&k)?;
            if !wanted(&account) {
                continue;
            }
            let t = Totals::decode(&v).ok_or(Error::Corrupt {
                what: "summary value",
            })?;
            out.push(Summary {
                account,
                namespace,
                count: t.count,
                digest: t.digest,
                expiry_digest: t.expiry_digest,
            });
        }
        // Expired at `now_ms`, still stored: counted in the records, not live.
        for item in snap.iterator_cf(self.cf(CF_BY_EXPIRY), IteratorMode::Start) {
            let (k, _) = item.ctx("scanning expiries")?;
            let (expiry, hash) = decode_expiry_key(&k)?;
            if expiry > now_ms {
                break;
            }
            let Some(v) =
                (snap.get_cf(self.cf(CF_BY_HASH), hash.0)).ctx("reading the hash index")?
            else {
                continue;
            };
            let loc = Loc::decode(&v)?;
            let key = (loc.account.0, loc.ns.0);
            if let Ok(i) = out.binary_search_by(|s| (s.account.0, s.namespace.0).cmp(&key)) {
                let s = &mut out[i];
                s.count = s.count.wrapping_sub(1);
                xor_into(&mut s.digest, &hash.0);
                xor_into(&mut s.expiry_digest, &expiry_mix(&hash, expiry));
            }
        }
        out.retain(|s| s.count > 0);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_encode_decode_add_and_negate() {
        let h = MessageHash([3; 32]);
        let one = Totals::of(&h, 77);
        assert_eq!(Totals::decode(&one.encode()), Some(one));
        assert_eq!(one.encode()[..8], [0, 0, 0, 0, 0, 0, 0, 1]);
        let mut t = Totals::default();
        t.add(&one);
        t.add(&Totals::of(&MessageHash([5; 32]), 9));
        t.add(&one.negated());
        assert_eq!(t, Totals::of(&MessageHash([5; 32]), 9));
        for len in [0, 8, 71, 73] {
            assert_eq!(Totals::decode(&vec![0; len]), None);
        }
    }
}
