//! Config encryption and padding (spec §5.2; libsession `src/config/encrypt.cpp`,
//! `ConfigBase::push`/`_merge`).
//!
//! Encryption is deterministic, so that devices pushing the same merged message push the same
//! bytes and the swarm keeps one copy:
//! `key = BLAKE2b-256(key_base ‖ BE64(len(plaintext)) ‖ domain)`,
//! `nonce = BLAKE2b-192(plaintext; key = "libsessionutil-config-encrypted-" ‖ domain)`,
//! output `XChaCha20-Poly1305(key, nonce, plaintext) ‖ nonce`.
//!
//! Before encryption a message is zstd-compressed (prefix `z`) when that makes it smaller, then
//! left-padded with zero bytes to [`padded_size`]. Opening reverses it: try each key, strip the
//! leading zeros, decompress (bounded by [`MAX_DECOMPRESSED_SIZE`]).

use crate::error::{Error, Result};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit};
use session_crypto::Seed;
use session_crypto::hash::{Blake2bParams, hash24, hash32};
use std::fmt;
use std::io::Read;
use zeroize::Zeroizing;

/// Bytes encryption adds: the Poly1305 tag (16) and the nonce (24).
pub const ENCRYPT_OVERHEAD: usize = 40;
/// Largest encrypted config the storage server takes (libsession `MAX_MESSAGE_SIZE`).
pub const MAX_MESSAGE_SIZE: usize = 76_800;
/// Largest decompressed config accepted (libsession has no bound; a compressed bomb would
/// otherwise expand without limit). Real configs compress by well under 10×, so a 76.8 kB push
/// never comes near it.
pub const MAX_DECOMPRESSED_SIZE: usize = 4 * 1024 * 1024;
/// The zstd level libsession compresses with.
pub const COMPRESSION_LEVEL: i32 = 1;
/// Longest encryption domain.
pub const MAX_DOMAIN_LEN: usize = 24;
const NONCE_KEY_PREFIX: &[u8] = b"libsessionutil-config-encrypted-";
const TAG_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// A 32-byte config encryption key base: the account's Ed25519 seed for user configs, a group
/// key for group configs. Wiped on drop; never printed.
#[derive(Clone)]
pub struct ConfigKey(Zeroizing<[u8; 32]>);

impl ConfigKey {
    /// From raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The user-config key of an account: its 32-byte Ed25519 seed (libsession `load_key` takes
    /// the first half of the libsodium secret key).
    pub fn from_seed(seed: &Seed) -> Self {
        Self::from_bytes(*seed.expose_secret())
    }

    /// The key bytes.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfigKey(<redacted>)")
    }
}

impl PartialEq for ConfigKey {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.ct_eq(&*other.0).into()
    }
}

impl Eq for ConfigKey {}

fn check_domain(domain: &str) -> Result<()> {
    if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
        return Err(Error::invalid("encryption domain", "must be 1 to 24 bytes"));
    }
    Ok(())
}

fn message_key(key: &ConfigKey, len: usize, domain: &str) -> Zeroizing<[u8; 32]> {
    let len = (len as u64).to_be_bytes();
    Zeroizing::new(hash32(
        Blake2bParams::PLAIN,
        &[key.expose_secret(), &len, domain.as_bytes()],
    ))
}

/// Encrypts `plaintext` (already compressed and padded) deterministically.
pub fn encrypt(plaintext: &[u8], key: &ConfigKey, domain: &str) -> Result<Vec<u8>> {
    check_domain(domain)?;
    let k = message_key(key, plaintext.len(), domain);
    let nonce_key = [NONCE_KEY_PREFIX, domain.as_bytes()].concat();
    let nonce = hash24(Blake2bParams::keyed(&nonce_key), &[plaintext]);
    let mut out = XChaCha20Poly1305::new((&*k).into())
        .encrypt((&nonce).into(), plaintext)
        .map_err(|_| Error::invalid("plaintext", "too long to encrypt"))?;
    out.extend_from_slice(&nonce);
    Ok(out)
}

/// Decrypts one ciphertext with one key.
pub fn decrypt(ciphertext: &[u8], key: &ConfigKey, domain: &str) -> Result<Zeroizing<Vec<u8>>> {
    check_domain(domain)?;
    if ciphertext.len() < ENCRYPT_OVERHEAD {
        return Err(Error::CiphertextTooShort {
            min: ENCRYPT_OVERHEAD,
            got: ciphertext.len(),
        });
    }
    let (body, nonce) = ciphertext.split_at(ciphertext.len() - NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::DecryptionFailed)?;
    let k = message_key(key, body.len() - TAG_LEN, domain);
    XChaCha20Poly1305::new((&*k).into())
        .decrypt(nonce.into(), body)
        .map(Zeroizing::new)
        .map_err(|_| Error::DecryptionFailed)
}

/// The padded length of an `len`-byte message that will gain `overhead` bytes: `len + overhead`
/// rounded up to a multiple of 256 (below 5,120), 1,024 (below 20,480), 2,048 (below 40,960)
/// or 5,120, minus `overhead`.
pub fn padded_size(len: usize, overhead: usize) -> usize {
    let s2 = len + overhead;
    let chunk = if s2 < 5120 {
        256
    } else if s2 < 20480 {
        1024
    } else if s2 < 40960 {
        2048
    } else {
        5120
    };
    s2.div_ceil(chunk) * chunk - overhead
}

