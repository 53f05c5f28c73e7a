//! The crate's errors (setup, storage, keys); request-level refusals are [`crate::api::ApiError`].

use std::path::PathBuf;

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
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The server key could not be loaded or made.
    #[error(transparent)]
    Key(#[from] session_lsrpc::key::KeyError),
    /// An admin command was given something invalid (the message says what).
    #[error("{0}")]
    Invalid(String),
    /// An admin command named something that does not exist.
    #[error("{0}")]
    NotFound(String),
}

impl Error {
    pub(crate) fn db(what: &'static str) -> impl Fn(rusqlite::Error) -> Self {
        move |source| Self::Db { what, source }
    }
}
