//! Moderation: per-user permission overrides and scheduled changes, moderators and admins
//! (per room or global), bans with optional timeout, deleting all of a user's posts.

use super::{ApiError, Cx, Req, Resp};
use crate::model::{Perms, Room, User, resolve_target, user_by_id};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

/// Override columns reported by the permission endpoints, in order.
const OVERRIDE_COLS: [&str; 8] = [
    "banned",
    "read",
    "accessible",
    "write",
    "upload",
    "moderator",
    "admin",
    "visible_mod",
];

fn override_row(db: &Connection, room: i64, user: i64) -> rusqlite::Result<Map<String, Value>> {
    let mut st = db.prepare_cached(
        "SELECT banned, read, accessible, write, upload, moderator, admin, visible_mod
         FROM user_permission_overrides WHERE room = ?1 AND user = ?2",
    )?;
    let mut rows = st.query(params![room, user])?;
    let mut out = Map::new();
    if let Some(r) = rows.next()? {
        for (i, col) in OVERRIDE_COLS.iter().enumerate() {
            if let Some(v) = r.get::<_, Option<bool>>(i)? {
                out.insert((*col).into(), json!(v));
            }
        }
    }
    Ok(out)
}

/// The reference's simplification for clients: one of `moderator`/`admin` (the higher) and
/// only when true, `hidden` instead of `visible_mod: false`, `banned` only when true.
fn simplify(mut p: Map<String, Value>) -> Map<String, Value> {
    let visible = p
        .remove("visible_mod")
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
    let is_mod = p.get("moderator").and_then(Value::as_bool).unwrap_or(false);
    let is_admin = p.get("admin").and_then(Value::as_bool).unwrap_or(false);
    if is_mod {
        if !visible {
            p.insert("hidden".into(), json!(true));
        }
        p.remove(if is_admin { "moderator" } else { "admin" });
    } else {
        p.remove("moderator");
        p.remove("admin");
    }
    if p.get("banned").and_then(Value::as_bool) != Some(true) {
        p.remove("banned");
    }
    p
}

/// `GET /room/TOKEN/permissions` (moderator): session ID → simplified overrides.
pub(crate) fn permissions(cx: &Cx<'_>, room: &Room) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    let users: Vec<(i64, String)> = {
        let mut st = cx.db.prepare(
            "SELECT o.user, u.session_id FROM user_permission_overrides o
             JOIN users u ON u.id = o.user WHERE o.room = ?1",
        )?;
        st.query_map([room.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut out = Map::new();
    for (uid, sid) in users {
        out.insert(
            sid,
            Value::Object(simplify(override_row(cx.db, room.id, uid)?)),
        );
    }
    Ok(Resp::json(Value::Object(out)))
}

/// `GET /room/TOKEN/permissions/SID` (moderator).
pub(crate) fn user_permissions(cx: &Cx<'_>, room: &Room, sid: &str) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    Ok(Resp::json(Value::Object(simplify(override_row(
        cx.db, room.id, target.id,
    )?))))
}

fn bool_like(v: &Value) -> Result<bool, ApiError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.as_i64() != Some(0)),
        _ => Err(ApiError::bad_request()),
    }
}

