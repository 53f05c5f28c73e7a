//! Room files: uploads (raw body, file name from `Content-Disposition`), downloads, the room
//! image, and expiry: an upload lives 1 h until a post (or edit) attaches it, then 15 days;
//! pinned posts' files and the room image do not expire; a deleted post's files expire at once.
//! Files are written under `uploads/TOKEN/ID_NAME` in the data directory (a sanitised name);
//! the database row is the truth, the periodic cleanup removes expired rows and their files.

use super::{ApiError, Body, Cx, Req, Resp};
use crate::model::{Room, User};
use rusqlite::{OptionalExtension as _, params};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

/// How long an upload waits for a post to attach it.
const UNATTACHED_SECS: f64 = 3600.0;

/// The file name a client suggests in `Content-Disposition` (`filename*=UTF-8''…` wins over
/// `filename=`), with NUL and `/` replaced by U+FFFD.
pub(crate) fn content_disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in header.split(';').skip(1) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "filename*" {
            let mut it = v.splitn(3, '\'');
            let (charset, _lang, enc) = (it.next()?, it.next(), it.next());
            let enc = enc.unwrap_or(charset);
            extended = Some(session_sogs::decode_path(enc));
        } else if k == "filename" {
            let v = v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(|s| s.replace("\\\"", "\"").replace("\\\\", "\\"))
                .unwrap_or_else(|| v.to_owned());
            plain = Some(v);
        }
    }
    extended
        .or(plain)
        .map(|f| f.replace(['\0', '/'], "\u{fffd}"))
}

/// The on-disk name: runs of characters other than word characters and `+-.'()@[]` become
/// `_`; long names keep their first 40 and last 17 characters.
fn disk_name(filename: Option<&str>) -> String {
    let Some(f) = filename else {
        return "(unnamed)".to_owned();
    };
    let mut out = String::new();
    let mut in_bad = false;
    for c in f.chars() {
        let ok = c.is_alphanumeric() || "_+-.'()@[]".contains(c);
        if ok {
            out.push(c);
            in_bad = false;
        } else if !in_bad {
            out.push('_');
            in_bad = true;
        }
    }
    let chars: Vec<char> = out.chars().collect();
    if chars.len() > 60 {
        let head: String = chars[..40].iter().collect();
        let tail: String = chars[chars.len() - 17..].iter().collect();
        out = format!("{head}...{tail}");
    }
    out
}

/// `POST /room/TOKEN/file`: 201 `{id}`; 413 over the size limit.
pub(crate) fn upload(cx: &Cx<'_>, req: &Req, room: &Room) -> Result<Resp, ApiError> {
    let user = cx.require_user()?;
    if !cx.perms(room)?.upload() {
        return Err(ApiError::code(403));
    }
    if req.body.len() > cx.srv.config.upload_max {
        return Err(ApiError::code(413));
    }
    let filename = req
        .header("content-disposition")
        .and_then(content_disposition_filename);
    cx.db.execute(
        "INSERT INTO files (room, uploader, size, uploaded, expiry, filename, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'tmp')",
        params![
            room.id,
            user.id,
            i64::try_from(req.body.len()).unwrap_or(i64::MAX),
            cx.now,
            cx.now + UNATTACHED_SECS,
            filename
        ],
    )?;
    let id = cx.db.last_insert_rowid();
    let rel = PathBuf::from("uploads")
        .join(&room.token)
        .join(format!("{id}_{}", disk_name(filename.as_deref())));
    let full = cx.srv.config.data_dir.join(&rel);
    let written = full
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| write_synced(&full, &req.body));
    if let Err(e) = written {
        tracing::error!(error = %e, "writing an upload failed");
        let _ = std::fs::remove_file(&full);
        return Err(ApiError::code(500));
    }
    cx.db.execute(
        "UPDATE files SET path = ?2 WHERE id = ?1",
        params![id, rel.to_string_lossy()],
    )?;
    Ok(Resp::json_code(201, json!({ "id": id })))
}

fn write_synced(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn http_date(t: f64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs_f64(t.max(0.0)))
}

