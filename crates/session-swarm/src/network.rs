//! Epoch-by-epoch replay of registry events into swarms (DESIGN.md §4): every node and client
//! that feeds the same events and epoch block hashes gets the same swarms.
//!
//! Events are pushed as the chain reader sees them, in (block, log index) order. Closing the
//! epoch at block `E` applies every pushed event with block ≤ `E` and, if that changed the set of
//! active nodes, re-forms the swarms with [`calc_swarm_changes`] seeded from `E`'s hash. Epoch
//! blocks are the multiples of `epoch_blocks`; an event at block `b` belongs to the first epoch
//! block ≥ `b`. An epoch that holds no event may be skipped (closing it would change nothing);
//! one that holds events may not.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::diff::{MembershipDiff, SwarmMap, membership_diff};
use crate::formation::{SwarmNode, SwarmParams, calc_swarm_changes};
use crate::registry::{
    EventOutcome, IgnoreReason, NodeRecord, Registry, RegistryContext, RegistryEvent,
};
use crate::space::{SwarmId, UNASSIGNED_SWARM_ID, swarm_for_pubkey};
use crate::{Error, Result};

/// How often epochs close and how swarms form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EpochParams {
    /// Blocks per epoch (K): epochs close at the multiples of it. At least 1.
    pub epoch_blocks: u64,
    /// Swarm sizes.
    pub swarm: SwarmParams,
}

impl EpochParams {
    /// The epoch block that closes the epoch holding `block`: the first multiple of
    /// `epoch_blocks` at or after it (saturating at the largest multiple).
    pub fn epoch_block_of(&self, block: u64) -> u64 {
        let k = self.epoch_blocks.max(1);
        block.div_ceil(k).saturating_mul(k).min(u64::MAX / k * k)
    }
}

/// An event that [`NetworkState::close_epoch`] ignored, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredEvent {
    /// The event's block.
    pub block: u64,
    /// The event's log index.
    pub log_index: u64,
    /// Why it was ignored.
    pub reason: IgnoreReason,
}

/// What closing one epoch did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochOutcome {
    /// The epoch number (`epoch_block / epoch_blocks`).
    pub epoch: u64,
    /// How many events were applied.
    pub applied: usize,
    /// The events that were ignored.
    pub ignored: Vec<IgnoredEvent>,
    /// Whether the active set changed, so swarms were re-formed.
    pub reformed: bool,
    /// How swarm membership changed.
    pub diff: MembershipDiff,
}

/// The registry, the swarms and the last closed epoch, as replayed from the chain.
#[derive(Clone, Debug)]
pub struct NetworkState {
    params: EpochParams,
    registry: Registry,
    /// Pushed events not yet applied, in order.
    pending: VecDeque<RegistryEvent>,
    /// Position of the last pushed event.
    last_event: Option<(u64, u64)>,
    last_epoch_block: Option<u64>,
    /// Node id → swarm, for the active set as of the last re-formation.
    assignment: BTreeMap<u64, SwarmId>,
    swarms: SwarmMap,
}

impl NetworkState {
    /// An empty network for the registry `ctx`.
    ///
    /// # Errors
    /// [`Error::InvalidEpochLength`] if `epoch_blocks` is 0.
    pub fn new(ctx: RegistryContext, params: EpochParams) -> Result<Self> {
        if params.epoch_blocks == 0 {
            return Err(Error::InvalidEpochLength);
        }
        Ok(Self {
            params,
            registry: Registry::new(ctx),
            pending: VecDeque::new(),
            last_event: None,
            last_epoch_block: None,
            assignment: BTreeMap::new(),
            swarms: SwarmMap::new(),
        })
    }

    /// Queues an event for the epoch that holds its block.
    ///
    /// # Errors
    /// [`Error::EventOutOfOrder`] unless it comes strictly after the previous event in
    /// (block, log index) order; [`Error::EventInClosedEpoch`] if its block is at or before the
    /// last closed epoch block.
    pub fn push_event(&mut self, event: RegistryEvent) -> Result<()> {
        let position = (event.block, event.log_index);
        if let Some(last) = self.last_event
            && position <= last
        {
            return Err(Error::EventOutOfOrder {
                block: event.block,
                log_index: event.log_index,
                last_block: last.0,
                last_log_index: last.1,
            });
        }
        if let Some(closed) = self.last_epoch_block
            && event.block <= closed
        {
            return Err(Error::EventInClosedEpoch {
                block: event.block,
                closed,
            });
        }
        self.last_event = Some(position);
        self.pending.push_back(event);
        Ok(())
    }