/// Left-pads `msg` with zero bytes to [`padded_size`]`(len, ENCRYPT_OVERHEAD)`.
pub fn pad(msg: &[u8]) -> Vec<u8> {
    let target = padded_size(msg.len(), ENCRYPT_OVERHEAD);
    let mut out = vec![0; target.saturating_sub(msg.len())];
    out.extend_from_slice(msg);
    out
}

/// `z` ‖ zstd(msg) if that is shorter than `msg`, else `msg`.
pub fn compress(msg: &[u8]) -> Vec<u8> {
    match zstd::bulk::compress(msg, COMPRESSION_LEVEL) {
        Ok(z) if z.len() + 1 < msg.len() => {
            let mut out = Vec::with_capacity(z.len() + 1);
            out.push(b'z');
            out.extend_from_slice(&z);
            out
        }
        _ => msg.to_vec(),
    }
}

/// Decompresses a zstd stream (the bytes after `z`), refusing more than `max` bytes of output.
pub fn decompress(compressed: &[u8], max: usize) -> Result<Vec<u8>> {
    if compressed.is_empty() {
        return Err(Error::Decompression);
    }
    let decoder =
        zstd::stream::read::Decoder::with_buffer(compressed).map_err(|_| Error::Decompression)?;
    let mut out = Vec::new();
    decoder
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| Error::Decompression)?;
    if out.is_empty() || out.len() > max {
        return Err(Error::Decompression);
    }
    Ok(out)
}

/// The bytes to push for a serialized message: compressed (if `compress` and smaller), padded,
/// encrypted. Fails if the result exceeds [`MAX_MESSAGE_SIZE`].
pub fn seal(serialized: &[u8], key: &ConfigKey, domain: &str, compress: bool) -> Result<Vec<u8>> {
    let body = if compress {
        self::compress(serialized)
    } else {
        serialized.to_vec()
    };
    let out = encrypt(&pad(&body), key, domain)?;
    if out.len() > MAX_MESSAGE_SIZE {
        return Err(Error::TooLarge {
            limit: MAX_MESSAGE_SIZE,
            got: out.len(),
        });
    }
    Ok(out)
}

/// Opens a pushed config: decrypts with the first key of `keys` that works, strips the padding
/// and decompresses. Returns the serialized message.
pub fn open(ciphertext: &[u8], keys: &[ConfigKey], domain: &str) -> Result<Vec<u8>> {
    if ciphertext.len() > MAX_MESSAGE_SIZE {
        return Err(Error::TooLarge {
            limit: MAX_MESSAGE_SIZE,
            got: ciphertext.len(),
        });
    }
    let mut last = Error::NoKey;
    let plain = keys
        .iter()
        .find_map(|k| match decrypt(ciphertext, k, domain) {
            Ok(p) => Some(p),
            Err(e) => {
                last = e;
                None
            }
        })
        .ok_or(last)?;
    unpad_and_decompress(&plain)
}

/// Strips leading zero padding and decompresses a `z` message.
pub fn unpad_and_decompress(plain: &[u8]) -> Result<Vec<u8>> {
    let start = plain
        .iter()
        .position(|&b| b != 0)
        .ok_or(Error::EmptyPlaintext)?;
    let body = &plain[start..];
    match body.first() {
        Some(b'm') => Err(Error::Unsupported),
        Some(b'z') => decompress(&body[1..], MAX_DECOMPRESSED_SIZE),
        _ => Ok(body.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_sizes() {
        for ((s, o), want) in [
            ((1, 0), 256),
            ((1, 10), 246),
            ((247, 10), 502),
            ((3839, 96), 4000),
            ((4865, 0), 5120),
            ((9217, 0), 10240),
            ((20481, 0), 22528),
            ((40961, 0), 46080),
            ((71681, 0), 76800),
        ] {
            assert_eq!(padded_size(s, o), want, "padded_size({s}, {o})");
        }
    }

    #[test]
    fn compression_only_when_smaller() {
        let short = b"d1:#i0e1:&de1:<le1:=dee";
        assert_eq!(compress(short), short.to_vec());
        let long = vec![b'a'; 1000];
        let z = compress(&long);
        assert_eq!(z[0], b'z');
        assert!(z.len() < 100);
        assert_eq!(unpad_and_decompress(&z).expect("decompresses"), long);
    }

    #[test]
    fn decompression_is_bounded() {
        let big = zstd::bulk::compress(&vec![0u8; 1 << 20], 1).expect("compress");
        assert_eq!(decompress(&big, 1000), Err(Error::Decompression));
        assert_eq!(decompress(&big, 1 << 20).map(|v| v.len()), Ok(1 << 20));
        assert_eq!(
            decompress(&big[..big.len() / 2], 1 << 20),
            Err(Error::Decompression)
        );
        assert_eq!(decompress(b"", 10), Err(Error::Decompression));
        assert_eq!(decompress(b"not zstd", 10), Err(Error::Decompression));
    }

    #[test]
    fn domain_bounds() {
        let k = ConfigKey::from_bytes([1; 32]);
        assert!(encrypt(b"x", &k, "").is_err());
        assert!(encrypt(b"x", &k, &"d".repeat(25)).is_err());
        assert!(encrypt(b"x", &k, &"d".repeat(24)).is_ok());
    }
}
