//! Blinded direct messages through the server's inbox: the server stores opaque bodies between
//! blinded IDs for 15 days (configurable) and never reads them.

use super::{ApiError, Cx, Req, Resp};
use crate::model::User;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;
use serde_json::{Value, json};

fn require_blind_user<'a>(cx: &'a Cx<'_>) -> Result<&'a User, ApiError> {
    let user = cx.require_user()?;
    if !user.is_blinded() {
        return Err(ApiError::text(
            401,
            "This endpoint requires blinded pubkeys be used",
        ));
    }
    Ok(user)
}

fn boxed(cx: &Cx<'_>, req: &Req, outbox: bool, since: Option<i64>) -> Result<Resp, ApiError> {
    let user = require_blind_user(cx)?;
    let limit = req.int_arg("limit", 100, 1, 256)?;
    let who = if outbox { "sender" } else { "recipient" };
    let mut st = cx.db.prepare_cached(&format!(
        "SELECT i.id, i.posted_at, i.expiry, s.session_id, r.session_id, i.body
         FROM inbox i JOIN users s ON s.id = i.sender JOIN users r ON r.id = i.recipient
         WHERE i.{who} = ?1 AND i.id > ?2 AND i.expiry > ?3 ORDER BY i.id LIMIT ?4"
    ))?;
    let msgs = st
        .query_map(params![user.id, since.unwrap_or(0), cx.now, limit], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "posted_at": r.get::<_, f64>(1)?,
                "expires_at": r.get::<_, f64>(2)?,
                "sender": r.get::<_, String>(3)?,
                "recipient": r.get::<_, String>(4)?,
                "message": STANDARD.encode(r.get::<_, Vec<u8>>(5)?),
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if msgs.is_empty() && since.is_some() {
        return Ok(Resp {
            code: 304,
            headers: Vec::new(),
            body: super::Body::Bytes(Vec::new()),
        });
    }
    Ok(Resp::json(Value::Array(msgs)))
}

/// `GET /inbox[/since/ID]`.
pub(crate) fn inbox(cx: &Cx<'_>, req: &Req, since: Option<i64>) -> Result<Resp, ApiError> {
    boxed(cx, req, false, since)
}

/// `GET /outbox[/since/ID]`.
pub(crate) fn outbox(cx: &Cx<'_>, req: &Req, since: Option<i64>) -> Result<Resp, ApiError> {
    boxed(cx, req, true, since)
}

/// `POST /inbox/SID` `{message: base64}` → 201 with the stored message's metadata.
pub(crate) fn send(cx: &Cx<'_>, req: &Req, sid: &str) -> Result<Resp, ApiError> {
    let sender = cx.require_user()?;
    let recipient = match User::find(cx.db, sid)? {
        Some(u) if !u.banned => u,
        _ => return Err(ApiError::not_found()),
    };
    let body = req.json_object()?;
    let message = match body.get("message") {
        None | Some(Value::Null) => return Err(ApiError::bad_request()),
        Some(Value::String(s)) => {
            session_sogs::decode_base64(s).ok_or_else(ApiError::bad_request)?
        }
        Some(_) => return Err(ApiError::bad_request()),
    };
    let expiry = cx.now + cx.srv.config.dm_expiry_secs;
    cx.db.execute(
        "INSERT INTO inbox (recipient, sender, body, posted_at, expiry) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![recipient.id, sender.id, message, cx.now, expiry],
    )?;
    let id = cx.db.last_insert_rowid();
    Ok(Resp::json_code(
        201,
        json!({
            "id": id,
            "posted_at": cx.now,
            "expires_at": expiry,
            "sender": sender.session_id,
            "recipient": recipient.session_id,
        }),
    ))
}

/// `DELETE /inbox`: every message to the caller → `{deleted: N}`.
pub(crate) fn delete_inbox(cx: &Cx<'_>) -> Result<Resp, ApiError> {
    let user = require_blind_user(cx)?;
    let n = cx
        .db
        .execute("DELETE FROM inbox WHERE recipient = ?1", [user.id])?;
    Ok(Resp::json(json!({ "deleted": n })))
}
