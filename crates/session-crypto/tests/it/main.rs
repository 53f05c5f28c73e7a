//! Integration tests for `session-crypto`: known-answer vectors from `spec/vectors.md`,
//! differential tests against libsodium, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod attachment;
mod blinding;
mod differential;
mod hop;
mod identity;
mod mnemonic;
mod props;
mod session_protocol;

use session_crypto::{IdentityKeys, Seed};

/// Identity keys from a hex seed (16 or 32 bytes).
pub fn keys(seed_hex: &str) -> IdentityKeys {
    IdentityKeys::from_seed(Seed::from_hex(seed_hex).unwrap())
}

pub fn h<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// A deterministic RNG for tests.
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
}
