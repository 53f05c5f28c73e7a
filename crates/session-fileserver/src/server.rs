//! The server: state ([`FileServer`]), the router (API routes, `POST /oxen/v4/lsrpc` through
//! `session-lsrpc`, the v3 form), the cleanup loop, and [`run`]`(config, listener, shutdown)`.

use crate::config::{Config, Releases, load_releases};
use crate::db::{self, Db, FileRow};
use crate::error::Error;
use crate::store::{self, Received, Store};
use crate::{api, key, v3};
use axum::Router;
use axum::routing::{get, post};
use session_crypto::X25519PublicKey;
use session_onion::NodeKeys;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A running server's state.
pub struct FileServer {
    /// Configuration.
    pub config: Config,
    /// The X25519 public key.
    pub pubkey: X25519PublicKey,
    pub(crate) releases: Releases,
    /// When the server started (the `updated` of release data that gives none).
    pub(crate) started: f64,
    pub(crate) store: Store,
    db: Arc<Db>,
}

impl std::fmt::Debug for FileServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileServer")
            .field("pubkey", &self.pubkey)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What one cleanup pass removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// Expired files (rows and bytes).
    pub files: usize,
    /// Version-check records older than 30 days.
    pub version_checks: usize,
}

impl FileServer {
    /// Now, by the configured clock.
    pub fn now(&self) -> f64 {
        (self.config.clock)()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db, &Store) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let db = self.db.clone();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(&db, &store))
            .await
            .map_err(|e| Error::Invalid(format!("worker failed: {e}")))?
    }

    /// The row of a live file (`None`: unknown, expired, or not a valid ID).
    pub async fn live(&self, id: &str) -> Result<Option<FileRow>, Error> {
        if !crate::request::is_valid_id(id) {
            return Ok(None);
        }
        let (id, now) = (id.to_owned(), self.now());
        self.blocking(move |db, _| {
            db::get_live(&db.lock(), &id, now).map_err(Error::db("reading a file"))
        })
        .await
    }

    /// Makes an upload visible (or renews its twin): its ID and row.
    pub async fn commit(&self, received: Received, ttl: u64) -> Result<(String, FileRow), Error> {
        let now = self.now();
        self.blocking(move |db, store| {
            let id = received.id.clone();
            let row = store::commit(&db.lock(), store, received, now, ttl)?;
            Ok((id, row))
        })
        .await
    }

    /// Resets a live file's expiry to now + `ttl`.
    pub async fn extend(&self, id: &str, ttl: u64) -> Result<Option<FileRow>, Error> {
        if !crate::request::is_valid_id(id) {
            return Ok(None);
        }
        let (id, now) = (id.to_owned(), self.now());
        self.blocking(move |db, _| {
            let conn = db.lock();
            #[allow(clippy::cast_precision_loss)]
            let expiry = store::micros(now + ttl as f64);
            conn.execute(
                "UPDATE files SET expiry = ?3 WHERE id = ?1 AND expiry > ?2",
                rusqlite::params![id, now, expiry],
            )
            .map_err(Error::db("extending a file"))?;
            db::get_live(&conn, &id, now).map_err(Error::db("extending a file"))
        })
        .await
    }

    /// Records an authenticated version check (the reference's `account_version_checks`).
    pub async fn record_version_check(&self, id: String, platform: String) -> Result<(), Error> {
        let now = store::micros(self.now());
        self.blocking(move |db, _| {
            db.lock()
                .execute(
                    "INSERT INTO version_checks (blinded_id, platform, timestamp)
                     VALUES (?1, ?2, ?3)",
                    rusqlite::params![id, platform, now],
                )
                .map(|_| ())
                .map_err(Error::db("recording a version check"))
        })
        .await
    }

    /// One cleanup pass: expired files from the database and the disk, old version checks.
    pub async fn cleanup(&self) -> Result<Cleaned, Error> {
        let now = self.now();
        self.blocking(move |db, store| {
            let conn = db.lock();
            let files = store::remove_expired(&conn, store, now)?;
            let version_checks = conn
                .execute(
                    "DELETE FROM version_checks WHERE timestamp < ?1",
                    [now - 30.0 * 86_400.0],
                )
                .map_err(Error::db("pruning version checks"))?;
            Ok(Cleaned {
                files,
                version_checks,
            })
        })
        .await
    }
}

