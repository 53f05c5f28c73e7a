//! Attachments of messages and profile pictures of contacts (migration 4).
//!
//! A message's attachments are rows `(message hash, index)` with the pointer (URL, key, size,
//! digest, type, name) and where the file stands: `pending` (to download), `downloaded` (with
//! its local path) or `failed` (with why; `attachments fetch` tries again). Outgoing ones are
//! recorded `downloaded` with the path they were sent from. A contact's profile picture is the
//! URL and key their newest message carried, and the local path once fetched.

use super::{History, HistoryError};
use crate::attachments::Pointer;
use rusqlite::{Connection, OptionalExtension as _, params};

/// The schema of migration 4.
pub(super) const MIGRATION: &str = "CREATE TABLE attachments (
        hash TEXT NOT NULL,
        idx INTEGER NOT NULL,
        url TEXT NOT NULL,
        key BLOB NOT NULL,
        size INTEGER NOT NULL,
        digest BLOB,
        content_type TEXT,
        file_name TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        path TEXT,
        error TEXT,
        PRIMARY KEY (hash, idx)
    );
    CREATE INDEX attachments_by_state ON attachments (state);
    CREATE TABLE sent_attachments (hash TEXT PRIMARY KEY);
    CREATE TABLE avatars (
        peer TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        key BLOB NOT NULL,
        path TEXT
    );";

/// Where an attachment's file stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    /// Not downloaded yet.
    Pending,
    /// Downloaded, verified and saved (or, for ours, sent from `path`).
    Downloaded,
    /// The last download failed.
    Failed,
}

impl FileState {
    /// The stored (and printed) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Downloaded => "downloaded",
            Self::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "downloaded" => Self::Downloaded,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// An attachment of a message in the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAttachment {
    /// The message's hash.
    pub message_hash: String,
    /// Its position in the message.
    pub index: usize,
    /// What the message said about it.
    pub pointer: Pointer,
    /// Where the file stands.
    pub state: FileState,
    /// The local file, once there is one.
    pub path: Option<String>,
    /// Why the last download failed.
    pub error: Option<String>,
}

/// A contact's profile picture as known here.
#[derive(Clone, PartialEq, Eq)]
pub struct Avatar {
    /// Whose.
    pub peer: String,
    /// Its URL.
    pub url: String,
    /// Its key (secret; not in `Debug`).
    pub key: Vec<u8>,
    /// The local copy, once fetched.
    pub path: Option<String>,
}

impl std::fmt::Debug for Avatar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Avatar")
            .field("peer", &self.peer)
            .field("url", &self.url)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "hash, idx, url, key, size, digest, content_type, file_name, state, path, error";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAttachment> {
    Ok(StoredAttachment {
        message_hash: r.get(0)?,
        index: usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
        pointer: Pointer {
            url: r.get(2)?,
            key: r.get(3)?,
            size: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            digest: r.get(5)?,
            content_type: r.get(6)?,
            file_name: r.get(7)?,
        },
        state: FileState::parse(&r.get::<_, String>(8)?),
        path: r.get(9)?,
        error: r.get(10)?,
    })
}

/// Records the attachments of message `hash` (kept as they are if already there); with
/// `paths`, as sent from those files.
pub(crate) fn insert_all(
    db: &Connection,
    hash: &str,
    pointers: &[Pointer],
    paths: Option<&[String]>,
) -> rusqlite::Result<()> {
    for (i, p) in pointers.iter().enumerate() {
        let path = paths.and_then(|ps| ps.get(i));
        let state = if path.is_some() {
            FileState::Downloaded
        } else {
            FileState::Pending
        };
        db.execute(
            "INSERT OR IGNORE INTO attachments
                 (hash, idx, url, key, size, digest, content_type, file_name, state, path)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                hash,
                i64::try_from(i).unwrap_or(i64::MAX),
                p.url,
                p.key,
                i64::try_from(p.size).unwrap_or(i64::MAX),
                p.digest,
                p.content_type,
                p.file_name,
                state.as_str(),
                path
            ],
        )?;
    }
    Ok(())
}

/// Remembers `peer`'s profile picture (a new URL or key makes it to fetch again).
pub(crate) fn learn_avatar(
    db: &Connection,
    peer: &str,
    url: &str,
    key: &[u8],
) -> rusqlite::Result<bool> {
    let changed = db.execute(
        "INSERT INTO avatars (peer, url, key) VALUES (?1, ?2, ?3)
         ON CONFLICT (peer) DO UPDATE SET url = excluded.url, key = excluded.key, path = NULL
         WHERE avatars.url != excluded.url OR avatars.key != excluded.key",
        params![peer, url, key],
    )?;
    Ok(changed > 0)
}

