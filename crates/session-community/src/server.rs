//! The server: configuration, the request entry ([`Server::handle`]) and the HTTP transport
//! ([`run`]): every path goes to the API except `POST /oxen/v4/lsrpc`, which opens the onion
//! payload and runs the inner request on the same router (shared with the file server through
//! `session-lsrpc`).

use crate::api::{self, ApiError, Body as ApiBody, Cx, Req, Resp};
use crate::db::{self, Db};
use crate::error::Error;
use crate::{cleanup, key};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, TransactionBehavior};
use session_crypto::X25519PublicKey;
use session_onion::NodeKeys;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A clock: unix seconds.
pub type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    })
}

/// Server configuration (defaults are pysogs's).
#[derive(Clone)]
pub struct Config {
    /// Holds the database, the uploads and the server key.
    pub data_dir: PathBuf,
    /// Refuse unblinded (`00`) auth keys and advertise `blind` (default true).
    pub require_blind_keys: bool,
    /// Largest upload, bytes (10,000,000).
    pub upload_max: usize,
    /// Lifetime of an attached upload, seconds (15 days).
    pub upload_expiry_secs: f64,
    /// Lifetime of a DM, seconds (15 days).
    pub dm_expiry_secs: f64,
    /// Posts per window per user and room, and the window in seconds (5 per 16 s); admins
    /// are exempt. `None` turns the limit off.
    pub rate_limit: Option<(u32, f64)>,
    /// The `active_users` window, seconds (7 days).
    pub active_threshold_secs: f64,
    /// Room activity records older than this are dropped, seconds (60 days).
    pub activity_prune_secs: f64,
    /// Edit/deletion history older than this is dropped, seconds (30 days).
    pub history_prune_secs: f64,
    /// Period of the cleanup task (10 s).
    pub cleanup_interval: Duration,
    /// Largest request body on direct HTTP (16 MiB: a 10 MB upload in base64 inside `/batch`).
    pub max_body: usize,
    /// The clock (tests move it).
    pub clock: Clock,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("require_blind_keys", &self.require_blind_keys)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        const DAY: f64 = 86_400.0;
        Self {
            data_dir: data_dir.into(),
            require_blind_keys: true,
            upload_max: 10_000_000,
            upload_expiry_secs: 15.0 * DAY,
            dm_expiry_secs: 15.0 * DAY,
            rate_limit: Some((5, 16.0)),
            active_threshold_secs: 7.0 * DAY,
            activity_prune_secs: 60.0 * DAY,
            history_prune_secs: 30.0 * DAY,
            cleanup_interval: Duration::from_secs(10),
            max_body: 16 * 1024 * 1024,
            clock: system_clock(),
        }
    }
}

/// A running server's state.
pub struct Server {
    /// Configuration.
    pub config: Config,
    /// The X25519 public key (the community's `public_key`, the blind15 factor's input).
    pub pubkey: X25519PublicKey,
    pub(crate) db: Db,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("pubkey", &self.pubkey)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server over an open database.
    pub fn new(config: Config, pubkey: X25519PublicKey, conn: Connection) -> Self {
        Self {
            config,
            pubkey,
            db: Db::new(conn),
        }
    }

    /// Now, by the configured clock.
    pub fn now(&self) -> f64 {
        (self.config.clock)()
    }