/// `POST /room/TOKEN/permissions/SID` (moderator): set (`true`/`false`) or reset
/// (`default_X: true`) access/read/write/upload; clears scheduled changes of the touched
/// permissions unless `unschedule: false`.
pub(crate) fn set_permissions(
    cx: &Cx<'_>,
    req: &Req,
    room: &Room,
    sid: &str,
) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    let body = req.json_object()?;
    let mut set: Vec<(&str, Option<bool>)> = Vec::new();
    for p in ["accessible", "read", "write", "upload"] {
        let v = body.get(p).filter(|v| !v.is_null());
        let default = body
            .get(&format!("default_{p}"))
            .is_some_and(|d| d.as_bool().unwrap_or(!d.is_null()));
        match (v, default) {
            (Some(_), true) => return Err(ApiError::bad_request()),
            (Some(v), false) => set.push((p, Some(bool_like(v)?))),
            (None, true) => set.push((p, None)),
            (None, false) => {}
        }
    }
    if set.is_empty() {
        return Err(ApiError::bad_request());
    }
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    if body.get("unschedule") != Some(&Value::Bool(false)) {
        let cols: Vec<&str> = set
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| *p != "accessible")
            .collect();
        if !cols.is_empty() {
            let sets: Vec<String> = cols.iter().map(|c| format!("{c} = NULL")).collect();
            cx.db.execute(
                &format!(
                    "UPDATE user_permission_futures SET {} WHERE room = ?1 AND user = ?2",
                    sets.join(", ")
                ),
                params![room.id, target.id],
            )?;
            cx.db.execute(
                "DELETE FROM user_permission_futures WHERE room = ?1 AND user = ?2
                 AND read IS NULL AND write IS NULL AND upload IS NULL",
                params![room.id, target.id],
            )?;
        }
    }
    cx.db.execute(
        "INSERT INTO user_permission_overrides (room, user) VALUES (?1, ?2)
         ON CONFLICT DO NOTHING",
        params![room.id, target.id],
    )?;
    for (col, v) in &set {
        cx.db.execute(
            &format!(
                "UPDATE user_permission_overrides SET {col} = ?3 WHERE room = ?1 AND user = ?2"
            ),
            params![room.id, target.id, v],
        )?;
    }
    drop_empty_override(cx.db, room.id, target.id)?;
    Ok(Resp::json(Value::Object(simplify(override_row(
        cx.db, room.id, target.id,
    )?))))
}

/// Removes an override row that no longer says anything.
fn drop_empty_override(db: &Connection, room: i64, user: i64) -> rusqlite::Result<()> {
    db.execute(
        "DELETE FROM user_permission_overrides WHERE room = ?1 AND user = ?2
         AND NOT banned AND NOT moderator AND NOT admin
         AND read IS NULL AND accessible IS NULL AND write IS NULL AND upload IS NULL",
        params![room, user],
    )?;
    Ok(())
}

fn futures(db: &Connection, room: i64, user: Option<i64>) -> rusqlite::Result<Vec<Value>> {
    let mut st = db.prepare_cached(
        "SELECT u.session_id, f.at, f.read, f.write, f.upload, f.banned FROM (
             SELECT user, at, read, write, upload, NULL AS banned
                 FROM user_permission_futures WHERE room = ?1 AND (?2 IS NULL OR user = ?2)
             UNION ALL
             SELECT user, at, NULL, NULL, NULL, banned
                 FROM user_ban_futures WHERE room = ?1 AND (?2 IS NULL OR user = ?2)
         ) f JOIN users u ON u.id = f.user ORDER BY f.at",
    )?;
    st.query_map(params![room, user], |r| {
        let mut m = Map::new();
        if user.is_none() {
            m.insert("session_id".into(), json!(r.get::<_, String>(0)?));
        }
        m.insert("at".into(), json!(r.get::<_, f64>(1)?));
        for (i, k) in [(2, "read"), (3, "write"), (4, "upload"), (5, "banned")] {
            if let Some(v) = r.get::<_, Option<bool>>(i)? {
                m.insert(k.into(), json!(v));
            }
        }
        Ok(Value::Object(m))
    })?
    .collect()
}

/// `GET /room/TOKEN/futurePermissions` (moderator).
pub(crate) fn future_permissions(cx: &Cx<'_>, room: &Room) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    Ok(Resp::json(Value::Array(futures(cx.db, room.id, None)?)))
}

/// `GET /room/TOKEN/futurePermissions/SID` (moderator).
pub(crate) fn user_future_permissions(
    cx: &Cx<'_>,
    room: &Room,
    sid: &str,
) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    Ok(Resp::json(Value::Array(futures(
        cx.db,
        room.id,
        Some(target.id),
    )?)))
}

