//! Expiry stamps: the last proven expiry change of each message, so that a change reaches the
//! swarm members that missed it (down, paused, or not yet holding the message when it was
//! made). A stamp records the expiry the change set, when it was applied, and the proof it cites
//! (the owner's signed request, opaque here like a deletion's: checking it is the node's
//! business). Between two stamps the later application wins, then the later expiry; a message
//! without a stamp has only its stored expiry, which any stamp overrides.

use crate::codec::{CF_MSGS, CF_STAMPS, Loc, decode_stamp_value, stamp_value, tombstone_key};
use crate::error::{DbContext, Result};
use crate::store::Store;
use crate::types::{ExpiryStamp, Proof, StoredMessage};
use rocksdb::WriteBatch;
use session_rpc::types::{Account, MessageHash, Namespace};
use std::collections::{HashMap, HashSet};

impl Store {
    /// The expiry stamps of (account, namespace), in hash order.
    pub fn stamps(&self, account: &Account, ns: Namespace) -> Result<Vec<ExpiryStamp>> {
        self.per_message(CF_STAMPS, account, ns, "stamp key", |hash, v| {
            let (set_at_ms, expiry_ms, proof) = decode_stamp_value(v)?;
            Ok(ExpiryStamp {
                hash,
                expiry_ms,
                set_at_ms,
                proof,
            })
        })
    }

    /// Applies a peer's expiry stamps of (account, namespace) with the `proofs` they cite.
    ///
    /// A stamp is considered when it is not expired at `now_ms`, this node holds the message in
    /// that (account, namespace), the stamp's proof is supplied, and the stamp is newer than the
    /// one recorded here (by application time, then expiry; none recorded counts as oldest).
    /// `accept` then gets the stamp, the held message and the proof; when it accepts, the
    /// message takes the stamp's expiry and the stamp and its proof are recorded. Repeats of a
    /// hash are skipped. Returns how many messages changed expiry.
    pub fn apply_stamps(
        &self,
        account: &Account,
        ns: Namespace,
        stamps: &[ExpiryStamp],
        proofs: &[Proof],
        now_ms: u64,
        mut accept: impl FnMut(&ExpiryStamp, &StoredMessage, &Proof) -> bool,
    ) -> Result<usize> {
        let by_id: HashMap<&[u8; 32], &Proof> = proofs.iter().map(|p| (&p.id, p)).collect();
        let _guard = self.lock();
        let mut batch = WriteBatch::default();
        let mut lifetimes: HashMap<&[u8; 32], (u64, &Proof)> = HashMap::new();
        let mut seen = HashSet::new();
        let mut changed = 0;
        for s in stamps.iter().filter(|s| s.expiry_ms > now_ms) {
            if !seen.insert(s.hash) {
                continue;
            }
            let Some(proof) = by_id.get(&s.proof).copied() else {
                continue;
            };
            let Some((loc, held)) = self.held(account, ns, &s.hash)? else {
                continue;
            };
            if !self.newer_than_recorded(account, ns, s)? || !accept(s, &held, proof) {
                continue;
            }
            if held.expiry_ms != s.expiry_ms {
                let value = self
                    .db()
                    .get_cf(self.cf(CF_MSGS), loc.key())
                    .ctx("reading a message")?
                    .ok_or(crate::Error::Corrupt {
                        what: "held message vanished",
                    })?;
                let old = held.expiry_ms;
                self.set_expiry_into(&mut batch, &loc, &s.hash, &value, old, s.expiry_ms);
                changed += 1;
            }
            self.stamp_into(
                &mut batch,
                &loc,
                &s.hash,
                s.expiry_ms,
                s.set_at_ms,
                &s.proof,
            );
            let lifetime = &mut lifetimes.entry(&proof.id).or_insert((0, proof)).0;
            *lifetime = (*lifetime).max(s.expiry_ms);
        }
        for (lifetime, proof) in lifetimes.into_values() {
            self.put_proof_into(&mut batch, proof, lifetime)?;
        }
        self.write(batch, "applying expiry stamps")?;
        Ok(changed)
    }

    /// Whether `s` beats the stamp recorded for its message (if any).
    fn newer_than_recorded(
        &self,
        account: &Account,
        ns: Namespace,
        s: &ExpiryStamp,
    ) -> Result<bool> {
        Ok(match self.recorded_stamp(account, ns, &s.hash)? {
            Some(recorded) => (s.set_at_ms, s.expiry_ms) > recorded,
            None => true,
        })
    }

    /// The (set at, expiry) of the stamp recorded for a message, if any.
    pub(crate) fn recorded_stamp(
        &self,
        account: &Account,
        ns: Namespace,
        hash: &MessageHash,
    ) -> Result<Option<(u64, u64)>> {
        let key = tombstone_key(account, ns, hash);
        let Some(v) = self
            .db()
            .get_pinned_cf(self.cf(CF_STAMPS), key)
            .ctx("reading a stamp")?
        else {
            return Ok(None);
        };
        let (set_at, expiry, _) = decode_stamp_value(&v)?;
        Ok(Some((set_at, expiry)))
    }

    /// Records the stamp of the message at `loc` (its proof's record is the caller's).
    pub(crate) fn stamp_into(
        &self,
        batch: &mut WriteBatch,
        loc: &Loc,
        hash: &MessageHash,
        expiry_ms: u64,
        set_at_ms: u64,
        proof: &[u8; 32],
    ) {
        batch.put_cf(
            self.cf(CF_STAMPS),
            tombstone_key(&loc.account, loc.ns, hash),
            stamp_value(set_at_ms, expiry_ms, proof),
        );
    }

    /// Drops stamps whose expiry passed by `now_ms`.
    pub(crate) fn purge_stamps_into(&self, batch: &mut WriteBatch, now_ms: u64) -> Result<()> {
        self.purge_cf_into(batch, CF_STAMPS, now_ms, |v| Ok(decode_stamp_value(v)?.1))
    }
}
