//! Attachment encryption (`spec/crypto.md` §6): libsession's deterministic scheme, here, and
//! Session desktop's legacy scheme in [`legacy`].
//!
//! Deterministic scheme (libsession `session::attachment`): the uploader derives
//! `nonce ‖ key = BLAKE2b-56(data; key = seed[0..32], personal = "SessionAttachmnt")`
//! (`"Session_Prof_Pic"` for profile pictures), so the same sender uploading the same file makes
//! the same blob and the file server keeps one copy. The blob is
//! `'S' ‖ header(24) ‖ secretstream chunks` where the plaintext stream
//! `0x00 × (padding − 1) ‖ 0x01 ‖ data` is cut into 32 KiB chunks, each pushed through
//! [`SecretStream`] (17 bytes more each), the last tagged `FINAL`. The padding
//! ([`encrypted_padding`]) rounds the whole blob up to a multiple of 1/32 of its highest power of
//! two (at least 4 KiB), so the blob size says little about the file size.
//!
//! Decryption is streaming ([`Decryptor`]) and strict: the `'S'` prefix, every chunk
//! authentic and non-empty, padding of zeros ended by `0x01`, exactly one `FINAL` chunk and it
//! last. Every failure is an [`Error`], never a panic; plaintext never appears in errors.

pub mod legacy;

use crate::error::{Error, Result};
use crate::hash::{Blake2bParams, hash56};
use crate::keys::Seed;
use crate::secretstream::{self, SecretStream, TAG_FINAL, TAG_MESSAGE};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The first byte of a deterministically encrypted blob.
pub const PREFIX: u8 = b'S';
/// Bytes of the secretstream header after the prefix.
pub const ENCRYPT_HEADER: usize = secretstream::HEADER_BYTES;
/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 32_768;
/// Bytes each chunk adds (encrypted tag byte and MAC).
pub const CHUNK_OVERHEAD: usize = secretstream::ABYTES;
/// Bytes of a full encrypted chunk.
pub const ENCRYPTED_CHUNK_TOTAL: usize = CHUNK_SIZE + CHUNK_OVERHEAD;
/// Bytes of an attachment key.
pub const KEY_SIZE: usize = 32;
/// The largest file [`encrypt`] takes: its blob (10,223,616 bytes) is the size of a
/// 10,000,000-byte file's, what onion requests and the file server carry.
pub const MAX_REGULAR_SIZE: usize = 10_218_286;

/// What an upload is for; each domain derives unrelated keys from the same file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// A file sent to someone.
    Attachment,
    /// A profile picture.
    ProfilePicture,
}

impl Domain {
    fn personal(self) -> &'static [u8; 16] {
        match self {
            Self::Attachment => b"SessionAttachmnt",
            Self::ProfilePicture => b"Session_Prof_Pic",
        }
    }
}

/// The 32-byte key of one deterministically encrypted attachment (what `AttachmentPointer.key`
/// carries). Zeroized on drop; `Debug` shows nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct AttachmentKey([u8; KEY_SIZE]);

impl AttachmentKey {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_SIZE]) -> Self {
        Self(bytes)
    }

    /// A key from a pointer's bytes (exactly 32).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; KEY_SIZE] = bytes.try_into().map_err(|_| Error::InvalidLength {
            what: "attachment key",
            expected: "32",
            got: bytes.len(),
        })?;
        Ok(Self(arr))
    }

    /// The key bytes (to put in an `AttachmentPointer`).
    pub fn expose_secret(&self) -> &[u8; KEY_SIZE] {
        &self.0
    }
}

impl fmt::Debug for AttachmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AttachmentKey(<redacted>)")
    }
}

/// Bytes of padding (at least 1, the `0x01` terminator included) for `data_size` bytes of data.
pub fn encrypted_padding(data_size: usize) -> usize {
    const PREFIX_SIZE: u128 = 1 + ENCRYPT_HEADER as u128;
    const CHUNK: u128 = CHUNK_SIZE as u128;
    const OVERHEAD: u128 = CHUNK_OVERHEAD as u128;
    const TOTAL: u128 = ENCRYPTED_CHUNK_TOTAL as u128;
    let n = data_size as u128;
    let chunks = n.div_ceil(CHUNK);
    let enc_size = n + PREFIX_SIZE + 1 + chunks * OVERHEAD;
    let floor_pow2 = 1u128 << (127 - enc_size.max(131_072).leading_zeros());
    let factor = floor_pow2 >> 5;
    let padded = enc_size.div_ceil(factor) * factor;
    let mut padding = padded - enc_size + 1;
    // Each whole chunk of padding brings its own 17 bytes of overhead, and so does padding
    // that spills past the data's last chunk: count those as padding.
    let mut implicit = 0;
    if padding >= TOTAL {
        implicit = padding / TOTAL * OVERHEAD;
    }
    let free = chunks * CHUNK - n;
    if padding % TOTAL > free {
        implicit += OVERHEAD;
    }
    padding -= implicit;
    usize::try_from(padding).unwrap_or(usize::MAX)
}

