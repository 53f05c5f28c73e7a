//! Integration tests for `session-protocol`: spec vectors, snapshots of every message kind,
//! 1:1 and community encode/decode, bencode, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bencode;
mod community;
mod fixtures;
mod one_to_one;
mod pinned;
mod props;
mod vectors;

use session_crypto::{IdentityKeys, Seed};

/// The sender of vectors.md §1/§4.
pub const SENDER_SEED: &str = "0123456789abcdef0123456789abcdef00000000000000000000000000000000";
/// The recipient of vectors.md §4.
pub const RECIPIENT_SEED: &str = "00112233445566778899aabbccddeeff00000000000000000000000000000000";
/// A community server key (vectors.md §5 `P1`).
pub const SERVER_PK: [u8; 32] = [
    0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
    0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
];

/// Identity keys from a hex seed (16 or 32 bytes).
pub fn keys(seed_hex: &str) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_hex(seed_hex).unwrap())
}

pub fn sender() -> IdentityKeys {
    keys(SENDER_SEED)
}

pub fn recipient() -> IdentityKeys {
    keys(RECIPIENT_SEED)
}

/// A deterministic RNG for tests.
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
}
