//! The cursor rule: a cursor walked to its end at a member returned everything that member
//! holds at the end (`Skipped` otherwise).

use super::model::Key;
use super::{Kind, Out};
use crate::nemesis::history::{Answer, NodeId, Op, Request, Seen};
use std::collections::{BTreeMap, BTreeSet};

/// Per member with a cursor walked to its end (the last retrieve there answered with
/// `more: false`): everything the member holds at the end was returned along the way.
pub(super) fn skipped(
    out: &mut Out,
    ops: &[Op],
    key: Key,
    members: &BTreeMap<NodeId, Option<Vec<Seen>>>,
) {
    for (node, walk) in members {
        let Some(walk) = walk else { continue };
        let mut chain: Vec<&Op> = ops
            .iter()
            .filter(|o| (o.account, o.ns) == key && &o.node == node)
            .filter(|o| matches!(o.request, Request::Retrieve { .. }))
            .collect();
        chain.sort_by_key(|o| (o.start_ms, o.end_ms));
        let complete = chain
            .last()
            .is_some_and(|o| matches!(o.answer, Answer::Retrieved { more: false, .. }));
        if !complete {
            continue;
        }
        let seen: BTreeSet<&str> = chain
            .iter()
            .filter_map(|o| match &o.answer {
                Answer::Retrieved { messages, .. } => Some(messages),
                _ => None,
            })
            .flatten()
            .map(|m| m.hash.as_str())
            .collect();
        for m in walk.iter().filter(|m| !seen.contains(m.hash.as_str())) {
            out.add(
                Kind::Skipped,
                key,
                Some(node),
                Some(&m.hash),
                "held, never returned along the cursor's walk".into(),
            );
        }
    }
}
