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

/// A deletion's proof as stored: opaque bytes (the owner's signed request, encoded by the node)
/// and their id (computed by the caller). The store never looks inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Its id (the caller's choice, e.g. a hash of the body); the key it is stored under.
    pub id: [u8; 32],
    /// The opaque bytes.
    pub body: Vec<u8>,
}

/// A tombstone: a deleted message's hash, when the message would have expired, and the proof of
/// its deletion (None for tombstones written before proofs existed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tombstone {
    /// The deleted message.
    pub hash: MessageHash,
    /// When it would have expired (ms); the tombstone is kept until then.
    pub expiry_ms: u64,
    /// The id of the proof of its deletion.
    pub proof: Option<[u8; 32]>,
}

/// The last proven change of a message's expiry: the expiry it set, when the node that took the
/// owner's request applied it (its clock), and the proof (the owner's signed request) it cites.
/// Between two stamps of a message, the later `set_at_ms` wins (then the later expiry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryStamp {
    /// The message.
    pub hash: MessageHash,
    /// The expiry the change set (ms).
    pub expiry_ms: u64,
    /// When it was applied (ms, the applying node's clock).
    pub set_at_ms: u64,
    /// The id of its proof.
    pub proof: [u8; 32],
}

/// An expiry change's proof and the time it is applied, recorded as a stamp on each message
/// whose expiry it changes.
#[derive(Clone, Copy, Debug)]
pub struct Stamping<'a> {
    /// The owner's signed request (stored once, as long as the longest-lived stamp citing it).
    pub proof: &'a Proof,
    /// When the change is applied (ms).
    pub set_at_ms: u64,
}
