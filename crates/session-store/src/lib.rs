//! The message store of a Session Node, on RocksDB.
//!
//! Messages live per (account, namespace) in insertion order, so "retrieve after `last_hash`" is
//! one range scan; a hash index makes lookups one get; an expiry index makes the periodic purge a
//! range scan from the start. Every change is one atomic `WriteBatch` with the WAL on, so a
//! `kill -9` at any point loses nothing that was acknowledged and never half-applies a change.
//! Deletions leave tombstones that cite the proof of the deletion, kept as opaque bytes.
//!
//! This crate must never return a message past its expiry, and never lose or corrupt stored data
//! on bad input: every input it takes is already typed. It never checks a proof (that is the
//! node's business): proofs are opaque bytes here.

mod codec;
mod error;
mod store;
mod sync;
mod tombstones;
mod types;

pub use error::{Error, Result};
pub use session_rpc::types::{Account, ExpiryMode, MessageHash, Namespace};
pub use store::{ExpiryChange, MAX_REVOCATIONS, Retrieved, Store};
pub use sync::Summary;
pub use types::{NewMessage, Proof, StoreOutcome, StoredMessage, Tombstone};
