//! The "combined payload" framing of every onion layer (`spec/network.md` §1.4):
//!
//! ```text
//! [N: u32 little-endian][N bytes: ciphertext or blob][rest: UTF-8 JSON object]
//! ```

use crate::error::{Error, Result};

/// Bytes of the length prefix.
pub const SIZE_LEN: usize = 4;

/// Why bytes are not a framed payload, with the reference server's texts.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FramingError {
    /// Fewer than 4 bytes.
    #[error("Unexpected payload size; expected ciphertext size")]
    MissingSize,
    /// The length prefix says more than follows.
    #[error("Unexpected payload size {left}, expected >= {expected}")]
    Truncated {
        /// Bytes after the prefix.
        left: usize,
        /// The length the prefix gives.
        expected: u32,
    },
}

/// `len(blob) as u32 LE || blob || json`. Fails only for a blob over 4 GiB.
pub fn encode(blob: &[u8], json: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(blob.len()).map_err(|_| Error::PayloadTooLarge {
        got: blob.len(),
        max: u32::MAX as usize,
    })?;
    let mut out = Vec::with_capacity(SIZE_LEN + blob.len() + json.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(blob);
    out.extend_from_slice(json);
    Ok(out)
}

/// Splits a framed payload into the blob and the bytes after it (the JSON, not yet parsed).
pub fn split(data: &[u8]) -> Result<(&[u8], &[u8]), FramingError> {
    let (size, rest) = data
        .split_first_chunk::<SIZE_LEN>()
        .ok_or(FramingError::MissingSize)?;
    let expected = u32::from_le_bytes(*size);
    // On 16-bit targets a length over usize::MAX cannot fit, so it is truncated as well.
    let n = usize::try_from(expected).unwrap_or(usize::MAX);
    if rest.len() < n {
        return Err(FramingError::Truncated {
            left: rest.len(),
            expected,
        });
    }
    Ok(rest.split_at(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let framed = encode(b"abc", b"{}").unwrap();
        assert_eq!(framed, b"\x03\x00\x00\x00abc{}");
        assert_eq!(split(&framed).unwrap(), (&b"abc"[..], &b"{}"[..]));
        assert_eq!(split(b"\x01\x00"), Err(FramingError::MissingSize));
        assert_eq!(
            split(b"\x05\x00\x00\x00abc").unwrap_err().to_string(),
            "Unexpected payload size 3, expected >= 5"
        );
        assert_eq!(
            split(b"").unwrap_err().to_string(),
            "Unexpected payload size; expected ciphertext size"
        );
        assert_eq!(split(b"\0\0\0\0").unwrap(), (&b""[..], &b""[..]));
    }
}
