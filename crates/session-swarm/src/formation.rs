//! Session's swarm formation, `calc_swarm_changes` (`spec/network.md` 3.1): a deterministic
//! function of the active nodes, their current swarms and a seed, that keeps swarms between a
//! minimum and an ideal size while moving as few nodes as it can.
//!
//! The spec leaves some arithmetic and ordering open; where it does, this module follows oxen-core's
//! `service_node_swarm.cpp` (commit in the spec). Each such choice is written down at the function
//! that makes it. In short:
//!
//! - Swarms are visited in ascending id order (oxen-core's `std::map`); "sorted by size" means a
//!   *stable* sort by size of that id-ordered list, so equal sizes stay in ascending id order.
//!   (oxen-core uses `std::sort`, which libstdc++ makes stable up to 16 elements; beyond that its
//!   order among equal sizes is implementation-defined and no one can match it exactly.)
//! - The p-th percentile of n sorted sizes is the entry at index `p · (n − 1) / 100` (integer
//!   division).
//! - The members of a swarm are kept in order: initially ascending by key, arrivals appended,
//!   departures removed without reordering the rest. Random picks index into "pools" that list
//!   the members of the eligible swarms swarm by swarm in that order, so a swarm's chance to give
//!   a node is proportional to its size.
//! - Every pick draws from the generator, even a pick among one candidate
//!   ([`crate::mt::uniform`]).
//! - The output lists each swarm's members sorted by key, which is also how they come back in at
//!   the next epoch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::mt::{Mt19937_64, uniform};
use crate::space::{SwarmId, UNASSIGNED_SWARM_ID};
use crate::{Error, Result};

/// The largest id a swarm can have ([`UNASSIGNED_SWARM_ID`] is reserved). New ids are placed on
/// a ring of `MAX_ID + 1` points, on which `MAX_ID` and 0 are neighbours.
const MAX_ID: SwarmId = UNASSIGNED_SWARM_ID - 1;

/// Percentile of swarm sizes under which new nodes are placed (step 1).
const FILL_SWARM_LOWER_PERCENTILE: usize = 25;
/// Percentile of swarm sizes whose size minus one is the floor of the nodes donating to starving
/// swarms (step 2).
const STEALING_SWARM_UPPER_PERCENTILE: usize = 75;
/// Percentile of swarm sizes that receives the nodes of a dissolved swarm (step 4): the
/// smallest.
const DISSOLVED_REDISTRIBUTION_PERCENTILE: usize = 0;

/// The sizes that drive formation. Session's are [`SwarmParams::SESSION`]; a devnet with 10-20
/// nodes uses smaller ones so that it forms several swarms.
///
/// From the two sizes follow oxen-core's other constants: the excess base (size above which a
/// swarm counts as having spare nodes) is `min`, the size of a new swarm is `ideal`, and the
/// margin every existing swarm keeps when a new one forms is `ideal − min`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawSwarmParams")]
pub struct SwarmParams {
    min_swarm_size: usize,
    ideal_swarm_size: usize,
}

/// The unvalidated form, for deserialization.
#[derive(Deserialize)]
struct RawSwarmParams {
    min_swarm_size: usize,
    ideal_swarm_size: usize,
}

impl TryFrom<RawSwarmParams> for SwarmParams {
    type Error = Error;
    fn try_from(raw: RawSwarmParams) -> Result<Self> {
        Self::new(raw.min_swarm_size, raw.ideal_swarm_size)
    }
}

impl SwarmParams {
    /// Session's parameters: minimum 5, ideal (and new-swarm size) 7, margin 2.
    pub const SESSION: Self = Self {
        min_swarm_size: 5,
        ideal_swarm_size: 7,
    };

    /// Checks `1 ≤ min ≤ ideal`.
    pub fn new(min_swarm_size: usize, ideal_swarm_size: usize) -> Result<Self> {
        if min_swarm_size == 0 || ideal_swarm_size < min_swarm_size {
            return Err(Error::InvalidSwarmParams {
                min: min_swarm_size,
                ideal: ideal_swarm_size,
            });
        }
        Ok(Self {
            min_swarm_size,
            ideal_swarm_size,
        })
    }

    /// A swarm below this size is starving: it gets nodes from others or is dissolved.
    pub fn min_swarm_size(&self) -> usize {
        self.min_swarm_size
    }

    /// The size of a newly formed swarm.
    pub fn ideal_swarm_size(&self) -> usize {
        self.ideal_swarm_size
    }

