//! Integration tests: a real server on 127.0.0.1:0 over a real SQLite file in a temporary data
//! directory, driven over HTTP with X-SOGS-* auth made by `session-sogs` (blind15 keys),
//! checking success shapes and the reference server's refusal codes and bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod auth;
mod dm;
mod files;
mod general;
mod messages;
mod moderation;
mod onion;
mod props;
mod restart;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use session_community::admin::{Admin, Scope};
use session_community::{Config, key};
use session_crypto::blinding::{Blind15Nonce, blind15_keypair, blind15_sign};
use session_crypto::{IdentityKeys, Seed};
use session_sogs::{Signer, sign_request};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio_util::sync::CancellationToken;

/// A running server.
pub(crate) struct Srv {
    pub(crate) url: String,
    pub(crate) pubkey: [u8; 32],
    pub(crate) dir: Arc<tempfile::TempDir>,
    pub(crate) http: reqwest::Client,
    /// Seconds added to the real clock (tests move time).
    pub(crate) offset: Arc<AtomicI64>,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A user with a seed; authenticates with its blind15 key.
pub(crate) struct User {
    pub(crate) keys: IdentityKeys,
    pub(crate) blinded: bool,
}

impl User {
    pub(crate) fn new(n: u8) -> Self {
        Self {
            keys: IdentityKeys::from_seed(Seed::from_bytes([n; 32])),
            blinded: true,
        }
    }

    /// The ID the server knows this user by on `srv`.
    pub(crate) fn id(&self, srv: &Srv) -> String {
        if self.blinded {
            blind15_keypair(&self.keys, &srv.pubkey).id().to_string()
        } else {
            self.keys.session_id().to_string()
        }
    }

    /// The unblinded Session ID.
    pub(crate) fn session_id(&self) -> String {
        self.keys.session_id().to_string()
    }

    /// A post body `{data, signature}` for `data` (signed with the blinded key).
    pub(crate) fn post_body(&self, srv: &Srv, data: &[u8]) -> Value {
        let sig = blind15_sign(&self.keys, &srv.pubkey, data, Blind15Nonce::Sogs);
        json!({ "data": STANDARD.encode(data), "signature": STANDARD.encode(sig) })
    }
}

/// A response, read.
#[derive(Debug)]
pub(crate) struct Got {
    pub(crate) code: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) bytes: Vec<u8>,
}

impl Got {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    #[track_caller]
    pub(crate) fn expect(self, code: u16) -> Self {
        assert_eq!(self.code, code, "body: {}", self.text());
        self
    }
}

pub(crate) fn config(dir: &std::path::Path, offset: Arc<AtomicI64>) -> Config {
    let mut c = Config::new(dir);
    c.clock = Arc::new(move || {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        real + offset.load(Ordering::SeqCst) as f64
    });
    c.cleanup_interval = std::time::Duration::from_millis(100);
    c
}

impl Srv {
    /// A server on a fresh data directory with a room `lobby`.
    pub(crate) async fn start() -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let srv = Self::start_in(dir, Arc::default()).await;
        srv.admin()
            .room_add("lobby", "Lobby", Some("Come in"))
            .unwrap();
        srv
    }

    /// A server on an existing data directory.
    pub(crate) async fn start_in(dir: Arc<tempfile::TempDir>, offset: Arc<AtomicI64>) -> Self {
        Self::start_with(dir, offset, |_| {}).await
    }

    pub(crate) async fn start_with(
        dir: Arc<tempfile::TempDir>,
        offset: Arc<AtomicI64>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let pubkey = *key::public_key(dir.path(), &mut rand::rng())
            .unwrap()
            .as_bytes();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut cfg = config(dir.path(), offset.clone());
        tweak(&mut cfg);
        let shutdown = CancellationToken::new();
        let s = shutdown.clone();
        let task = tokio::spawn(async move {
            session_community::run(cfg, listener, s).await.unwrap();
        });
        Self {
            url: format!("http://{addr}"),
            pubkey,
            dir,
            http: reqwest::Client::new(),
            offset,
            shutdown,
            task: Some(task),
        }
    }

    pub(crate) fn admin(&self) -> Admin {
        Admin::open(Config::new(self.dir.path())).unwrap()
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub(crate) async fn stop(mut self) -> Arc<tempfile::TempDir> {
        self.shutdown.cancel();
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
        self.dir.clone()
    }

    /// Server time now (seconds).
    pub(crate) fn now(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        real + self.offset.load(Ordering::SeqCst)
    }

    /// Makes `user` a moderator (or admin) of `room`.
    pub(crate) fn make_mod(&self, user: &User, room: &str, admin: bool) {
        self.admin()
            .moderator_add(&[user.id(self)], &Scope::Room(room.into()), admin, true)
            .unwrap();
    }

    /// The auth headers for `user` on `method target body`.
    pub(crate) fn headers(
        &self,
        user: &User,
        method: &str,
        target: &str,
        body: &[u8],
    ) -> Vec<(String, String)> {
        let nonce: [u8; 16] = rand::random();
        let signer = if user.blinded {
            Signer::Blind15(&user.keys)
        } else {
            Signer::Unblinded(&user.keys)
        };
        let h = sign_request(
            signer,
            &self.pubkey,
            method,
            target,
            body,
            self.now(),
            &nonce,
        );
        h.pairs()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// A raw request with explicit headers.
    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Got {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(m, format!("{}{}", self.url, path));
        for (k, v) in headers {
            rb = rb.header(k, v);
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

    /// A request, signed by `user` when given. `path` is sent as is; the signature covers its
    /// decoded form.
    pub(crate) async fn req(
        &self,
        user: Option<&User>,
        method: &str,
        path: &str,
        body: Vec<u8>,
        extra: &[(&str, &str)],
    ) -> Got {
        let mut headers: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(u) = user {
            let (p, q) = path
                .split_once('?')
                .map_or((path, None), |(p, q)| (p, Some(q)));
            let mut target = session_sogs::decode_path(p);
            if let Some(q) = q {
                target = format!("{target}?{q}");
            }
            headers.extend(self.headers(u, method, &target, &body));
        }
        self.raw(method, path, &headers, body).await
    }

    pub(crate) async fn get(&self, user: Option<&User>, path: &str) -> Got {
        self.req(user, "GET", path, Vec::new(), &[]).await
    }

    pub(crate) async fn delete(&self, user: Option<&User>, path: &str) -> Got {
        self.req(user, "DELETE", path, Vec::new(), &[]).await
    }

    pub(crate) async fn post(&self, user: Option<&User>, path: &str, body: &Value) -> Got {
        self.req(
            user,
            "POST",
            path,
            body.to_string().into_bytes(),
            &[("content-type", "application/json")],
        )
        .await
    }

    pub(crate) async fn put(&self, user: Option<&User>, path: &str, body: &Value) -> Got {
        self.req(
            user,
            "PUT",
            path,
            body.to_string().into_bytes(),
            &[("content-type", "application/json")],
        )
        .await
    }

    /// Posts `text` to `room` as `user`; returns the message id.
    pub(crate) async fn say(&self, user: &User, room: &str, text: &str) -> i64 {
        let r = self
            .post(
                Some(user),
                &format!("/room/{room}/message"),
                &user.post_body(self, text.as_bytes()),
            )
            .await
            .expect(201);
        r.json()["id"].as_i64().unwrap()
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub(crate) fn b64(b: &[u8]) -> String {
    STANDARD.encode(b)
}

pub(crate) fn unb64(s: &Value) -> Vec<u8> {
    STANDARD.decode(s.as_str().unwrap()).unwrap()
}
