//! A whole local Session network in one process tree: anvil (a local EVM chain with Arbitrum's
//! local chain id), the `SessionToken` and `ServiceNodeRegistry` contracts, N funded and
//! registered nodes (some staked by several contributors), the `session-node` processes
//! following the registry, and (when given their binaries) a community server and a file
//! server. Used by `cargo xtask devnet` (through the `session-devnet` binary) and by
//! end-to-end tests, each of which gets its own devnet on free ports, torn down on drop.

pub mod anvil;
mod devnet;
pub mod manifest;
pub mod ops;
mod process;
pub mod servers;

pub use devnet::{Devnet, DevnetConfig, NodeHandle, SwarmReport};
pub use manifest::{CommunityEntry, FileServerEntry, Manifest, RoomEntry};
pub use process::terminate;

/// Errors of the devnet.
pub type Result<T> = anyhow::Result<T>;

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
