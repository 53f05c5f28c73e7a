//! A Session Node: the storage RPC over HTTP on a RocksDB message store, a node identity, rate
//! limiting, swarms from the chain, replication, and onion requests (entry, relay, exit).
//!
//! The library owns all behaviour; the `session-node` binary only parses configuration and calls
//! [`server::run`]. Tests host a node in-process on `127.0.0.1:0` or as a process.

pub mod chain;
pub mod clock;
pub mod config;
mod every;
pub mod identity;
pub mod internal;
pub mod onion;
pub mod rate_limit;
pub mod rpc;
pub mod server;
mod state;
pub mod swarm_view;

pub use state::{NodeRecord, NodeState, SwarmInfo};
pub use swarm_view::SwarmView;
