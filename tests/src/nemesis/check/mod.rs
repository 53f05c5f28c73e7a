//! The checker: reads a history and the final state of every swarm member and lists every
//! anomaly. Policy, not I/O: it works on values, so it is unit-tested on hand-made histories
//! (`tests.rs`).
//!
//! The promises checked, per (account, namespace):
//! - an acknowledged store is held by every member of the swarm at the end, with its bytes
//!   (`Lost`, `Corrupt`), unless a delete may have removed it;
//! - a hash an acknowledged delete removed is never returned again: not at the end by anyone,
//!   and during the run not by a member that said it deleted it (`Resurrected`);
//! - nothing comes back that was never stored or was refused (`Phantom`, `RefusedApplied`);
//! - no answer lists a hash twice (`Duplicate`);
//! - an acknowledged expiry change holds at every member that acknowledged it (`Expiry`) and
//!   and, through replication, at the others (`ExpiryStale`);
//! - a cursor walked to its end at a member saw everything that member holds (`Skipped`);
//! - members agree at the end (`Divergent`), and all answer (`Unanswered`).

mod cursors;
pub mod model;
#[cfg(test)]
mod tests;

use super::history::{Answer, NodeId, Op, Request, Seen};
use model::{Fate, Key, Stream};
use std::collections::{BTreeMap, BTreeSet};

/// Every member's full walk at the end, per (account, namespace); `None` where a member did
/// not answer.
pub type Final = BTreeMap<Key, BTreeMap<NodeId, Option<Vec<Seen>>>>;

/// The kinds of anomaly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An acknowledged store missing at a member at the end.
    Lost,
    /// A deleted message returned again.
    Resurrected,
    /// A hash that no store was attempted for.
    Phantom,
    /// Other bytes than were stored under a hash (or another hash reported for a store).
    Corrupt,
    /// The same hash twice in one answer or one full walk.
    Duplicate,
    /// At a member that acknowledged an expiry change, another expiry (than that change or a
    /// later unacknowledged one).
    Expiry,
    /// At a member that did not acknowledge the last expiry change (it was down, paused or
    /// refused it), an older expiry.
    ExpiryStale,
    /// A message a member holds that a cursor walked to the end at that member never saw.
    Skipped,
    /// Members of a swarm holding different messages at the end.
    Divergent,
    /// A refused store whose message is held anyway.
    RefusedApplied,
    /// A member that did not answer the final read.
    Unanswered,
}

/// One anomaly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// What kind.
    pub kind: Kind,
    /// The account and namespace.
    pub key: Key,
    /// The member concerned, if one.
    pub node: Option<NodeId>,
    /// The message concerned, if one.
    pub hash: Option<String>,
    /// What was seen.
    pub detail: String,
}

struct Out(Vec<Anomaly>);

impl Out {
    fn add(&mut self, kind: Kind, key: Key, node: Option<&str>, hash: Option<&str>, d: String) {
        self.0.push(Anomaly {
            kind,
            key,
            node: node.map(str::to_owned),
            hash: hash.map(str::to_owned),
            detail: d,
        });
    }
}

