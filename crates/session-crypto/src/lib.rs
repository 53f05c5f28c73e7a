//! Session's client-side cryptography, byte-compatible with libsession-util and Session desktop:
//! typed keys and IDs, recovery phrases, BLAKE2b helpers, the 1:1 Session Protocol, community
//! blinding (blind15/blind25, blinded signatures and DMs), the 07 version-check key, the
//! onion hop ciphers, and attachment encryption (libsession's deterministic scheme over
//! libsodium's secretstream, desktop's legacy AES-CBC + HMAC scheme).
//!
//! This crate is pure: it must never do I/O, read a clock or create its own randomness. Time is a
//! parameter and randomness comes in as a `rand_core::CryptoRng`. Secrets are zeroized on drop and
//! never appear in `Debug` output or error messages.

pub mod attachment;
pub mod blinded_dm;
pub mod blinding;
mod error;
pub mod hash;
mod hex_util;
pub mod hop;
mod ids;
mod keys;
pub mod mnemonic;
pub mod primitives;
pub mod secretstream;
pub mod session_protocol;
pub mod version_check;

pub use error::{Error, Result};
pub use ids::{
    BLIND15_PREFIX, BLIND25_PREFIX, BlindKind, BlindedId, GROUP_ID_PREFIX, GroupId,
    SESSION_ID_PREFIX, SessionId, VERSION_BLIND_PREFIX,
};
pub use keys::{Ed25519PublicKey, IdentityKeys, Seed, X25519PublicKey, X25519Secret};
