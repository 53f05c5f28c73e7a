//! The crate's errors. [`Error`] is the client's and the codecs'; [`HopError`] is what a node
//! (or an HTTP server) answers when a layer cannot be handled, with the reference storage
//! server's status codes and texts (`spec/rpc-errors.md` §6). Messages name what failed, never
//! key bytes or decrypted content.

use crate::framing::FramingError;
use session_crypto::Ed25519PublicKey;

/// Everything that can go wrong building a request, opening an answer or decoding a payload.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A path with no hops, or longer than [`crate::MAX_ONION_HOPS`].
    #[error("onion path: {got} hops; expected 1 to {max}")]
    PathLength {
        /// Hops given.
        got: usize,
        /// The largest accepted path.
        max: usize,
    },
    /// A payload over [`crate::MAX_PAYLOAD`].
    #[error("onion payload: {got} bytes, more than the {max}-byte limit")]
    PayloadTooLarge {
        /// Bytes given.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// A server destination a node would refuse to proxy to.
    #[error("server destination: {what}")]
    InvalidServer {
        /// What is wrong with it.
        what: &'static str,
    },
    /// A key exchange or decryption failed.
    #[error("{what}: {source}")]
    Crypto {
        /// What was being done.
        what: &'static str,
        /// The primitive's error.
        #[source]
        source: session_crypto::Error,
    },
    /// An answer that should be base64 is not.
    #[error("onion response: not valid base64")]
    Base64,
    /// A decrypted answer does not have the expected shape.
    #[error("onion response: {what}")]
    BadResponse {
        /// What is wrong with it.
        what: &'static str,
    },
    /// A v4 payload that does not have the expected shape.
    #[error("v4 payload: {what}")]
    V4 {
        /// What is wrong with it.
        what: &'static str,
    },
    /// A node description (snode JSON object) that cannot be used.
    #[error("node description: {what}")]
    BadNode {
        /// What is wrong with it.
        what: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A 64-hex-digit key that did not parse, with the reference server's texts.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyHexError {
    /// An odd number of digits or a non-hex character.
    #[error("Hex key data is invalid: data is not hex")]
    NotHex,
    /// Hex, but not 64 digits.
    #[error("Hex key data is invalid: expected 64 hex digits, received {0}")]
    Length(usize),
}

/// Why an outer onion payload (`POST /onion_req/v2` body) did not parse. The texts follow the
/// reference server where the spec gives them; where the reference prints its JSON library's
/// own message, ours is our own.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The length prefix is missing or larger than what follows.
    #[error(transparent)]
    Framing(#[from] FramingError),
    /// The part after the ciphertext is not JSON.
    #[error("JSON parse error: {0}")]
    Json(String),
    /// The JSON is not an object.
    #[error("JSON: expected an object")]
    NotAnObject,
    /// No `ephemeral_key`.
    #[error("key 'ephemeral_key' not found")]
    MissingEphemeralKey,
    /// A key has a value of the wrong JSON type.
    #[error("JSON: '{0}' has the wrong type")]
    WrongType(&'static str),
    /// `ephemeral_key` is not 64 hex digits.
    #[error(transparent)]
    KeyHex(#[from] KeyHexError),
    /// An `enc_type` other than `aes-gcm`/`gcm`/`xchacha20`/`xchacha20-poly1305`.
    #[error("Invalid encryption type {0}")]
    InvalidEncType(String),
}

/// What a node (or an HTTP server) answers when it cannot handle an onion layer: the reference
/// server's status and text for each case (`spec/rpc-errors.md` §6). "Plain" errors go back
/// unencrypted with that HTTP status; "wrapped" ones ([`HopError::is_wrapped`]) are encrypted to
/// the layer's ephemeral key with [`crate::ReplyKey::wrap_error`] and sent with HTTP 200.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HopError {
    /// Row 2: the outer payload did not parse. Plain 400.
    #[error("Error parsing onion request: {0}")]
    Envelope(#[from] EnvelopeError),
    /// Row 3: this node is not ready. Plain 503 `Snode not ready: {own ed25519}`.
    #[error("Snode not ready: {}", hex::encode(.0.as_bytes()))]
    NotReady(Ed25519PublicKey),
    /// Row 4: the layer does not decrypt (or its ephemeral key has low order). Plain 400.
    #[error("Invalid ciphertext")]
    InvalidCiphertext,
    /// Row 5: the decrypted layer is not a well-formed routing layer. Wrapped 400 `Invalid json`.
    #[error("Invalid json ({0})")]
    InvalidJson(&'static str),
    /// Row 6: this node is the destination but not ready. Wrapped 503 `Snode not ready`.
    #[error("Snode not ready")]
    DestinationNotReady,
    /// Row 8: the next node is not a known node. Plain 502.
    #[error("Next node not found: {}", hex::encode(.0.as_bytes()))]
    NextNodeNotFound(Ed25519PublicKey),
    /// Row 9: the next node did not answer within 30 s. Plain 504.
    #[error("Request time out")]
    RelayTimeout,
    /// Row 9: the next node's answer was malformed. Plain 500.
    #[error("Invalid response from snode")]
    InvalidRelayResponse,
    /// Row 10: a proxy layer whose protocol, host or target is not allowed. Wrapped 400
    /// `Invalid url`.
    #[error("Invalid url ({0})")]
    InvalidUrl(&'static str),
    /// Row 11: the HTTP server could not be reached. Plain 504 on a timeout, else 502; the body
    /// is the HTTP client's error text.
    #[error("{message}")]
    ProxyFailed {
        /// The request timed out (25 s).
        timed_out: bool,
        /// The HTTP client's error text.
        message: String,
    },
    /// A node-to-node layer with `hop_no` over [`crate::MAX_ONION_HOPS`]. Plain 400.
    #[error("onion request max path length exceeded")]
    MaxPathLength,
}

impl HopError {
    /// The HTTP status to answer with (inside the wrapper when [`Self::is_wrapped`]).
    pub fn status(&self) -> u16 {
        match self {
            Self::Envelope(_)
            | Self::InvalidCiphertext
            | Self::InvalidJson(_)
            | Self::InvalidUrl(_)
            | Self::MaxPathLength => 400,
            Self::NotReady(_) | Self::DestinationNotReady => 503,
            Self::NextNodeNotFound(_) => 502,
            Self::RelayTimeout => 504,
            Self::InvalidRelayResponse => 500,
            Self::ProxyFailed { timed_out, .. } => {
                if *timed_out {
                    504
                } else {
                    502
                }
            }
        }
    }

    /// The body text, exactly as the reference server sends it.
    pub fn body(&self) -> String {
        match self {
            Self::InvalidJson(_) => "Invalid json".to_owned(),
            Self::InvalidUrl(_) => "Invalid url".to_owned(),
            other => other.to_string(),
        }
    }

    /// True when the error is sent encrypted inside a `{"body","status"}` wrapper (HTTP 200),
    /// false when it is sent as plain text with [`Self::status`].
    pub fn is_wrapped(&self) -> bool {
        matches!(
            self,
            Self::InvalidJson(_) | Self::InvalidUrl(_) | Self::DestinationNotReady
        )
    }
}
