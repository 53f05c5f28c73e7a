//! The summary index: running totals of every (account, namespace)'s stored messages, kept in
//! memory beside the database, so that replication's summaries ([`Store::summaries`]) read one
//! record per (account, namespace) instead of scanning every message (issue 20: no
//! full-column-family scans in the sync round).
//!
//! A record holds (count, XOR of hashes, XOR of BLAKE2b-256(hash ‖ expiry)) over the messages in
//! `msgs`, expired ones included until they are purged; [`Store::summaries`] takes out those
//! expired at its `now` (the few `by_expiry` keys at or before it). A write collects the deltas
//! of the records it touches (counts add, digests XOR) and [`Store::write`] applies them once
//! its batch is written, holding the index's lock across both, so a reader's snapshot and the
//! index always describe the same messages. Built at open by one scan of the messages: nothing
//! of it is stored, so nothing of it can disagree with the messages after a crash.

use crate::codec::{
    CF_BY_EXPIRY, CF_BY_HASH, CF_MSGS, Loc, decode_expiry_key, decode_ns_prefix, decode_value,
    ns_prefix,
};
use crate::error::{DbContext, Result};
use crate::store::Store;
use crate::sync::Summary;
use rocksdb::IteratorMode;
use session_crypto::hash::{Blake2bParams, hash32};
use session_rpc::types::{Account, MessageHash};
use std::collections::BTreeMap;

/// A record of the index, or a delta added to one.
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

/// A record's key: account ‖ namespace, as `msgs` orders them (iteration is in key order).
pub(crate) type Key = [u8; 35];

/// Records by key: about 110 bytes of memory per (account, namespace) held.
pub(crate) type Index = BTreeMap<Key, Totals>;

/// The deltas a write has made so far, by record key; applied by [`Store::write`].
pub(crate) type Deltas = BTreeMap<Key, Totals>;

fn key_of(loc: &Loc) -> Key {
    let mut k = [0u8; 35];
    k.copy_from_slice(&ns_prefix(&loc.account, loc.ns));
    k
}

/// Adds `deltas` to `index`; a record back at nothing goes.
pub(crate) fn apply(index: &mut Index, deltas: Deltas) {
    for (key, delta) in deltas {
        let total = index.entry(key).or_default();
        total.add(&delta);
        if *total == Totals::default() {
            index.remove(&key);
        }
    }
}

impl Store {
    /// Counts a new message of (account, namespace) into its record.
    pub(crate) fn summary_add(&self, loc: &Loc, hash: &MessageHash, expiry_ms: u64) {
        self.summary_delta(loc, Totals::of(hash, expiry_ms));
    }

    /// Takes a message out of its record.
    pub(crate) fn summary_remove(&self, loc: &Loc, hash: &MessageHash, expiry_ms: u64) {
        self.summary_delta(loc, Totals::of(hash, expiry_ms).negated());
    }

    /// Moves a message's expiry within its record.
    pub(crate) fn summary_reexpire(&self, loc: &Loc, hash: &MessageHash, old_ms: u64, new_ms: u64) {
        let mut delta = Totals {
            expiry_digest: expiry_mix(hash, old_ms),
            ..Totals::default()
        };
        xor_into(&mut delta.expiry_digest, &expiry_mix(hash, new_ms));
        self.summary_delta(loc, delta);
    }

    fn summary_delta(&self, loc: &Loc, delta: Totals) {
        self.deltas().entry(key_of(loc)).or_default().add(&delta);
    }

    /// The index built from every stored message (at open).
    pub(crate) fn build_summary_index(&self) -> Result<Index> {
        let mut index = Index::new();
        for item in self.db().iterator_cf(self.cf(CF_MSGS), IteratorMode::Start) {
            let (k, v) = item.ctx("scanning messages for the summary index")?;
            let loc = Loc::decode(&k)?;
            let msg = decode_value(loc.ns, &v)?;
            index
                .entry(key_of(&loc))
                .or_default()
                .add(&Totals::of(&msg.hash, msg.expiry_ms));
        }
        Ok(index)
    }

    /// Summaries of every (account, namespace) with live messages at `now_ms` whose account
    /// `wanted` accepts, in key order: one record per (account, namespace), less the messages
    /// expired but not yet purged, read from one snapshot.
    pub fn summaries(
        &self,
        now_ms: u64,
        wanted: impl Fn(&Account) -> bool,
    ) -> Result<Vec<Summary>> {
        let (snap, mut out) = {
            let index = self.index();
            // Taken under the index's lock: no write lands between the two.
            let snap = self.db().snapshot();
            let mut out: Vec<Summary> = Vec::new();
            for (key, t) in index.iter() {
                let (account, namespace) = decode_ns_prefix(key)?;
                if wanted(&account) {
                    out.push(Summary {
                        account,
                        namespace,
                        count: t.count,
                        digest: t.digest,
                        expiry_digest: t.expiry_digest,
                    });
                }
            }
            (snap, out)
        };
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
    fn totals_add_and_negate_and_empty_records_leave() {
        let h = MessageHash([3; 32]);
        let one = Totals::of(&h, 77);
        assert_eq!((one.count, one.digest), (1, [3; 32]));
        let mut t = Totals::default();
        t.add(&one);
        t.add(&Totals::of(&MessageHash([5; 32]), 9));
        t.add(&one.negated());
        assert_eq!(t, Totals::of(&MessageHash([5; 32]), 9));
        // A record back at nothing leaves the index.
        let mut index = Index::new();
        apply(&mut index, Deltas::from([([1; 35], one), ([2; 35], one)]));
        apply(&mut index, Deltas::from([([1; 35], one.negated())]));
        assert_eq!(index.keys().collect::<Vec<_>>(), [&[2; 35]]);
    }
}
