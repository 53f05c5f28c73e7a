//! Pinned messages (admin): pin, unpin, unpin all.

use super::is_regular;
use crate::api::{ApiError, Cx, Resp};
use crate::model::Room;
use rusqlite::params;
use serde_json::json;

fn require_admin(cx: &Cx<'_>, room: &Room) -> Result<(), ApiError> {
    if !cx.perms(room)?.admin() {
        return Err(ApiError::permission_denied());
    }
    Ok(())
}

fn info_updates(cx: &Cx<'_>, room: &Room) -> Result<i64, ApiError> {
    Ok(room.reload(cx.db)?.info_updates)
}

/// `POST /room/TOKEN/pin/ID` (admin): pins (or re-pins, moving it last).
pub(crate) fn pin(cx: &Cx<'_>, room: &Room, id: i64) -> Result<Resp, ApiError> {
    require_admin(cx, room)?;
    if !is_regular(cx, room, id)? {
        return Err(ApiError::text(404, format!("No such post: {id}")));
    }
    let admin = cx.require_user()?;
    cx.db.execute(
        "INSERT INTO pinned_messages (room, message, pinned_by, pinned_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (room, message) DO UPDATE SET pinned_by = excluded.pinned_by,
             pinned_at = excluded.pinned_at",
        params![room.id, id, admin.id, cx.now],
    )?;
    cx.db
        .execute("UPDATE files SET expiry = NULL WHERE message = ?1", [id])?;
    room.bump_info(cx.db)?;
    Ok(Resp::json(
        json!({ "info_updates": info_updates(cx, room)? }),
    ))
}

/// `POST /room/TOKEN/unpin/ID` (admin).
pub(crate) fn unpin(cx: &Cx<'_>, room: &Room, id: i64) -> Result<Resp, ApiError> {
    require_admin(cx, room)?;
    let n = cx.db.execute(
        "DELETE FROM pinned_messages WHERE room = ?1 AND message = ?2",
        params![room.id, id],
    )?;
    if n > 0 {
        crate::api::files::reset_expiry_of_message(cx, id)?;
        room.bump_info(cx.db)?;
    }
    Ok(Resp::json(
        json!({ "unpinned": n > 0, "info_updates": info_updates(cx, room)? }),
    ))
}

/// `POST /room/TOKEN/unpin/all` (admin).
pub(crate) fn unpin_all(cx: &Cx<'_>, room: &Room) -> Result<Resp, ApiError> {
    require_admin(cx, room)?;
    let ids: Vec<i64> = {
        let mut st = cx
            .db
            .prepare("SELECT message FROM pinned_messages WHERE room = ?1")?;
        st.query_map([room.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let n = cx
        .db
        .execute("DELETE FROM pinned_messages WHERE room = ?1", [room.id])?;
    for id in &ids {
        crate::api::files::reset_expiry_of_message(cx, *id)?;
    }
    if n > 0 {
        room.bump_info(cx.db)?;
    }
    Ok(Resp::json(
        json!({ "unpinned": n, "info_updates": info_updates(cx, room)? }),
    ))
}
