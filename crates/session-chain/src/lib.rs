#![doc = include_str!("../README.md")]

mod bindings;
mod decode;
mod reader;

pub use bindings::{ServiceNodeRegistry, SessionToken};
pub use decode::{DecodeError, decode_log};
pub use reader::{Cursor, MAX_LOG_CHUNK, ReadError, RegistryReader};
pub use session_swarm::{NodeRecord, RegistryEvent, RegistryEventKind};

/// Arbitrum's local-devnet chain id (nitro-testnode), which our devnet uses too.
pub const DEVNET_CHAIN_ID: u64 = 412_346;