/// `POST /room/TOKEN/futurePermissions/SID` (moderator): `{read|write|upload, in: seconds}`.
pub(crate) fn add_future_permission(
    cx: &Cx<'_>,
    req: &Req,
    room: &Room,
    sid: &str,
) -> Result<Resp, ApiError> {
    cx.require_mod(room, false)?;
    let body = req.json_object()?;
    let mut perms: [Option<bool>; 3] = [None; 3];
    for (i, p) in ["read", "write", "upload"].iter().enumerate() {
        if let Some(v) = body.get(*p).filter(|v| !v.is_null()) {
            perms[i] = Some(match v {
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                Value::Null => false,
            });
        }
    }
    if perms.iter().all(Option::is_none) {
        return Err(ApiError::bad_request());
    }
    let duration = body
        .get("in")
        .and_then(Value::as_f64)
        .filter(|d| *d > 0.0 && *d < 1e9)
        .ok_or_else(ApiError::bad_request)?;
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    cx.db.execute(
        "INSERT INTO user_permission_futures (room, user, at, read, write, upload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            room.id,
            target.id,
            cx.now + duration,
            perms[0],
            perms[1],
            perms[2]
        ],
    )?;
    Ok(Resp::json(Value::Array(futures(
        cx.db,
        room.id,
        Some(target.id),
    )?)))
}

/// `rooms` or `global` of a moderation request: the rooms (where the caller has the needed
/// power: admin for moderator changes, moderator for bans), or `None` for global.
fn rooms_or_global(
    cx: &Cx<'_>,
    body: &Map<String, Value>,
    admin: bool,
) -> Result<Option<Vec<Room>>, ApiError> {
    let user = cx.require_user()?;
    let tokens = match body.get("rooms") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.is_empty() => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|t| {
                    t.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ApiError::code(404))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(ApiError::bad_request()),
    };
    let global = body.get("global").is_some_and(|g| match g {
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        _ => true,
    });
    match (tokens, global) {
        (Some(_), true) | (None, false) => Err(ApiError::bad_request()),
        (Some(tokens), false) => {
            if tokens.len() > 1 && tokens.iter().any(|t| t == "*") {
                return Err(ApiError::bad_request());
            }
            let all = tokens == ["*"];
            let mut rooms = Vec::new();
            let candidates = if all {
                Room::all(cx.db)?
            } else {
                let mut v = Vec::new();
                for t in &tokens {
                    match Room::by_token(cx.db, t)? {
                        Some(r) => v.push(r),
                        None => return Err(ApiError::code(403)),
                    }
                }
                v
            };
            for r in candidates {
                let p = Perms::of(cx.db, &r, Some(user))?;
                if if admin { p.admin() } else { p.moderator() } {
                    rooms.push(r);
                } else if !all {
                    return Err(ApiError::code(403));
                }
            }
            if rooms.is_empty() {
                return Err(ApiError::code(403));
            }
            Ok(Some(rooms))
        }
        (None, true) => {
            if !user.global_moderator || (admin && !user.global_admin) {
                return Err(ApiError::code(403));
            }
            Ok(None)
        }
    }
}

fn opt_bool(body: &Map<String, Value>, key: &str) -> Option<bool> {
    match body.get(key)? {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => Some(!s.is_empty()),
        Value::Array(a) => Some(!a.is_empty()),
        Value::Object(o) => Some(!o.is_empty()),
    }
}

/// What a moderator request asks for, after the reference's reductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModChange {
    /// Make admin (implies moderator).
    AddAdmin,
    /// Make moderator (keeping admin if already one).
    AddMod,
    /// Remove moderator and admin.
    RemoveMod,
    /// Remove admin only.
    RemoveAdmin,
    /// Remove admin, keep (or make) moderator.
    DemoteToMod,
}

/// Room-level moderator change (no permission check: callers check).
pub(crate) fn apply_room_mod(
    db: &Connection,
    room: &Room,
    user: &User,
    change: ModChange,
    visible: bool,
) -> rusqlite::Result<()> {
    let before = override_flags(db, room.id, user.id)?;
    match change {
        ModChange::AddAdmin | ModChange::AddMod | ModChange::DemoteToMod => {
            let admin = match change {
                ModChange::AddAdmin => Some(true),
                ModChange::DemoteToMod => Some(false),
                _ => None,
            };
            db.execute(
                "INSERT INTO user_permission_overrides (room, user, moderator, admin, visible_mod)
                 VALUES (?1, ?2, 1, COALESCE(?3, 0), ?4)
                 ON CONFLICT (room, user) DO UPDATE SET moderator = 1, banned = 0,
                     admin = COALESCE(?3, admin), visible_mod = excluded.visible_mod",
                params![room.id, user.id, admin, visible],
            )?;
        }
        ModChange::RemoveMod => {
            db.execute(
                "UPDATE user_permission_overrides SET admin = 0, moderator = 0, visible_mod = 1
                 WHERE room = ?1 AND user = ?2",
                params![room.id, user.id],
            )?;
        }
        ModChange::RemoveAdmin => {
            db.execute(
                "UPDATE user_permission_overrides SET admin = 0 WHERE room = ?1 AND user = ?2",
                params![room.id, user.id],
            )?;
        }
    }
    drop_empty_override(db, room.id, user.id)?;
    if override_flags(db, room.id, user.id)? != before {
        room.bump_info(db)?;
    }
    Ok(())
}

