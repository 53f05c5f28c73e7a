//! The crate's error type. Messages name what failed (a field, a check, a role), never key
//! bytes, seeds or plaintext.

/// Everything that can go wrong in `session-group`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An operation that needs the group's secret key (admins only).
    #[error("{what}: only a group admin (holder of the group key) can do this")]
    NotAdmin {
        /// What was attempted.
        what: &'static str,
    },
    /// A given admin key does not belong to this group.
    #[error("group key does not match the group ID")]
    WrongGroupKey,
    /// A keys message (or other bencoded input) is not well formed.
    #[error("{what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// A signature did not verify under the key that must have made it.
    #[error("{what}: signature does not verify")]
    BadSignature {
        /// What was signed (keys message, group message, invite, control message…).
        what: &'static str,
    },
    /// Input larger than this implementation accepts.
    #[error("{what}: {got} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The size found.
        got: usize,
    },
    /// No key we hold decrypts the input.
    #[error("{what}: no current group key decrypts it")]
    NoKey {
        /// What could not be decrypted.
        what: &'static str,
    },
    /// The signer of a group message is not a current member of the group.
    #[error("group message: the sender is not a member of the group")]
    NotMember,
    /// A subaccount token lacks a permission, has the wrong prefix, or is revoked.
    #[error("subaccount: {reason}")]
    Subaccount {
        /// Why the token was refused.
        reason: &'static str,
    },
    /// A key, ID or point that should be valid is not (for example a Session ID that is not a
    /// curve point).
    #[error(transparent)]
    Crypto(#[from] session_crypto::Error),
    /// An error from the config core (info and members configs).
    #[error(transparent)]
    Config(#[from] session_config::Error),
}

impl Error {
    pub(crate) fn malformed(what: &'static str, reason: &'static str) -> Self {
        Error::Malformed { what, reason }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
