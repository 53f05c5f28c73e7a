//! The reference server's lenient decoders.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Standard alphabet, padding optional (but correct when present), trailing bits ignored: what
/// Python's `b64decode(validate=True)` accepts once unpadded input has been padded.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Base64 with or without padding (standard alphabet); `None` when invalid.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    // Padding, when present, must be complete (Python: "Incorrect padding").
    if s.contains('=') && !s.len().is_multiple_of(4) {
        return None;
    }
    LENIENT.decode(s).ok()
}

/// A `size`-byte value as hex (exactly `2·size` digits) or base64 (padded or not); `None` when
/// it is neither, or decodes to another size.
pub fn decode_hex_or_b64(s: &str, size: usize) -> Option<Vec<u8>> {
    if s.len() == size * 2 {
        return hex::decode(s).ok();
    }
    let padded = size.div_ceil(3) * 4;
    let unpadded = (size * 4).div_ceil(3);
    if (unpadded..=padded).contains(&s.len()) {
        return decode_base64(s).filter(|d| d.len() == size);
    }
    None
}

/// Percent-decodes a URL path to UTF-8 (invalid UTF-8 becomes U+FFFD), as the reference server
/// sees the path it routes and verifies.
pub fn decode_path(raw: &str) -> String {
    let bytes = raw.as_bytes();
    if !bytes.contains(&b'%') {
        return raw.to_owned();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push((h << 4) | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_or_base64() {
        let n = [7u8; 16];
        let b64 = base64::engine::general_purpose::STANDARD.encode(n);
        assert_eq!(decode_hex_or_b64(&b64, 16).unwrap(), n);
        assert_eq!(decode_hex_or_b64(b64.trim_end_matches('='), 16).unwrap(), n);
        assert_eq!(decode_hex_or_b64(&hex::encode(n), 16).unwrap(), n);
        assert!(decode_hex_or_b64(&format!("{b64}="), 16).is_none());
        assert!(decode_hex_or_b64(&b64[..b64.len() - 1], 16).is_none());
        assert!(decode_hex_or_b64(&b64[..b64.len() - 6], 16).is_none());
        assert!(decode_hex_or_b64(&hex::encode(n)[1..], 16).is_none());
        assert!(decode_hex_or_b64(&format!("{}ff", hex::encode(n)), 16).is_none());
    }

    #[test]
    fn paths() {
        assert_eq!(decode_path("/a/b"), "/a/b");
        assert_eq!(
            decode_path("/foo/%F0%9F%8D%8D%20%20%20%f0%9f%8d%8c"),
            "/foo/🍍   🍌"
        );
        assert_eq!(decode_path("/a%2"), "/a%2");
        assert_eq!(decode_path("/a%zz%"), "/a%zz%");
        assert_eq!(decode_path("/%ff"), "/\u{fffd}");
    }
}
