//! The message store of a Session Node, on RocksDB.
//!
//! Messages live per (account, namespace) in insertion order, so "retrieve after `last_hash`" is
//! one range scan; a hash index makes lookups one get; an expiry index makes the periodic purge a
//! range scan from the start. Every change is one atomic `WriteBatch` with the WAL on, so a
//! `kill -9` at any point loses nothing that was acknowledged and never half-applies a change.
//!
//! This crate must never return a message past its expiry, and never lose or corrupt stored data
//! on bad input: every input it takes is already typed.

mod codec;
mod error;
mod store;
mod sync;
mod types;

pub use error::{Error, Result};
pub use session_rpc::types::{Account, ExpiryMode, MessageHash, Namespace};
pub use store::{ExpiryChange, MAX_REVOCATIONS, Retrieved, Store};
pub use sync::Summary;
pub use types::{NewMessage, StoreOutcome, StoredMessage};
