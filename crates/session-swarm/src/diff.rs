//! What changed between two swarm layouts, for the storage node's handover
//! (`spec/network.md` 3.3): who joined and left each swarm, which swarms are new and which are
//! gone.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::registry::NodeRecord;
use crate::space::SwarmId;

/// Swarms and their members (members sorted by Ed25519 key).
pub type SwarmMap = BTreeMap<SwarmId, Vec<NodeRecord>>;

/// The change of one swarm's membership. Nodes are compared by registry id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmChange {
    /// Members now that were not members before (all members of a new swarm).
    pub joined: Vec<NodeRecord>,
    /// Members before that are not members now (all members of a dissolved swarm).
    pub left: Vec<NodeRecord>,
}

/// The difference between two [`SwarmMap`]s.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipDiff {
    /// Every swarm, old or new, whose membership changed.
    pub swarms: BTreeMap<SwarmId, SwarmChange>,
    /// Ids present now and not before, ascending.
    pub new_swarms: Vec<SwarmId>,
    /// Ids present before and not now, ascending.
    pub dissolved_swarms: Vec<SwarmId>,
}

impl MembershipDiff {
    /// True if nothing changed.
    pub fn is_empty(&self) -> bool {
        self.swarms.is_empty()
    }

    /// The nodes that joined swarm `id` (empty if none or unknown).
    pub fn joined(&self, id: SwarmId) -> &[NodeRecord] {
        self.swarms.get(&id).map_or(&[], |c| &c.joined)
    }

    /// The nodes that left swarm `id` (empty if none or unknown).
    pub fn left(&self, id: SwarmId) -> &[NodeRecord] {
        self.swarms.get(&id).map_or(&[], |c| &c.left)
    }
}

/// Compares two swarm layouts. Members keep the order they have in their map.
pub fn membership_diff(old: &SwarmMap, new: &SwarmMap) -> MembershipDiff {
    let empty = Vec::new();
    let ids: BTreeSet<SwarmId> = old.keys().chain(new.keys()).copied().collect();
    let mut diff = MembershipDiff::default();
    for id in ids {
        let before = old.get(&id).unwrap_or(&empty);
        let after = new.get(&id).unwrap_or(&empty);
        let before_ids: BTreeSet<u64> = before.iter().map(|r| r.id).collect();
        let after_ids: BTreeSet<u64> = after.iter().map(|r| r.id).collect();
        let change = SwarmChange {
            joined: after
                .iter()
                .filter(|r| !before_ids.contains(&r.id))
                .cloned()
                .collect(),
            left: before
                .iter()
                .filter(|r| !after_ids.contains(&r.id))
                .cloned()
                .collect(),
        };
        match (old.contains_key(&id), new.contains_key(&id)) {
            (false, true) => diff.new_swarms.push(id),
            (true, false) => diff.dissolved_swarms.push(id),
            _ => {}
        }
        if !change.joined.is_empty() || !change.left.is_empty() {
            diff.swarms.insert(id, change);
        }
    }
    diff
}
