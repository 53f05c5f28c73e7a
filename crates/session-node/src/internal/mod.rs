//! The node-to-node gRPC API (`proto/internal/node.proto`): authenticated calls between
//! registered nodes. Today: forwarding a client's recursive request to the rest of the swarm
//! (`Forward`) and reachability tests that prove the callee holds its key (`Ping`).

pub mod auth;
pub mod health;
pub mod peers;
pub(crate) mod proofs;
mod service;
pub mod sync;

/// The generated messages, client and server.
#[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery)]
pub mod proto {
    tonic::include_proto!("session.internal.v1");
}

pub use service::{InternalService, serve};