    /// Spare nodes every existing swarm keeps before a new swarm may form (`ideal − min`).
    pub fn ideal_swarm_margin(&self) -> usize {
        self.ideal_swarm_size - self.min_swarm_size
    }
}

/// One active node as input to formation: its key and its current swarm
/// ([`UNASSIGNED_SWARM_ID`] for a node not yet in one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SwarmNode {
    /// The node's Ed25519 public key; nodes are ordered by it.
    pub key: [u8; 32],
    /// The node's swarm before this round.
    pub swarm: SwarmId,
}

/// Runs Session's swarm formation over the active nodes and returns the new swarms, each with
/// its members sorted by key. Swarms of the input that have no active node left are gone;
/// with no node at all there is no swarm.
///
/// `seed` seeds the `mt19937_64` (Session: the first 8 bytes of the epoch block hash, read
/// little-endian). The input order does not matter: nodes are sorted by key first, as the spec's
/// input is. The steps:
///
/// 0. With no swarm yet, create swarm [`new_swarm_id`] of none, i.e. 0.
/// 1. Place each unassigned node, in key order, into a random swarm among those up to the last
///    one with the 25th-percentile size; after each placement, form new swarms from excess (3).
/// 2. Robin Hood: give starving swarms nodes taken from large ones.
/// 3. Form new swarms from excess.
/// 4. While there is more than one swarm, dissolve the starving swarm with the lowest id and
///    place its nodes, in order, as in step 1 but at the 0th percentile (the smallest swarms).
///
/// # Errors
/// [`Error::DuplicateNode`] if a key appears twice.
pub fn calc_swarm_changes(
    nodes: &[SwarmNode],
    seed: u64,
    params: SwarmParams,
) -> Result<BTreeMap<SwarmId, Vec<[u8; 32]>>> {
    let mut sorted: Vec<SwarmNode> = nodes.to_vec();
    sorted.sort_unstable_by_key(|a| a.key);
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0].key == pair[1].key) {
        return Err(Error::DuplicateNode {
            key: hex::encode(pair[0].key),
        });
    }
    if sorted.is_empty() {
        return Ok(BTreeMap::new());
    }

    let mut formation = Formation {
        swarms: BTreeMap::new(),
        rng: Mt19937_64::new(seed),
        params,
    };
    let mut unassigned = Vec::new();
    for node in sorted {
        if node.swarm == UNASSIGNED_SWARM_ID {
            unassigned.push(node.key);
        } else {
            formation
                .swarms
                .entry(node.swarm)
                .or_default()
                .push(node.key);
        }
    }

    // 0. There is always at least one swarm to place nodes into.
    if formation.swarms.is_empty() {
        formation.swarms.insert(new_swarm_id(&[]), Vec::new());
    }
    // 1. Newcomers.
    formation.assign(&unassigned, FILL_SWARM_LOWER_PERCENTILE);
    // 2. Starving swarms take from the rich.
    formation.robin_hood();
    // 3. New swarms from what is left over.
    formation.new_swarms_from_excess();
    // 4. Swarms that are still starving are dissolved.
    formation.dissolve_starving();

    let mut swarms = formation.swarms;
    for members in swarms.values_mut() {
        members.sort_unstable();
    }
    Ok(swarms)
}

/// The id for a new swarm: the midpoint of the largest gap between neighbouring existing ids on
/// the ring `0..=MAX_ID` (`MAX_ID = 2^64 − 2`; the gap from the last id around to the first is
/// `MAX_ID − last + first + 1`). `sorted_ids` must be sorted ascending without duplicates and
/// without [`UNASSIGNED_SWARM_ID`].
///
/// With no id the answer is 0; with one id `x` it is the point opposite, `x + (2^63 − 1)` on the
/// ring. Among equal gaps the first one wins, scanning from the lowest id; the wrap-around gap
/// wins only if strictly larger (as in oxen-core).
pub fn new_swarm_id(sorted_ids: &[SwarmId]) -> SwarmId {
    let (Some(&first), Some(&last)) = (sorted_ids.first(), sorted_ids.last()) else {
        return 0;
    };
    let mut best_gap = 0;
    let mut best_start = first;
    for pair in sorted_ids.windows(2) {
        let gap = pair[1] - pair[0];
        if gap > best_gap {
            best_gap = gap;
            best_start = pair[0];
        }
    }
    // Counts MAX_ID and 0 as one apart. Cannot overflow: last ≤ MAX_ID and first ≤ last.
    let wrap_gap = MAX_ID - last + first + 1;
    if wrap_gap > best_gap {
        best_gap = wrap_gap;
        best_start = last;
    }
    let half = best_gap / 2;
    let room = MAX_ID - best_start;
    if half > room {
        // Wraps past MAX_ID to 0.
        half - room - 1
    } else {
        best_start + half
    }
}

