//! Swarms of Session nodes: which nodes store which accounts.
//!
//! - [`space`]: the pubkey → swarm mapping of the storage server (`spec/network.md` 3.2).
//! - [`mt`]: `std::mt19937_64` and the portable uniform draw that swarm formation uses.
//! - [`formation`]: Session's deterministic swarm formation, `calc_swarm_changes`
//!   (`spec/network.md` 3.1), with Session's sizes or smaller devnet ones.
//! - [`registry`]: replay of the node registry's events (registration signatures checked here,
//!   because the contract cannot afford to).
//! - [`network`]: epoch-by-epoch replay of registry events into swarms, which every node and
//!   client computes identically; [`diff`] says who joined and left which swarm.
//!
//! This crate is pure: it must never do I/O, read a clock or draw its own randomness. The only
//! randomness is the Mersenne Twister seeded from an epoch block hash given by the caller, so
//! every output is a function of the inputs alone. It must never depend on tokio, alloy or
//! rocksdb; the chain reader (`session-chain`) feeds it events and block hashes.

pub mod diff;
mod error;
pub mod formation;
pub mod mt;
pub mod network;
pub mod registry;
pub mod space;

pub use diff::{MembershipDiff, SwarmChange, SwarmMap, membership_diff};
pub use error::{Error, Result};
pub use formation::{SwarmNode, SwarmParams, calc_swarm_changes, new_swarm_id};
pub use mt::{Mt19937_64, uniform};
pub use network::{EpochOutcome, EpochParams, IgnoredEvent, NetworkState};
pub use registry::{
    EventOutcome, IgnoreReason, NodeRecord, NodeStatus, RegisteredNode, Registry, RegistryContext,
    RegistryEvent, RegistryEventKind, registration_message, verify_registration,
};
pub use space::{SwarmId, UNASSIGNED_SWARM_ID, pubkey_space, swarm_for_pubkey, swarm_for_space};
