#![doc = include_str!("../README.md")]

pub mod chain;
pub mod clock;
pub mod config;
mod every;
pub mod executor;
pub mod identity;
pub mod internal;
pub mod onion;
pub mod rate_limit;
pub mod replication;
pub mod rpc;
pub mod server;
mod state;
pub mod swarm_view;

pub use state::NodeState;
pub use swarm_view::{NodeRecord, SwarmInfo, SwarmView};