    /// Closes the epoch at `epoch_block`: applies the pending events with block ≤ it, and if the
    /// active set changed, re-forms the swarms (exited nodes dropped, new ones unassigned, sorted
    /// by Ed25519 key), seeded with the first 8 bytes of `block_hash` read little-endian.
    ///
    /// # Errors
    /// [`Error::NotAnEpochBlock`], [`Error::EpochNotAfterLast`], or [`Error::SkippedEpoch`] when
    /// a pending event belongs to an earlier epoch that has not been closed. Nothing changes on
    /// error.
    pub fn close_epoch(&mut self, epoch_block: u64, block_hash: [u8; 32]) -> Result<EpochOutcome> {
        let k = self.params.epoch_blocks;
        if !epoch_block.is_multiple_of(k) {
            return Err(Error::NotAnEpochBlock {
                block: epoch_block,
                epoch_blocks: k,
            });
        }
        if let Some(last) = self.last_epoch_block
            && epoch_block <= last
        {
            return Err(Error::EpochNotAfterLast {
                block: epoch_block,
                last,
            });
        }
        if let Some(first) = self.pending.front() {
            let required = self.params.epoch_block_of(first.block);
            if required < epoch_block {
                return Err(Error::SkippedEpoch {
                    block: epoch_block,
                    required,
                });
            }
        }

        let mut applied = 0;
        let mut ignored = Vec::new();
        while self.pending.front().is_some_and(|e| e.block <= epoch_block) {
            let Some(event) = self.pending.pop_front() else {
                break;
            };
            match self.registry.apply(&event) {
                EventOutcome::Applied => applied += 1,
                EventOutcome::Ignored(reason) => ignored.push(IgnoredEvent {
                    block: event.block,
                    log_index: event.log_index,
                    reason,
                }),
            }
        }
        self.last_epoch_block = Some(epoch_block);

        let reformed = self
            .registry
            .active()
            .map(|r| r.id)
            .ne(self.assignment.keys().copied());
        let mut diff = MembershipDiff::default();
        if reformed {
            let mut seed = [0u8; 8];
            seed.copy_from_slice(&block_hash[..8]);
            let new_swarms = self.reform(u64::from_le_bytes(seed));
            diff = membership_diff(&self.swarms, &new_swarms);
            self.swarms = new_swarms;
        }
        Ok(EpochOutcome {
            epoch: epoch_block / k,
            applied,
            ignored,
            reformed,
            diff,
        })
    }

    /// Runs formation over the current active set and updates the assignment; returns the new
    /// swarms (the caller swaps them in).
    fn reform(&mut self, seed: u64) -> SwarmMap {
        let by_key: BTreeMap<[u8; 32], &NodeRecord> =
            self.registry.active().map(|r| (r.ed25519, r)).collect();
        let nodes: Vec<SwarmNode> = by_key
            .iter()
            .map(|(key, r)| SwarmNode {
                key: *key,
                swarm: self
                    .assignment
                    .get(&r.id)
                    .copied()
                    .unwrap_or(UNASSIGNED_SWARM_ID),
            })
            .collect();
        let formed = calc_swarm_changes(&nodes, seed, self.params.swarm)
            .expect("formation input has unique keys: they come from a map");
        let mut assignment = BTreeMap::new();
        let mut swarms = SwarmMap::new();
        for (id, keys) in formed {
            let members: Vec<NodeRecord> = keys
                .iter()
                .filter_map(|k| by_key.get(k))
                .map(|r| (*r).clone())
                .collect();
            for r in &members {
                assignment.insert(r.id, id);
            }
            swarms.insert(id, members);
        }
        self.assignment = assignment;
        swarms
    }

    /// The parameters.
    pub fn params(&self) -> &EpochParams {
        &self.params
    }

    /// The registry as of the last closed epoch.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The swarms as of the last closed epoch, members sorted by Ed25519 key.
    pub fn swarms(&self) -> &SwarmMap {
        &self.swarms
    }

    /// The ids of all swarms, ascending.
    pub fn swarm_ids(&self) -> Vec<SwarmId> {
        self.swarms.keys().copied().collect()
    }

    /// The members of swarm `id`.
    pub fn swarm(&self, id: SwarmId) -> Option<&[NodeRecord]> {
        self.swarms.get(&id).map(Vec::as_slice)
    }

    /// The swarm of active node `node_id`.
    pub fn swarm_of(&self, node_id: u64) -> Option<SwarmId> {
        self.assignment.get(&node_id).copied()
    }

    /// The swarm that stores account `pk` (32 bytes, without the type byte), and its members.
    pub fn swarm_for_pubkey(&self, pk: &[u8; 32]) -> Option<(SwarmId, &[NodeRecord])> {
        let id = swarm_for_pubkey(pk, &self.swarm_ids())?;
        Some((id, self.swarm(id)?))
    }

    /// The active nodes as of the last closed epoch, by id.
    pub fn active_nodes(&self) -> impl Iterator<Item = &NodeRecord> {
        self.registry.active()
    }

    /// The number of the last closed epoch (`epoch_block / epoch_blocks`), if any.
    pub fn epoch(&self) -> Option<u64> {
        self.last_epoch_block.map(|b| b / self.params.epoch_blocks)
    }

    /// The last closed epoch block, if any.
    pub fn epoch_block(&self) -> Option<u64> {
        self.last_epoch_block
    }

    /// How many pushed events wait for a later epoch.
    pub fn pending_events(&self) -> usize {
        self.pending.len()
    }
}
