//! The SOGS HTTP API without the HTTP server: a request ([`Req`]) in, a response ([`Resp`])
//! out, so that direct requests, `/batch` and `/sequence` subrequests and (through the HTTP
//! router) onion requests all run the same code.
//!
//! [`Server::handle`] authenticates (the X-SOGS-* headers, [`auth`]), then runs the endpoint in
//! one SQLite transaction: committed when it answers with success, rolled back on a refusal, so a
//! refused request changes nothing (the nonce and the user's activity, recorded by the auth
//! step in its own transaction, stay — as in the reference server).

pub(crate) mod auth;
mod batch;
mod dm;
mod files;
mod messages;
pub(crate) mod moderation;
mod reactions;
mod rooms;
mod routes;

use crate::Server;
use crate::model::{Perms, Room, User};
use rusqlite::Connection;
use serde_json::Value;

/// A request as the API sees it.
#[derive(Clone, Debug, Default)]
pub struct Req {
    /// `GET`, `POST`, `PUT`, `DELETE` …
    pub method: String,
    /// The URL-decoded path (what is routed and signed).
    pub path: String,
    /// The query string as sent, without `?` (`None` when there is none).
    pub query: Option<String>,
    /// Headers (names compared case-insensitively).
    pub headers: Vec<(String, String)>,
    /// The body (empty when none).
    pub body: Vec<u8>,
}

impl Req {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter, decoded (`+` is a space), first occurrence.
    pub fn arg(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        q.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query(k) == name).then(|| decode_query(v))
        })
    }

    /// An integer query parameter as the reference server reads it: absent → `default`; not an
    /// integer → 400; outside `[min, max]` → clamped.
    pub(crate) fn int_arg(
        &self,
        name: &str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, ApiError> {
        match self.arg(name) {
            None => Ok(default),
            Some(v) => {
                let n: i64 = v.trim().parse().map_err(|_| ApiError::bad_request())?;
                Ok(n.clamp(min, max))
            }
        }
    }

    /// The body as a JSON object (400 when it is not JSON, or not an object).
    pub(crate) fn json_object(&self) -> Result<serde_json::Map<String, Value>, ApiError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::text(
                400,
                "Invalid request: expected a JSON object body",
            )),
            Err(_) => Err(ApiError::text(400, "Failed to decode JSON object")),
        }
    }
}

fn decode_query(s: &str) -> String {
    session_sogs::decode_path(&s.replace('+', " "))
}

/// A response body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `application/json`.
    Json(Value),
    /// `text/plain; charset=utf-8`.
    Text(String),
    /// Raw bytes with the content type in the headers (files), or empty.
    Bytes(Vec<u8>),
}

/// A response.
#[derive(Clone, Debug, PartialEq)]
pub struct Resp {
    /// HTTP status.
    pub code: u16,
    /// Extra headers (the content type is implied by the body, except for bytes).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Resp {
    /// 200 with a JSON body.
    pub fn json(v: Value) -> Self {
        Self::json_code(200, v)
    }

    /// A JSON body with another status.
    pub fn json_code(code: u16, v: Value) -> Self {
        Self {
            code,
            headers: Vec::new(),
            body: Body::Json(v),
        }
    }

    /// A plain-text body.
    pub fn text(code: u16, t: impl Into<String>) -> Self {
        Self {
            code,
            headers: Vec::new(),
            body: Body::Text(t.into()),
        }
    }

    /// The content type of the body.
    pub fn content_type(&self) -> Option<&str> {
        match &self.body {
            Body::Json(_) => Some("application/json"),
            Body::Text(_) => Some("text/plain; charset=utf-8"),
            Body::Bytes(_) => self
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.as_str()),
        }
    }

    /// The body's bytes as sent.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Json(v) => v.to_string().into_bytes(),
            Body::Text(t) => t.clone().into_bytes(),
            Body::Bytes(b) => b.clone(),
        }
    }

    /// All headers as sent (content type first), lower-case names.
    pub fn all_headers(&self) -> Vec<(String, String)> {
        let mut h = Vec::with_capacity(self.headers.len() + 1);
        if !matches!(self.body, Body::Bytes(_))
            && let Some(ct) = self.content_type()
        {
            h.push(("content-type".to_owned(), ct.to_owned()));
        }
        h.extend(
            self.headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone())),
        );
        h
    }
}

