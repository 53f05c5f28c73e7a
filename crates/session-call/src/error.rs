//! The crate's error type. Messages name the field or check that failed, never the SDP or
//! candidate text (which holds addresses).

/// Why a received call message was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The protobuf lacks a field Session requires (`type`, `uuid`) or holds an unknown type.
    #[error("call message: {0}")]
    Protocol(#[from] session_protocol::Error),
    /// A field required by this kind of call message is missing or has the wrong count.
    #[error("call message {kind}: {reason}")]
    Malformed {
        /// The message kind (`OFFER`, `ICE_CANDIDATES`…).
        kind: &'static str,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// The call UUID is not of the form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits).
    #[error("call message: the uuid is not a UUID")]
    BadUuid,
    /// A field exceeds this implementation's limits.
    #[error("call message: {what} of {got} exceeds the limit of {limit}")]
    TooLarge {
        /// What was too large (an SDP, a candidate, the candidate count…).
        what: &'static str,
        /// The limit.
        limit: usize,
        /// What was found.
        got: usize,
    },
    /// An ICE candidate line that does not follow RFC 8839's grammar.
    #[error("ICE candidate: {0}")]
    BadCandidate(&'static str),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
