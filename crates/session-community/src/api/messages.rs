//! Posts: polling (`since`, with edits, deletions and reaction-only updates), `recent`,
//! `before`, single messages, posting (the poster's signature checked), editing, deleting,
//! pins.

use super::{ApiError, Cx, Req, Resp, reactions};
use crate::model::{Room, User};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{Row, params};
use serde_json::{Map, Value, json};
use session_crypto::blinding::ServerPubkey;
use session_crypto::{Ed25519PublicKey, SessionId};

/// Which messages a listing returns.
enum Select {
    /// Changes after this seqno (new, edited, deleted, reactions with `t=r`).
    Since { seqno: i64, reactions: bool },
    /// Before this id, newest first.
    Before(i64),
    /// The newest.
    Recent,
    /// One message.
    Single(i64),
}

struct MsgRow {
    id: i64,
    session_id: String,
    posted: f64,
    edited: Option<f64>,
    seqno: i64,
    seqno_data: i64,
    seqno_reactions: i64,
    data: Option<Vec<u8>>,
    signature: Option<Vec<u8>>,
    whisper_to: Option<String>,
    whisper_mods: bool,
}

fn msg_row(r: &Row<'_>) -> rusqlite::Result<MsgRow> {
    Ok(MsgRow {
        id: r.get(0)?,
        session_id: r.get(1)?,
        posted: r.get(2)?,
        edited: r.get(3)?,
        seqno: r.get(4)?,
        seqno_data: r.get(5)?,
        seqno_reactions: r.get(6)?,
        data: r.get(7)?,
        signature: r.get(8)?,
        whisper_to: r.get(9)?,
        whisper_mods: r.get(10)?,
    })
}

/// Messages of `room` visible to the caller, as the API's objects.
fn list(
    cx: &Cx<'_>,
    room: &Room,
    sel: &Select,
    limit: i64,
    reactor_limit: i64,
) -> Result<Vec<Value>, ApiError> {
    let is_mod = cx.perms(room)?.moderator();
    let uid = cx.user.map(|u| u.id);
    let whisper = if is_mod {
        "AND (m.whisper_mods OR m.whisper = :user OR m.user = :user OR m.whisper IS NULL)"
    } else if uid.is_some() {
        "AND (m.whisper = :user OR (m.whisper IS NULL AND NOT m.whisper_mods))"
    } else {
        "AND m.whisper IS NULL AND NOT m.whisper_mods"
    };
    let (filter, order, arg) = match *sel {
        Select::Since { seqno, reactions } => (
            if reactions {
                "AND (m.data IS NOT NULL OR m.seqno_creation <= :arg) AND m.seqno > :arg"
            } else {
                "AND (m.data IS NOT NULL OR m.seqno_creation <= :arg) AND m.seqno > :arg \
                 AND m.seqno_data > :arg"
            },
            "ORDER BY m.seqno ASC LIMIT :limit",
            seqno,
        ),
        Select::Before(id) => (
            "AND m.data IS NOT NULL AND m.id < :arg",
            "ORDER BY m.id DESC LIMIT :limit",
            id,
        ),
        Select::Recent => (
            "AND m.data IS NOT NULL",
            "ORDER BY m.id DESC LIMIT :limit",
            0,
        ),
        Select::Single(id) => ("AND m.data IS NOT NULL AND m.id = :arg", "", id),
    };
    let sql = format!(
        "SELECT m.id, u.session_id, m.posted, m.edited, m.seqno, m.seqno_data, m.seqno_reactions,
                m.data, m.signature, w.session_id, m.whisper_mods
         FROM messages m JOIN users u ON u.id = m.user LEFT JOIN users w ON w.id = m.whisper
         WHERE m.room = :room {filter} {whisper} {order}"
    );
    let mut st = cx.db.prepare_cached(&sql)?;
    let all: [(&str, &dyn rusqlite::ToSql); 4] = [
        (":room", &room.id),
        (":arg", &arg),
        (":limit", &limit),
        (":user", &uid),
    ];
    let used: Vec<(&str, &dyn rusqlite::ToSql)> = all
        .into_iter()
        .filter(|(name, _)| sql.contains(name))
        .collect();
    let rows: Vec<MsgRow> = st
        .query_map(used.as_slice(), msg_row)?
        .collect::<rusqlite::Result<_>>()?;
    let since = match *sel {
        Select::Since { seqno, .. } => Some(seqno),
        _ => None,
    };
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.data.is_some())
        .map(|r| r.id)
        .collect();
    let mut reacts = reactions::for_messages(cx, &ids, reactor_limit)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let reaction_only =
            since.is_some_and(|s| s > 0 && r.seqno_reactions > s && s >= r.seqno_data);
        let mut m = Map::new();
        m.insert("id".into(), json!(r.id));
        if reaction_only {
            m.insert("seqno".into(), json!(r.seqno));
        } else {
            m.insert("session_id".into(), json!(r.session_id));
            m.insert("posted".into(), json!(r.posted));
            m.insert("seqno".into(), json!(r.seqno));
            match (&r.data, &r.signature) {
                (Some(d), sig) => {
                    m.insert("data".into(), json!(STANDARD.encode(d)));
                    if let Some(s) = sig {
                        m.insert("signature".into(), json!(STANDARD.encode(s)));
                    }
                }
                (None, _) => {
                    m.insert("data".into(), Value::Null);
                    m.insert("deleted".into(), json!(true));
                }
            }
            if let Some(e) = r.edited {
                m.insert("edited".into(), json!(e));
            }
            if r.whisper_to.is_some() || r.whisper_mods {
                m.insert("whisper".into(), json!(true));
                m.insert("whisper_mods".into(), json!(r.whisper_mods));
                if let Some(w) = &r.whisper_to {
                    m.insert("whisper_to".into(), json!(w));
                }
            }
        }
        if r.data.is_some() {
            let rx = reacts.remove(&r.id).unwrap_or_default();
            m.insert("reactions".into(), Value::Object(rx));
        }
        out.push(Value::Object(m));
    }
    Ok(out)
}

