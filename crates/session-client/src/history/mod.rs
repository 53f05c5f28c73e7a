//! Local state in SQLite (`history.sqlite` in the home directory): messages with their delivery
//! state and expiry, contacts (approved, request, blocked; names and nicknames; the
//! conversation's disappearing setting), reactions, the poll cursors (one per namespace) and
//! the dumps of the four user configs (profile, contacts, read state, groups) that keep the
//! account's devices in step.
//!
//! Schema changes are numbered migrations applied in order inside a transaction
//! (`PRAGMA user_version` records the last one). A poll's effects and its cursors move in one
//! transaction ([`History::apply_batch`]), so a client killed mid-poll neither loses nor
//! duplicates a message: the cursor only advances past messages that are committed. Every
//! local change that a config records (accepting, blocking, a nickname, reading, a
//! disappearing setting, the profile) changes the config in the same transaction as the rows
//! ([`configs`]); pushing it is the caller's next step.

mod attachments;
mod calls;
pub mod community;
pub mod configs;
mod contacts;
pub mod groups;
mod messages;
mod poll;

pub use attachments::{Avatar, FileState, StoredAttachment};
pub use calls::{CallIn, CallRecord, direction_name, outcome_name};
pub use configs::{ConfigStatus, PendingPush, Profile, UserConfigs};
pub use contacts::{Contact, ContactState, Summary};
pub use messages::{Applied, Entry, Incoming, Notice, ReadMarks, Record, State};
pub use poll::{ConfigMessages, PollBatch};
use rusqlite::{Connection, OptionalExtension as _, params};
use session_crypto::Seed;
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
    // 3: multi-device: user config dumps (their cursors are rows of `cursors`, namespaces
    // 2-5), contact names, nicknames and approval kept apart from blocking, the own-swarm copy
    // of each message, the copies this device stored (skipped when polled back), settings.
    "CREATE TABLE config_dumps (namespace INTEGER PRIMARY KEY, dump BLOB NOT NULL);
    ALTER TABLE contacts ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE contacts ADD COLUMN name TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN name_updated_s INTEGER NOT NULL DEFAULT 0;
    UPDATE contacts SET approved = 1 WHERE state = 'approved';
    ALTER TABLE messages ADD COLUMN copy_hash TEXT;
    CREATE TABLE own_copies (hash TEXT PRIMARY KEY, expires_at_ms INTEGER NOT NULL);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO settings (key, value)
        SELECT 'import_into_configs', 1 WHERE EXISTS (SELECT 1 FROM contacts);",
    // 4: attachments of messages (pointer, download state, local path) and contacts'
    // profile pictures.
    attachments::MIGRATION,
    // 5: communities: joined rooms' poll state, posts, reactions, servers' capabilities and
    // DM cursors, blinded DMs (the joined list itself is the `UserGroups` config).
    community::MIGRATION,
    // 6: groups v2: each group's dumps, members, messages and namespace 11-14 cursors (the
    // joined and invited groups themselves are the `UserGroups` config).
    groups::MIGRATION,
    // 7: group messages' expiry (the group's disappearing timer).
    groups::MIGRATION_EXPIRY,
    // 8: calls: the call messages polls brought (for their TTL) and the call history.
    calls::MIGRATION,
];

/// Errors of the local state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// SQLite failed.
    #[error("local database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A config refused a change (a nickname or name too long…).
    #[error("{0}")]
    Config(session_config::Error),
    /// The configs need the account's seed and this history was opened without one.
    #[error("no account: the configs need the account's seed")]
    NoAccount,
}

/// The local database of one account.
#[derive(Debug)]
pub struct History {
    db: Connection,
    /// The account seed, which keys the user configs (`None`: the configs are left alone).
    seed: Option<Seed>,
}

pub(crate) fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn unms(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl History {
    /// Opens (creating and migrating) the database in `home`, with the seed of the account
    /// in `home` (when there is one) for the configs. Several processes may hold it (`watch`
    /// in one terminal, `send` in another): WAL journaling lets readers run beside the writer,
    /// and a writer waits up to [`BUSY_TIMEOUT`] for another's transaction.
    pub fn open(home: &Path) -> Result<Self, HistoryError> {
        let db = Connection::open(home.join(DB_FILE))?;
        db.busy_timeout(BUSY_TIMEOUT)?;
        db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
        let h = Self::migrate(db)?;
        Ok(match crate::Account::open(home) {
            Ok(a) => h.with_seed(a.keys().seed().clone()),
            Err(_) => h,
        })
    }

    /// An in-memory database (tests), without configs until [`History::with_seed`].
    pub fn in_memory() -> Result<Self, HistoryError> {
        Self::migrate(Connection::open_in_memory()?)
    }

    /// Keeps the user configs of the account with `seed` from now on.
    pub fn with_seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
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
        Ok(Self { db, seed: None })
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

    /// Runs `f` in one immediate transaction with the user configs loaded from their dumps
    /// (`None` without a seed); the dumps of the configs `f` changed are written in the same
    /// transaction. Another process's change waits (or is waited for): configs are never
    /// loaded outside the transaction that saves them, so no change is lost.
    pub(crate) fn change<T>(
        &self,
        f: impl FnOnce(&Connection, Option<&mut UserConfigs>) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.db,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let mut configs = match &self.seed {
            Some(seed) => {
                let mut c = configs::load(&tx, seed)?;
                configs::import_if_needed(&tx, &mut c)?;
                Some(c)
            }
            None => None,
        };
        let out = f(&tx, configs.as_mut())?;
        if let Some(c) = configs.as_mut() {
            configs::save(&tx, c)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// The account seed, for what needs the configs.
    pub(crate) fn seed(&self) -> Result<&Seed, HistoryError> {
        self.seed.as_ref().ok_or(HistoryError::NoAccount)
    }

    /// Deletes the messages (1:1 and group) whose time ran out by `now_ms` (network time);
    /// returns how many.
    pub fn sweep(&self, now_ms: u64) -> Result<usize, HistoryError> {
        self.db.execute(
            "DELETE FROM own_copies WHERE expires_at_ms <= ?1",
            [ms(now_ms)],
        )?;
        self.db.execute(
            "DELETE FROM reactions WHERE hash IN
                 (SELECT hash FROM messages WHERE expires_at_ms <= ?1)",
            [ms(now_ms)],
        )?;
        let n = self.db.execute(
            "DELETE FROM messages WHERE expires_at_ms <= ?1",
            [ms(now_ms)],
        )?;
        if n > 0 {
            attachments::drop_orphans(&self.db)?;
        }
        Ok(n + groups::sweep(&self.db, now_ms)?)
    }
}

fn set_cursor(tx: &Connection, namespace: i16, last_hash: &str) -> Result<(), HistoryError> {
    tx.execute(
        "INSERT INTO cursors (namespace, last_hash) VALUES (?1, ?2)
         ON CONFLICT (namespace) DO UPDATE SET last_hash = excluded.last_hash",
        params![namespace, last_hash],
    )?;
    Ok(())
}

/// A numeric setting (`settings` table), if set.
pub(crate) fn setting(db: &Connection, key: &str) -> Result<Option<i64>, HistoryError> {
    Ok(db
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets (or with `None` removes) a numeric setting.
pub(crate) fn set_setting(
    db: &Connection,
    key: &str,
    value: Option<i64>,
) -> Result<(), HistoryError> {
    match value {
        Some(v) => db.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, v],
        )?,
        None => db.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

#[cfg(test)]
mod tests;
