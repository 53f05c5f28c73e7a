//! The database: one SQLite file (`community.sqlite` in the data directory), WAL journaling so
//! the admin commands can write while the server runs, foreign keys on, schema migrations
//! numbered under `PRAGMA user_version` (`schema`).

mod schema;

use crate::error::Error;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The database file inside the data directory.
pub const DB_FILE: &str = "community.sqlite";

/// How long a write waits for another process's transaction (the admin commands and the
/// server share the file).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The number of migrations this build knows.
pub fn schema_version() -> usize {
    schema::MIGRATIONS.len()
}

/// Opens (creating and migrating) the database of `data_dir`.
pub fn open(data_dir: &Path) -> Result<Connection, Error> {
    let conn =
        Connection::open(data_dir.join(DB_FILE)).map_err(Error::db("opening the database"))?;
    setup(conn)
}

/// An in-memory database with the full schema (unit tests).
pub fn open_in_memory() -> Result<Connection, Error> {
    setup(Connection::open_in_memory().map_err(Error::db("opening the database"))?)
}

fn setup(mut conn: Connection) -> Result<Connection, Error> {
    let ctx = Error::db("configuring the database");
    conn.busy_timeout(BUSY_TIMEOUT).map_err(ctx)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
        .map_err(Error::db("configuring the database"))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(Error::db("configuring the database"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(Error::db("configuring the database"))?;
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
    if done > schema::MIGRATIONS.len() {
        return Err(Error::SchemaTooNew {
            found: done,
            known: schema::MIGRATIONS.len(),
        });
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(done) {
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

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<usize, Error> {
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(Error::db("reading the schema version"))?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// The server's connection, shared by request handlers (one at a time: SQLite has one writer,
/// and almost every request writes — nonce, activity).
#[derive(Debug)]
pub struct Db(Mutex<Connection>);

impl Db {
    /// Wraps an open connection.
    pub fn new(conn: Connection) -> Self {
        Self(Mutex::new(conn))
    }

    /// The connection (a poisoned lock is recovered: every change is transactional).
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