/// RFC 5987 value: UTF-8 bytes, all but `A-Za-z0-9_.-~` percent-encoded.
fn rfc5987(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /room/TOKEN/file/ID[/NAME]`: the bytes, with `Content-Disposition`, `Date` (upload
/// time) and `Expires`.
pub(crate) fn serve(cx: &Cx<'_>, room: &Room, id: i64) -> Result<Resp, ApiError> {
    cx.require_read(room)?;
    let row: Option<(f64, Option<f64>, Option<String>, String)> = cx
        .db
        .query_row(
            "SELECT uploaded, expiry, filename, path FROM files WHERE id = ?1 AND room = ?2",
            params![id, room.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((uploaded, expiry, filename, path)) = row else {
        return Err(ApiError::not_found());
    };
    if expiry.is_some_and(|e| e <= cx.now) {
        return Err(ApiError::not_found());
    }
    let bytes = std::fs::read(cx.srv.config.data_dir.join(&path)).map_err(|e| {
        tracing::error!(error = %e, file = id, "reading an upload failed");
        ApiError::not_found()
    })?;
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "application/octet-stream".to_owned(),
        ),
        ("date".to_owned(), http_date(uploaded)),
        (
            "content-disposition".to_owned(),
            match &filename {
                Some(f) => format!("attachment; filename*=UTF-8''{}", rfc5987(f)),
                None => "attachment".to_owned(),
            },
        ),
    ];
    if let Some(e) = expiry {
        headers.push(("expires".to_owned(), http_date(e)));
    }
    Ok(Resp {
        code: 200,
        headers,
        body: Body::Bytes(bytes),
    })
}

/// Attaches the caller's recent, unattached uploads `ids` (in `room`) to message `msg`: they
/// now live for the attached-file lifetime.
pub(crate) fn attach(
    cx: &Cx<'_>,
    room: &Room,
    user: &User,
    msg: i64,
    ids: &[i64],
) -> Result<(), ApiError> {
    for &id in ids {
        cx.db.execute(
            "UPDATE files SET message = ?2, expiry = ?3
             WHERE id = ?1 AND room = ?4 AND uploader = ?5 AND message IS NULL
                 AND uploaded >= ?6 AND expiry IS NOT NULL",
            params![
                id,
                msg,
                cx.now + cx.srv.config.upload_expiry_secs,
                room.id,
                user.id,
                cx.now - UNATTACHED_SECS
            ],
        )?;
    }
    Ok(())
}

/// Files of an unpinned message get the attached-file lifetime again (from their upload).
pub(crate) fn reset_expiry_of_message(cx: &Cx<'_>, msg: i64) -> Result<(), ApiError> {
    cx.db.execute(
        "UPDATE files SET expiry = uploaded + ?2 WHERE message = ?1",
        params![msg, cx.srv.config.upload_expiry_secs],
    )?;
    Ok(())
}

/// Makes upload `id` (of this room) the room image: it stops expiring; the old image expires
/// like an attachment. 406 when the file is not one of this room's.
pub(crate) fn set_room_image(cx: &Cx<'_>, room: &Room, id: i64) -> Result<(), ApiError> {
    let in_room: bool = cx.db.query_row(
        "SELECT EXISTS(SELECT 1 FROM files WHERE id = ?1 AND room = ?2
             AND (expiry IS NULL OR expiry > ?3))",
        params![id, room.id, cx.now],
        |r| r.get(0),
    )?;
    if !in_room {
        return Err(ApiError::code(406));
    }
    cx.db
        .execute("UPDATE files SET expiry = NULL WHERE id = ?1", [id])?;
    if let Some(old) = room.image.filter(|old| *old != id) {
        cx.db.execute(
            "UPDATE files SET expiry = ?2 WHERE id = ?1",
            params![old, cx.now + cx.srv.config.upload_expiry_secs],
        )?;
    }
    if room.image != Some(id) {
        cx.db.execute(
            "UPDATE rooms SET image = ?2 WHERE id = ?1",
            params![room.id, id],
        )?;
        room.bump_info(cx.db)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let f = |h: &str| content_disposition_filename(h);
        assert_eq!(
            f("attachment; filename=\"a b.txt\"").as_deref(),
            Some("a b.txt")
        );
        assert_eq!(f("attachment; filename=x.txt").as_deref(), Some("x.txt"));
        assert_eq!(
            f("attachment; filename*=UTF-8''my%20%f0%9f%8e%82.txt").as_deref(),
            Some("my 🎂.txt")
        );
        assert_eq!(
            f("attachment; filename*=UTF-8''..%2F..%2Fx").as_deref(),
            Some("..\u{fffd}..\u{fffd}x")
        );
        assert_eq!(f("attachment"), None);
        assert_eq!(disk_name(Some("a b/../c")), "a_b_.._c");
        assert_eq!(disk_name(None), "(unnamed)");
        assert_eq!(disk_name(Some(&"x".repeat(70))).chars().count(), 60);
        assert_eq!(rfc5987("my 🎂.txt"), "my%20%F0%9F%8E%82.txt");
    }
}
