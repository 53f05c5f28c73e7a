//! What replication needs from the store: per-(account, namespace) summaries to compare with a
//! peer's (the messages themselves go out in batches through `Store::retrieve`, deletions as
//! tombstones, see `tombstones.rs`).

use crate::codec::{CF_MSGS, CF_TOMBSTONES, Loc, decode_value, ns_prefix, tombstone_key};
use crate::error::{DbContext, Result};
use crate::store::Store;
use crate::types::{NewMessage, StoreOutcome, StoredMessage};
use rocksdb::IteratorMode;
use session_crypto::hash::{Blake2bParams, hash32};
use session_rpc::types::{Account, MessageHash, Namespace};

/// The live messages of one (account, namespace), condensed: equal summaries mean (up to a
/// 2^-256 accident) equal message sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Whose mailbox.
    pub account: Account,
    /// Which namespace.
    pub namespace: Namespace,
    /// How many live messages.
    pub count: u64,
    /// XOR of their hashes (order-free, so both sides compute it in one pass).
    pub digest: [u8; 32],
    /// XOR of BLAKE2b-256(hash ‖ expiry (8 BE)) over them: equal digests but different expiry
    /// digests mean an expiry change one side missed.
    pub expiry_digest: [u8; 32],
}

impl Store {
    /// Summaries of every (account, namespace) with live messages at `now_ms` whose account
    /// `wanted` accepts, in key order. One pass over the message column family.
    pub fn summaries(
        &self,
        now_ms: u64,
        wanted: impl Fn(&Account) -> bool,
    ) -> Result<Vec<Summary>> {
        let mut out: Vec<Summary> = Vec::new();
        for item in self.db().iterator_cf(self.cf(CF_MSGS), IteratorMode::Start) {
            let (k, v) = item.ctx("scanning for summaries")?;
            let loc = Loc::decode(&k)?;
            if !wanted(&loc.account) {
                continue;
            }
            let msg = decode_value(loc.ns, &v)?;
            if msg.expiry_ms <= now_ms {
                continue;
            }
            match out.last_mut() {
                Some(s) if s.account == loc.account && s.namespace == loc.ns => add(s, &msg),
                _ => {
                    let mut s = Summary {
                        account: loc.account,
                        namespace: loc.ns,
                        count: 0,
                        digest: [0; 32],
                        expiry_digest: [0; 32],
                    };
                    add(&mut s, &msg);
                    out.push(s);
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The hashes of the live messages of (account, namespace) at `now_ms`.
    pub fn live_hashes(
        &self,
        account: &Account,
        ns: Namespace,
        now_ms: u64,
    ) -> Result<Vec<MessageHash>> {
        Ok(self
            .scan(&ns_prefix(account, ns))?
            .into_iter()
            .filter(|(_, m)| m.expiry_ms > now_ms)
            .map(|(_, m)| m.hash)
            .collect())
    }

    /// Stores a message received from a peer, unless this node holds a tombstone for it (it
    /// was deleted here and the peer missed the deletion). A public outbox keeps one message:
    /// the newest by (timestamp, hash) wins on every node, so replacements converge through
    /// the messages themselves (their replacement tombstones carry no owner's proof, and peers
    /// do not apply unproven tombstones). `None` when refused.
    pub fn store_replicated(&self, msg: &NewMessage) -> Result<Option<StoreOutcome>> {
        let hash = MessageHash::compute(&msg.account, msg.namespace, &msg.data);
        let key = tombstone_key(&msg.account, msg.namespace, &hash);
        if self
            .db()
            .get_cf(self.cf(CF_TOMBSTONES), key)
            .ctx("reading a tombstone")?
            .is_some()
        {
            return Ok(None);
        }
        if msg.namespace.is_public_outbox() {
            let newer_held = self
                .scan(&ns_prefix(&msg.account, msg.namespace))?
                .iter()
                .any(|(_, m)| (m.timestamp_ms, m.hash) > (msg.timestamp_ms, hash));
            if newer_held {
                return Ok(None);
            }
            return self.store_exclusive(msg).map(Some);
        }
        self.store(msg).map(Some)
    }
}

fn add(s: &mut Summary, msg: &StoredMessage) {
    s.count += 1;
    xor_into(&mut s.digest, &msg.hash.0);
    let with_expiry = hash32(
        Blake2bParams::PLAIN,
        &[&msg.hash.0, &msg.expiry_ms.to_be_bytes()],
    );
    xor_into(&mut s.expiry_digest, &with_expiry);
}

fn xor_into(digest: &mut [u8; 32], bytes: &[u8; 32]) {
    for (d, b) in digest.iter_mut().zip(bytes) {
        *d ^= b;
    }
}
