//! Builders for config data in tests.

use session_config::data::{Dict, Field, Scalar, Set};

/// A dict from `(key, value)` pairs.
pub fn d(pairs: &[(&str, Field)]) -> Field {
    Field::Dict(dict(pairs))
}

/// A `Dict` from `(key, value)` pairs.
pub fn dict(pairs: &[(&str, Field)]) -> Dict {
    pairs
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.clone()))
        .collect()
}

/// An integer scalar for sets.
pub fn i(n: i64) -> Scalar {
    Scalar::Int(n)
}

/// A string scalar for sets.
pub fn s(v: &str) -> Scalar {
    Scalar::Bytes(v.as_bytes().to_vec())
}

/// A set.
pub fn set(items: &[Scalar]) -> Field {
    Field::Set(items.iter().cloned().collect::<Set>())
}

/// Concatenates byte strings.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// 32 bytes from hex.
pub fn h32(hex_str: &str) -> [u8; 32] {
    hex::decode(hex_str)
        .expect("hex")
        .try_into()
        .expect("32 bytes")
}

/// Bytes shown printably on failure.
pub fn show(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                (c as char).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}
