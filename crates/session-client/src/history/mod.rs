//! Local state in SQLite (`history.sqlite` in the home directory): messages with their delivery
//! state and expiry, contacts (approved, request, blocked; the conversation's disappearing
//! setting), reactions and the poll cursors.
//!
//! Schema changes are numbered migrations applied in order inside a transaction
//! (`PRAGMA user_version` records the last one). A poll's effects and its cursor move in one
//! transaction ([`History::apply_poll`]), so a client killed mid-poll neither loses nor
//! duplicates a message: the cursor only advances past messages that are committed.

mod contacts;
mod messages;

pub use contacts::{Contact, ContactState, Summary};
pub use messages::{Applied, Entry, Incoming, Notice, ReadMarks, Record, State};
use rusqlite::{Connection, OptionalExtension as _, params};
use std::path::Path;

/// File (inside the home directory) holding the database.
pub const DB_FILE: &str = "history.sqlite";

/// How long a write waits for another process's transaction on the same database.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

const MIGRATIONS: &[&str] = &[
    // 1: history and poll cursors.
    "CREATE TABLE messages (
        hash TEXT PRIMARY KEY,
        peer TEXT NOT NULL,
        outgoing INTEGER NOT NULL,
        text TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL
    );
    CREATE INDEX messages_by_peer ON messages (peer, sent_at_ms);
    CREATE TABLE cursors (namespace INTEGER PRIMARY KEY, last_hash TEXT NOT NULL);",
    // 2: delivery state, disappearing messages, quotes, contacts (requests, blocks), reactions.
    "ALTER TABLE messages ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';
    ALTER TABLE messages ADD COLUMN expiry_mode INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN expiry_secs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN expires_at_ms INTEGER;
    ALTER TABLE messages ADD COLUMN quote_author TEXT;
    ALTER TABLE messages ADD COLUMN quote_ms INTEGER;
    UPDATE messages SET state = 'read' WHERE outgoing = 0;
    CREATE INDEX messages_by_expiry ON messages (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
    CREATE TABLE contacts (
        peer TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        expiry_mode INTEGER NOT NULL DEFAULT 0,
        expiry_secs INTEGER NOT NULL DEFAULT 0,
        they_approved INTEGER NOT NULL DEFAULT 0
    );
    INSERT OR IGNORE INTO contacts (peer, state) SELECT DISTINCT peer, 'approved' FROM messages;
    CREATE TABLE reactions (
        hash TEXT NOT NULL,
        reactor TEXT NOT NULL,
        emoji TEXT NOT NULL,
        PRIMARY KEY (hash, reactor, emoji)
    );",
];

/// Errors of the local database.
#[derive(Debug, thiserror::Error)]
#[error("local database: {0}")]
pub struct HistoryError(#[from] rusqlite::Error);

/// The local database of one account.
#[derive(Debug)]
pub struct History {
    db: Connection,
}

pub(crate) fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn unms(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl History {
    /// Opens (creating and migrating) the database in `home`. Several processes may hold it
    /// (`watch` in one terminal, `send` in another): WAL journaling lets readers run beside
    /// the writer, and a writer waits up to [`BUSY_TIMEOUT`] for another's transaction.
    pub fn open(home: &Path) -> Result<Self, HistoryError> {
        let db = Connection::open(home.join(DB_FILE))?;
        db.busy_timeout(BUSY_TIMEOUT)?;
        db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        Self::migrate(db)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> Result<Self, HistoryError> {
        Self::migrate(Connection::open_in_memory()?)
    }

    fn migrate(mut db: Connection) -> Result<Self, HistoryError> {
        let done: i64 = db.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tx = db.transaction()?;
        for (i, sql) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(done).unwrap_or(0))
        {
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
        }
        tx.commit()?;
        Ok(Self { db })
    }

    /// The schema version (number of migrations applied).
    pub fn version(&self) -> Result<usize, HistoryError> {
        let v: i64 = self
            .db
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// The poll cursor of `namespace` ("" before the first poll).
    pub fn cursor(&self, namespace: i16) -> Result<String, HistoryError> {
        Ok(self
            .db
            .query_row(
                "SELECT last_hash FROM cursors WHERE namespace = ?1",
                [namespace],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Deletes the messages whose time ran out by `now_ms` (network time); returns how many.
    pub fn sweep(&self, now_ms: u64) -> Result<usize, HistoryError> {
        self.db.execute(
            "DELETE FROM reactions WHERE hash IN
                 (SELECT hash FROM messages WHERE expires_at_ms <= ?1)",
            [ms(now_ms)],
        )?;
        Ok(self.db.execute(
            "DELETE FROM messages WHERE expires_at_ms <= ?1",
            [ms(now_ms)],
        )?)
    }
}

fn set_cursor(
    tx: &rusqlite::Transaction<'_>,
    namespace: i16,
    last_hash: &str,
) -> Result<(), HistoryError> {
    tx.execute(
        "INSERT INTO cursors (namespace, last_hash) VALUES (?1, ?2)
         ON CONFLICT (namespace) DO UPDATE SET last_hash = excluded.last_hash",
        params![namespace, last_hash],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