    /// Answers one request: authenticate, then `/batch`, `/sequence` or one endpoint.
    pub fn handle(&self, req: &Req) -> Resp {
        let now = self.now();
        let user = {
            let mut conn = self.db.lock();
            match api::auth::authenticate(&mut conn, self, req, now) {
                Ok(u) => u,
                Err(e) => return e.into(),
            }
        };
        let batch = match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/batch") => Some(false),
            ("POST", "/sequence") => Some(true),
            _ => None,
        };
        let Some(sequential) = batch else {
            return self.run(user.as_ref(), req);
        };
        let subs = match api::batch_parse(&req.body) {
            Ok(s) => s,
            Err(e) => return e.into(),
        };
        let mut out = Vec::with_capacity(subs.len());
        for sub in &subs {
            let resp = if matches!(sub.path.as_str(), "/batch" | "/sequence") {
                ApiError::text(400, "Nested batch requests are not allowed").into()
            } else {
                self.run(user.as_ref(), sub)
            };
            let ok = (200..300).contains(&resp.code);
            out.push(api::batch_entry(&resp));
            if sequential && !ok {
                break;
            }
        }
        Resp::json(serde_json::Value::Array(out))
    }

    /// Runs one endpoint in a transaction: committed on success, rolled back on a refusal.
    fn run(&self, user: Option<&crate::model::User>, req: &Req) -> Resp {
        let mut conn = self.db.lock();
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => return ApiError::internal(&e).into(),
        };
        let now = self.now();
        let cx = Cx {
            db: &tx,
            srv: self,
            user,
            now,
        };
        match api::dispatch(&cx, req) {
            Ok(resp) => match tx.commit() {
                Ok(()) => resp,
                Err(e) => ApiError::internal(&e).into(),
            },
            Err(e) => {
                drop(tx);
                e.into()
            }
        }
    }

    /// One pass of the periodic cleanup (see [`cleanup`]).
    pub fn cleanup(&self) -> Result<cleanup::Pruned, Error> {
        let mut conn = self.db.lock();
        cleanup::run_once(&mut conn, &self.config, self.now())
    }
}

/// Opens the data directory (key, database) into a server.
pub fn open(config: Config) -> Result<(Server, NodeKeys), Error> {
    let secret = key::load_or_create(&config.data_dir, &mut rand::rng())?;
    let pubkey = secret.public_key();
    let conn = db::open(&config.data_dir)?;
    Ok((Server::new(config, pubkey, conn), NodeKeys::new(secret)))
}

#[derive(Clone)]
struct App(Arc<Server>);

/// The tracing target of the one-line-per-request traffic log (`via=direct` or `via=onion`,
/// nothing else: no path, no user), at debug level.
pub const TRAFFIC_LOG: &str = "session_community::traffic";

async fn api_entry(
    State(App(srv)): State<App>,
    via: Option<axum::Extension<session_lsrpc::ViaOnion>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let via = if via.is_some() { "onion" } else { "direct" };
    tracing::debug!(target: TRAFFIC_LOG, %via, "request");
    let req = Req {
        method: method.as_str().to_owned(),
        path: session_sogs::decode_path(uri.path()),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: body.to_vec(),
    };
    let resp = match tokio::task::spawn_blocking(move || srv.handle(&req)).await {
        Ok(r) => r,
        Err(_) => ApiError::code(500).into(),
    };
    to_http(resp)
}

fn to_http(resp: Resp) -> Response {
    let status = StatusCode::from_u16(resp.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = match resp.body {
        ApiBody::Json(ref v) => (status, v.to_string()).into_response(),
        ApiBody::Text(ref t) => (status, t.clone()).into_response(),
        ApiBody::Bytes(ref b) => (status, Body::from(b.clone())).into_response(),
    };
    let h = out.headers_mut();
    h.remove(axum::http::header::CONTENT_TYPE);
    for (n, v) in resp.all_headers() {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            h.insert(n, v);
        }
    }
    out
}

/// The HTTP router of `srv` (every API path, plus `POST /oxen/v4/lsrpc` opened with `keys`).
pub fn router(srv: Arc<Server>, keys: NodeKeys) -> Router {
    let max_body = srv.config.max_body;
    let inner = Router::new()
        .fallback(api_entry)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(App(srv));
    session_lsrpc::router(
        Arc::new(keys),
        inner.clone(),
        session_lsrpc::Limits::default(),
    )
    .merge(inner)
}

/// Runs the server on `listener` until `shutdown` is cancelled: opens (or creates) the data
/// directory, serves HTTP, runs the cleanup every `cleanup_interval`.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let (srv, keys) = open(config)?;
    let srv = Arc::new(srv);
    tracing::info!(
        pubkey = %hex::encode(srv.pubkey.as_bytes()),
        addr = ?listener.local_addr().ok(),
        "community server listening"
    );
    let cleaner = tokio::spawn(cleanup::every(srv.clone(), shutdown.clone()));
    let app = router(srv, keys);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown({
            let s = shutdown.clone();
            async move { s.cancelled().await }
        })
        .await;
    shutdown.cancel();
    let _ = cleaner.await;
    served.map_err(|e| Error::Io {
        what: "serving",
        path: PathBuf::new(),
        source: e,
    })
}