/// Opens the data directory (key, database, blobs, release data) into a server: leftovers of a
/// crash are removed first (partial uploads, files without a row).
pub fn open(mut config: Config) -> Result<(FileServer, NodeKeys), Error> {
    config.check()?;
    let secret = key::load_or_create(&config.data_dir, &mut rand::rng())?;
    let pubkey = secret.public_key();
    let conn = db::open(&config.data_dir)?;
    let store = Store::open(&config.data_dir)?;
    let orphans = store.sweep(&conn)?;
    if orphans > 0 {
        tracing::info!(orphans, "removed files without a row");
    }
    let releases = match config.releases.take() {
        Some(r) => r,
        None => load_releases(&config.data_dir)?,
    };
    let started = (config.clock)();
    let srv = FileServer {
        config,
        pubkey,
        releases,
        started,
        store,
        db: Arc::new(Db::new(conn)),
    };
    Ok((srv, NodeKeys::new(secret)))
}

/// Onion body limits: a whole upload (base64 in a v3 or legacy body) plus framing.
fn onion_limits(config: &Config) -> session_lsrpc::Limits {
    let b64 = usize::try_from(config.max_file_size_b64()).unwrap_or(usize::MAX);
    let d = session_lsrpc::Limits::default();
    session_lsrpc::Limits {
        request: d.request.max(b64.saturating_add(2 << 20)),
        response: d.response.max(b64.saturating_add(1 << 20)),
    }
}

/// The API routes alone (what an onion request's inner request runs on).
pub fn api_router(srv: Arc<FileServer>) -> Router {
    Router::new()
        .route("/file", post(api::post_file))
        .route("/file/{id}", get(api::get_file))
        .route("/file/{id}/info", get(api::info))
        .route("/file/{id}/extend", post(api::extend))
        .route("/files", post(api::post_files))
        .route("/files/{id}", get(api::get_files))
        .route("/session_version", get(api::session_version))
        .fallback(api::not_found)
        .with_state(srv)
}

/// The HTTP router: the API, `POST /oxen/v4/lsrpc` (session-lsrpc) and the v3 paths.
pub fn router(srv: Arc<FileServer>, keys: NodeKeys) -> Router {
    let limits = onion_limits(&srv.config);
    let inner = api_router(srv);
    let keys = Arc::new(keys);
    session_lsrpc::router(keys.clone(), inner.clone(), limits)
        .merge(v3::router(keys, inner.clone(), limits))
        .merge(inner)
}

/// Runs [`FileServer::cleanup`] every `cleanup_interval` until `shutdown`.
pub async fn cleanup_every(srv: Arc<FileServer>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(srv.config.cleanup_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        match srv.cleanup().await {
            Ok(c) if c != Cleaned::default() => tracing::debug!(?c, "cleanup"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cleanup failed"),
        }
    }
}

/// Runs the server on `listener` until `shutdown` is cancelled: opens (or creates) the data
/// directory, serves HTTP, cleans up expired files every `cleanup_interval`.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let (srv, keys) = open(config)?;
    serve(srv, keys, listener, shutdown).await
}

/// Serves an opened server (see [`open`]) on `listener` until `shutdown` is cancelled, with
/// the cleanup loop. Binaries open first and announce the address after, so that "listening"
/// means the data directory is ready.
pub async fn serve(
    srv: FileServer,
    keys: NodeKeys,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let srv = Arc::new(srv);
    tracing::info!(
        pubkey = %hex::encode(srv.pubkey.as_bytes()),
        addr = ?listener.local_addr().ok(),
        "file server listening"
    );
    let cleaner = tokio::spawn(cleanup_every(srv.clone(), shutdown.clone()));
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
