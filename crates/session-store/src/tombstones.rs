//! Tombstones and the proofs of deletions.
//!
//! A deletion leaves a tombstone per deleted message until the message would have expired, so
//! replication never brings it back, and peers that still hold a copy learn of the deletion. A
//! tombstone cites the proof of its deletion (the owner's signed request, opaque here: checking
//! it is the node's business), stored once per deletion and kept as long as the longest-lived
//! tombstone that cites it. A tombstone never cites a proof this store does not hold, except one
//! written before proofs existed, which cites none.

use crate::codec::{
    CF_MSGS, CF_PROOFS, CF_TOMBSTONES, Loc, decode_proof_value, decode_tombstone_value,
    decode_value, ns_prefix, proof_value, tombstone_key, tombstone_value,
};
use crate::error::{DbContext, Result};
use crate::store::Store;
use crate::types::{Proof, StoredMessage, Tombstone};
use rocksdb::{Direction, IteratorMode, WriteBatch};
use session_rpc::types::{Account, MessageHash, Namespace};
use std::collections::{HashMap, HashSet};

impl Store {
    /// The tombstones of (account, namespace), in hash order.
    pub fn tombstones(&self, account: &Account, ns: Namespace) -> Result<Vec<Tombstone>> {
        self.per_message(CF_TOMBSTONES, account, ns, "tombstone key", |hash, v| {
            let (expiry_ms, proof) = decode_tombstone_value(v)?;
            Ok(Tombstone {
                hash,
                expiry_ms,
                proof,
            })
        })
    }

    /// The entries of a column family keyed `account ‖ ns ‖ hash` (tombstones, stamps) for
    /// (account, namespace), in hash order, each decoded by `decode` from its hash and value.
    pub(crate) fn per_message<T>(
        &self,
        cf: &'static str,
        account: &Account,
        ns: Namespace,
        what: &'static str,
        decode: impl Fn(MessageHash, &[u8]) -> Result<T>,
    ) -> Result<Vec<T>> {
        let prefix = ns_prefix(account, ns);
        let mut out = Vec::new();
        let iter = self
            .db()
            .iterator_cf(self.cf(cf), IteratorMode::From(&prefix, Direction::Forward));
        for item in iter {
            let (k, v) = item.ctx("scanning per-message entries")?;
            if !k.starts_with(&prefix) {
                break;
            }
            let hash = k
                .get(prefix.len()..)
                .and_then(|h| <[u8; 32]>::try_from(h).ok())
                .ok_or(crate::Error::Corrupt { what })?;
            out.push(decode(MessageHash(hash), &v)?);
        }
        Ok(out)
    }

    /// The body of the proof stored under `id`, if any.
    pub fn proof(&self, id: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        match self
            .db()
            .get_pinned_cf(self.cf(CF_PROOFS), id)
            .ctx("reading a proof")?
        {
            Some(v) => Ok(Some(decode_proof_value(&v)?.1.to_vec())),
            None => Ok(None),
        }
    }

    /// Applies a peer's tombstones of (account, namespace) with the `proofs` they cite.
    ///
    /// For each tombstone not expired at `now_ms`, `accept` gets the tombstone, the message this
    /// node holds under its hash in the same (account, namespace) if any, and its proof if
    /// supplied. When it accepts, the held copy is deleted (or, if none is held, the tombstone is
    /// recorded), the tombstone citing the supplied proof, which is stored too; when it refuses,
    /// nothing changes for that tombstone. A tombstone already recorded here that says as much
    /// (as long-lived, and with a proof unless the peer's has none) is skipped without asking,
    /// as are repeats of a hash. Returns how many held messages were deleted.
    pub fn apply_tombstones(
        &self,
        account: &Account,
        ns: Namespace,
        tombstones: &[Tombstone],
        proofs: &[Proof],
        now_ms: u64,
        mut accept: impl FnMut(&Tombstone, Option<&StoredMessage>, Option<&Proof>) -> bool,
    ) -> Result<usize> {
        let by_id: HashMap<&[u8; 32], &Proof> = proofs.iter().map(|p| (&p.id, p)).collect();
        let _guard = self.lock();
        let mut batch = WriteBatch::default();
        let mut lifetimes: HashMap<&[u8; 32], (u64, &Proof)> = HashMap::new();
        let mut seen = HashSet::new();
        let mut deleted = 0;
        for t in tombstones.iter().filter(|t| t.expiry_ms > now_ms) {
            if !seen.insert(t.hash) {
                continue;
            }
            let proof = t.proof.and_then(|id| by_id.get(&id).copied());
            let held = self.held(account, ns, &t.hash)?;
            if held.is_none() && self.covered(account, ns, t)? {
                continue;
            }
            if !accept(t, held.as_ref().map(|(_, m)| m), proof) {
                continue;
            }
            let cites = proof.map(|p| &p.id);
            let expiry = match held {
                Some((loc, m)) => {
                    self.delete_into(&mut batch, &loc, &m.hash, m.expiry_ms, cites);
                    deleted += 1;
                    m.expiry_ms
                }
                None => {
                    let key = tombstone_key(account, ns, &t.hash);
                    let value = tombstone_value(t.expiry_ms, cites);
                    batch.put_cf(self.cf(CF_TOMBSTONES), key, value);
                    t.expiry_ms
                }
            };
            if let Some(p) = proof {
                let lifetime = &mut lifetimes.entry(&p.id).or_insert((0, p)).0;
                *lifetime = (*lifetime).max(expiry);
            }
        }
        for (lifetime, proof) in lifetimes.into_values() {
            self.put_proof_into(&mut batch, proof, lifetime)?;
        }
        self.write(batch, "applying tombstones")?;
        Ok(deleted)
    }