fn reactors_arg(req: &Req) -> Result<i64, ApiError> {
    req.int_arg("reactors", 4, 0, 20)
}

/// `GET /room/TOKEN/messages/since/N[?limit=&t=r&reactors=]`.
pub(crate) fn since(cx: &Cx<'_>, req: &Req, room: &Room, seqno: i64) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    cx.touch_room(room)?;
    let limit = req.int_arg("limit", 100, 1, 256)?;
    let reactions = req.arg("t").is_some_and(|t| t.contains('r'));
    let r = reactors_arg(req)?;
    Ok(Resp::json(Value::Array(list(
        cx,
        room,
        &Select::Since { seqno, reactions },
        limit,
        r,
    )?)))
}

/// `GET /room/TOKEN/messages/before/ID`.
pub(crate) fn before(cx: &Cx<'_>, req: &Req, room: &Room, id: i64) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    cx.touch_room(room)?;
    let limit = req.int_arg("limit", 100, 1, 256)?;
    let r = reactors_arg(req)?;
    Ok(Resp::json(Value::Array(list(
        cx,
        room,
        &Select::Before(id),
        limit,
        r,
    )?)))
}

/// `GET /room/TOKEN/messages/recent`.
pub(crate) fn recent(cx: &Cx<'_>, req: &Req, room: &Room) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    cx.touch_room(room)?;
    let limit = req.int_arg("limit", 100, 1, 256)?;
    let r = reactors_arg(req)?;
    Ok(Resp::json(Value::Array(list(
        cx,
        room,
        &Select::Recent,
        limit,
        r,
    )?)))
}

/// `GET /room/TOKEN/message/ID`.
pub(crate) fn single(cx: &Cx<'_>, req: &Req, room: &Room, id: i64) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    cx.touch_room(room)?;
    let r = reactors_arg(req)?;
    let mut msgs = list(cx, room, &Select::Single(id), 1, r)?;
    match msgs.pop() {
        Some(m) => Ok(Resp::json(m)),
        None => Err(ApiError::not_found()),
    }
}

/// Decodes a required base64 field (400 when absent or invalid).
fn b64_field(body: &Map<String, Value>, key: &str) -> Result<Vec<u8>, ApiError> {
    body.get(key)
        .and_then(Value::as_str)
        .and_then(session_sogs::decode_base64)
        .ok_or_else(|| ApiError::text(400, ""))
}

