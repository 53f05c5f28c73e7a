//! Writing posts: posting (the poster's signature checked, whispers, attached files, the rate
//! limit), editing and deleting (the old version kept in the history).

use crate::api::{ApiError, Cx, Req, Resp};
use crate::model::{Room, User};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;
use serde_json::{Map, Value, json};
use session_crypto::blinding::ServerPubkey;
use session_crypto::{Ed25519PublicKey, SessionId};

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
    crate::api::files::attach(cx, room, user, id, &files)?;
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
    crate::api::files::attach(cx, room, user, id, &files)?;
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
