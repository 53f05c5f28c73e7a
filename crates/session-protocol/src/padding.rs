//! Padding of a serialised `Content` before 1:1 encryption and community posting
//! (spec/crypto.md §2.2): append `0x80`, then `0x00` up to a multiple of 160.

use crate::error::{Error, Result};

/// Padded messages are a multiple of this many bytes.
pub const PADDING_MULTIPLE: usize = 160;
/// The byte that ends the message and starts the padding.
pub const TERMINATOR: u8 = 0x80;

/// The padded length of an `n`-byte message: `n + 1` rounded up to a multiple of 160, plus a
/// further 160 when `n + 1` already is one (libsession's quirk: its pad count is
/// `160 - (n + 1) % 160`, which is 160 rather than 0 in that case).
pub fn padded_len(n: usize) -> usize {
    let with_terminator = n + 1;
    with_terminator + (PADDING_MULTIPLE - with_terminator % PADDING_MULTIPLE)
}

/// Pads `msg`: `msg || 0x80 || 0x00…` to [`padded_len`] bytes.
pub fn pad(msg: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(padded_len(msg.len()));
    pad_into(msg, &mut out);
    out
}

/// Pads `msg` into `out` (cleared first), so callers can hold the result in a zeroizing buffer.
pub fn pad_into(msg: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(padded_len(msg.len()));
    out.extend_from_slice(msg);
    out.push(TERMINATOR);
    out.resize(padded_len(msg.len()), 0);
}

/// Removes padding: skips trailing `0x00` bytes; if the byte before them is `0x80`, the message
/// is what precedes it. If another byte comes first, the input was not padded and is returned
/// whole (Session desktop's `removeMessagePadding`; libsession would also drop the trailing
/// zeros, which can cut a protobuf that ends in a zero value). Empty or all-zero input has no
/// message in it and is an error.
pub fn unpad(padded: &[u8]) -> Result<&[u8]> {
    match padded.iter().rposition(|&b| b != 0) {
        None => Err(Error::EmptyPadding),
        Some(i) if padded[i] == TERMINATOR => Ok(&padded[..i]),
        Some(_) => Ok(padded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_lengths() {
        for (n, want) in [
            (0, 160),
            (1, 160),
            (158, 160),
            (159, 320),
            (160, 320),
            (318, 320),
        ] {
            assert_eq!(padded_len(n), want, "n = {n}");
            assert_eq!(pad(&vec![1; n]).len(), want);
        }
        assert_eq!(padded_len(319), 480);
    }
}
