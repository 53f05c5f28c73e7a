#![doc = include_str!("../README.md")]

pub mod anvil;
mod devnet;
pub mod manifest;
pub mod ops;
mod process;
pub mod servers;

pub use devnet::{Devnet, DevnetConfig, NodeHandle, SwarmReport};
pub use manifest::{CommunityEntry, FileServerEntry, Manifest, RoomEntry};
pub use process::{is_running, state, terminate};

/// Errors of the devnet.
pub type Result<T> = anyhow::Result<T>;

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> std::io::Result<u16> {
    free_port_on([127, 0, 0, 1])
}

/// A free TCP port on `ipv4` (bound, read, released).
pub fn free_port_on(ipv4: [u8; 4]) -> std::io::Result<u16> {
    Ok(
        std::net::TcpListener::bind((std::net::Ipv4Addr::from(ipv4), 0))?
            .local_addr()?
            .port(),
    )
}
