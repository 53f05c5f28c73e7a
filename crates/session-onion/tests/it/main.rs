//! Integration tests for `session-onion`: the known-answer vectors of `spec/vectors.md` §11–12,
//! layering and peeling, responses, property tests and the path policy.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod layers;
mod path;
mod props;
mod seeds;
mod vectors;

use session_crypto::{Ed25519PublicKey, X25519Secret};
use session_onion::{Node, NodeKeys};
use std::net::Ipv4Addr;

pub fn h<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// A deterministic RNG for tests.
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// A node with real X25519 keys derived from `seed` and an address in 10.<i>.<i>.1.
pub fn keyed_node(seed: u8) -> (NodeKeys, Node) {
    let keys = NodeKeys::new(X25519Secret::from_bytes([seed; 32]));
    let node = Node {
        ed25519: Ed25519PublicKey::from_bytes([seed ^ 0x5a; 32]),
        x25519: keys.public(),
        ip: Ipv4Addr::new(10, seed, seed, 1),
        port: 22000 + u16::from(seed),
    };
    (keys, node)
}
