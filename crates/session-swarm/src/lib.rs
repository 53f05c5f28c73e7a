#![doc = include_str!("../README.md")]

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
