//! A server's X25519 key (`key_x25519` in the data directory, 32 raw bytes, mode 0600, the
//! reference servers' file name): made on first start, reused after. Its secret opens onion
//! requests; its public half is what clients encrypt to (and, for a community, its
//! `public_key` and blind15 factor). Shared by the community server and the file server.

use rand_core::CryptoRng;
use session_crypto::{X25519PublicKey, X25519Secret};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The key file inside the data directory.
pub const KEY_FILE: &str = "key_x25519";

/// Why the key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A file operation failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The key file is not 32 bytes.
    #[error("server key {}: expected 32 bytes, found {len}", path.display())]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
}

impl KeyError {
    fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io { what, path, source }
    }
}

type Error = KeyError;

/// Loads the key, creating the data directory and the key when missing.
pub fn load_or_create(data_dir: &Path, rng: &mut impl CryptoRng) -> Result<X25519Secret, Error> {
    if let Some(secret) = load(data_dir)? {
        return Ok(secret);
    }
    std::fs::create_dir_all(data_dir).map_err(Error::io("creating", data_dir))?;
    let secret = X25519Secret::generate(rng);
    let path = data_dir.join(KEY_FILE);
    write_private(&path, secret.expose_secret()).map_err(Error::io("writing", &path))?;
    Ok(secret)
}

/// Loads the key if it exists.
pub fn load(data_dir: &Path) -> Result<Option<X25519Secret>, Error> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let len = bytes.len();
            let arr: [u8; 32] = bytes.try_into().map_err(|_| Error::Malformed {
                path: path.clone(),
                len,
            })?;
            Ok(Some(X25519Secret::from_bytes(arr)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("reading", &path)(e)),
    }
}

/// The public key of the data directory's server key (creating the key when missing).
pub fn public_key(data_dir: &Path, rng: &mut impl CryptoRng) -> Result<X25519PublicKey, Error> {
    Ok(load_or_create(data_dir, rng)?.public_key())
}

/// Writes a new file readable by the owner only: a temporary name, fsync, rename.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_then_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path(), &mut rand::rng()).unwrap();
        let b = load_or_create(dir.path(), &mut rand::rng()).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(dir.path().join(KEY_FILE), b"short").unwrap();
        assert!(matches!(
            load(dir.path()),
            Err(Error::Malformed { len: 5, .. })
        ));
    }
}
