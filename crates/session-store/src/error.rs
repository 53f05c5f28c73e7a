//! Errors of the store.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// RocksDB failed.
    #[error("database error while {context}: {source}")]
    Db {
        /// What the store was doing.
        context: &'static str,
        /// The RocksDB error.
        source: rocksdb::Error,
    },
    /// A stored record does not decode (disk corruption or a format bug).
    #[error("corrupt record in {what}")]
    Corrupt {
        /// Which column family.
        what: &'static str,
    },
}

/// Shorthand for store results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) trait DbContext<T> {
    fn ctx(self, context: &'static str) -> Result<T>;
}

impl<T> DbContext<T> for std::result::Result<T, rocksdb::Error> {
    fn ctx(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Db { context, source })
    }
}

/// Storage failures reach RPC clients as `500 request failed`; the cause is logged, not sent.
impl From<Error> for session_rpc::Reply {
    fn from(e: Error) -> Self {
        tracing::error!(error = %e, "storage failure");
        session_rpc::Reply::internal()
    }
}
