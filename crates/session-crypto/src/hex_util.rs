//! Small hex helpers with errors that say what was being parsed.

use crate::error::{Error, Result};

/// Decodes exactly `N` bytes of hex.
pub(crate) fn decode_fixed<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N]> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return Err(Error::InvalidHex { what });
    }
    if s.len() != 2 * N {
        return Err(Error::InvalidLength {
            what,
            expected: expected_hex_len(N),
            got: s.len() / 2,
        });
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).map_err(|_| Error::InvalidHex { what })?;
    Ok(out)
}

fn expected_hex_len(n: usize) -> &'static str {
    match n {
        32 => "32 bytes (64 hex digits)",
        33 => "33 bytes (66 hex digits)",
        64 => "64 bytes (128 hex digits)",
        _ => "a fixed number of bytes",
    }
}
