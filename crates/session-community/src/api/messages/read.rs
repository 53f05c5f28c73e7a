//! Reading posts: `since` (the polling endpoint: new, edited and deleted messages, and with
//! `t=r` reaction-only updates), `before`, `recent` and single messages.

use crate::api::{ApiError, Cx, Req, Resp, reactions};
use crate::model::Room;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Row;
use serde_json::{Map, Value, json};

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
