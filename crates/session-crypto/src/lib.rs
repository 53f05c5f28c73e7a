#![doc = include_str!("../README.md")]

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
