//! Local state in SQLite (`history.sqlite` in the home directory): the message history and the
//! poll cursor. Schema changes are numbered migrations applied in order inside a transaction
//! (`PRAGMA user_version` records the last one). New messages and the cursor move in one
//! transaction, so a client killed mid-poll neither loses nor duplicates a message: the cursor
//! only advances past messages that are committed.

use crate::messaging::Received;
use rusqlite::{Connection, OptionalExtension as _, params};
use std::path::Path;

/// File (inside the home directory) holding the database.
pub const DB_FILE: &str = "history.sqlite";

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
];

/// Errors of the local database.
#[derive(Debug, thiserror::Error)]
#[error("local database: {0}")]
pub struct HistoryError(#[from] rusqlite::Error);

/// A message in the local history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The other party's Session ID.
    pub peer: String,
    /// Sent by this account.
    pub outgoing: bool,
    /// The text.
    pub text: String,
    /// Send time (ms).
    pub sent_at_ms: u64,
    /// Storage hash.
    pub hash: String,
}

/// The local database of one account.
#[derive(Debug)]
pub struct History {
    db: Connection,
}

fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl History {
    /// Opens (creating and migrating) the database in `home`.
    pub fn open(home: &Path) -> Result<Self, HistoryError> {
        Self::migrate(Connection::open(home.join(DB_FILE))?)
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

    /// Records received messages and the new cursor in one transaction; returns the messages
    /// that were new (a message already in the history is not added again).
    pub fn commit_poll(
        &mut self,
        namespace: i16,
        received: &[Received],
        last_hash: &str,
    ) -> Result<Vec<Received>, HistoryError> {
        let tx = self.db.transaction()?;
        let mut new = Vec::new();
        for m in received {
            let added = tx.execute(
                "INSERT OR IGNORE INTO messages (hash, peer, outgoing, text, sent_at_ms)
                 VALUES (?1, ?2, 0, ?3, ?4)",
                params![m.hash, m.sender.to_string(), m.text, ms(m.sent_at_ms)],
            )?;
            if added == 1 {
                new.push(m.clone());
            }
        }
        tx.execute(
            "INSERT INTO cursors (namespace, last_hash) VALUES (?1, ?2)
             ON CONFLICT (namespace) DO UPDATE SET last_hash = excluded.last_hash",
            params![namespace, last_hash],
        )?;
        tx.commit()?;
        Ok(new)
    }

    /// Records a message this account sent.
    pub fn record_sent(
        &self,
        peer: &str,
        text: &str,
        sent_at_ms: u64,
        hash: &str,
    ) -> Result<(), HistoryError> {
        self.db.execute(
            "INSERT OR IGNORE INTO messages (hash, peer, outgoing, text, sent_at_ms)
             VALUES (?1, ?2, 1, ?3, ?4)",
            params![hash, peer, text, ms(sent_at_ms)],
        )?;
        Ok(())
    }

    /// The conversation with `peer`, oldest first.
    pub fn conversation(&self, peer: &str) -> Result<Vec<Entry>, HistoryError> {
        let mut q = self.db.prepare(
            "SELECT peer, outgoing, text, sent_at_ms, hash FROM messages
             WHERE peer = ?1 ORDER BY sent_at_ms, hash",
        )?;
        let rows = q.query_map([peer], |r| {
            Ok(Entry {
                peer: r.get(0)?,
                outgoing: r.get::<_, i64>(1)? != 0,
                text: r.get(2)?,
                sent_at_ms: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                hash: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_crypto::{IdentityKeys, Seed};

    fn received(n: u8, sent_at_ms: u64) -> Received {
        Received {
            sender: IdentityKeys::from_seed(Seed::from_bytes([9; 32])).session_id(),
            text: format!("m{n}"),
            sent_at_ms,
            hash: format!("hash{n}"),
        }
    }

    #[test]
    fn migrations_run_once_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("dir");
        let h = History::open(dir.path()).expect("open");
        assert_eq!(h.version().expect("version"), MIGRATIONS.len());
        drop(h);
        let h = History::open(dir.path()).expect("reopen");
        assert_eq!(h.version().expect("version"), MIGRATIONS.len());
    }

    #[test]
    fn a_poll_commits_messages_and_cursor_together_without_duplicates() {
        let mut h = History::in_memory().expect("db");
        assert_eq!(h.cursor(0).expect("cursor"), "");
        let first = [received(1, 10), received(2, 20)];
        assert_eq!(h.commit_poll(0, &first, "hash2").expect("poll").len(), 2);
        assert_eq!(h.cursor(0).expect("cursor"), "hash2");
        // The same messages again (a re-poll after a crash before the cursor moved): no copies.
        let again = [received(2, 20), received(3, 30)];
        let new = h.commit_poll(0, &again, "hash3").expect("poll");
        assert_eq!(new, vec![received(3, 30)]);
        let peer = received(1, 0).sender.to_string();
        h.record_sent(&peer, "reply", 25, "mine").expect("sent");
        let texts: Vec<(String, bool)> = h
            .conversation(&peer)
            .expect("conversation")
            .into_iter()
            .map(|e| (e.text, e.outgoing))
            .collect();
        assert_eq!(
            texts,
            [
                ("m1".into(), false),
                ("m2".into(), false),
                ("reply".into(), true),
                ("m3".into(), false)
            ]
        );
    }
}
