//! libsodium's `crypto_secretstream_xchacha20poly1305`, byte for byte: a stream of messages
//! ("chunks"), each XChaCha20-Poly1305-encrypted under a key that the previous chunk's MAC moves
//! on, with a one-byte tag per chunk (`MESSAGE`, `PUSH`, `REKEY`, `FINAL`). Attachments
//! (libsession's deterministic scheme) are encrypted with it.
//!
//! Unlike libsodium, [`SecretStream::with_header`] takes the 24-byte header instead of drawing it
//! at random, which is what libsession does to make attachment encryption deterministic. The
//! state holds key material and is zeroized on drop.
//!
//! Per chunk (libsodium `push`/`pull`, no additional data): ChaCha20-IETF under the state's key
//! and its 12-byte nonce (`counter LE32 ‖ inonce`); block 0 keys Poly1305, block 1 encrypts the
//! tag byte (the whole 64-byte block is MACed), the message starts at block 2; the MAC covers
//! `block1 ‖ c ‖ 0^(len(c) mod 16) ‖ LE64(0) ‖ LE64(64 + len(c))` (libsodium's padding quirk kept);
//! then `inonce ^= mac[..8]`, `counter += 1`, and a rekey when the tag has the `REKEY` bit or the
//! counter wrapped.

use crate::error::{Error, Result};
use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::{ChaCha20, R20, hchacha};
use poly1305::Poly1305;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Bytes of the stream header.
pub const HEADER_BYTES: usize = 24;
/// Bytes of a key.
pub const KEY_BYTES: usize = 32;
/// Bytes a chunk adds: the encrypted tag byte and the 16-byte MAC.
pub const ABYTES: usize = 17;
/// An ordinary chunk.
pub const TAG_MESSAGE: u8 = 0;
/// The end of a set of chunks.
pub const TAG_PUSH: u8 = 1;
/// Rekey after this chunk.
pub const TAG_REKEY: u8 = 2;
/// The last chunk of the stream (`PUSH | REKEY`).
pub const TAG_FINAL: u8 = 3;

const MAC_BYTES: usize = 16;
const COUNTER_BYTES: usize = 4;
const INONCE_BYTES: usize = 8;

/// The state of one direction of a stream.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SecretStream {
    key: [u8; KEY_BYTES],
    /// `counter (LE32) ‖ inonce (8)`.
    nonce: [u8; COUNTER_BYTES + INONCE_BYTES],
}

impl std::fmt::Debug for SecretStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretStream(<redacted>)")
    }
}

impl SecretStream {
    /// The state for `key` and `header`: `init_pull`, and `init_push` with a chosen header.
    pub fn with_header(key: &[u8; KEY_BYTES], header: &[u8; HEADER_BYTES]) -> Self {
        let mut input = [0u8; 16];
        input.copy_from_slice(&header[..16]);
        let mut subkey = hchacha::<R20>(key.into(), &input.into());
        let mut state = Self {
            key: [0; KEY_BYTES],
            nonce: [0; COUNTER_BYTES + INONCE_BYTES],
        };
        state.key.copy_from_slice(&subkey);
        subkey.as_mut_slice().zeroize();
        state.reset_counter();
        state.nonce[COUNTER_BYTES..].copy_from_slice(&header[16..]);
        state
    }

    fn reset_counter(&mut self) {
        self.nonce[..COUNTER_BYTES].copy_from_slice(&1u32.to_le_bytes());
    }

    fn cipher(&self) -> ChaCha20 {
        ChaCha20::new((&self.key).into(), (&self.nonce).into())
    }

    /// Encrypts one chunk with `tag`; returns `ABYTES + msg.len()` bytes.
    pub fn push(&mut self, msg: &[u8], tag: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(msg.len() + ABYTES);
        self.push_into(msg, tag, &mut out);
        out
    }

    /// Encrypts one chunk with `tag`, appending it to `out`.
    pub fn push_into(&mut self, msg: &[u8], tag: u8, out: &mut Vec<u8>) {
        let mut cipher = self.cipher();
        let mut block = Zeroizing::new([0u8; 64]);
        cipher.apply_keystream(&mut *block);
        let poly = Poly1305::new((&block[..32]).try_into().expect("32-byte slice"));
        block.fill(0);
        block[0] = tag;
        cipher.apply_keystream(&mut *block);
        let start = out.len();
        out.push(block[0]);
        out.extend_from_slice(msg);
        cipher.apply_keystream(&mut out[start + 1..]);
        let mac = mac(poly, &block, &out[start + 1..]);
        out.extend_from_slice(&mac);
        self.advance(&mac, tag);
    }

    /// Decrypts one chunk (`ABYTES` or more bytes); returns the message and its tag. A chunk
    /// that does not authenticate leaves the state as it was.
    pub fn pull(&mut self, chunk: &[u8]) -> Result<(Vec<u8>, u8)> {
        let mut out = Vec::with_capacity(chunk.len().saturating_sub(ABYTES));
        let tag = self.pull_into(chunk, &mut out)?;
        Ok((out, tag))
    }

