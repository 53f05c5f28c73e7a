//! The crate's errors outside a single request (setup, storage, keys); a request's refusals are
//! answered by [`crate::api`] with the reference server's codes and bodies.

use std::path::{Path, PathBuf};

/// What went wrong outside a single request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A database operation failed.
    #[error("database: {what}: {source}")]
    Db {
        /// What was being done.
        what: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer version.
    #[error("database schema version {found} is newer than this build knows ({known})")]
    SchemaTooNew {
        /// `user_version` found.
        found: usize,
        /// Migrations this build has.
        known: usize,
    },
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
    /// The server key could not be loaded or made.
    #[error(transparent)]
    Key(#[from] session_lsrpc::key::KeyError),
    /// The release data file (`releases.json`) is not what `--help` describes.
    #[error("release data {}: {reason}", path.display())]
    BadReleases {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A configuration value is out of range (the message says which).
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub(crate) fn db(what: &'static str) -> impl Fn(rusqlite::Error) -> Self {
        move |source| Self::Db { what, source }
    }

    pub(crate) fn io(what: &'static str, path: &Path) -> impl Fn(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io {
            what,
            path: path.clone(),
            source,
        }
    }
}