impl History {
    /// The attachments of message `hash`, in order.
    pub fn attachments_of(&self, hash: &str) -> Result<Vec<StoredAttachment>, HistoryError> {
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM attachments WHERE hash = ?1 ORDER BY idx"
        ))?;
        Ok(q.query_map([hash], row)?.collect::<rusqlite::Result<_>>()?)
    }

    /// Attachments not downloaded yet (neither fetched nor failed), oldest message first.
    pub fn pending_attachments(&self) -> Result<Vec<StoredAttachment>, HistoryError> {
        let mut q = self.db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM attachments WHERE state = 'pending' ORDER BY rowid"
        ))?;
        Ok(q.query_map([], row)?.collect::<rusqlite::Result<_>>()?)
    }

    /// Records the attachments of an outgoing message `hash`, sent from `paths`.
    pub fn record_sent_attachments(
        &self,
        hash: &str,
        pointers: &[Pointer],
        paths: &[String],
    ) -> Result<(), HistoryError> {
        self.db.execute(
            "INSERT OR IGNORE INTO sent_attachments (hash) VALUES (?1)",
            [hash],
        )?;
        Ok(insert_all(&self.db, hash, pointers, Some(paths))?)
    }

    /// Marks attachment `index` of `hash` downloaded to `path`.
    pub fn attachment_saved(
        &self,
        hash: &str,
        index: usize,
        path: &str,
    ) -> Result<(), HistoryError> {
        self.db.execute(
            "UPDATE attachments SET state = 'downloaded', path = ?3, error = NULL
             WHERE hash = ?1 AND idx = ?2",
            params![hash, i64::try_from(index).unwrap_or(i64::MAX), path],
        )?;
        Ok(())
    }

    /// Marks attachment `index` of `hash` failed, saying why.
    pub fn attachment_failed(
        &self,
        hash: &str,
        index: usize,
        why: &str,
    ) -> Result<(), HistoryError> {
        self.db.execute(
            "UPDATE attachments SET state = 'failed', error = ?3 WHERE hash = ?1 AND idx = ?2",
            params![hash, i64::try_from(index).unwrap_or(i64::MAX), why],
        )?;
        Ok(())
    }

    /// `peer`'s profile picture as known here.
    pub fn avatar(&self, peer: &str) -> Result<Option<Avatar>, HistoryError> {
        Ok(self
            .db
            .query_row(
                "SELECT peer, url, key, path FROM avatars WHERE peer = ?1",
                [peer],
                avatar_row,
            )
            .optional()?)
    }

    /// Profile pictures learned but not fetched yet.
    pub fn pending_avatars(&self) -> Result<Vec<Avatar>, HistoryError> {
        let mut q = self
            .db
            .prepare_cached("SELECT peer, url, key, path FROM avatars WHERE path IS NULL")?;
        Ok(q.query_map([], avatar_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Records that `peer`'s picture at `url` could not be fetched: not tried again until
    /// they send another.
    pub fn avatar_failed(&self, peer: &str, url: &str) -> Result<(), HistoryError> {
        self.avatar_saved(peer, url, "")
    }

    /// Records `peer`'s picture at `url` fetched to `path` (unless a newer one replaced it).
    pub fn avatar_saved(&self, peer: &str, url: &str, path: &str) -> Result<(), HistoryError> {
        self.db.execute(
            "UPDATE avatars SET path = ?3 WHERE peer = ?1 AND url = ?2",
            params![peer, url, path],
        )?;
        Ok(())
    }
}

fn avatar_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Avatar> {
    Ok(Avatar {
        peer: r.get(0)?,
        url: r.get(1)?,
        key: r.get(2)?,
        path: r.get::<_, Option<String>>(3)?.filter(|p| !p.is_empty()),
    })
}

/// Deletes the attachment rows of messages that are gone, and the files downloaded for the
/// incoming ones among them (a disappearing message takes its files with it); files we sent
/// from are the user's and stay.
pub(crate) fn drop_orphans(db: &Connection) -> rusqlite::Result<()> {
    let mut q = db.prepare(
        "SELECT path FROM attachments WHERE state = 'downloaded' AND path IS NOT NULL
             AND hash NOT IN (SELECT hash FROM messages)
             AND hash NOT IN (SELECT hash FROM sent_attachments)",
    )?;
    let paths: Vec<String> = q
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
    db.execute(
        "DELETE FROM sent_attachments WHERE hash NOT IN (SELECT hash FROM messages)",
        [],
    )?;
    db.execute(
        "DELETE FROM attachments WHERE hash NOT IN (SELECT hash FROM messages)",
        [],
    )?;
    Ok(())
}
