//! Shared test helpers: fixed seeds, a seeded RNG, the derived vectors file.

use rand::SeedableRng;
use rand::rngs::StdRng;
use session_crypto::{IdentityKeys, Seed};
use std::collections::BTreeMap;

pub const GROUP_SEED: &str = "0123456789abcdeffedcba98765432100123456789abcdeffedcba9876543210";
pub const ADMIN1_SEED: &str = "0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210";
pub const MEMBER_SEEDS: [&str; 4] = [
    "000111222333444555666777888999aaabbbcccdddeeefff0123456789abcdef",
    "00011122435111155566677788811263446552465222efff0123456789abcdef",
    "00011129824754185548239498168169316979583253efff0123456789abcdef",
    "0000111122223333444455556666777788889999aaaabbbbccccddddeeeeffff",
];

pub fn seed(hex: &str) -> Seed {
    Seed::from_hex(hex).expect("test seed")
}

pub fn keys(hex: &str) -> IdentityKeys {
    IdentityKeys::from_seed(seed(hex))
}

pub fn rng(n: u64) -> StdRng {
    StdRng::seed_from_u64(n)
}

/// `name = hex` lines of `data/vectors.txt` (made by `data/derive_vectors.py`).
pub fn vectors() -> BTreeMap<String, Vec<u8>> {
    include_str!("data/vectors.txt")
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.to_owned(), hex::decode(v).expect("hex vector")))
        .collect()
}
