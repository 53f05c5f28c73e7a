#![doc = include_str!("../README.md")]

mod codec;
mod error;
mod revocations;
mod stamps;
mod store;
mod sync;
mod tombstones;
mod types;

pub use error::{Error, Result};
pub use revocations::{MAX_REVOCATIONS, Revocation, RevocationSummary};
pub use session_rpc::types::{Account, ExpiryMode, MessageHash, Namespace};
pub use store::{
    BLOCK_CACHE, ExpiryChange, MEMTABLE_BUDGET, MemoryUse, Retrieved, SEQ_BLOCK, Store,
};
pub use sync::Summary;
pub use types::{ExpiryStamp, NewMessage, Proof, Stamping, StoreOutcome, StoredMessage, Tombstone};