/// A swarm id and its current size.
#[derive(Clone, Copy)]
struct SwarmSize {
    id: SwarmId,
    size: usize,
}

/// A candidate for a random pick: a node and the swarm it would leave.
#[derive(Clone, Copy)]
struct PoolNode {
    key: [u8; 32],
    swarm: SwarmId,
}

/// The working state of one run of [`calc_swarm_changes`].
struct Formation {
    swarms: BTreeMap<SwarmId, Vec<[u8; 32]>>,
    rng: Mt19937_64,
    params: SwarmParams,
}

impl Formation {
    /// A uniform index into a non-empty candidate list of length `len`.
    fn pick(&mut self, len: usize) -> usize {
        // usize → u64 → usize is lossless: the result is below `len`.
        uniform(&mut self.rng, len as u64) as usize
    }

    /// Swarm sizes in ascending order; equal sizes in ascending id order (stable sort).
    fn sorted_sizes(&self) -> Vec<SwarmSize> {
        let mut sizes: Vec<SwarmSize> = self
            .swarms
            .iter()
            .map(|(&id, m)| SwarmSize { id, size: m.len() })
            .collect();
        sizes.sort_by_key(|s| s.size);
        sizes
    }

    fn is_starving(&self, members: &[[u8; 32]]) -> bool {
        members.len() < self.params.min_swarm_size
    }

    /// The nodes of every swarm larger than `floor`, swarm by swarm in id order, members in
    /// swarm order; and the excess, Σ (size − min) over those swarms.
    ///
    /// The excess counts from the minimum size, not from `floor`, as oxen-core's
    /// `get_excess_pool` does; with a floor above the minimum (step 2) it can promise more than
    /// the pool can give, and stealing then stops early (see [`Self::robin_hood`]).
    fn excess_pool(&self, floor: usize) -> (Vec<PoolNode>, usize) {
        let mut pool = Vec::new();
        let mut excess = 0;
        for (&swarm, members) in &self.swarms {
            if members.len() > floor {
                excess += members.len() - self.params.min_swarm_size;
                pool.extend(members.iter().map(|&key| PoolNode { key, swarm }));
            }
        }
        (pool, excess)
    }

    /// Total spare nodes, Σ max(0, size − min) over all swarms.
    fn total_excess(&self) -> usize {
        let min = self.params.min_swarm_size;
        self.swarms
            .values()
            .map(|m| m.len().saturating_sub(min))
            .sum()
    }

    /// Moves a picked pool node out of its swarm, keeping the order of the others.
    fn take(&mut self, node: PoolNode) -> [u8; 32] {
        if let Some(members) = self.swarms.get_mut(&node.swarm) {
            members.retain(|&k| k != node.key);
        }
        node.key
    }

    /// Places each of `nodes`, in order, into a random swarm among the sizes-sorted swarms up to
    /// the last one whose size equals the `percentile`-th size, then forms new swarms from
    /// excess. Needs at least one swarm.
    fn assign(&mut self, nodes: &[[u8; 32]], percentile: usize) {
        for &key in nodes {
            let sizes = self.sorted_sizes();
            let Some(at) = sizes
                .len()
                .checked_sub(1)
                .map(|last| percentile * last / 100)
            else {
                return;
            };
            let value = sizes[at].size;
            // The sizes are sorted, so every entry before `at` is ≤ value too.
            let candidates = at + sizes[at..].iter().take_while(|s| s.size == value).count();
            let chosen = sizes[self.pick(candidates)].id;
            self.swarms.entry(chosen).or_default().push(key);
            self.new_swarms_from_excess();
        }
    }

