//! Bans per room or global, with an optional timeout (`POST /user/SID/ban`, `/unban`).

use super::{drop_empty_override, override_flags, rooms_or_global};
use crate::api::{ApiError, Cx, Req, Resp};
use crate::model::{Perms, Room, User, resolve_target};
use rusqlite::params;
use serde_json::{Map, Value, json};

/// Bans `target` from `room` (with an unban scheduled after `timeout` seconds, if any).
pub(crate) fn ban_in_room(
    cx: &Cx<'_>,
    room: &Room,
    target: &User,
    timeout: Option<f64>,
) -> Result<(), ApiError> {
    let user = cx.require_user()?;
    let mine = Perms::of(cx.db, room, Some(user))?;
    let theirs = Perms::of(cx.db, room, Some(target))?;
    if !mine.moderator()
        || target.id == user.id
        || target.global_moderator
        || (theirs.moderator() && !mine.admin())
    {
        return Err(ApiError::permission_denied());
    }
    let was_mod = override_flags(cx.db, room.id, target.id)?;
    cx.db.execute(
        "INSERT INTO user_permission_overrides (room, user, banned, moderator, admin)
         VALUES (?1, ?2, 1, 0, 0)
         ON CONFLICT (room, user) DO UPDATE SET banned = 1, moderator = 0, admin = 0",
        params![room.id, target.id],
    )?;
    if was_mod.0 || was_mod.1 {
        room.bump_info(cx.db)?;
    }
    cx.db.execute(
        "DELETE FROM room_users WHERE room = ?1 AND user = ?2",
        params![room.id, target.id],
    )?;
    cx.db.execute(
        "DELETE FROM user_ban_futures WHERE room = ?1 AND user = ?2",
        params![room.id, target.id],
    )?;
    if let Some(t) = timeout.filter(|t| *t != 0.0) {
        cx.db.execute(
            "INSERT INTO user_ban_futures (room, user, at, banned) VALUES (?1, ?2, ?3, 0)",
            params![room.id, target.id, cx.now + t],
        )?;
    }
    Ok(())
}

fn timeout(body: &Map<String, Value>) -> Result<Option<f64>, ApiError> {
    match body.get("timeout") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(ApiError::bad_request()),
    }
}

/// `POST /user/SID/ban`: `{rooms|global, timeout?}`.
pub(crate) fn ban(cx: &Cx<'_>, req: &Req, sid: &str) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    let body = req.json_object()?;
    let rooms = rooms_or_global(cx, &body, false)?;
    let timeout = timeout(&body)?;
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    match rooms {
        Some(rooms) => {
            for room in rooms {
                ban_in_room(cx, &room, &target, timeout)?;
            }
        }
        None => {
            if !user.global_moderator || target.global_moderator {
                return Err(ApiError::permission_denied());
            }
            cx.db
                .execute("UPDATE users SET banned = 1 WHERE id = ?1", [target.id])?;
            cx.db.execute(
                "DELETE FROM user_ban_futures WHERE room IS NULL AND user = ?1",
                [target.id],
            )?;
            if let Some(t) = timeout.filter(|t| *t != 0.0) {
                cx.db.execute(
                    "INSERT INTO user_ban_futures (room, user, at, banned) VALUES (NULL, ?1, ?2, 0)",
                    params![target.id, cx.now + t],
                )?;
            }
        }
    }
    Ok(Resp::json(json!({})))
}

/// `POST /user/SID/unban`: `{rooms|global}`.
pub(crate) fn unban(cx: &Cx<'_>, req: &Req, sid: &str) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    let body = req.json_object()?;
    let rooms = rooms_or_global(cx, &body, false)?;
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    match rooms {
        Some(rooms) => {
            for room in rooms {
                if !Perms::of(cx.db, &room, Some(user))?.moderator() {
                    return Err(ApiError::permission_denied());
                }
                cx.db.execute(
                    "UPDATE user_permission_overrides SET banned = 0
                     WHERE room = ?1 AND user = ?2 AND banned",
                    params![room.id, target.id],
                )?;
                cx.db.execute(
                    "DELETE FROM user_ban_futures WHERE room = ?1 AND user = ?2",
                    params![room.id, target.id],
                )?;
                drop_empty_override(cx.db, room.id, target.id)?;
            }
        }
        None => {
            if !user.global_moderator {
                return Err(ApiError::permission_denied());
            }
            cx.db
                .execute("UPDATE users SET banned = 0 WHERE id = ?1", [target.id])?;
            cx.db.execute(
                "DELETE FROM user_ban_futures WHERE room IS NULL AND user = ?1",
                [target.id],
            )?;
        }
    }
    Ok(Resp::json(json!({})))
}