/// The exact blob size for `data_size` bytes of data.
pub fn encrypted_size(data_size: usize) -> usize {
    let padded = data_size as u128 + encrypted_padding(data_size) as u128;
    let tags = padded.div_ceil(CHUNK_SIZE as u128) * CHUNK_OVERHEAD as u128;
    usize::try_from(1 + ENCRYPT_HEADER as u128 + padded + tags).unwrap_or(usize::MAX)
}

/// The largest plaintext a blob of `encrypted_size` bytes can hold (the actual one is smaller
/// by its padding); `None` when no valid blob is that small.
pub fn decrypted_max_size(encrypted_size: usize) -> Option<usize> {
    let sz = encrypted_size.checked_sub(1 + 1 + ENCRYPT_HEADER)?;
    let overhead = sz.div_ceil(ENCRYPTED_CHUNK_TOTAL) * CHUNK_OVERHEAD;
    sz.checked_sub(overhead)
}

/// The header (nonce) and key for `data`: BLAKE2b-56 keyed with the seed, personalised by the
/// domain.
fn derive(
    seed: &Seed,
    data: &[u8],
    domain: Domain,
) -> (Zeroizing<[u8; ENCRYPT_HEADER]>, AttachmentKey) {
    let nk = Zeroizing::new(hash56(
        Blake2bParams::keyed(seed.expose_secret()).personal(domain.personal()),
        &[data],
    ));
    let mut header = Zeroizing::new([0u8; ENCRYPT_HEADER]);
    header.copy_from_slice(&nk[..ENCRYPT_HEADER]);
    let mut key = [0u8; KEY_SIZE];
    key.copy_from_slice(&nk[ENCRYPT_HEADER..]);
    (header, AttachmentKey(key))
}

/// Encrypts `data` (at most [`MAX_REGULAR_SIZE`] bytes) for upload: the blob and its key. The
/// same seed, data and domain always give the same blob and key.
pub fn encrypt(seed: &Seed, data: &[u8], domain: Domain) -> Result<(Vec<u8>, AttachmentKey)> {
    if data.len() > MAX_REGULAR_SIZE {
        return Err(Error::InvalidLength {
            what: "attachment",
            expected: "at most 10218286",
            got: data.len(),
        });
    }
    Ok(encrypt_any_size(seed, data, domain))
}

/// [`encrypt`] without the size limit (libsession's `allow_large`), for blobs that never travel
/// through onion requests.
pub fn encrypt_any_size(seed: &Seed, data: &[u8], domain: Domain) -> (Vec<u8>, AttachmentKey) {
    let (header, key) = derive(seed, data, domain);
    let padding = encrypted_padding(data.len());
    let mut out = Vec::with_capacity(encrypted_size(data.len()));
    out.push(PREFIX);
    out.extend_from_slice(&*header);
    let mut stream = SecretStream::with_header(key.expose_secret(), &header);
    // The plaintext stream is `0^(padding-1) ‖ 0x01 ‖ data`, cut into CHUNK_SIZE pieces.
    let total = padding + data.len();
    let mut chunk = Zeroizing::new(Vec::with_capacity(CHUNK_SIZE));
    let mut at = 0;
    while at < total {
        let end = (at + CHUNK_SIZE).min(total);
        chunk.clear();
        let pad_end = end.min(padding);
        if at < pad_end {
            chunk.resize(pad_end - at, 0);
            if pad_end == padding {
                *chunk.last_mut().expect("non-empty padding piece") = 0x01;
            }
        }
        let data_from = at.max(padding) - padding;
        let data_to = end.saturating_sub(padding);
        if data_from < data_to {
            chunk.extend_from_slice(&data[data_from..data_to]);
        }
        let tag = if end == total { TAG_FINAL } else { TAG_MESSAGE };
        stream.push_into(&chunk, tag, &mut out);
        at = end;
    }
    (out, key)
}