    /// Step 2, "Robin Hood": each starving swarm, smallest first, takes random nodes from the
    /// pool of swarms larger than `floor = max(min, size at the 75th percentile − 1)` until it
    /// reaches the minimum, one node at a time, the pool recomputed after each.
    ///
    /// Before each theft the excess of the pool (counted from the minimum, see
    /// [`Self::excess_pool`]) must cover what the swarm still lacks; when it does not, the whole
    /// step stops, since later swarms are no poorer. The sizes and the floor are taken once,
    /// at the start of the step.
    fn robin_hood(&mut self) {
        let sizes = self.sorted_sizes();
        let Some(last) = sizes.len().checked_sub(1) else {
            return;
        };
        let min = self.params.min_swarm_size;
        // oxen-core computes `size − 1` in size_t; a size of 0 would wrap to the maximum and
        // leave no donor. Sizes here are never 0 (every swarm got a node in step 1), but keep
        // the same meaning.
        let floor = sizes[last * STEALING_SWARM_UPPER_PERCENTILE / 100]
            .size
            .checked_sub(1)
            .map_or(usize::MAX, |f| f.max(min));
        for poor in sizes {
            if poor.size >= min {
                break;
            }
            loop {
                let have = self.swarms.get(&poor.id).map_or(0, Vec::len);
                if have >= min {
                    break;
                }
                let (pool, excess) = self.excess_pool(floor);
                if excess < min - have || pool.is_empty() {
                    return;
                }
                let picked = pool[self.pick(pool.len())];
                let key = self.take(picked);
                self.swarms.entry(poor.id).or_default().push(key);
            }
        }
    }

    /// Step 3 (also after each placement in step 1 and 4): while no swarm is starving and the
    /// total excess is at least `ideal + margin · (number of swarms)`, form a swarm of `ideal`
    /// nodes, each picked at random from the pool of swarms above the minimum (recomputed after
    /// each pick), with id [`new_swarm_id`]. The new swarm's members are in the order picked.
    fn new_swarms_from_excess(&mut self) {
        if self.swarms.values().any(|m| self.is_starving(m)) {
            return;
        }
        let ideal = self.params.ideal_swarm_size;
        let margin = self.params.ideal_swarm_margin();
        while self.total_excess() >= ideal + self.swarms.len() * margin {
            let mut members = Vec::with_capacity(ideal);
            while members.len() < ideal {
                let (pool, _) = self.excess_pool(self.params.min_swarm_size);
                if pool.is_empty() {
                    // Unreachable: the excess covered `ideal` picks, each using up one.
                    return;
                }
                let picked = pool[self.pick(pool.len())];
                members.push(self.take(picked));
            }
            let ids: Vec<SwarmId> = self.swarms.keys().copied().collect();
            let id = new_swarm_id(&ids);
            // The largest gap of fewer than 2^62 ids is wider than 2, so `id` is new.
            debug_assert!(!self.swarms.contains_key(&id));
            self.swarms.entry(id).or_default().extend(members);
        }
    }

    /// Step 4: while more than one swarm exists, dissolve the starving swarm with the lowest id
    /// and place its members, in swarm order, into the smallest swarms (0th percentile), each
    /// placement followed by new-swarm-from-excess.
    ///
    /// oxen-core checks "more than one swarm" once, before its loop; checking it on every round
    /// (as the spec words it) never dissolves the last swarm, where oxen-core would fail on an
    /// empty swarm list.
    fn dissolve_starving(&mut self) {
        while self.swarms.len() > 1 {
            let Some(id) = self
                .swarms
                .iter()
                .find(|(_, m)| self.is_starving(m))
                .map(|(&id, _)| id)
            else {
                return;
            };
            let members = self.swarms.remove(&id).unwrap_or_default();
            self.assign(&members, DISSOLVED_REDISTRIBUTION_PERCENTILE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids() {
        assert_eq!(new_swarm_id(&[]), 0);
        assert_eq!(new_swarm_id(&[0]), MAX_ID / 2);
        assert_eq!(new_swarm_id(&[0, MAX_ID / 2]), MAX_ID / 2 + MAX_ID / 4 + 1);
        // Gap from 10 around to 10 is MAX_ID + 1; half of it (2^63 − 1) past 10.
        assert_eq!(new_swarm_id(&[10]), 10 + (1 << 63) - 1);
        // Largest gap across the wrap from a high id: the midpoint wraps past MAX_ID to 0.
        assert_eq!(new_swarm_id(&[MAX_ID - 10]), (1 << 63) - 12);
        // Three equal gaps of (MAX_ID + 1) / 3, the last across the wrap: the first one wins.
        let third = (MAX_ID / 3) + 1;
        assert_eq!(third * 3, MAX_ID + 1);
        assert_eq!(new_swarm_id(&[0, third, 2 * third]), third / 2);
    }

    #[test]
    fn params() {
        assert!(SwarmParams::new(0, 3).is_err());
        assert!(SwarmParams::new(4, 3).is_err());
        let p = SwarmParams::new(3, 3).unwrap();
        assert_eq!(p.ideal_swarm_margin(), 0);
        assert_eq!(SwarmParams::SESSION.ideal_swarm_margin(), 2);
    }
}
