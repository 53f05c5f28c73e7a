//! Room endpoints: `GET /rooms`, `GET|PUT /room/TOKEN`, `GET /room/TOKEN/pollInfo/N`.

use super::{ApiError, Cx, Req, Resp};
use crate::model::{Perms, Room};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

/// Moderator lists of a room: visible mods, visible admins, hidden mods, hidden admins.
#[derive(Debug, Default)]
pub(crate) struct Mods {
    pub mods: Vec<String>,
    pub admins: Vec<String>,
    pub hidden_mods: Vec<String>,
    pub hidden_admins: Vec<String>,
}

/// The room's moderators (room and global), each once: a room entry's visibility wins over the
/// global one; admin if admin either way. Hidden ones only when `include_hidden`.
pub(crate) fn mods(db: &Connection, room: &Room, include_hidden: bool) -> rusqlite::Result<Mods> {
    let mut st = db.prepare_cached(
        "SELECT u.session_id, MAX(m.vis) & 1, MAX(m.admin) FROM (
             SELECT user, CASE WHEN visible_mod THEN 3 ELSE 2 END AS vis, admin
                 FROM user_permission_overrides WHERE room = ?1 AND moderator
             UNION ALL
             SELECT id, CASE WHEN visible_mod THEN 1 ELSE 0 END, admin
                 FROM users WHERE moderator
         ) m JOIN users u ON u.id = m.user
         GROUP BY m.user ORDER BY u.session_id",
    )?;
    let mut out = Mods::default();
    let rows = st.query_map([room.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    for row in rows {
        let (sid, visible, admin) = row?;
        match (visible, admin) {
            (true, false) => out.mods.push(sid),
            (true, true) => out.admins.push(sid),
            (false, false) if include_hidden => out.hidden_mods.push(sid),
            (false, true) if include_hidden => out.hidden_admins.push(sid),
            _ => {}
        }
    }
    Ok(out)
}

fn pinned(db: &Connection, room: &Room) -> rusqlite::Result<Vec<Value>> {
    let mut st = db.prepare_cached(
        "SELECT p.message, p.pinned_at, u.session_id FROM pinned_messages p
         JOIN users u ON u.id = p.pinned_by WHERE p.room = ?1 ORDER BY p.pinned_at",
    )?;
    st.query_map([room.id], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?,
            "pinned_at": r.get::<_, f64>(1)?,
            "pinned_by": r.get::<_, String>(2)?,
        }))
    })?
    .collect()
}

/// The caller-dependent flags shared by room details and pollInfo.
fn caller_flags(cx: &Cx<'_>, room: &Room, p: &Perms, out: &mut Map<String, Value>) {
    if p.moderator() {
        out.insert("moderator".into(), json!(true));
        out.insert("default_read".into(), json!(room.default_read));
        out.insert("default_accessible".into(), json!(room.default_accessible));
        out.insert("default_write".into(), json!(room.default_write));
        out.insert("default_upload".into(), json!(room.default_upload));
    }
    if p.admin() {
        out.insert("admin".into(), json!(true));
    }
    if let Some(u) = cx.user {
        if u.global_moderator {
            out.insert("global_moderator".into(), json!(true));
        }
        if u.global_admin {
            out.insert("global_admin".into(), json!(true));
        }
    }
}

/// The room details object (`GET /room/TOKEN`).
pub(crate) fn info(cx: &Cx<'_>, room: &Room, p: &Perms) -> Result<Value, ApiError> {
    let m = mods(cx.db, room, p.moderator())?;
    let cutoff = cx.srv.config.active_threshold_secs;
    let mut out = Map::new();
    out.insert("token".into(), json!(room.token));
    out.insert("name".into(), json!(room.name));
    out.insert("info_updates".into(), json!(room.info_updates));
    out.insert("message_sequence".into(), json!(room.message_sequence));
    out.insert("created".into(), json!(room.created));
    out.insert(
        "active_users".into(),
        json!(room.active_users(cx.db, cx.now - cutoff)?),
    );
    out.insert("active_users_cutoff".into(), json!(cutoff as i64));
    out.insert("moderators".into(), json!(m.mods));
    out.insert("admins".into(), json!(m.admins));
    out.insert("read".into(), json!(p.read()));
    out.insert("write".into(), json!(p.write()));
    out.insert("upload".into(), json!(p.upload()));
    if let Some(d) = &room.description {
        out.insert("description".into(), json!(d));
    }
    if let Some(i) = room.image {
        out.insert("image_id".into(), json!(i));
    }
    let pins = pinned(cx.db, room)?;
    if !pins.is_empty() {
        out.insert("pinned_messages".into(), Value::Array(pins));
    }
    if !m.hidden_mods.is_empty() {
        out.insert("hidden_moderators".into(), json!(m.hidden_mods));
    }
    if !m.hidden_admins.is_empty() {
        out.insert("hidden_admins".into(), json!(m.hidden_admins));
    }
    caller_flags(cx, room, p, &mut out);
    Ok(Value::Object(out))
}

