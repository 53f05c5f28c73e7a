//! The crate's error type. Messages name what failed (a message type, a field), never bytes of
//! a message, a key or a plaintext.

use crate::bencode::BencodeError;

/// Everything that can go wrong in `session-protocol`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that should be a protobuf message are not one.
    #[error("{what}: not a valid protobuf message ({source})")]
    Protobuf {
        /// Which message type.
        what: &'static str,
        /// prost's description (field path and reason; never the data).
        source: prost::DecodeError,
    },
    /// A field Session's schema marks `required` is absent (or, for a required enum, holds a
    /// value the schema does not define).
    #[error("{what}: required field {field} is missing")]
    MissingField {
        /// Which message type.
        what: &'static str,
        /// The field, as named in the schema.
        field: &'static str,
    },
    /// A field is present but has a value the protocol does not allow (e.g. a wrong length).
    #[error("{what}: field {field} has an invalid value")]
    InvalidField {
        /// Which message type.
        what: &'static str,
        /// The field, as named in the schema.
        field: &'static str,
    },
    /// An envelope of another type than the decoder handles.
    #[error("envelope: type {got}, expected {expected}")]
    UnexpectedEnvelopeType {
        /// The envelope type found.
        got: i32,
        /// The envelope type the decoder handles.
        expected: i32,
    },
    /// A padded plaintext is empty or all zero bytes: there is no message in it.
    #[error("padding: no message before the padding")]
    EmptyPadding,
    /// A signature has the wrong length.
    #[error("{what}: signature must be 64 bytes, got {got}")]
    SignatureLength {
        /// What was signed.
        what: &'static str,
        /// The length given.
        got: usize,
    },
    /// A cryptographic step failed (decryption, signature, key conversion).
    #[error("{what}: {source}")]
    Crypto {
        /// Which step.
        what: &'static str,
        /// The underlying error (never contains secrets).
        source: session_crypto::Error,
    },
    /// Bytes that should be canonical bencode are not.
    #[error("{what}: {source}")]
    Bencode {
        /// What was being decoded.
        what: &'static str,
        /// Why it was rejected.
        source: BencodeError,
    },
}

impl Error {
    /// Wraps a crypto error with the step that failed.
    pub(crate) fn crypto(what: &'static str) -> impl FnOnce(session_crypto::Error) -> Self {
        move |source| Self::Crypto { what, source }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
