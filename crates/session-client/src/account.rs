//! The account: one identity per client home directory. The seed lives in `identity.seed`
//! (mode 0600, in a 0700 directory); the recovery phrase is shown once, at creation, and never
//! stored.

use session_crypto::{IdentityKeys, Seed, SessionId};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// File (inside the home directory) holding the 32 seed bytes.
pub const SEED_FILE: &str = "identity.seed";

/// Why an account could not be created or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// `init`/`restore` into a home that already has an identity (never overwritten).
    #[error("an account already exists in {0} (remove it first to start over)")]
    Exists(String),
    /// No identity in the home directory.
    #[error("no account in {0}: run `init` or `restore` first")]
    Missing(String),
    /// The recovery phrase is not valid.
    #[error("recovery phrase: {0}")]
    Phrase(session_crypto::Error),
    /// The seed file does not hold a seed.
    #[error("{0} is not a seed file")]
    Corrupt(String),
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// An opened account.
pub struct Account {
    keys: IdentityKeys,
    home: PathBuf,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("session_id", &self.session_id().to_string())
            .field("home", &self.home)
            .finish()
    }
}

impl Account {
    /// Creates a new account (a 16-byte seed, as Session clients make) in `home`; returns it with
    /// its 13-word recovery phrase, to be shown once.
    pub fn create(
        home: &Path,
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<(Self, Zeroizing<String>), AccountError> {
        let seed = Seed::generate(rng);
        let phrase = seed.to_mnemonic();
        Ok((Self::write_new(home, &seed)?, phrase))
    }

    /// Restores an account from its recovery phrase (13 or 25 words) into `home`.
    pub fn restore(home: &Path, phrase: &str) -> Result<Self, AccountError> {
        let seed = Seed::from_mnemonic(phrase).map_err(AccountError::Phrase)?;
        Self::write_new(home, &seed)
    }

    /// Opens the account in `home`.
    pub fn open(home: &Path) -> Result<Self, AccountError> {
        let path = home.join(SEED_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AccountError::Missing(home.display().to_string()));
            }
            Err(source) => return Err(io(&path, source)),
        };
        let seed = Seed::from_slice(&bytes)
            .map_err(|_| AccountError::Corrupt(path.display().to_string()))?;
        Ok(Self {
            keys: IdentityKeys::from_seed(seed),
            home: home.to_path_buf(),
        })
    }

    fn write_new(home: &Path, seed: &Seed) -> Result<Self, AccountError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(home)
            .map_err(|e| io(home, e))?;
        let path = home.join(SEED_FILE);
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(AccountError::Exists(home.display().to_string()));
            }
            Err(e) => return Err(io(&path, e)),
        };
        file.write_all(seed.expose_secret())
            .and_then(|()| file.sync_all())
            .map_err(|e| io(&path, e))?;
        Self::open(home)
    }

    /// The Session ID (`05…`).
    pub fn session_id(&self) -> SessionId {
        self.keys.session_id()
    }

    /// The identity keys.
    pub fn keys(&self) -> &IdentityKeys {
        &self.keys
    }

    /// The home directory.
    pub fn home(&self) -> &Path {
        &self.home
    }
}

fn io(path: &Path, source: std::io::Error) -> AccountError {
    AccountError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn create_open_restore_and_never_overwrite() {
        let dir = tempfile::tempdir().expect("dir");
        let home = dir.path().join("alice");
        let (alice, phrase) = Account::create(&home, &mut rand::rng()).expect("create");
        assert_eq!(phrase.split_whitespace().count(), 13);
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&home.join(SEED_FILE)), 0o600);
        assert_eq!(mode(&home), 0o700);
        assert_eq!(
            Account::open(&home).expect("open").session_id(),
            alice.session_id()
        );
        assert!(matches!(
            Account::create(&home, &mut rand::rng()),
            Err(AccountError::Exists(_))
        ));
        // The phrase restores the same Session ID elsewhere.
        let again = Account::restore(&dir.path().join("restored"), &phrase).expect("restore");
        assert_eq!(again.session_id(), alice.session_id());
        assert!(matches!(
            Account::restore(&home, &phrase),
            Err(AccountError::Exists(_))
        ));
        // Debug shows no secret.
        let shown = format!("{alice:?}");
        assert!(shown.contains(&alice.session_id().to_string()));
        assert!(!shown.contains(&hex::encode(
            &std::fs::read(home.join(SEED_FILE)).expect("seed")[..16]
        )));
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(matches!(
            Account::open(dir.path()),
            Err(AccountError::Missing(_))
        ));
        assert!(matches!(
            Account::restore(dir.path(), "not a valid phrase at all"),
            Err(AccountError::Phrase(_))
        ));
        std::fs::write(dir.path().join(SEED_FILE), b"short").expect("write");
        assert!(matches!(
            Account::open(dir.path()),
            Err(AccountError::Corrupt(_))
        ));
    }
}