/// `GET /rooms`: every room the caller may see, by token.
pub(crate) fn list(cx: &Cx<'_>) -> Result<Resp, ApiError> {
    let mut out = Vec::new();
    for room in Room::all(cx.db)? {
        let p = cx.perms(&room)?;
        let visible = match cx.user {
            None => room.default_read || room.default_accessible,
            Some(_) => p.accessible() && (p.moderator() || !p.banned),
        };
        if visible {
            out.push(info(cx, &room, &p)?);
        }
    }
    Ok(Resp::json(Value::Array(out)))
}

/// `GET /room/TOKEN`.
pub(crate) fn get(cx: &Cx<'_>, room: &Room) -> Result<Resp, ApiError> {
    let p = cx.require_accessible(room)?;
    Ok(Resp::json(info(cx, room, &p)?))
}

/// `GET /room/TOKEN/pollInfo/N`: ephemeral state, plus `details` when `info_updates` != N.
pub(crate) fn poll_info(cx: &Cx<'_>, room: &Room, info_updated: i64) -> Result<Resp, ApiError> {
    let p = cx.require_read(room)?;
    cx.touch_room(room)?;
    let cutoff = cx.srv.config.active_threshold_secs;
    let mut out = Map::new();
    out.insert("token".into(), json!(room.token));
    out.insert(
        "active_users".into(),
        json!(room.active_users(cx.db, cx.now - cutoff)?),
    );
    out.insert("read".into(), json!(p.read()));
    out.insert("write".into(), json!(p.write()));
    out.insert("upload".into(), json!(p.upload()));
    if room.info_updates != info_updated {
        out.insert("details".into(), info(cx, room, &p)?);
    }
    caller_flags(cx, room, &p, &mut out);
    Ok(Resp::json(Value::Object(out)))
}

fn strip_controls(s: &str, keep_newlines: bool) -> String {
    s.chars()
        .filter(|&c| u32::from(c) >= 32 || (keep_newlines && (c == '\t' || c == '\n')))
        .collect()
}

/// `PUT /room/TOKEN` (admin): name, description, image, default permissions.
pub(crate) fn update(cx: &Cx<'_>, req: &Req, room: &Room) -> Result<Resp, ApiError> {
    cx.require_mod(room, true)?;
    let body = req.json_object()?;
    let mut did = false;
    if let Some(n) = body.get("name") {
        let n = n.as_str().ok_or_else(ApiError::bad_request)?;
        set_if_changed(
            cx.db,
            room,
            "name",
            Some(strip_controls(n, false)),
            Some(&room.name),
        )?;
        did = true;
    }
    if let Some(d) = body.get("description") {
        let d = match d {
            Value::Null => None,
            Value::String(s) => Some(strip_controls(s, true)).filter(|s| !s.is_empty()),
            _ => return Err(ApiError::bad_request()),
        };
        set_if_changed(cx.db, room, "description", d, room.description.as_ref())?;
        did = true;
    }
    if let Some(img) = body.get("image") {
        let img = img.as_i64().ok_or_else(ApiError::bad_request)?;
        super::files::set_room_image(cx, room, img)?;
        did = true;
    }
    let mut defaults = Vec::new();
    for (key, col) in [
        ("default_read", "read"),
        ("default_accessible", "accessible"),
        ("default_write", "write"),
        ("default_upload", "upload"),
    ] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => defaults.push((col, *b)),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                defaults.push((col, n.as_i64() != Some(0)));
            }
            Some(_) => return Err(ApiError::bad_request()),
        }
    }
    for (col, v) in defaults {
        cx.db.execute(
            &format!("UPDATE rooms SET {col} = ?2 WHERE id = ?1"),
            params![room.id, v],
        )?;
        did = true;
    }
    if !did {
        return Err(ApiError::bad_request());
    }
    let room = room.reload(cx.db)?;
    Ok(Resp::json(json!({ "info_updates": room.info_updates })))
}

/// Updates a metadata column, bumping `info_updates` when the value changes.
fn set_if_changed(
    db: &Connection,
    room: &Room,
    col: &str,
    new: Option<String>,
    old: Option<&String>,
) -> Result<(), ApiError> {
    if new.as_ref() != old {
        db.execute(
            &format!("UPDATE rooms SET {col} = ?2 WHERE id = ?1"),
            params![room.id, new],
        )?;
        room.bump_info(db)?;
    }
    Ok(())
}
