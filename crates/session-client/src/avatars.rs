//! Profile pictures: ours is encrypted with the deterministic scheme in the profile-picture
//! domain, uploaded, and named in the `UserProfile` config (URL and key) and in every message
//! that carries our profile (`LokiProfile.profilePicture` + `DataMessage.profileKey`). Others'
//! are fetched, decrypted and cached as `<home>/avatars/<session id>`.
//!
//! The upload is kept alive: after a poll, when our picture was last uploaded or extended
//! more than [`RENEW_AFTER_MS`] ago, its expiry is extended; when the server no longer has it
//! (404), the local copy is uploaded again, which, the encryption being deterministic, gives
//! the same URL and key, so nobody needs telling.

use crate::error::{Error, Result};
use crate::fileserver::FileRef;
use session_crypto::attachment::{self, AttachmentKey};
use std::fmt;
use std::path::{Path, PathBuf};

/// The folder (inside the home directory) of cached profile pictures.
pub const AVATARS_DIR: &str = "avatars";

/// How long after an upload or extension our picture's expiry is extended again (1 day; the
/// server keeps files 3 weeks, so a client that polls at least every 20 days keeps it).
pub const RENEW_AFTER_MS: u64 = 24 * 3600 * 1000;

/// The largest profile picture set (as attachments).
pub const MAX_PICTURE_BYTES: u64 = crate::attachments::MAX_FILE_BYTES;

/// A profile picture's 32-byte key (`DataMessage.profileKey`). `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfileKey([u8; 32]);

impl ProfileKey {
    /// From the wire: exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProfileKey(<redacted>)")
    }
}

impl Drop for ProfileKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// Where `session_id`'s picture is cached.
pub fn local_path(home: &Path, session_id: &str) -> PathBuf {
    let name: String = session_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(66)
        .collect();
    home.join(AVATARS_DIR).join(name)
}

/// Decrypts a downloaded picture. Only the deterministic scheme is read (the URL's `#d`, or
/// no fragment at all, as libsession's clients write it); desktop's older AES-GCM pictures
/// are refused with a clear error.
pub fn decrypt(url: &str, key: &[u8], blob: &[u8]) -> Result<Vec<u8>> {
    let url = FileRef::parse(url)?;
    let is_deterministic = url.deterministic || blob.first() == Some(&attachment::PREFIX);
    if !is_deterministic {
        return Err(Error::Attachment(
            "profile picture in the legacy AES-GCM scheme (not supported)".into(),
        ));
    }
    let key = AttachmentKey::from_slice(key)
        .map_err(|_| Error::Attachment("profile picture key is not 32 bytes".into()))?;
    attachment::decrypt(blob, &key)
        .map_err(|e| Error::Attachment(format!("profile picture does not verify: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_crypto::Seed;
    use session_crypto::attachment::Domain;

    #[test]
    fn a_picture_decrypts_with_its_key_and_nothing_else() {
        let seed = Seed::from_bytes([3; 32]);
        let (blob, key) =
            attachment::encrypt(&seed, b"png bytes", Domain::ProfilePicture).expect("encrypts");
        let url = "http://127.0.0.1:1/file/abc#d=";
        assert_eq!(
            decrypt(url, key.expose_secret(), &blob).expect("decrypts"),
            b"png bytes"
        );
        assert!(decrypt(url, &[0; 32], &blob).is_err(), "wrong key");
        assert!(decrypt(url, &[0; 31], &blob).is_err(), "short key");
        assert!(decrypt("http://h/file/x", &[0; 32], b"\x01legacy").is_err());
        // The attachment domain derives another key from the same file.
        let (other, _) =
            attachment::encrypt(&seed, b"png bytes", Domain::Attachment).expect("encrypts");
        assert_ne!(other, blob);
        let k = ProfileKey::from_slice(key.expose_secret()).expect("32 bytes");
        assert_eq!(format!("{k:?}"), "ProfileKey(<redacted>)");
        assert_eq!(ProfileKey::from_slice(&[1; 16]), None);
        assert_eq!(
            local_path(Path::new("/h"), "05ab/../cd"),
            Path::new("/h/avatars/05abcd")
        );
    }
}
