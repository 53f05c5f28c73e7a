//! The reference server's auth errors, with its status codes and texts.

/// Why a request's auth headers were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Some but not all of the four headers (count of missing ones).
    #[error("Invalid authentication headers: missing {0}/4 required X-SOGS-* headers")]
    MissingHeaders(usize),
    /// The pubkey is not 33 bytes of hex or base64.
    #[error("Invalid authentication: X-SOGS-Pubkey is not a valid 66-hex digit id")]
    BadPubkey,
    /// The pubkey prefix is neither `00` nor `15`.
    #[error("Invalid authentication: X-SOGS-Pubkey must be 00- or 15- prefixed")]
    BadPubkeyPrefix,
    /// The key is not a valid Ed25519 point.
    #[error("Invalid authentication: given X-SOGS-Pubkey is not a valid Ed25519 pubkey")]
    InvalidPoint,
    /// A `00` key where blinding is required.
    #[error("Invalid authentication: this server requires the use of blinded ids")]
    BlindingRequired,
    /// The nonce is not 16 bytes of hex or base64.
    #[error("Invalid authentication: X-SOGS-Nonce must be 16 bytes (encoded as base64 or hex)")]
    BadNonce,
    /// The signature is not 64 bytes of base64 (or hex).
    #[error("Invalid authentication: X-SOGS-Signature is not base64[88]")]
    BadSignatureEncoding,
    /// The timestamp is not an integer.
    #[error("Invalid authentication: X-SOGS-Timestamp is not a valid timestamp")]
    BadTimestamp,
    /// The timestamp is more than 24 h from the server's clock.
    #[error("Invalid authentication: X-SOGS-Timestamp is too far from current time")]
    TimestampOutOfRange,
    /// The nonce was used before by this user (the server's check).
    #[error("Invalid authentication: X-SOGS-Nonce cannot be reused")]
    NonceReused,
    /// The user is banned server-wide (the server's check; before the signature is checked).
    #[error("Banned")]
    Banned,
    /// The signature does not verify.
    #[error("Invalid authentication: X-SOGS-Signature verification failed")]
    SignatureFailed,
}

impl AuthError {
    /// The HTTP status the reference server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::TimestampOutOfRange | Self::NonceReused => 425,
            Self::Banned => 403,
            Self::SignatureFailed => 401,
            _ => 400,
        }
    }

    /// The plain-text body (the reference server's exact text).
    pub fn body(&self) -> String {
        self.to_string()
    }
}