/// Checks a post's signature against its poster's ID: a blinded ID is the verifying key; an
/// unblinded Session ID verifies with its XEd25519 key of either sign.
fn check_post_signature(user: &User, data: &[u8], sig: &[u8; 64], _server: &ServerPubkey) -> bool {
    let Some(key_hex) = user.session_id.get(2..) else {
        return false;
    };
    let Ok(key) = hex::decode(key_hex) else {
        return false;
    };
    let Ok(key) = <[u8; 32]>::try_from(key) else {
        return false;
    };
    if user.is_blinded() {
        return Ed25519PublicKey::from_bytes(key)
            .verify(data, sig, "post")
            .is_ok();
    }
    let Ok(sid) = user.session_id.parse::<SessionId>() else {
        return false;
    };
    let Ok(pos) = sid.to_ed25519_positive() else {
        return false;
    };
    let mut neg = *pos.as_bytes();
    neg[31] ^= 0x80;
    pos.verify(data, sig, "post").is_ok()
        || Ed25519PublicKey::from_bytes(neg)
            .verify(data, sig, "post")
            .is_ok()
}

/// The data and signature of a post or edit: present, valid base64, a 64-byte signature that
/// verifies against the poster.
fn signed_data(
    cx: &Cx<'_>,
    user: &User,
    body: &Map<String, Value>,
) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
    let data = b64_field(body, "data")?;
    let sig = b64_field(body, "signature")?;
    let sig64: [u8; 64] = sig
        .as_slice()
        .try_into()
        .map_err(|_| ApiError::text(400, ""))?;
    if !check_post_signature(user, &data, &sig64, cx.srv.pubkey.as_bytes()) {
        return Err(ApiError::text(400, "Invalid signature"));
    }
    Ok((data, sig))
}

fn file_ids(body: &Map<String, Value>) -> Result<Vec<i64>, ApiError> {
    match body.get("files") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_i64().ok_or_else(ApiError::bad_request))
            .collect(),
        Some(_) => Err(ApiError::bad_request()),
    }
}

/// `POST /room/TOKEN/message`.
pub(crate) fn post(cx: &Cx<'_>, req: &Req, room: &Room) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    let body = req.json_object()?;
    let p = cx.perms(room)?;
    if !p.write() {
        return Err(ApiError::permission_denied());
    }
    let (data, sig) = signed_data(cx, user, &body)?;
    let whisper_mods = match body.get("whisper_mods") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad_request()),
    };
    let whisper_to = match body.get("whisper_to") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if crate::model::is_session_id(s, &["05", "15"]) => {
            Some(s.to_ascii_lowercase())
        }
        Some(_) => return Err(ApiError::bad_request()),
    };
    if (whisper_to.is_some() || whisper_mods) && !p.moderator() {
        return Err(ApiError::permission_denied());
    }
    let files = file_ids(&body)?;
    if let Some((max, window)) = cx.srv.config.rate_limit
        && !p.admin()
    {
        let recent: i64 = cx.db.query_row(
            "SELECT COUNT(*) FROM messages WHERE room = ?1 AND user = ?2 AND posted >= ?3",
            params![room.id, user.id, cx.now - window],
            |r| r.get(0),
        )?;
        if recent >= i64::from(max) {
            return Err(ApiError::text(429, "Rate limited"));
        }
    }
    let whisper = match &whisper_to {
        Some(sid) => Some(User::get_or_create(cx.db, cx.srv, sid, cx.now)?),
        None => None,
    };
    let seqno = room.next_seqno(cx.db)?;
    cx.db.execute(
        "INSERT INTO messages (room, user, posted, seqno, seqno_data, seqno_creation, data,
                               signature, whisper, whisper_mods)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8)",
        params![
            room.id,
            user.id,
            cx.now,
            seqno,
            data,
            sig,
            whisper.as_ref().map(|w| w.id),
            whisper_mods
        ],
    )?;
    let id = cx.db.last_insert_rowid();
    super::files::attach(cx, room, user, id, &files)?;
    let mut m = json!({
        "id": id,
        "session_id": user.session_id,
        "posted": cx.now,
        "seqno": seqno,
        "data": STANDARD.encode(&data),
        "signature": STANDARD.encode(&sig),
        "reactions": {},
    });
    if whisper.is_some() || whisper_mods {
        m["whisper"] = json!(true);
        m["whisper_mods"] = json!(whisper_mods);
        if let Some(w) = &whisper {
            m["whisper_to"] = json!(w.session_id);
        }
    }
    Ok(Resp::json_code(201, m))
}

