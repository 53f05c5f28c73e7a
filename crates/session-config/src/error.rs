//! The crate's error type. Messages name what failed (a field, a limit, a step), never bytes of a
//! config, a key or a plaintext.

use session_protocol::bencode::BencodeError;

/// Everything that can go wrong in `session-config`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that should be canonical bencode are not (truncated, unsorted or duplicate keys,
    /// leading zeros, trailing bytes…).
    #[error("{what}: {source}")]
    Bencode {
        /// What was being decoded.
        what: &'static str,
        /// Why the bencode was rejected.
        source: BencodeError,
    },
    /// Canonical bencode that is not a well-formed config message (a missing or mistyped key, an
    /// unsorted set, an empty set or dict in the data, a bad diff…).
    #[error("config message: {reason}")]
    Malformed {
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// A top-level key sorts before `#`: a future, incompatible message format.
    #[error("config message: key before \"#\" (a newer, incompatible format)")]
    FutureFormat,
    /// A key or string longer than the config format allows.
    #[error("config message: {what} of {got} bytes exceeds the limit of {limit}")]
    LimitExceeded {
        /// Which kind of item (`key`, `string`).
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The length found.
        got: usize,
    },
    /// A seqno outside the range this implementation accepts (negative or absurdly large).
    #[error("config message: seqno out of range")]
    SeqnoOutOfRange,
    /// The config requires a signature and the message has none.
    #[error("config message: signature is missing")]
    MissingSignature,
    /// The message's signature does not verify (or is not 64 bytes).
    #[error("config message: signature failed verification")]
    BadSignature,
    /// None of the given messages could be used.
    #[error("no valid config messages given")]
    NoValidMessages,
    /// A ciphertext is shorter than the encryption overhead.
    #[error("config ciphertext too short ({got} bytes, minimum {min})")]
    CiphertextTooShort {
        /// The minimum length.
        min: usize,
        /// The given length.
        got: usize,
    },
    /// Authenticated decryption failed with every key (wrong key, or altered bytes).
    #[error("config decryption failed")]
    DecryptionFailed,
    /// The decrypted message has nothing in it but padding.
    #[error("config plaintext is empty")]
    EmptyPlaintext,
    /// A compressed message did not decompress (corrupt, empty, or larger than the limit).
    #[error("config decompression failed")]
    Decompression,
    /// A message of a kind this implementation does not handle (e.g. multi-part `m`).
    #[error("unsupported config message type")]
    Unsupported,
    /// An encrypted config larger than the storage limit.
    #[error("config data too large: {got} bytes, limit {limit}")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The encrypted size.
        got: usize,
    },
    /// The legacy protobuf wrapping did not unwrap (not a wrapped config, not from us, wrong
    /// kind, bad padding).
    #[error("legacy config wrapping: {reason}")]
    LegacyWrapping {
        /// What is wrong, in words.
        reason: &'static str,
    },
    /// A value given to a setter is not allowed (too long, wrong size, bad URL…).
    #[error("invalid {what}: {reason}")]
    InvalidValue {
        /// Which value.
        what: &'static str,
        /// Why, in words.
        reason: &'static str,
    },
    /// An ID or key given to a typed config did not parse.
    #[error("invalid {what}: {source}")]
    InvalidId {
        /// Which ID.
        what: &'static str,
        /// The underlying error.
        source: session_crypto::Error,
    },
    /// The config has no encryption key to push with.
    #[error("config has no encryption key")]
    NoKey,
    /// The config is read-only (it must be signed and we do not hold the signing key).
    #[error("config is read-only: signing key not held")]
    ReadOnly,
    /// A local dump (persisted state) did not parse.
    #[error("config dump: {reason}")]
    Dump {
        /// What is wrong, in words.
        reason: &'static str,
    },
}

impl Error {
    pub(crate) fn malformed(reason: &'static str) -> Self {
        Self::Malformed { reason }
    }

    pub(crate) fn invalid(what: &'static str, reason: &'static str) -> Self {
        Self::InvalidValue { what, reason }
    }

    pub(crate) fn bencode(what: &'static str) -> impl FnOnce(BencodeError) -> Self {
        move |source| Self::Bencode { what, source }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
