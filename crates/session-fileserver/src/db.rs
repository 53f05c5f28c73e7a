//! The metadata database: one SQLite file (`fileserver.sqlite` in the data directory), WAL
//! journaling, migrations numbered under `PRAGMA user_version`. The bytes of a file live on disk
//! ([`crate::store`]); a row exists only for a file whose bytes are complete and synced.
//!
//! Times are unix seconds as REAL with microsecond precision (the API reports them as floats,
//! as the reference server's PostgreSQL timestamps do).

use crate::error::Error;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The database file inside the data directory.
pub const DB_FILE: &str = "fileserver.sqlite";

/// The migrations, in order: migration `n` (1-based) takes `user_version` from `n - 1` to `n`.
/// Never edit a released migration; append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: files (the reference's schema with the bytes moved to disk), version checks.
    "CREATE TABLE files (
        id TEXT PRIMARY KEY
            CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-zA-Z0-9_-]*'),
        size INTEGER NOT NULL,
        uploaded REAL NOT NULL,
        expiry REAL NOT NULL
    );
    CREATE INDEX files_expiry ON files(expiry);
    CREATE TABLE version_checks (
        blinded_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        timestamp REAL NOT NULL
    );
    CREATE INDEX version_checks_blinded_id ON version_checks(blinded_id);
    CREATE INDEX version_checks_timestamp ON version_checks(timestamp);",
];

/// The number of migrations this build knows.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

/// Opens (creating and migrating) the database of `data_dir`.
pub fn open(data_dir: &Path) -> Result<Connection, Error> {
    let conn =
        Connection::open(data_dir.join(DB_FILE)).map_err(Error::db("opening the database"))?;
    setup(conn)
}

fn setup(mut conn: Connection) -> Result<Connection, Error> {
    let ctx = || Error::db("configuring the database");
    conn.busy_timeout(Duration::from_secs(10)).map_err(ctx())?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .map_err(ctx())?;
    // FULL: a committed upload survives a power cut, not only a crash of the process.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(ctx())?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let ctx = || Error::db("migrating the database");
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(ctx())?;
    let done: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(ctx())?;
    let done = usize::try_from(done).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(Error::SchemaTooNew {
            found: done,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.execute_batch(sql).map_err(ctx())?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )
        .map_err(ctx())?;
    }
    tx.commit().map_err(ctx())
}

/// The server's connection, one user at a time. Holding it also serialises the steps that
/// must not interleave: an upload's rename + insert and the cleanup's delete + unlink.
#[derive(Debug)]
pub struct Db(Mutex<Connection>);

impl Db {
    /// Wraps an open connection.
    pub fn new(conn: Connection) -> Self {
        Self(Mutex::new(conn))
    }

    /// The connection (a poisoned lock is recovered: every change is one statement or one
    /// transaction).
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A stored file's row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FileRow {
    /// Bytes.
    pub size: u64,
    /// Upload time (unix seconds).
    pub uploaded: f64,
    /// Expiry (unix seconds).
    pub expiry: f64,
}

/// The row of `id` if it has not expired at `now`.
pub fn get_live(conn: &Connection, id: &str, now: f64) -> rusqlite::Result<Option<FileRow>> {
    use rusqlite::OptionalExtension as _;
    conn.query_row(
        "SELECT size, uploaded, expiry FROM files WHERE id = ?1 AND expiry > ?2",
        rusqlite::params![id, now],
        |r| {
            Ok(FileRow {
                size: r.get::<_, i64>(0)?.try_into().unwrap_or(0),
                uploaded: r.get(1)?,
                expiry: r.get(2)?,
            })
        },
    )
    .optional()
}
