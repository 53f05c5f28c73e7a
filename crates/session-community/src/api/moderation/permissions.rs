//! Per-user permission overrides (`/room/TOKEN/permissions`) and scheduled changes
//! (`/room/TOKEN/futurePermissions`).

use super::drop_empty_override;
use crate::api::{ApiError, Cx, Req, Resp};
use crate::model::{Room, resolve_target};
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