/// `PUT /room/TOKEN/message/ID`: the author replaces data and signature.
pub(crate) fn edit(cx: &Cx<'_>, req: &Req, room: &Room, id: i64) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    let body = req.json_object()?;
    if !cx.perms(room)?.write() {
        return Err(ApiError::permission_denied());
    }
    let (data, sig) = signed_data(cx, user, &body)?;
    let files = file_ids(&body)?;
    let author: Option<i64> = rusqlite::OptionalExtension::optional(cx.db.query_row(
        "SELECT user FROM messages WHERE id = ?1 AND room = ?2 AND data IS NOT NULL",
        params![id, room.id],
        |r| r.get(0),
    ))?;
    let Some(author) = author else {
        return Err(ApiError::text(404, format!("No such post: {id}")));
    };
    if author != user.id {
        return Err(ApiError::permission_denied());
    }
    replace_data(cx, room, id, Some((&data, &sig)))?;
    super::files::attach(cx, room, user, id, &files)?;
    Ok(Resp::json(json!({})))
}

/// Replaces (edit) or clears (delete) a message's data: the old version goes to the history,
/// the room's sequence moves and the message takes the new seqno.
fn replace_data(
    cx: &Cx<'_>,
    room: &Room,
    id: i64,
    new: Option<(&[u8], &[u8])>,
) -> Result<(), ApiError> {
    cx.db.execute(
        "INSERT INTO message_history (message, replaced, data, signature)
         SELECT id, ?2, data, signature FROM messages WHERE id = ?1 AND data IS NOT NULL",
        params![id, cx.now],
    )?;
    let seqno = room.next_seqno(cx.db)?;
    match new {
        Some((data, sig)) => {
            cx.db.execute(
                "UPDATE messages SET data = ?2, signature = ?3, seqno_data = ?4, seqno = ?4,
                     edited = ?5 WHERE id = ?1",
                params![id, data, sig, seqno, cx.now],
            )?;
        }
        None => {
            cx.db.execute(
                "UPDATE messages SET data = NULL, signature = NULL, seqno_data = ?2, seqno = ?2,
                     edited = ?3 WHERE id = ?1",
                params![id, seqno, cx.now],
            )?;
            cx.db
                .execute("DELETE FROM reactions WHERE message = ?1", [id])?;
            cx.db
                .execute("DELETE FROM pinned_messages WHERE message = ?1", [id])?;
            cx.db
                .execute("UPDATE files SET expiry = 0 WHERE message = ?1", [id])?;
        }
    }
    Ok(())
}

/// Deletes messages `ids` of `room` (already checked); returns how many were live.
pub(crate) fn delete_ids(cx: &Cx<'_>, room: &Room, ids: &[i64]) -> Result<usize, ApiError> {
    let mut n = 0;
    for &id in ids {
        replace_data(cx, room, id, None)?;
        n += 1;
    }
    Ok(n)
}

/// `DELETE /room/TOKEN/message/ID`: the author (with write permission) or a moderator.
pub(crate) fn delete(cx: &Cx<'_>, room: &Room, id: i64) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    let p = cx.perms(room)?;
    if !p.write() {
        return Err(ApiError::code(403));
    }
    let author: Option<i64> = rusqlite::OptionalExtension::optional(cx.db.query_row(
        "SELECT user FROM messages WHERE id = ?1 AND room = ?2 AND data IS NOT NULL",
        params![id, room.id],
        |r| r.get(0),
    ))?;
    let Some(author) = author else {
        return Err(ApiError::not_found());
    };
    if author != user.id && !p.moderator() {
        return Err(ApiError::permission_denied());
    }
    delete_ids(cx, room, &[id])?;
    Ok(Resp::json(json!({})))
}

/// True when `id` is a live, non-whisper message of `room`.
pub(crate) fn is_regular(cx: &Cx<'_>, room: &Room, id: i64) -> Result<bool, ApiError> {
    Ok(cx.db.query_row(
        "SELECT EXISTS(SELECT 1 FROM messages WHERE room = ?1 AND id = ?2 AND data IS NOT NULL
             AND whisper IS NULL AND NOT whisper_mods)",
        params![room.id, id],
        |r| r.get(0),
    )?)
}

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
        super::files::reset_expiry_of_message(cx, id)?;
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
        super::files::reset_expiry_of_message(cx, *id)?;
    }
    if n > 0 {
        room.bump_info(cx.db)?;
    }
    Ok(Resp::json(
        json!({ "unpinned": n, "info_updates": info_updates(cx, room)? }),
    ))
}