fn override_flags(db: &Connection, room: i64, user: i64) -> rusqlite::Result<(bool, bool, bool)> {
    Ok(rusqlite::OptionalExtension::optional(db.query_row(
        "SELECT moderator, admin, visible_mod FROM user_permission_overrides WHERE room = ?1 AND user = ?2",
        params![room, user],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ))?
    .unwrap_or((false, false, true)))
}

/// Global moderator change (no permission check: callers check). A change of the global
/// moderator list bumps every room's `info_updates`.
pub(crate) fn apply_global_mod(
    db: &Connection,
    user: &User,
    change: ModChange,
    visible: bool,
) -> rusqlite::Result<()> {
    let n = match change {
        ModChange::AddAdmin => db.execute(
            "UPDATE users SET moderator = 1, admin = 1, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::AddMod => db.execute(
            "UPDATE users SET moderator = 1, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::DemoteToMod => db.execute(
            "UPDATE users SET moderator = 1, admin = 0, banned = 0, visible_mod = ?2 WHERE id = ?1",
            params![user.id, visible],
        )?,
        ModChange::RemoveMod => db.execute(
            "UPDATE users SET moderator = 0, admin = 0 WHERE id = ?1",
            params![user.id],
        )?,
        ModChange::RemoveAdmin => {
            db.execute("UPDATE users SET admin = 0 WHERE id = ?1", params![user.id])?
        }
    };
    let after = user_by_id(db, user.id)?;
    if n > 0
        && (
            after.global_moderator,
            after.global_admin,
            after.visible_mod,
        ) != (user.global_moderator, user.global_admin, user.visible_mod)
    {
        db.execute("UPDATE rooms SET info_updates = info_updates + 1", [])?;
    }
    Ok(())
}

/// `POST /user/SID/moderator`: `{rooms|global, moderator?, admin?, visible?}`.
pub(crate) fn set_moderator(cx: &Cx<'_>, req: &Req, sid: &str) -> Result<Resp, ApiError> {
    cx.require_user()?;
    let body = req.json_object()?;
    let rooms = rooms_or_global(cx, &body, true)?;
    let change = match (opt_bool(&body, "admin"), opt_bool(&body, "moderator")) {
        (None, None) | (Some(true), Some(false)) => return Err(ApiError::bad_request()),
        (Some(true), _) => ModChange::AddAdmin,
        (None, Some(true)) => ModChange::AddMod,
        (_, Some(false)) => ModChange::RemoveMod,
        (Some(false), None) => ModChange::RemoveAdmin,
        (Some(false), Some(true)) => ModChange::DemoteToMod,
    };
    let target = resolve_target(cx.db, cx.srv, sid, cx.now)?;
    let visible = opt_bool(&body, "visible");
    let mut info = Map::new();
    match rooms {
        Some(rooms) => {
            for room in rooms {
                apply_room_mod(cx.db, &room, &target, change, visible.unwrap_or(true))?;
                info.insert(room.token.clone(), json!(room.reload(cx.db)?.info_updates));
            }
        }
        None => {
            apply_global_mod(cx.db, &target, change, visible.unwrap_or(false))?;
            for room in Room::all(cx.db)? {
                info.insert(room.token.clone(), json!(room.info_updates));
            }
        }
    }
    Ok(Resp::json(json!({ "info_updates": info })))
}

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
    let n = super::messages::delete_ids(cx, room, &ids)?;
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