/// Every anomaly in `ops` and `finals`.
pub fn check(ops: &[Op], finals: &Final) -> Vec<Anomaly> {
    let streams = model::build(ops);
    let empty = Stream::default();
    let mut out = Out(Vec::new());
    for op in ops {
        let key = (op.account, op.ns);
        let s = streams.get(&key).unwrap_or(&empty);
        match (&op.request, &op.answer) {
            (Request::Store { hash, .. }, Answer::Stored { hash: got }) if got != hash => {
                out.add(
                    Kind::Corrupt,
                    key,
                    Some(&op.node),
                    Some(hash),
                    format!("the node reported hash {got} for this store"),
                );
            }
            (Request::Retrieve { .. }, Answer::Retrieved { messages, .. }) => {
                messages_ok(&mut out, s, key, &op.node, messages, "a retrieve");
                for m in messages {
                    if let Some(d) = s.deleted.get(&m.hash)
                        && d.nodes.contains(&op.node)
                        && op.start_ms > d.end_ms
                    {
                        out.add(
                            Kind::Resurrected,
                            key,
                            Some(&op.node),
                            Some(&m.hash),
                            format!(
                                "returned at {} by a member that deleted it at {}",
                                op.start_ms, d.end_ms
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    for (key, members) in finals {
        let s = streams.get(key).unwrap_or(&empty);
        final_state(&mut out, s, *key, members);
        cursors::skipped(&mut out, ops, *key, members);
    }
    out.0
}

/// Phantom, corrupt and duplicate messages in one answer (or walk).
fn messages_ok(out: &mut Out, s: &Stream, key: Key, node: &str, messages: &[Seen], what: &str) {
    let mut seen = BTreeSet::new();
    for m in messages {
        if !seen.insert(&m.hash) {
            out.add(
                Kind::Duplicate,
                key,
                Some(node),
                Some(&m.hash),
                format!("twice in {what}"),
            );
        }
        match s.stores.get(&m.hash) {
            None => out.add(
                Kind::Phantom,
                key,
                Some(node),
                Some(&m.hash),
                format!("in {what}, never stored"),
            ),
            Some(st) if st.data != m.data => out.add(
                Kind::Corrupt,
                key,
                Some(node),
                Some(&m.hash),
                format!(
                    "in {what}: {} bytes, {} were stored",
                    m.data.len(),
                    st.data.len()
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Lost, resurrected, refused-applied, expiry, divergent and unanswered at the end.
fn final_state(out: &mut Out, s: &Stream, key: Key, members: &BTreeMap<NodeId, Option<Vec<Seen>>>) {
    let mut sets: BTreeMap<&NodeId, BTreeSet<&str>> = BTreeMap::new();
    for (node, walk) in members {
        let Some(walk) = walk else {
            out.add(
                Kind::Unanswered,
                key,
                Some(node),
                None,
                "no answer to the final read".into(),
            );
            continue;
        };
        messages_ok(out, s, key, node, walk, "the final read");
        let held: BTreeSet<&str> = walk.iter().map(|m| m.hash.as_str()).collect();
        for (h, st) in &s.stores {
            if st.fate == Fate::Acked && !s.may_be_absent(h) && !held.contains(h.as_str()) {
                out.add(
                    Kind::Lost,
                    key,
                    Some(node),
                    Some(h),
                    "acknowledged, not held".into(),
                );
            }
        }
        for m in walk {
            expiry_ok(out, s, key, node, m);
            if s.deleted.contains_key(&m.hash) {
                out.add(
                    Kind::Resurrected,
                    key,
                    Some(node),
                    Some(&m.hash),
                    "held at the end after an acknowledged delete".into(),
                );
            } else if s
                .stores
                .get(&m.hash)
                .is_some_and(|st| st.fate == Fate::Refused)
            {
                out.add(
                    Kind::RefusedApplied,
                    key,
                    Some(node),
                    Some(&m.hash),
                    "held although its store was refused".into(),
                );
            }
        }
        sets.insert(node, held);
    }
    let union: BTreeSet<&str> = sets.values().flatten().copied().collect();
    for h in union {
        let missing: Vec<&str> = sets
            .iter()
            .filter(|(_, set)| !set.contains(h))
            .map(|(n, _)| n.as_str())
            .collect();
        // Lost and resurrected messages are reported as such.
        let reported = s.deleted.contains_key(h) || !s.may_be_absent(h);
        if !missing.is_empty() && !reported {
            out.add(
                Kind::Divergent,
                key,
                None,
                Some(h),
                format!("held by some members, not by {}", short_list(&missing)),
            );
        }
    }
}

fn expiry_ok(out: &mut Out, s: &Stream, key: Key, node: &str, m: &Seen) {
    let Some((allowed, acked_by)) = s.expiries.get(&m.hash) else {
        return;
    };
    if !allowed.contains(&m.expiry_ms) {
        let (kind, whose) = if acked_by.contains(node) {
            (Kind::Expiry, "its own")
        } else {
            (Kind::ExpiryStale, "the swarm's")
        };
        out.add(
            kind,
            key,
            Some(node),
            Some(&m.hash),
            format!(
                "expiry {} where {whose} acknowledged change allows {allowed:?}",
                m.expiry_ms
            ),
        );
    }
}

/// The first 8 characters of each node id.
pub fn short_list(nodes: &[&str]) -> String {
    nodes
        .iter()
        .map(|n| &n[..n.len().min(8)])
        .collect::<Vec<_>>()
        .join(", ")
}
