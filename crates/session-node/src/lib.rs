//! A Session Node: the storage RPC over HTTP on a RocksDB message store, a node identity, rate
//! limiting, swarms from the chain, replication, and onion requests (entry, relay, exit).
//!
//! The library owns all behaviour; the `session-node` binary only parses configuration and calls
//! [`server::run`]. Tests host a node in-process on `127.0.0.1:0` or as a process.
//!
//! Its modules form three layers, and a module imports only from its own layer or below
//! (`cargo xtask tidy` checks it):
//!
//! | layer | modules |
//! |---|---|
//! | transport | [`server`] (its [`server::http`] routes and [`server::grpc`] service, and the wiring in [`server::run`]) |
//! | request logic | [`rpc`] (the storage RPC and its swarm fan-out), [`onion`], [`replication`] (sync, peer tests, deletion proofs), [`chain`] (the registry follower) |
//! | what they all use | [`state`](NodeState), [`swarm_view`], [`internal`] (gRPC messages, call auth, the peers client, the peer-test schedule), [`clock`], [`config`], [`identity`], [`rate_limit`], `every` |

pub mod chain;
pub mod clock;
pub mod config;
mod every;
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
