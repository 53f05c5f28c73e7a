//! Integration tests: a real server on 127.0.0.1:0 over a real data directory (SQLite file,
//! blobs on disk), driven over HTTP, directly and through onion requests built by the client
//! code of `session-onion`; checking success shapes and the reference server's refusal codes
//! and bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod files;
mod onion;
mod props;
mod restart;
mod version;

use session_fileserver::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A running server.
pub(crate) struct Srv {
    pub(crate) url: String,
    pub(crate) port: u16,
    pub(crate) pubkey: [u8; 32],
    pub(crate) dir: Arc<tempfile::TempDir>,
    pub(crate) http: reqwest::Client,
    /// Seconds added to the real clock (tests move time).
    pub(crate) offset: Arc<AtomicI64>,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A response, read.
#[derive(Debug)]
pub(crate) struct Got {
    pub(crate) code: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) bytes: Vec<u8>,
}

impl Got {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    #[track_caller]
    pub(crate) fn expect(self, code: u16) -> Self {
        assert_eq!(self.code, code, "body: {}", self.text());
        self
    }

    #[track_caller]
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

impl Srv {
    /// A server on a fresh data directory.
    pub(crate) async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub(crate) async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        Self::start_in(dir, Arc::default(), tweak).await
    }

    /// A server on an existing data directory.
    pub(crate) async fn start_in(
        dir: Arc<tempfile::TempDir>,
        offset: Arc<AtomicI64>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let pubkey = *session_fileserver::key::public_key(dir.path(), &mut rand::rng())
            .unwrap()
            .as_bytes();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut cfg = Config::new(dir.path());
        let off = offset.clone();
        cfg.clock = Arc::new(move || {
            let real = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            real + off.load(Ordering::SeqCst) as f64
        });
        cfg.cleanup_interval = Duration::from_millis(100);
        tweak(&mut cfg);
        let shutdown = CancellationToken::new();
        let s = shutdown.clone();
        let task = tokio::spawn(async move {
            session_fileserver::run(cfg, listener, s).await.unwrap();
        });
        Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            pubkey,
            dir,
            http: reqwest::Client::new(),
            offset,
            shutdown,
            task: Some(task),
        }
    }

    pub(crate) async fn stop(mut self) -> Arc<tempfile::TempDir> {
        self.shutdown.cancel();
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        self.dir.clone()
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Server time now (seconds).
    pub(crate) fn now(&self) -> f64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        real + self.offset.load(Ordering::SeqCst) as f64
    }

    /// Moves the server's clock forward.
    pub(crate) fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }

    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Got {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(m, format!("{}{}", self.url, path));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if !body.is_empty() {
            rb = rb.body(body);
        }
        let r = rb.send().await.unwrap();
        Got {
            code: r.status().as_u16(),
            headers: r.headers().clone(),
            bytes: r.bytes().await.unwrap().to_vec(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Got {
        self.raw("GET", path, &[], Vec::new()).await
    }

    /// Uploads `body` to `POST /file`; returns the ID.
    pub(crate) async fn upload(&self, body: &[u8]) -> String {
        let r = self
            .raw("POST", "/file", &[], body.to_vec())
            .await
            .expect(200);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// Waits (up to 5 s) for `cond`.
    pub(crate) async fn eventually(&self, what: &str, mut cond: impl FnMut() -> bool) {
        for _ in 0..100 {
            if cond() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Names of the entries of a directory.
pub(crate) fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Deterministic test bytes.
pub(crate) fn data(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}
