//! Value types of the store's API (the account, namespace and hash types come from
//! `session-rpc`).

use session_rpc::types::{Account, MessageHash, Namespace};

/// A message to store.
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// Whose mailbox.
    pub account: Account,
    /// Which namespace.
    pub namespace: Namespace,
    /// The sender's timestamp (ms).
    pub timestamp_ms: u64,
    /// When the message expires (ms).
    pub expiry_ms: u64,
    /// The opaque payload.
    pub data: Vec<u8>,
}

/// A stored message as retrieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// Its hash.
    pub hash: MessageHash,
    /// Its namespace.
    pub namespace: Namespace,
    /// The sender's timestamp (ms).
    pub timestamp_ms: u64,
    /// Expiry (ms).
    pub expiry_ms: u64,
    /// The payload.
    pub data: Vec<u8>,
}

/// What a store did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOutcome {
    /// A new message.
    Inserted {
        /// Its hash.
        hash: MessageHash,
        /// Its expiry.
        expiry_ms: u64,
    },
    /// The same message was already stored; its expiry is now the later of the two.
    Duplicate {
        /// Its hash.
        hash: MessageHash,
        /// The (possibly extended) expiry.
        expiry_ms: u64,
    },
}