    /// Decrypts one chunk, appending the message to `out`; returns the tag.
    pub fn pull_into(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<u8> {
        if chunk.len() < ABYTES {
            return Err(Error::CiphertextTooShort {
                what: "secretstream chunk",
                min: ABYTES,
                got: chunk.len(),
            });
        }
        let (c, stored) = chunk[1..].split_at(chunk.len() - ABYTES);
        let mut cipher = self.cipher();
        let mut block = Zeroizing::new([0u8; 64]);
        cipher.apply_keystream(&mut *block);
        let poly = Poly1305::new((&block[..32]).try_into().expect("32-byte slice"));
        block.fill(0);
        block[0] = chunk[0];
        cipher.apply_keystream(&mut *block);
        let tag = block[0];
        block[0] = chunk[0];
        let mac = mac(poly, &block, c);
        if !bool::from(mac.ct_eq(stored)) {
            return Err(Error::DecryptionFailed {
                what: "secretstream chunk",
            });
        }
        let start = out.len();
        out.extend_from_slice(c);
        cipher.apply_keystream(&mut out[start..]);
        self.advance(&mac, tag);
        Ok(tag)
    }

    /// After a chunk: fold the MAC into the inner nonce, count, rekey when asked or wrapped.
    fn advance(&mut self, mac: &[u8; MAC_BYTES], tag: u8) {
        for (n, m) in self.nonce[COUNTER_BYTES..].iter_mut().zip(mac) {
            *n ^= m;
        }
        let counter = u32::from_le_bytes(
            self.nonce[..COUNTER_BYTES]
                .try_into()
                .expect("4-byte counter"),
        )
        .wrapping_add(1);
        self.nonce[..COUNTER_BYTES].copy_from_slice(&counter.to_le_bytes());
        if tag & TAG_REKEY != 0 || counter == 0 {
            self.rekey();
        }
    }

    /// `crypto_secretstream_xchacha20poly1305_rekey`.
    pub fn rekey(&mut self) {
        let mut fresh = Zeroizing::new([0u8; KEY_BYTES + INONCE_BYTES]);
        fresh[..KEY_BYTES].copy_from_slice(&self.key);
        fresh[KEY_BYTES..].copy_from_slice(&self.nonce[COUNTER_BYTES..]);
        self.cipher().apply_keystream(&mut *fresh);
        self.key.copy_from_slice(&fresh[..KEY_BYTES]);
        self.nonce[COUNTER_BYTES..].copy_from_slice(&fresh[KEY_BYTES..]);
        self.reset_counter();
    }
}

/// Poly1305 over `block ‖ c ‖ 0^(len(c) mod 16) ‖ LE64(0) ‖ LE64(64 + len(c))`.
fn mac(mut poly: Poly1305, block: &[u8; 64], c: &[u8]) -> [u8; MAC_BYTES] {
    let (blocks, _) = poly1305::Block::slice_as_chunks(block);
    poly.update(blocks);
    let (blocks, rest) = poly1305::Block::slice_as_chunks(c);
    poly.update(blocks);
    let mut tail = [0u8; 48];
    tail[..rest.len()].copy_from_slice(rest);
    let mut n = 2 * rest.len();
    tail[n..n + 8].copy_from_slice(&0u64.to_le_bytes());
    n += 8;
    let total = u64::try_from(64 + c.len()).unwrap_or(u64::MAX);
    tail[n..n + 8].copy_from_slice(&total.to_le_bytes());
    n += 8;
    poly.compute_unpadded(&tail[..n]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_pull_round_trip_with_rekey_and_tags() {
        let key = [7u8; 32];
        let header = [9u8; 24];
        let mut tx = SecretStream::with_header(&key, &header);
        let mut rx = SecretStream::with_header(&key, &header);
        let msgs: [(&[u8], u8); 5] = [
            (b"", TAG_MESSAGE),
            (b"hello", TAG_PUSH),
            (&[1u8; 100], TAG_REKEY),
            (&[2u8; 33], TAG_MESSAGE),
            (b"end", TAG_FINAL),
        ];
        for (m, t) in msgs {
            let c = tx.push(m, t);
            assert_eq!(c.len(), m.len() + ABYTES);
            let (p, tag) = rx.pull(&c).unwrap();
            assert_eq!((p.as_slice(), tag), (m, t));
        }
    }

    #[test]
    fn tampering_fails_and_keeps_the_state() {
        let mut tx = SecretStream::with_header(&[1; 32], &[2; 24]);
        let mut rx = SecretStream::with_header(&[1; 32], &[2; 24]);
        let c = tx.push(b"chunk", TAG_MESSAGE);
        for i in 0..c.len() {
            let mut bad = c.clone();
            bad[i] ^= 1;
            assert!(rx.pull(&bad).is_err());
        }
        assert!(rx.pull(&c[..ABYTES - 1]).is_err());
        assert_eq!(rx.pull(&c).unwrap().0, b"chunk");
    }
}
