//! Posts: reading ([`read`]: polling with `since` — edits, deletions and reaction-only updates
//! —, `recent`, `before`, single messages), writing ([`write`]: posting with the poster's
//! signature checked, editing, deleting) and pins ([`pins`]).

mod pins;
mod read;
mod write;

pub(crate) use pins::{pin, unpin, unpin_all};
pub(crate) use read::{before, recent, since, single};
pub(crate) use write::{delete, delete_ids, edit, post};

use super::{ApiError, Cx};
use crate::model::Room;
use rusqlite::params;

/// True when `id` is a live, non-whisper message of `room`.
pub(crate) fn is_regular(cx: &Cx<'_>, room: &Room, id: i64) -> Result<bool, ApiError> {
    Ok(cx.db.query_row(
        "SELECT EXISTS(SELECT 1 FROM messages WHERE room = ?1 AND id = ?2 AND data IS NOT NULL
             AND whisper IS NULL AND NOT whisper_mods)",
        params![room.id, id],
        |r| r.get(0),
    )?)
}
