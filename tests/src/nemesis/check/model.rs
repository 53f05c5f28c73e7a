//! What the history says should be true, per (account, namespace): which stores were
//! acknowledged, which hashes an acknowledged delete removed (where and when), which expiries
//! are allowed at the end.

use crate::nemesis::history::{Answer, NodeId, Op, Request};
use std::collections::{BTreeMap, BTreeSet};

/// An account and namespace.
pub type Key = (usize, i16);

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// 200 (for a delete or an expire: the hash was in some member's list).
    Acked,
    /// No usable answer, or a 200 that did not name the hash: it may have happened.
    Maybe,
    /// A 4xx: it did not happen.
    Refused,
}

/// A store as the history knows it.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The bytes.
    pub data: Vec<u8>,
    /// The expiry it was stored with.
    pub expiry_ms: u64,
    /// The best fate among the stores of these bytes.
    pub fate: Fate,
}

/// An acknowledged delete of one hash.
#[derive(Clone, Debug)]
pub struct Deletion {
    /// When the delete's answer came.
    pub end_ms: u64,
    /// The members that said they deleted it.
    pub nodes: BTreeSet<NodeId>,
}

/// One (account, namespace) as the history describes it.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// Every hash a store was attempted for.
    pub stores: BTreeMap<String, Stored>,
    /// Hashes an acknowledged delete removed.
    pub deleted: BTreeMap<String, Deletion>,
    /// Hashes a delete may have removed (no usable answer).
    pub maybe_deleted: BTreeSet<String>,
    /// Per hash: the expiries it may have at the end, and the members that acknowledged the
    /// last acknowledged change.
    pub expiries: BTreeMap<String, (BTreeSet<u64>, BTreeSet<NodeId>)>,
}

impl Stream {
    /// Whether `hash` may be missing at the end (deleted, maybe deleted, or never acked).
    pub fn may_be_absent(&self, hash: &str) -> bool {
        self.deleted.contains_key(hash)
            || self.maybe_deleted.contains(hash)
            || self.stores.get(hash).is_none_or(|s| s.fate != Fate::Acked)
    }
}

/// Builds every stream from the operations (in their start order).
pub fn build(ops: &[Op]) -> BTreeMap<Key, Stream> {
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|o| (o.start_ms, o.end_ms));
    let mut out: BTreeMap<Key, Stream> = BTreeMap::new();
    for op in ordered {
        let s = out.entry((op.account, op.ns)).or_default();
        match &op.request {
            Request::Store {
                hash,
                data,
                expiry_ms,
            } => add_store(s, hash, data, *expiry_ms, &op.answer),
            Request::Delete { hashes } => add_delete(s, hashes, op),
            Request::Expire { hashes, expiry_ms } => add_expire(s, hashes, *expiry_ms, op),
            Request::Retrieve { .. } => {}
        }
    }
    out
}

fn add_store(s: &mut Stream, hash: &str, data: &[u8], expiry_ms: u64, answer: &Answer) {
    let fate = match answer {
        // A node that reports another hash acknowledged nothing we can hold it to.
        Answer::Stored { hash: got } if got == hash => Fate::Acked,
        Answer::Refused { .. } => Fate::Refused,
        _ => Fate::Maybe,
    };
    let e = s.stores.entry(hash.to_owned()).or_insert(Stored {
        data: data.to_vec(),
        expiry_ms,
        fate,
    });
    if rank(fate) > rank(e.fate) {
        e.fate = fate;
    }
    s.expiries
        .entry(hash.to_owned())
        .or_insert_with(|| (BTreeSet::from([expiry_ms]), BTreeSet::new()));
}

fn rank(f: Fate) -> u8 {
    match f {
        Fate::Refused => 0,
        Fate::Maybe => 1,
        Fate::Acked => 2,
    }
}

/// The members that named `hash` in a delete's or expire's answer (`None` for no answer).
fn fate_of(answer: &Answer, hash: &str) -> (Fate, BTreeSet<NodeId>) {
    let by_node = match answer {
        Answer::Deleted { by_node } | Answer::Expired { by_node } => by_node,
        Answer::Refused { .. } => return (Fate::Refused, BTreeSet::new()),
        _ => return (Fate::Maybe, BTreeSet::new()),
    };
    let nodes: BTreeSet<NodeId> = by_node
        .iter()
        .filter(|(_, hs)| hs.iter().any(|h| h == hash))
        .map(|(n, _)| n.clone())
        .collect();
    if nodes.is_empty() {
        (Fate::Maybe, nodes)
    } else {
        (Fate::Acked, nodes)
    }
}

fn add_delete(s: &mut Stream, hashes: &[String], op: &Op) {
    for h in hashes {
        match fate_of(&op.answer, h) {
            (Fate::Acked, nodes) => {
                s.deleted.entry(h.clone()).or_insert(Deletion {
                    end_ms: op.end_ms,
                    nodes,
                });
            }
            (Fate::Maybe, _) => {
                s.maybe_deleted.insert(h.clone());
            }
            (Fate::Refused, _) => {}
        }
    }
}

fn add_expire(s: &mut Stream, hashes: &[String], expiry_ms: u64, op: &Op) {
    for h in hashes {
        let entry = s.expiries.entry(h.clone()).or_default();
        match fate_of(&op.answer, h) {
            (Fate::Acked, nodes) => *entry = (BTreeSet::from([expiry_ms]), nodes),
            (Fate::Maybe, _) => {
                entry.0.insert(expiry_ms);
            }
            (Fate::Refused, _) => {}
        }
    }
}
