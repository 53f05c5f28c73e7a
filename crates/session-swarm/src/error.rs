//! The crate's error type. Ignored registry events are not errors (see
//! [`crate::IgnoreReason`]); these are misuses of the API that the caller must fix.

/// Everything that can go wrong in `session-swarm`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Swarm sizes that the formation algorithm cannot work with.
    #[error("swarm parameters: need 1 <= min ({min}) <= ideal ({ideal})")]
    InvalidSwarmParams {
        /// The minimum swarm size given.
        min: usize,
        /// The ideal swarm size given.
        ideal: usize,
    },
    /// An epoch length of zero blocks.
    #[error("epoch parameters: epoch_blocks must be at least 1")]
    InvalidEpochLength,
    /// The same node key appeared twice in the input of swarm formation.
    #[error("swarm formation: node {key} appears twice")]
    DuplicateNode {
        /// The Ed25519 key, hex.
        key: String,
    },
    /// A registry event did not come after the previous one in (block, log index) order.
    #[error(
        "registry event ({block}, {log_index}) is not after the previous one \
         ({last_block}, {last_log_index})"
    )]
    EventOutOfOrder {
        /// Block of the rejected event.
        block: u64,
        /// Log index of the rejected event.
        log_index: u64,
        /// Block of the last accepted event.
        last_block: u64,
        /// Log index of the last accepted event.
        last_log_index: u64,
    },
    /// A registry event belongs to an epoch that is already closed.
    #[error("registry event at block {block} is in an epoch already closed (at block {closed})")]
    EventInClosedEpoch {
        /// Block of the rejected event.
        block: u64,
        /// The last closed epoch block.
        closed: u64,
    },
    /// `close_epoch` was given a block that is not a multiple of the epoch length.
    #[error("block {block} is not an epoch block (epochs are every {epoch_blocks} blocks)")]
    NotAnEpochBlock {
        /// The block given.
        block: u64,
        /// The epoch length.
        epoch_blocks: u64,
    },
    /// `close_epoch` was given an epoch block at or before the last closed one.
    #[error("epoch block {block} is not after the last closed epoch block {last}")]
    EpochNotAfterLast {
        /// The block given.
        block: u64,
        /// The last closed epoch block.
        last: u64,
    },
    /// An earlier epoch that holds pushed events must be closed first.
    #[error(
        "epoch block {block}: the earlier epoch at block {required} holds events; close it first"
    )]
    SkippedEpoch {
        /// The block given.
        block: u64,
        /// The epoch block that must be closed first.
        required: u64,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
