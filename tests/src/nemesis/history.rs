//! The history: every operation the clients made, with its request, its answer, when it
//! started and ended (ms since the epoch) and which node answered; and every fault injected.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A node, by its Ed25519 key in hex (the key of a swarm reply's `swarm` map).
pub type NodeId = String;

/// A message as a retrieve returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// Its hash (43 base64 characters).
    pub hash: String,
    /// Its bytes.
    pub data: Vec<u8>,
    /// Its `expiration` (ms).
    pub expiry_ms: u64,
}

/// What a client asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// A store of unique bytes; `hash` is computed by the client.
    Store {
        /// The message hash (computed locally, as the node will).
        hash: String,
        /// The bytes stored.
        data: Vec<u8>,
        /// The expiry asked for (timestamp + ttl).
        expiry_ms: u64,
    },
    /// One page of a retrieve after `after` ("" from the oldest).
    Retrieve {
        /// The `last_hash` sent.
        after: String,
        /// The `max_count` sent.
        max_count: u32,
    },
    /// A delete of these hashes.
    Delete {
        /// The hashes.
        hashes: Vec<String>,
    },
    /// A plain `expire` (neither shorten nor extend) of these hashes to `expiry_ms`.
    Expire {
        /// The hashes.
        hashes: Vec<String>,
        /// The new expiry.
        expiry_ms: u64,
    },
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200 to a store: the node stored `hash`.
    Stored {
        /// The hash the node reported.
        hash: String,
    },
    /// 200 to a retrieve.
    Retrieved {
        /// The messages, in the order given.
        messages: Vec<Seen>,
        /// Whether the node said there is more.
        more: bool,
    },
    /// 200 to a delete: per swarm member that answered, the hashes it deleted.
    Deleted {
        /// Node → deleted hashes.
        by_node: BTreeMap<NodeId, Vec<String>>,
    },
    /// 200 to an expire: per swarm member that answered, the hashes it updated.
    Expired {
        /// Node → updated hashes.
        by_node: BTreeMap<NodeId, Vec<String>>,
    },
    /// A definite refusal (a 4xx: wrong swarm, clock, …): the request had no effect.
    Refused {
        /// HTTP status.
        status: u16,
    },
    /// No usable answer (timeout, connection error, 5xx): the request may or may not have
    /// taken effect anywhere.
    Unknown {
        /// What happened.
        error: String,
    },
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    /// The client that made it (each client owns its accounts: their operations are
    /// sequential).
    pub client: usize,
    /// The account (index into the run's accounts).
    pub account: usize,
    /// The namespace.
    pub ns: i16,
    /// The node asked.
    pub node: NodeId,
    /// When the request was sent (ms since the epoch).
    pub start_ms: u64,
    /// When the answer (or the failure) came (ms since the epoch).
    pub end_ms: u64,
    /// What was asked.
    pub request: Request,
    /// What came back.
    pub answer: Answer,
}

/// One fault the nemesis injected (or healed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// When (ms since the epoch).
    pub at_ms: u64,
    /// The fault kind: `kill`, `pause`, `clock`, `join`, `exit`, or `heal`.
    pub kind: &'static str,
    /// What it did (nodes and parameters).
    pub detail: String,
}

/// The shared, append-only history of a run.
#[derive(Debug, Default)]
pub struct History {
    ops: Mutex<Vec<Op>>,
    faults: Mutex<Vec<Fault>>,
}

impl History {
    /// Records an operation.
    pub fn push(&self, op: Op) {
        lock(&self.ops).push(op);
    }

    /// Records a fault.
    pub fn fault(&self, kind: &'static str, detail: String) {
        let at_ms = crate::now_ms();
        lock(&self.faults).push(Fault {
            at_ms,
            kind,
            detail,
        });
    }

    /// A copy of the operations so far.
    pub fn ops(&self) -> Vec<Op> {
        lock(&self.ops).clone()
    }

    /// A copy of the faults so far.
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.faults).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
