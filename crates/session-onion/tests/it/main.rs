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

/// Keys and ciphertexts of `spec/vectors.md` §11 (onion hop encryption), shared by the vector
/// tests and the fuzz-seed builder.
pub mod spec {
    pub const A: &str = "bbdfc83022d0aff084a6f0c529a93d1c4d728bf7e41199afed0e01ae70d20540";
    pub const A_SK: &str = "ccc335912da8939e2b44816728a5a4773063efa82bf7ae2d42a0abfa2caa452d";
    pub const B: &str = "caea52c5b0c316d85ffb53ea536826618b13dee40685f166f632653114526a78";
    pub const B_SK: &str = "8fcd8ad3a15c76f76f1c56dff0c529999f8c59b4acda79e05666e54d5727dca1";
    pub const ENC_GCM: &str =
        "1eb6ae1cd72f60999486365749bd5dc15cc0b6a2a44d7d063daa5e93722f0c025fd00306403b61";
    pub const ENC_XCHACHA: &str = "9e1a3abe60eff3ea5c23556cc7e225b6f94355315f7281f66ecf4dbb06e7899a52b863e03cde3b287d1638d765db75de02b032";
}

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
