//! The node's Ed25519 identity, generated on first start and kept in the data directory.

use session_crypto::{IdentityKeys, Seed};
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// File (inside the data directory) holding the 32-byte seed.
pub const KEY_FILE: &str = "node_ed25519.seed";

/// Errors loading or creating the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// File system trouble.
    #[error("node key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file exists but does not hold 32 bytes.
    #[error("node key file {path} is not a 32-byte seed")]
    Malformed {
        /// The file.
        path: String,
    },
}

/// Loads the node key from `dir`, creating it (mode 0600) with `rng` on first start.
pub fn load_or_create(
    dir: &Path,
    rng: &mut impl rand_core::CryptoRng,
) -> Result<IdentityKeys, IdentityError> {
    let path = dir.join(KEY_FILE);
    let shown = path.display().to_string();
    let io = |source| IdentityError::Io {
        path: shown.clone(),
        source,
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let seed: [u8; 32] =
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| IdentityError::Malformed {
                        path: shown.clone(),
                    })?;
            Ok(IdentityKeys::from_seed(Seed::from_bytes(seed)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io)?;
            let seed = Seed::generate_full(rng);
            write_private(&path, seed.expose_secret()).map_err(io)?;
            Ok(IdentityKeys::from_seed(seed))
        }
        Err(e) => Err(io(e)),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
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
    fn key_is_created_once_then_reused_with_private_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand::rng();
        let a = load_or_create(dir.path(), &mut rng).unwrap();
        let b = load_or_create(dir.path(), &mut rng).unwrap();
        assert_eq!(a.ed25519_public(), b.ed25519_public());
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(dir.path().join(KEY_FILE), b"short").unwrap();
        assert!(matches!(
            load_or_create(dir.path(), &mut rng),
            Err(IdentityError::Malformed { .. })
        ));
    }
}
