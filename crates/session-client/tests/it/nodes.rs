//! Fake onion nodes on loopback: each serves `GET /info` (guard tests) and
//! `POST /onion_req/v2`, peeling layers with the real `session-onion` code. A relay layer is
//! peeled in-process by the named node's keys (the nodes share one table, like nodes that
//! relay to each other); a proxy layer is POSTed to the HTTP server it names, and the
//! server's answer is passed back as it is. Node destinations answer a wrapped 400 (these
//! nodes store nothing). A switch makes every proxy hop fail (502), as a node does when the
//! server cannot be reached.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use session_crypto::{Ed25519PublicKey, X25519Secret};
use session_onion::{Layer, Node, NodeKeys, OnionEnvelope, ReplyBody, ReplyOptions, peel};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The largest onion request body a node reads (as session-node's `MAX_BODY`).
const NODE_MAX_BODY: usize = 10 * 1024 * 1024;

/// The fake network.
pub struct Nodes {
    /// The nodes, for an onion pool.
    pub nodes: Vec<Node>,
    /// Set: every proxy hop answers 502 without reaching the server.
    pub proxy_down: Arc<AtomicBool>,
    /// How many proxy hops reached a server.
    pub proxied: Arc<AtomicUsize>,
    /// Bytes clients sent to guards (onion request bodies).
    pub bytes_up: Arc<AtomicUsize>,
    /// Bytes guards answered clients (onion response bodies).
    pub bytes_down: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Net {
    keys: Arc<HashMap<Ed25519PublicKey, NodeKeys>>,
    http: reqwest::Client,
    proxy_down: Arc<AtomicBool>,
    proxied: Arc<AtomicUsize>,
    bytes_up: Arc<AtomicUsize>,
    bytes_down: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Me {
    net: Net,
    ed25519: Ed25519PublicKey,
}

impl Nodes {
    /// Starts `n` nodes.
    pub async fn start(n: usize) -> Self {
        let mut keys = HashMap::new();
        let mut nodes = Vec::new();
        let mut listeners = Vec::new();
        for i in 0..n {
            let secret = X25519Secret::generate(&mut rand::rng());
            let ed25519 = Ed25519PublicKey::from_bytes([u8::try_from(i + 1).unwrap(); 32]);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            nodes.push(Node {
                ed25519,
                x25519: secret.public_key(),
                ip: std::net::Ipv4Addr::LOCALHOST,
                port,
            });
            keys.insert(ed25519, NodeKeys::new(secret));
            listeners.push((ed25519, listener));
        }
        let net = Net {
            keys: Arc::new(keys),
            http: reqwest::Client::new(),
            proxy_down: Arc::default(),
            proxied: Arc::default(),
            bytes_up: Arc::default(),
            bytes_down: Arc::default(),
        };
        for (ed25519, listener) in listeners {
            let me = Me {
                net: net.clone(),
                ed25519,
            };
            let app = Router::new()
                .route("/info", get(info))
                .route("/onion_req/v2", post(onion))
                // The real node's limit (`session_node::server::MAX_BODY`): a 10 MB file's
                // upload must fit under it.
                .layer(DefaultBodyLimit::max(NODE_MAX_BODY))
                .with_state(me);
            tokio::spawn(async move {
                axum::serve(listener, app).await.unwrap();
            });
        }
        Self {
            nodes,
            proxy_down: net.proxy_down,
            proxied: net.proxied,
            bytes_up: net.bytes_up,
            bytes_down: net.bytes_down,
        }
    }
}

async fn info() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    format!("{{\"t\":{t}}}")
}

async fn onion(State(me): State<Me>, body: Bytes) -> (StatusCode, Vec<u8>) {
    me.net.bytes_up.fetch_add(body.len(), Ordering::SeqCst);
    let (code, answer) = peel_and_forward(&me, &body).await;
    me.net.bytes_down.fetch_add(answer.len(), Ordering::SeqCst);
    (code, answer)
}

async fn peel_and_forward(me: &Me, body: &[u8]) -> (StatusCode, Vec<u8>) {
    let plain = |code: u16, text: &str| {
        (
            StatusCode::from_u16(code).unwrap(),
            text.as_bytes().to_vec(),
        )
    };
    let Ok(mut envelope) = OnionEnvelope::parse(body) else {
        return plain(400, "Invalid ciphertext");
    };
    let mut at = me.ed25519;
    loop {
        let Some(keys) = me.net.keys.get(&at) else {
            return plain(502, "Next node not found");
        };
        let Ok(peeled) = peel(keys, &envelope) else {
            return plain(400, "Invalid ciphertext");
        };
        match peeled.layer {
            Ok(Layer::Relay(r)) => {
                at = r.next;
                envelope = r.envelope;
            }
            Ok(Layer::Proxy(p)) => {
                if me.net.proxy_down.load(Ordering::SeqCst) {
                    return plain(502, "error sending request");
                }
                me.net.proxied.fetch_add(1, Ordering::SeqCst);
                let sent = me
                    .net
                    .http
                    .post(p.url())
                    .body(p.payload.clone())
                    .send()
                    .await;
                let Ok(r) = sent else {
                    return plain(502, "error sending request");
                };
                let code = r.status().as_u16();
                let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                return (StatusCode::from_u16(code).unwrap(), bytes);
            }
            Ok(Layer::Destination(_)) => {
                let body = ReplyBody::Text("this node stores nothing");
                let opts = ReplyOptions::default();
                let sealed = peeled.reply.wrap(400, body, opts, &mut rand::rng());
                return (StatusCode::OK, sealed);
            }
            Err(e) => {
                return (
                    StatusCode::OK,
                    peeled.reply.wrap_error(&e, &mut rand::rng()),
                );
            }
        }
    }
}