    /// The message held under `hash` in (account, namespace), with where it lives.
    pub(crate) fn held(
        &self,
        account: &Account,
        ns: Namespace,
        hash: &MessageHash,
    ) -> Result<Option<(Loc, StoredMessage)>> {
        let Some(loc) = self
            .loc_of(hash)?
            .filter(|l| l.account == *account && l.ns == ns)
        else {
            return Ok(None);
        };
        let value = self
            .db()
            .get_cf(self.cf(CF_MSGS), loc.key())
            .ctx("reading a message")?
            .ok_or(crate::Error::Corrupt {
                what: "by_hash points at nothing",
            })?;
        Ok(Some((loc, decode_value(ns, &value)?)))
    }

    /// Whether a tombstone recorded here already says what `t` says: it lives as long, and it
    /// cites a proof unless `t` cites none.
    fn covered(&self, account: &Account, ns: Namespace, t: &Tombstone) -> Result<bool> {
        let Some(v) = self
            .db()
            .get_pinned_cf(self.cf(CF_TOMBSTONES), tombstone_key(account, ns, &t.hash))
            .ctx("reading a tombstone")?
        else {
            return Ok(false);
        };
        let (expiry_ms, proof) = decode_tombstone_value(&v)?;
        Ok(expiry_ms >= t.expiry_ms && (proof.is_some() || t.proof.is_none()))
    }

    /// Stores `proof` to live until `lifetime_ms`, or longer if it is already stored with a
    /// longer lifetime. Call at most once per proof id and batch.
    pub(crate) fn put_proof_into(
        &self,
        batch: &mut WriteBatch,
        proof: &Proof,
        lifetime_ms: u64,
    ) -> Result<()> {
        let cf = self.cf(CF_PROOFS);
        if let Some(v) = self
            .db()
            .get_pinned_cf(cf, proof.id)
            .ctx("reading a proof")?
            && decode_proof_value(&v)?.0 >= lifetime_ms
        {
            return Ok(());
        }
        batch.put_cf(cf, proof.id, proof_value(lifetime_ms, &proof.body));
        Ok(())
    }

    /// Drops tombstones whose message would have expired by `now_ms` (nothing can bring such a
    /// message back: every node refuses expired messages).
    pub(crate) fn purge_tombstones_into(&self, batch: &mut WriteBatch, now_ms: u64) -> Result<()> {
        self.purge_cf_into(batch, CF_TOMBSTONES, now_ms, |v| {
            Ok(decode_tombstone_value(v)?.0)
        })
    }

    /// Drops proofs whose lifetime ended by `now_ms` (every tombstone citing them is gone).
    pub(crate) fn purge_proofs_into(&self, batch: &mut WriteBatch, now_ms: u64) -> Result<()> {
        self.purge_cf_into(batch, CF_PROOFS, now_ms, |v| Ok(decode_proof_value(v)?.0))
    }

    /// Deletes every entry of `cf` whose value's time (read by `until`) is at or before `now_ms`.
    pub(crate) fn purge_cf_into(
        &self,
        batch: &mut WriteBatch,
        cf: &'static str,
        now_ms: u64,
        until: impl Fn(&[u8]) -> Result<u64>,
    ) -> Result<()> {
        for item in self.db().iterator_cf(self.cf(cf), IteratorMode::Start) {
            let (k, v) = item.ctx("scanning for expired entries")?;
            if until(&v)? <= now_ms {
                batch.delete_cf(self.cf(cf), &k);
            }
        }
        Ok(())
    }
}
