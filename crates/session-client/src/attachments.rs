//! Attachments as messages carry them (`AttachmentPointer`, `spec/crypto.md` §2.4, §6) and as
//! files on both ends: reading a file to send (10,000,000 bytes at most, as Session clients),
//! encrypting it, the pointer sent, telling the two schemes apart on receipt, decrypting and
//! saving under the home's `attachments/` folder.
//!
//! We send libsession's deterministic scheme (`session_crypto::attachment`, domain
//! `Attachment`): current Session clients read it, the file server keeps one copy of a file
//! however often it is sent, and the AEAD authenticates every chunk, so the pointer needs no
//! digest. We read both: a URL whose fragment has `d` (or, without it, a 32-byte key and no
//! digest) is deterministic; a 64-byte key with a 32-byte digest is desktop's legacy
//! AES-CBC + HMAC scheme.

use crate::error::{Error, Result};
use crate::fileserver::FileRef;
use session_crypto::Seed;
use session_crypto::attachment::{self, AttachmentKey, Domain, legacy};
use session_protocol::proto::AttachmentPointer;
use std::fmt;
use std::path::{Path, PathBuf};

/// The largest file received (Session's `MAX_ATTACHMENT_FILESIZE_BYTES`).
pub const MAX_FILE_BYTES: u64 = 10_000_000;

/// The largest blob a file server takes (session-file-server's default): a file is sent only
/// when its encrypted blob fits, which makes the largest sendable file 9,956,278 bytes.
pub const MAX_UPLOAD_BYTES: u64 = 10_000_000;

/// Whether a file of `size` bytes encrypts to a blob the file server takes.
pub fn fits_upload(size: u64) -> bool {
    usize::try_from(size).is_ok_and(|n| attachment::encrypted_size(n) as u64 <= MAX_UPLOAD_BYTES)
}

/// The folder (inside the home directory) downloaded attachments are saved in.
pub const ATTACHMENTS_DIR: &str = "attachments";

/// The longest file name kept from a pointer (bytes).
const MAX_NAME_BYTES: usize = 128;

/// How an attachment is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// libsession's deterministic secretstream scheme (32-byte key, no digest).
    Deterministic,
    /// Desktop's legacy AES-256-CBC + HMAC-SHA256 scheme (64-byte key, SHA-256 digest).
    Legacy,
}

/// One attachment of a message: what its `AttachmentPointer` says. The key is secret: `Debug`
/// does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Pointer {
    /// The file's URL on the file server.
    pub url: String,
    /// The decryption key (32 or 64 bytes).
    pub key: Vec<u8>,
    /// The plaintext size in bytes.
    pub size: u64,
    /// SHA-256 of the blob (legacy scheme only).
    pub digest: Option<Vec<u8>>,
    /// The MIME type the sender gave.
    pub content_type: Option<String>,
    /// The file name the sender gave.
    pub file_name: Option<String>,
}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pointer")
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .field("size", &self.size)
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

fn bad(what: impl Into<String>) -> Error {
    Error::Attachment(what.into())
}

impl Pointer {
    /// The pointer to send: `id` is the numeric file ID when the ID is a number and 0
    /// otherwise (the field is required but deprecated; the URL names the file), no digest
    /// for the deterministic scheme.
    pub fn to_proto(&self) -> AttachmentPointer {
        let id = FileRef::parse(&self.url)
            .ok()
            .and_then(|f| f.id.parse::<u64>().ok())
            .unwrap_or(0);
        AttachmentPointer {
            id: Some(id),
            content_type: self.content_type.clone(),
            key: Some(self.key.clone()),
            size: Some(u32::try_from(self.size).unwrap_or(u32::MAX)),
            digest: self.digest.clone(),
            file_name: self.file_name.clone(),
            url: Some(self.url.clone()),
            ..Default::default()
        }
    }

    /// Reads a received pointer; `None` without a URL or key, or with a size over
    /// [`MAX_FILE_BYTES`] (no Session client sends those). A file name is cut to its last path
    /// component.
    pub fn from_proto(p: &AttachmentPointer) -> Option<Self> {
        let url = p.url.clone().filter(|u| !u.is_empty())?;
        let key = p.key.clone().filter(|k| !k.is_empty())?;
        let size = u64::from(p.size.unwrap_or(0));
        if size > MAX_FILE_BYTES {
            return None;
        }
        Some(Self {
            url,
            key,
            size,
            digest: p.digest.clone().filter(|d| !d.is_empty()),
            content_type: p.content_type.clone().filter(|c| !c.is_empty()),
            file_name: p.file_name.as_deref().and_then(safe_name),
        })
    }

