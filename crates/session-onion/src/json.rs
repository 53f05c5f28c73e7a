//! Small JSON helpers shared by the layer codecs.
//!
//! Routing JSON is written with its keys in ascending order, as libsession's JSON library
//! writes it, whatever `serde_json` features the build enables.

use crate::error::KeyHexError;
use serde_json::{Map, Value};

/// A JSON string literal (quoted and escaped).
pub(crate) fn string(s: &str) -> String {
    Value::from(s).to_string()
}

/// A JSON object from `(key, already-serialised value)` pairs given in ascending key order.
pub(crate) fn object(pairs: &[(&str, String)]) -> String {
    debug_assert!(
        pairs.windows(2).all(|w| w[0].0 < w[1].0),
        "keys must be sorted"
    );
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(k));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// Parses bytes as a JSON object: `Err(Some(e))` when they are not JSON, `Err(None)` when the
/// JSON is not an object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, Option<serde_json::Error>> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(None),
        Err(e) => Err(Some(e)),
    }
}

/// 32 bytes from 64 hex digits, checked in the reference server's order (hex first, then
/// length).
pub(crate) fn key32(s: &str) -> Result<[u8; 32], KeyHexError> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyHexError::NotHex);
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| KeyHexError::Length(s.len()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_errors_in_reference_order() {
        assert_eq!(key32("zz"), Err(KeyHexError::NotHex));
        assert_eq!(key32("abc"), Err(KeyHexError::NotHex));
        assert_eq!(key32("abcd"), Err(KeyHexError::Length(4)));
        assert_eq!(key32(""), Err(KeyHexError::Length(0)));
        assert_eq!(key32(&"AB".repeat(32)), Ok([0xab; 32]));
    }

    #[test]
    fn objects_are_written_in_key_order() {
        let o = object(&[("a", string("x\"y")), ("b", "1".to_owned())]);
        assert_eq!(o, r#"{"a":"x\"y","b":1}"#);
    }
}