/// A refusal: status and plain-text body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub code: u16,
    /// Body text.
    pub body: String,
}

impl ApiError {
    /// A refusal with a specific text.
    pub fn text(code: u16, body: impl Into<String>) -> Self {
        Self {
            code,
            body: body.into(),
        }
    }

    /// A refusal whose text is the status's reason phrase (where the reference server aborts
    /// without a message).
    pub fn code(code: u16) -> Self {
        let reason = match code {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            413 => "Payload Too Large",
            429 => "Too Many Requests",
            _ => "Internal Server Error",
        };
        Self::text(code, reason)
    }

    /// 400 Bad Request.
    pub fn bad_request() -> Self {
        Self::code(400)
    }

    /// 404 Not Found.
    pub fn not_found() -> Self {
        Self::code(404)
    }

    /// 403 `Permission denied` (the reference's permission error).
    pub fn permission_denied() -> Self {
        Self::text(403, "Permission denied")
    }

    /// 500 for a storage failure (logged; the text names no detail).
    pub(crate) fn internal(e: &rusqlite::Error) -> Self {
        tracing::error!(error = %e, "database error");
        Self::code(500)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(&e)
    }
}

impl From<ApiError> for Resp {
    fn from(e: ApiError) -> Self {
        Resp::text(e.code, e.body)
    }
}

/// What an endpoint runs with.
pub(crate) struct Cx<'a> {
    /// The open transaction.
    pub db: &'a Connection,
    /// The server (configuration, key).
    pub srv: &'a Server,
    /// The authenticated user, if any.
    pub user: Option<&'a User>,
    /// Now (unix seconds).
    pub now: f64,
}

impl Cx<'_> {
    /// 401 unless a user authenticated.
    pub fn require_user(&self) -> Result<&User, ApiError> {
        self.user
            .ok_or_else(|| ApiError::text(401, "X-SOGS-* request authentication required"))
    }

    /// The caller's permissions in `room`.
    pub fn perms(&self, room: &Room) -> Result<Perms, ApiError> {
        Ok(Perms::of(self.db, room, self.user)?)
    }

    /// 404 unless the room is accessible to the caller (`accessible_required`).
    pub fn require_accessible(&self, room: &Room) -> Result<Perms, ApiError> {
        let p = self.perms(room)?;
        if !p.accessible() {
            return Err(ApiError::not_found());
        }
        Ok(p)
    }

    /// 403 unless the caller may read `room` (`read_required`).
    pub fn require_read(&self, room: &Room) -> Result<Perms, ApiError> {
        let p = self.perms(room)?;
        if !p.read() {
            return Err(ApiError::text(
                403,
                "This endpoint requires room message 'read' permission",
            ));
        }
        Ok(p)
    }

    /// 401 without a user; 403 unless a moderator (or, with `admin`, an admin) of `room`.
    pub fn require_mod(&self, room: &Room, admin: bool) -> Result<(&User, Perms), ApiError> {
        let user = self.require_user()?;
        let p = self.perms(room)?;
        if !(if admin { p.admin() } else { p.moderator() }) {
            return Err(ApiError::text(
                403,
                format!(
                    "This endpoint requires {} room permissions",
                    if admin { "admin" } else { "moderator" }
                ),
            ));
        }
        Ok((user, p))
    }

    /// Records the caller's activity in `room` (what `active_users` counts).
    pub fn touch_room(&self, room: &Room) -> Result<(), ApiError> {
        if let Some(u) = self.user {
            self.db.execute(
                "INSERT INTO room_users (room, user, last_active) VALUES (?1, ?2, ?3)
                 ON CONFLICT (room, user) DO UPDATE SET last_active = excluded.last_active",
                rusqlite::params![room.id, u.id, self.now],
            )?;
        }
        Ok(())
    }
}

pub(crate) use batch::{entry as batch_entry, parse as batch_parse};
pub(crate) use routes::dispatch;