    /// Which scheme the blob is in (see the module docs); an error when the pointer fits
    /// neither.
    pub fn scheme(&self) -> Result<Scheme> {
        let url = FileRef::parse(&self.url)?;
        match (url.deterministic, self.key.len(), &self.digest) {
            (true, attachment::KEY_SIZE, _) | (false, attachment::KEY_SIZE, None) => {
                Ok(Scheme::Deterministic)
            }
            (false, legacy::KEY_SIZE, Some(d)) if d.len() == legacy::DIGEST_SIZE => {
                Ok(Scheme::Legacy)
            }
            _ => Err(bad("the pointer's key and digest fit no known scheme")),
        }
    }

    /// Verifies and decrypts a downloaded blob; the plaintext must have the pointer's size
    /// (when it gives one).
    pub fn decrypt(&self, blob: &[u8]) -> Result<Vec<u8>> {
        let refused = |e: session_crypto::Error| bad(format!("does not verify: {e}"));
        let plain = match self.scheme()? {
            Scheme::Deterministic => {
                let key = AttachmentKey::from_slice(&self.key).map_err(refused)?;
                attachment::decrypt(blob, &key).map_err(refused)?
            }
            Scheme::Legacy => {
                let key = legacy::LegacyKey::from_slice(&self.key).map_err(refused)?;
                let digest = self.digest.as_deref().unwrap_or_default();
                let size = usize::try_from(self.size).ok().filter(|s| *s > 0);
                legacy::decrypt(blob, &key, digest, size).map_err(refused)?
            }
        };
        if self.size > 0 && plain.len() as u64 != self.size {
            return Err(bad("the decrypted file is not the size the sender gave"));
        }
        Ok(plain)
    }
}

/// A file read for sending.
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The bytes.
    pub data: Vec<u8>,
    /// The file name (last path component).
    pub file_name: String,
    /// The MIME type guessed from the name.
    pub content_type: String,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("len", &self.data.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl Outgoing {
    /// Reads `path`: it must be a file whose encrypted blob fits [`MAX_UPLOAD_BYTES`].
    pub fn read(path: &Path) -> Result<Self> {
        let shown = path.display();
        check_file(path)?;
        let data = std::fs::read(path).map_err(|e| bad(format!("{shown}: {e}")))?;
        check_size(path, data.len() as u64)?;
        let file_name = path
            .file_name()
            .and_then(|n| safe_name(&n.to_string_lossy()))
            .unwrap_or_else(|| "file".to_owned());
        let content_type = content_type_for(&file_name).to_owned();
        Ok(Self {
            data,
            file_name,
            content_type,
        })
    }

    /// Encrypts for upload (deterministic scheme, `domain`): the blob and its key.
    pub fn encrypt(&self, seed: &Seed, domain: Domain) -> Result<(Vec<u8>, AttachmentKey)> {
        attachment::encrypt(seed, &self.data, domain)
            .map_err(|e| bad(format!("cannot encrypt: {e}")))
    }
}

/// Checks that `path` is a file that can be sent (exists, its encrypted blob fits
/// [`MAX_UPLOAD_BYTES`]); its size.
pub fn check_file(path: &Path) -> Result<u64> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("{shown}: {e}")))?;
    if !meta.is_file() {
        return Err(bad(format!("{shown}: not a file")));
    }
    check_size(path, meta.len())?;
    Ok(meta.len())
}

fn check_size(path: &Path, size: u64) -> Result<()> {
    if fits_upload(size) {
        return Ok(());
    }
    Err(bad(format!(
        "{}: {size} bytes is too large: encrypted, it would be over the file server's \
         {MAX_UPLOAD_BYTES}-byte limit",
        path.display()
    )))
}

/// A MIME type from a file name's extension (`application/octet-stream` when unknown).
pub fn content_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A file name from someone else made safe to use inside a folder: its last path component,
/// without control characters, at most 128 bytes; `None` when nothing usable is left (`.`,
/// `..`, empty).
pub fn safe_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = session_config::user::truncate_utf8(clean.trim(), MAX_NAME_BYTES).to_owned();
    (!clean.is_empty() && clean != "." && clean != "..").then_some(clean)
}

/// Where attachment `index` of message `hash` is saved: `<home>/attachments/<hash
/// prefix>-<index>-<name>` (the prefix keeps names of different messages apart).
pub fn local_path(home: &Path, hash: &str, index: usize, file_name: Option<&str>) -> PathBuf {
    let prefix: String = hash
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    let name = file_name
        .and_then(safe_name)
        .unwrap_or_else(|| "file".to_owned());
    home.join(ATTACHMENTS_DIR)
        .join(format!("{prefix}-{index}-{name}"))
}

/// Writes `data` to `path` through a temporary file renamed over it (a reader never sees a
/// partial file), creating the folder (0700 on Unix).
pub fn save(path: &Path, data: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| bad(format!("saving {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir).map_err(io)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, data).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests;
