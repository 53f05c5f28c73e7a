//! Deleting all of a user's posts (`DELETE /room/TOKEN/all/SID`, `DELETE /rooms/all/SID`).

use crate::api::{ApiError, Cx, Resp, messages};
use crate::model::{Perms, Room, User};
use rusqlite::params;
use serde_json::{Map, json};

/// Deletes all of `poster`'s posts in `room` for `deleter` (themselves, a moderator, or — for
/// an admin's posts — an admin); returns the number deleted.
fn delete_all_by(cx: &Cx<'_>, room: &Room, poster: &User) -> Result<usize, ApiError> {
    let deleter = cx.require_user()?;
    let mine = Perms::of(cx.db, room, Some(deleter))?;
    let theirs = Perms::of(cx.db, room, Some(poster))?;
    if (poster.id != deleter.id && !mine.moderator()) || (theirs.admin() && !mine.admin()) {
        return Err(ApiError::permission_denied());
    }
    let ids: Vec<i64> = {
        let mut st = cx.db.prepare(
            "SELECT id FROM messages WHERE room = ?1 AND user = ?2 AND data IS NOT NULL ORDER BY id",
        )?;
        st.query_map(params![room.id, poster.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let n = messages::delete_ids(cx, room, &ids)?;
    cx.db.execute(
        "UPDATE files SET expiry = 0 WHERE room = ?1 AND uploader = ?2 AND id IS NOT ?3",
        params![room.id, poster.id, room.image],
    )?;
    Ok(n)
}

/// `DELETE /room/TOKEN/all/SID`: 404 when the user is unknown or had no posts there.
pub(crate) fn delete_all_in_room(cx: &Cx<'_>, room: &Room, sid: &str) -> Result<Resp, ApiError> {
    cx.require_user()?;
    let poster = User::find(cx.db, sid)?
        .ok_or_else(|| ApiError::text(404, format!("No such user: {sid}")))?;
    if delete_all_by(cx, room, &poster)? == 0 {
        return Err(ApiError::not_found());
    }
    Ok(Resp::json(json!({})))
}

/// `DELETE /rooms/all/SID`: in every room where the caller may.
pub(crate) fn delete_everywhere(cx: &Cx<'_>, sid: &str) -> Result<Resp, ApiError> {
    cx.require_user()?;
    let poster = User::find(cx.db, sid)?
        .ok_or_else(|| ApiError::text(404, format!("No such user: {sid}")))?;
    let mut total = 0;
    let mut per_room = Map::new();
    for room in Room::all(cx.db)? {
        if !cx.perms(&room)?.accessible() {
            continue;
        }
        match delete_all_by(cx, &room, &poster) {
            Ok(n) => {
                total += n;
                per_room.insert(room.token.clone(), json!(n));
            }
            Err(e) if e.code == 403 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Resp::json(json!({ "total": total, "rooms": per_room })))
}
