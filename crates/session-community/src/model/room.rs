//! Rooms.

use rusqlite::{Connection, OptionalExtension as _, Row};

/// A room row.
#[derive(Clone, Debug, PartialEq)]
pub struct Room {
    /// Row id.
    pub id: i64,
    /// URL token (letters, digits, `_`, `-`; 1–64; case-insensitive).
    pub token: String,
    /// Display name.
    pub name: String,
    /// Description, if any.
    pub description: Option<String>,
    /// File id of the room image.
    pub image: Option<i64>,
    /// Creation time (unix seconds).
    pub created: f64,
    /// Bumped by every post, edit, deletion and reaction change.
    pub message_sequence: i64,
    /// Bumped by every metadata change (name, description, image, pins, moderators).
    pub info_updates: i64,
    /// Default read permission.
    pub default_read: bool,
    /// Default accessible permission.
    pub default_accessible: bool,
    /// Default write permission.
    pub default_write: bool,
    /// Default upload permission.
    pub default_upload: bool,
}

const COLUMNS: &str = "id, token, name, description, image, created, message_sequence, \
                       info_updates, read, accessible, write, upload";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Room> {
    Ok(Room {
        id: r.get(0)?,
        token: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        image: r.get(4)?,
        created: r.get(5)?,
        message_sequence: r.get(6)?,
        info_updates: r.get(7)?,
        default_read: r.get(8)?,
        default_accessible: r.get(9)?,
        default_write: r.get(10)?,
        default_upload: r.get(11)?,
    })
}

/// A valid room token: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn is_valid_token(token: &str) -> bool {
    (1..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Room {
    /// The room with `token` (case-insensitive), if any.
    pub fn by_token(db: &Connection, token: &str) -> rusqlite::Result<Option<Room>> {
        if !is_valid_token(token) {
            return Ok(None);
        }
        db.query_row(
            &format!("SELECT {COLUMNS} FROM rooms WHERE token = ?1"),
            [token],
            from_row,
        )
        .optional()
    }

    /// The room with row id `id`.
    pub fn by_id(db: &Connection, id: i64) -> rusqlite::Result<Room> {
        db.query_row(
            &format!("SELECT {COLUMNS} FROM rooms WHERE id = ?1"),
            [id],
            from_row,
        )
    }

    /// Every room, by token.
    pub fn all(db: &Connection) -> rusqlite::Result<Vec<Room>> {
        let mut st = db.prepare(&format!("SELECT {COLUMNS} FROM rooms ORDER BY token"))?;
        st.query_map([], from_row)?.collect()
    }

    /// Re-reads the row (after a change in this transaction).
    pub fn reload(&self, db: &Connection) -> rusqlite::Result<Room> {
        Self::by_id(db, self.id)
    }

    /// Bumps `info_updates`.
    pub fn bump_info(&self, db: &Connection) -> rusqlite::Result<()> {
        db.execute(
            "UPDATE rooms SET info_updates = info_updates + 1 WHERE id = ?1",
            [self.id],
        )?;
        Ok(())
    }

    /// Bumps `message_sequence` and returns the new value (the seqno of the change).
    pub fn next_seqno(&self, db: &Connection) -> rusqlite::Result<i64> {
        db.query_row(
            "UPDATE rooms SET message_sequence = message_sequence + 1 WHERE id = ?1
             RETURNING message_sequence",
            [self.id],
            |r| r.get(0),
        )
    }

    /// Users active in the room since `since` (unix seconds).
    pub fn active_users(&self, db: &Connection, since: f64) -> rusqlite::Result<i64> {
        db.query_row(
            "SELECT COUNT(*) FROM room_users WHERE room = ?1 AND last_active >= ?2",
            rusqlite::params![self.id, since],
            |r| r.get(0),
        )
    }
}
