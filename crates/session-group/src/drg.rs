//! libsodium's `randombytes_buf_deterministic`: the ChaCha20-IETF keystream under a 32-byte
//! seed with the nonce `"LibsodiumDRG"` (what libsession fills keys-message junk with).

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};

const NONCE: &[u8; 12] = b"LibsodiumDRG";

/// `len` deterministic pseudo-random bytes from `seed` (`len` well below 256 GiB).
pub fn deterministic_bytes(seed: &[u8; 32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    ChaCha20::new(seed.into(), NONCE.into()).apply_keystream(&mut out);
    out
}
