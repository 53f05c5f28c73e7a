//! The HTTP endpoints, with the reference server's codes and bodies:
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /file` (raw body, optional `X-FS-TTL`) | `{"id", "expires"}`; 413 `{"status_code": 413}` empty or over the limit |
//! | `GET /file/ID` | the bytes (`application/octet-stream`, `Expires`); 404 `{"status_code": 404}` |
//! | `GET /file/ID/info` | `{"size", "uploaded", "expires"}`; 404 |
//! | `POST /file/ID/extend` (optional `X-FS-TTL`) | `{"size", "uploaded", "expires"}`; 404 |
//! | `POST /files` `{"file": base64}` (legacy) | `{"result": id, "status_code": 200}`; 400, 413 |
//! | `GET /files/ID` (legacy) | `{"status_code": 200, "result": base64}`; 404 |
//! | `GET /session_version?platform=P` (optional `X-FS-*` auth) | the release; 404 unknown platform, 502 no release data, auth refusals 400/401/425 in text |

use crate::pyjson::Json;
use crate::request::{self, RawFsAuth, Refusal, RefusalBody, SignedRequest};
use crate::server::FileServer;
use crate::store;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use std::sync::Arc;

/// Reading goes on (discarding) this far past the limit so that the client gets its 413 rather
/// than a reset connection; past it the connection is dropped.
const DRAIN_SLACK: u64 = 16 * 1024 * 1024;

type Srv = State<Arc<FileServer>>;

fn json(code: u16, v: &Json) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        v.dump(),
    )
        .into_response()
}

fn refusal(r: &Refusal) -> Response {
    match r.body {
        RefusalBody::Status => json(r.code, &Json::status(r.code)),
        RefusalBody::Text(t) => (
            StatusCode::from_u16(r.code).unwrap_or(StatusCode::BAD_REQUEST),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            t,
        )
            .into_response(),
    }
}

fn status(code: u16) -> Response {
    json(code, &Json::status(code))
}

fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    status(500)
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn ttl_of(srv: &FileServer, h: &HeaderMap) -> Result<u64, Refusal> {
    request::ttl(
        header_str(h, "x-fs-ttl"),
        srv.config.default_ttl_secs,
        crate::config::MIN_TTL_SECS,
        srv.config.ttl_ceiling(),
    )
}

fn row_json(row: &crate::db::FileRow) -> Json {
    Json::Obj(vec![
        (
            "size",
            Json::Int(i64::try_from(row.size).unwrap_or(i64::MAX)),
        ),
        ("uploaded", Json::Float(row.uploaded)),
        ("expires", Json::Float(row.expiry)),
    ])
}

/// `POST /file`.
pub async fn post_file(State(srv): Srv, headers: HeaderMap, body: Body) -> Response {
    let ttl = match ttl_of(&srv, &headers) {
        Ok(t) => t,
        Err(r) => return refusal(&r),
    };
    match receive(&srv, body).await {
        Ok(Ok(received)) => match srv.commit(received, ttl).await {
            Ok(row) => {
                let (id, row) = row;
                json(
                    200,
                    &Json::Obj(vec![
                        ("id", Json::Str(id)),
                        ("expires", Json::Float(row.expiry)),
                    ]),
                )
            }
            Err(e) => internal(&e),
        },
        Ok(Err(r)) => refusal(&r),
        Err(e) => internal(&e),
    }
}

/// Streams a body into a temporary file, hashing it: the upload, or 413 (empty, too large) /
/// 400 (the body broke off).
async fn receive(
    srv: &FileServer,
    mut body: Body,
) -> Result<Result<store::Received, Refusal>, crate::Error> {
    let max = srv.config.max_file_size;
    let mut upload = srv.store.begin().await?;
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Ok(Err(Refusal::status(400)));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(u64::try_from(data.len()).unwrap_or(u64::MAX));
        if seen > max {
            if seen > max.saturating_add(DRAIN_SLACK) {
                break;
            }
            continue;
        }
        upload.write(&data).await?;
    }
    if seen == 0 || seen > max {
        tracing::debug!(size = seen, max, "rejecting an upload");
        return Ok(Err(Refusal::status(413)));
    }
    Ok(Ok(upload.finish().await?))
}

/// `POST /files` (legacy): `{"file": base64}` → `{"result": id, "status_code": 200}`.
pub async fn post_files(State(srv): Srv, headers: HeaderMap, body: Body) -> Response {
    let ttl = match ttl_of(&srv, &headers) {
        Ok(t) => t,
        Err(r) => return refusal(&r),
    };
    let max_b64 = srv.config.max_file_size_b64();
    let limit = usize::try_from(max_b64.saturating_add(64 * 1024)).unwrap_or(usize::MAX);
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return status(413);
    };
    let file = match request::legacy_upload(&bytes, max_b64) {
        Ok(f) => f,
        Err(r) => return refusal(&r),
    };
    if file.is_empty() || u64::try_from(file.len()).unwrap_or(u64::MAX) > srv.config.max_file_size {
        return status(413);
    }
    let stored = async {
        let mut up = srv.store.begin().await?;
        up.write(&file).await?;
        srv.commit(up.finish().await?, ttl).await
    }
    .await;
    match stored {
        Ok((id, _)) => json(
            200,
            &Json::Obj(vec![
                ("result", Json::Str(id)),
                ("status_code", Json::Int(200)),
            ]),
        ),
        Err(e) => internal(&e),
    }
}

/// `GET /file/ID`: the bytes, streamed from disk.
pub async fn get_file(State(srv): Srv, Path(id): Path<String>) -> Response {
    let row = match srv.live(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => return status(404),
        Err(e) => return internal(&e),
    };
    let Ok(file) = tokio::fs::File::open(srv.store.path(&id)).await else {
        return status(404);
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size));
    if let Some(v) = http_date(row.expiry) {
        h.insert(header::EXPIRES, v);
    }
    resp
}

fn http_date(t: f64) -> Option<HeaderValue> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = t.max(0.0) as u64;
    let when = std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs))?;
    HeaderValue::from_str(&httpdate::fmt_http_date(when)).ok()
}

/// `GET /files/ID` (legacy): `{"status_code": 200, "result": base64}`.
pub async fn get_files(State(srv): Srv, Path(id): Path<String>) -> Response {
    use base64::Engine as _;
    match srv.live(&id).await {
        Ok(Some(_)) => {}
        Ok(None) => return status(404),
        Err(e) => return internal(&e),
    }
    let Ok(bytes) = tokio::fs::read(srv.store.path(&id)).await else {
        return status(404);
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    json(
        200,
        &Json::Obj(vec![
            ("status_code", Json::Int(200)),
            ("result", Json::Str(b64)),
        ]),
    )
}

/// `GET /file/ID/info`.
pub async fn info(State(srv): Srv, Path(id): Path<String>) -> Response {
    match srv.live(&id).await {
        Ok(Some(row)) => json(200, &row_json(&row)),
        Ok(None) => status(404),
        Err(e) => internal(&e),
    }
}

/// `POST /file/ID/extend`: expiry reset to now + `X-FS-TTL` (or the default lifetime).
pub async fn extend(State(srv): Srv, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let ttl = match ttl_of(&srv, &headers) {
        Ok(t) => t,
        Err(r) => return refusal(&r),
    };
    match srv.extend(&id, ttl).await {
        Ok(Some(row)) => json(200, &row_json(&row)),
        Ok(None) => status(404),
        Err(e) => internal(&e),
    }
}

/// `GET /session_version?platform=desktop|android|ios`, with optional `X-FS-*` auth.
pub async fn session_version(
    State(srv): Srv,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let platform = uri.query().and_then(|q| query_value(q, "platform"));
    let Some(platform) = platform.filter(|p| crate::config::PLATFORMS.contains(&p.as_str())) else {
        return status(404);
    };
    let raw = RawFsAuth {
        pubkey: header_str(&headers, "x-fs-pubkey"),
        timestamp: header_str(&headers, "x-fs-timestamp"),
        signature: header_str(&headers, "x-fs-signature"),
    };
    let path = session_sogs::decode_path(uri.path());
    let signed = SignedRequest {
        method: method.as_str(),
        path: &path,
        query: uri.query(),
        body: &body,
    };
    let who = match request::verify_fs_auth(&raw, &signed, srv.now(), false) {
        Ok(w) => w,
        Err(r) => return refusal(&r),
    };
    if let Some(id) = who
        && let Err(e) = srv.record_version_check(id, platform.clone()).await
    {
        return internal(&e);
    }
    let Some(release) = srv.releases.get(&platform) else {
        tracing::warn!(platform, "no release data");
        return status(502);
    };
    let updated = release.updated.unwrap_or(srv.started);
    let mut fields = vec![
        ("status_code", Json::Int(200)),
        ("updated", Json::Float(updated)),
        ("result", Json::Str(release.version.clone())),
    ];
    describe(&mut fields, release);
    if let Some(pre) = &release.prerelease {
        let mut p = vec![
            ("result", Json::Str(pre.version.clone())),
            ("updated", Json::Float(updated)),
        ];
        describe(&mut p, pre);
        fields.push(("prerelease", Json::Obj(p)));
    }
    json(200, &Json::Obj(fields))
}

fn describe(fields: &mut Vec<(&'static str, Json)>, r: &crate::config::Release) {
    if let Some(n) = r.name.as_ref().filter(|s| !s.is_empty()) {
        fields.push(("name", Json::Str(n.clone())));
    }
    if let Some(n) = r.notes.as_ref().filter(|s| !s.is_empty()) {
        fields.push(("notes", Json::Str(n.clone())));
    }
    if !r.assets.is_empty() {
        let list = r
            .assets
            .iter()
            .map(|a| {
                Json::Obj(vec![
                    ("name", Json::Str(a.name.clone())),
                    ("url", Json::Str(a.url.clone())),
                ])
            })
            .collect();
        fields.push(("assets", Json::List(list)));
    }
}

/// The first value of `key` in a query string (`+` and `%XX` decoded).
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |s: &str| session_sogs::decode_path(&s.replace('+', " "));
        (dec(k) == key).then(|| dec(v))
    })
}

/// Anything else: 404.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not Found",
    )
        .into_response()
}