/// Decrypts a whole blob.
pub fn decrypt(encrypted: &[u8], key: &AttachmentKey) -> Result<Vec<u8>> {
    if decrypted_max_size(encrypted.len()).is_none() {
        return Err(Error::CiphertextTooShort {
            what: "attachment",
            min: 1 + ENCRYPT_HEADER + 1 + CHUNK_OVERHEAD,
            got: encrypted.len(),
        });
    }
    let mut d = Decryptor::new(key);
    let mut out = Vec::with_capacity(encrypted.len());
    d.update(encrypted, &mut out)?;
    d.finish(&mut out)?;
    Ok(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Header,
    Padding,
    Data,
    Done,
    Failed,
}

/// Streaming decryption: feed the blob in pieces of any size with [`update`](Self::update),
/// which appends the plaintext it can already vouch for; [`finish`](Self::finish) checks the
/// stream ended properly. After an error every call fails and what was output so far must be
/// discarded.
pub struct Decryptor {
    key: AttachmentKey,
    stream: Option<SecretStream>,
    buf: Zeroizing<Vec<u8>>,
    stage: Stage,
}

impl fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decryptor")
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

const WHAT: &str = "attachment";

impl Decryptor {
    /// A decryptor for a blob under `key`.
    pub fn new(key: &AttachmentKey) -> Self {
        Self {
            key: key.clone(),
            stream: None,
            buf: Zeroizing::new(Vec::with_capacity(ENCRYPTED_CHUNK_TOTAL)),
            stage: Stage::Header,
        }
    }

    /// Takes more of the blob, appending decrypted data to `out`.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let r = (|| {
            while !input.is_empty() {
                let want = match self.stage {
                    Stage::Header => 1 + ENCRYPT_HEADER,
                    Stage::Padding | Stage::Data => ENCRYPTED_CHUNK_TOTAL,
                    Stage::Done => {
                        return Err(Error::DecryptionFailed {
                            what: "attachment (data after the final chunk)",
                        });
                    }
                    Stage::Failed => return Err(Error::DecryptionFailed { what: WHAT }),
                };
                let take = (want - self.buf.len()).min(input.len());
                self.buf.extend_from_slice(&input[..take]);
                input = &input[take..];
                if self.buf.len() == want {
                    let piece = std::mem::take(&mut *self.buf);
                    let r = self.process(&piece, out);
                    *self.buf = piece;
                    self.buf.clear();
                    r?;
                }
            }
            Ok(())
        })();
        if r.is_err() {
            self.stage = Stage::Failed;
        }
        r
    }

    /// Ends the blob: processes a last short chunk and checks that the stream was complete.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<()> {
        match self.stage {
            Stage::Padding | Stage::Data if !self.buf.is_empty() => {
                let piece = std::mem::take(&mut *self.buf);
                self.process(&piece, out)?;
            }
            _ => {}
        }
        match self.stage {
            Stage::Done => Ok(()),
            Stage::Failed => Err(Error::DecryptionFailed { what: WHAT }),
            Stage::Header => Err(Error::CiphertextTooShort {
                what: WHAT,
                min: 1 + ENCRYPT_HEADER + 1 + CHUNK_OVERHEAD,
                got: self.buf.len(),
            }),
            Stage::Padding | Stage::Data => Err(Error::DecryptionFailed {
                what: "attachment (stream ends without its final chunk)",
            }),
        }
    }

    fn process(&mut self, piece: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if self.stage == Stage::Header {
            if piece[0] != PREFIX {
                return Err(Error::UnsupportedVersion {
                    what: WHAT,
                    got: piece[0],
                });
            }
            let header: &[u8; ENCRYPT_HEADER] = piece[1..].try_into().expect("header length");
            self.stream = Some(SecretStream::with_header(self.key.expose_secret(), header));
            self.stage = Stage::Padding;
            return Ok(());
        }
        if piece.len() <= CHUNK_OVERHEAD {
            return Err(Error::DecryptionFailed {
                what: "attachment (empty chunk)",
            });
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or(Error::DecryptionFailed { what: WHAT })?;
        let start = out.len();
        let tag = stream
            .pull_into(piece, out)
            .map_err(|_| Error::DecryptionFailed { what: WHAT })?;
        if self.stage == Stage::Padding {
            match out[start..].iter().position(|&b| b != 0) {
                None => out.truncate(start),
                Some(i) if out[start + i] == 0x01 => {
                    out.drain(start..=start + i);
                    self.stage = Stage::Data;
                }
                Some(_) => {
                    out.truncate(start);
                    return Err(Error::DecryptionFailed {
                        what: "attachment (invalid padding)",
                    });
                }
            }
        }
        if tag == TAG_FINAL {
            if self.stage == Stage::Padding {
                return Err(Error::DecryptionFailed {
                    what: "attachment (stream ends inside its padding)",
                });
            }
            self.stage = Stage::Done;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_examples_from_the_header_comment() {
        // libsession's attachments.hpp: a 1,000,000-byte file pads to 1,015,808 bytes. (Its
        // worked example says 15,280 bytes of padding but leaves out the 24-byte header:
        // 1 + 24 + 15,256 + 1,000,000 + 31 × 17 = 1,015,808.)
        assert_eq!(encrypted_size(1_000_000), 1_015_808);
        assert_eq!(encrypted_padding(1_000_000), 15_256);
        assert_eq!(encrypted_size(MAX_REGULAR_SIZE), 10_223_616);
        assert_eq!(encrypted_size(10_000_000), 10_223_616);
    }

    #[test]
    fn decrypted_max_size_bounds() {
        assert_eq!(decrypted_max_size(0), None);
        assert_eq!(decrypted_max_size(25), None);
        assert_eq!(decrypted_max_size(26), Some(0));
        for n in [0, 1, 4053, 32_768, 100_000, 1_000_000] {
            let max = decrypted_max_size(encrypted_size(n)).unwrap();
            assert!(max >= n, "{n}: {max}");
        }
    }
}
