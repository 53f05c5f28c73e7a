//! Reactions: add/remove one's own, moderators clearing them, reactor lists, and the
//! `reactions` object of listed messages. Every change moves the room's sequence and the
//! message's `seqno_reactions`, so pollers with `t=r` see a reaction-only update.

use super::messages::is_regular;
use super::{ApiError, Cx, Req, Resp};
use crate::model::Room;
use rusqlite::params;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The `reactions` objects of `ids`: emoji → `{index, count, reactors?, you?}` (in first-use
/// order; `reactors`, the first `reactor_limit` users by time, only when the limit is > 0).
pub(crate) fn for_messages(
    cx: &Cx<'_>,
    ids: &[i64],
    reactor_limit: i64,
) -> Result<HashMap<i64, Map<String, Value>>, ApiError> {
    let mut out: HashMap<i64, Map<String, Value>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let uid = cx.user.map(|u| u.id);
    let mut st = cx.db.prepare_cached(
        "SELECT r.id, r.reaction,
                (SELECT COUNT(*) FROM user_reactions WHERE reaction = r.id),
                EXISTS(SELECT 1 FROM user_reactions WHERE reaction = r.id AND user = ?2)
         FROM reactions r WHERE r.message = ?1 ORDER BY r.id",
    )?;
    let mut rst = cx.db.prepare_cached(
        "SELECT u.session_id FROM user_reactions ur JOIN users u ON u.id = ur.user
         WHERE ur.reaction = ?1 ORDER BY ur.at, ur.rowid LIMIT ?2",
    )?;
    for &id in ids {
        let rows = st
            .query_map(params![id, uid], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut m = Map::new();
        for (index, (rid, emoji, count, you)) in rows.into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            let mut v = Map::new();
            v.insert("index".into(), json!(index));
            v.insert("count".into(), json!(count));
            if you {
                v.insert("you".into(), json!(true));
            }
            if reactor_limit > 0 {
                let who = rst
                    .query_map(params![rid, reactor_limit], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                v.insert("reactors".into(), json!(who));
            }
            m.insert(emoji, Value::Object(v));
        }
        out.insert(id, m);
    }
    Ok(out)
}

/// A reaction is 1 to 12 Unicode code points (400 with an empty body otherwise, as the
/// reference's `InvalidData`).
fn check_emoji(emoji: &str) -> Result<(), ApiError> {
    let n = emoji.chars().count();
    if (1..=12).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::text(400, ""))
    }
}

fn no_such_post(id: i64) -> ApiError {
    ApiError::text(404, format!("No such post: {id}"))
}

fn message_seqno(cx: &Cx<'_>, id: i64) -> Result<i64, ApiError> {
    Ok(cx
        .db
        .query_row("SELECT seqno FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })?)
}

/// Moves the room's sequence for a reaction change on message `id`.
fn bump(cx: &Cx<'_>, room: &Room, id: i64) -> Result<(), ApiError> {
    let s = room.next_seqno(cx.db)?;
    cx.db.execute(
        "UPDATE messages SET seqno_reactions = ?2, seqno = ?2 WHERE id = ?1",
        params![id, s],
    )?;
    Ok(())
}

/// `PUT /room/TOKEN/reaction/ID/EMOJI`.
pub(crate) fn add(cx: &Cx<'_>, room: &Room, id: i64, emoji: &str) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    cx.require_read(room)?;
    check_emoji(emoji)?;
    if !is_regular(cx, room, id)? {
        return Err(no_such_post(id));
    }
    cx.db.execute(
        "INSERT INTO reactions (message, reaction) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![id, emoji],
    )?;
    let added = cx.db.execute(
        "INSERT INTO user_reactions (reaction, user, at)
         SELECT id, ?3, ?4 FROM reactions WHERE message = ?1 AND reaction = ?2
         ON CONFLICT DO NOTHING",
        params![id, emoji, user.id, cx.now],
    )? > 0;
    if added {
        bump(cx, room, id)?;
    }
    Ok(Resp::json(
        json!({ "added": added, "seqno": message_seqno(cx, id)? }),
    ))
}

/// Drops reaction rows nobody uses any more.
fn drop_empty(cx: &Cx<'_>, id: i64) -> Result<(), ApiError> {
    cx.db.execute(
        "DELETE FROM reactions WHERE message = ?1
         AND NOT EXISTS (SELECT 1 FROM user_reactions WHERE reaction = reactions.id)",
        [id],
    )?;
    Ok(())
}

/// `DELETE /room/TOKEN/reaction/ID/EMOJI`: one's own reaction.
pub(crate) fn remove(cx: &Cx<'_>, room: &Room, id: i64, emoji: &str) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    cx.require_read(room)?;
    check_emoji(emoji)?;
    if !is_regular(cx, room, id)? {
        return Err(no_such_post(id));
    }
    let removed = cx.db.execute(
        "DELETE FROM user_reactions WHERE user = ?3 AND reaction =
             (SELECT id FROM reactions WHERE message = ?1 AND reaction = ?2)",
        params![id, emoji, user.id],
    )? > 0;
    if removed {
        bump(cx, room, id)?;
        drop_empty(cx, id)?;
    }
    Ok(Resp::json(
        json!({ "removed": removed, "seqno": message_seqno(cx, id)? }),
    ))
}

/// `DELETE /room/TOKEN/reactions/ID[/EMOJI]` (moderator): everyone's reactions (of one emoji).
pub(crate) fn remove_all(
    cx: &Cx<'_>,
    room: &Room,
    id: i64,
    emoji: Option<&str>,
) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    if let Some(e) = emoji {
        check_emoji(e)?;
    }
    if !is_regular(cx, room, id)? {
        return Err(no_such_post(id));
    }
    let removed = cx.db.execute(
        "DELETE FROM user_reactions WHERE reaction IN
             (SELECT id FROM reactions WHERE message = ?1 AND (?2 IS NULL OR reaction = ?2))",
        params![id, emoji],
    )?;
    if removed > 0 {
        bump(cx, room, id)?;
        drop_empty(cx, id)?;
    }
    Ok(Resp::json(
        json!({ "removed": removed, "seqno": message_seqno(cx, id)? }),
    ))
}

/// `GET /room/TOKEN/reactors/ID/EMOJI[?limit=N]`: `[[session_id, at], …]` oldest first.
pub(crate) fn reactors(
    cx: &Cx<'_>,
    req: &Req,
    room: &Room,
    id: i64,
    emoji: &str,
) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    check_emoji(emoji)?;
    if !is_regular(cx, room, id)? {
        return Err(no_such_post(id));
    }
    let limit = req.int_arg("limit", 0, i64::MIN, i64::MAX)?;
    let limit = if limit <= 0 { -1 } else { limit };
    let mut st = cx.db.prepare_cached(
        "SELECT u.session_id, ur.at FROM user_reactions ur
         JOIN reactions r ON r.id = ur.reaction JOIN users u ON u.id = ur.user
         WHERE r.message = ?1 AND r.reaction = ?2 ORDER BY ur.at, ur.rowid LIMIT ?3",
    )?;
    let rows = st
        .query_map(params![id, emoji, limit], |r| {
            Ok(json!([r.get::<_, String>(0)?, r.get::<_, f64>(1)?]))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Resp::json(Value::Array(rows)))
}
