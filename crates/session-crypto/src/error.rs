//! The crate's error type. Messages name the problem, never secret bytes or plaintext.

/// Everything that can go wrong in `session-crypto`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A hex string had a bad character or an odd number of digits.
    #[error("{what}: not valid hex")]
    InvalidHex {
        /// What was being parsed.
        what: &'static str,
    },
    /// A value had the wrong length.
    #[error("{what}: expected {expected}, got {got} bytes")]
    InvalidLength {
        /// What was being parsed.
        what: &'static str,
        /// The accepted length(s), in words.
        expected: &'static str,
        /// The length that was given.
        got: usize,
    },
    /// An ID started with the wrong type byte.
    #[error("{what}: expected prefix {expected}, got {got:02x}")]
    WrongPrefix {
        /// What was being parsed.
        what: &'static str,
        /// The accepted prefix(es), in hex.
        expected: &'static str,
        /// The prefix byte that was given.
        got: u8,
    },
    /// Bytes that should be a curve point are not one (or are a low-order point).
    #[error("{what}: not a valid curve point")]
    InvalidPoint {
        /// What was being parsed.
        what: &'static str,
    },
    /// A recovery phrase had a word count we cannot decode.
    #[error("recovery phrase: {got} words; expected 13 (or 25 for a legacy 32-byte seed)")]
    WrongWordCount {
        /// How many words were given.
        got: usize,
    },
    /// A recovery phrase lacks its checksum word (12 or 24 words).
    #[error("recovery phrase: {got} words, the last (checksum) word is missing")]
    MissingChecksumWord {
        /// How many words were given.
        got: usize,
    },
    /// A word of the phrase is not in the word list (matched on its first 3 letters).
    #[error("recovery phrase: word {position} is not in the word list")]
    UnknownWord {
        /// 1-based position of the word.
        position: usize,
    },
    /// The checksum word does not match the other words.
    #[error("recovery phrase: checksum word does not match")]
    ChecksumMismatch,
    /// A group of three words does not encode a 32-bit value.
    #[error("recovery phrase: words {first}..{last} do not form a valid group")]
    InvalidWordGroup {
        /// 1-based position of the first word in the group.
        first: usize,
        /// 1-based position of the last word in the group.
        last: usize,
    },
    /// A ciphertext is shorter than the format's minimum.
    #[error("{what}: ciphertext too short ({got} bytes, minimum {min})")]
    CiphertextTooShort {
        /// Which format.
        what: &'static str,
        /// The minimum length.
        min: usize,
        /// The given length.
        got: usize,
    },
    /// Authenticated decryption failed (wrong key, or the ciphertext was altered).
    #[error("{what}: decryption failed")]
    DecryptionFailed {
        /// Which format.
        what: &'static str,
    },
    /// A signature did not verify.
    #[error("{what}: signature does not verify")]
    BadSignature {
        /// What was signed.
        what: &'static str,
    },
    /// A Diffie-Hellman exchange produced the all-zero secret (the peer key has low order).
    #[error("{what}: key exchange with a low-order public key")]
    LowOrderKey {
        /// Which operation.
        what: &'static str,
    },
    /// A versioned format carried a version we do not know.
    #[error("{what}: unsupported version {got}")]
    UnsupportedVersion {
        /// Which format.
        what: &'static str,
        /// The version byte.
        got: u8,
    },
    /// A blinded message's embedded sender key does not match the claimed blinded sender.
    #[error("blinded message: sender key does not match the claimed blinded sender")]
    BlindedSenderMismatch,
    /// Neither party of a blinded message is this account.
    #[error("blinded message: neither sender nor recipient is this account")]
    NotAParty,
    /// An unknown onion-hop cipher name.
    #[error("unknown onion encryption type")]
    UnknownEncType,
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
