//! Test harness: start a node in-process, sign requests like a Session client.
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_node::NodeState;
use session_node::clock::SystemClock;
use session_node::rate_limit::RateLimiter;
use session_node::server::HttpLimits;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub struct TestNode {
    pub url: String,
    pub state: Arc<NodeState>,
    /// The internal gRPC API's address, when started ([`start_with_grpc`]).
    pub grpc: Option<std::net::SocketAddr>,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
    client: reqwest::Client,
}

impl Drop for TestNode {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn start() -> TestNode {
    start_with(None).await
}

pub async fn start_with(limiter: Option<RateLimiter>) -> TestNode {
    start_node(limiter, true, HttpLimits::default(), false).await
}

/// A standalone node whose HTTP listener has `limits`.
pub async fn start_limited(limits: HttpLimits) -> TestNode {
    start_node(None, true, limits, false).await
}

/// A node that follows a chain (none here): no swarm until the test publishes a view.
pub async fn start_following() -> TestNode {
    start_node(None, false, HttpLimits::default(), false).await
}

/// A standalone node that also serves its internal gRPC API ([`TestNode::grpc`]).
pub async fn start_with_grpc() -> TestNode {
    start_node(None, true, HttpLimits::default(), true).await
}

async fn start_node(
    limiter: Option<RateLimiter>,
    standalone: bool,
    limits: HttpLimits,
    grpc: bool,
) -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let keys = session_node::identity::load_or_create(dir.path(), &mut rand::rng()).unwrap();
    let store = session_store::Store::open(&dir.path().join("store")).unwrap();
    let addr = listener.local_addr().unwrap();
    let build = if standalone {
        NodeState::standalone
    } else {
        NodeState::following_chain
    };
    let state = Arc::new(build(store, keys, Arc::new(SystemClock), addr));
    let shutdown = CancellationToken::new();
    let onion = Arc::new(session_node::onion::Onion::new(
        state.clone(),
        Arc::default(),
        Default::default(),
    ));
    let grpc = if grpc {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(session_node::server::grpc::serve(
            onion.clone(),
            listener,
            shutdown.clone(),
        ));
        Some(addr)
    } else {
        None
    };
    tokio::spawn(session_node::server::serve_onion_with(
        onion,
        limiter.map(Arc::new),
        listener,
        shutdown.clone(),
        limits,
    ));
    TestNode {
        url: format!("http://{addr}"),
        state,
        grpc,
        shutdown,
        _dir: dir,
        client: reqwest::Client::new(),
    }
}

pub struct Resp {
    pub code: u16,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    /// The own node's entry of a recursive reply.
    pub fn entry(&self, node: &TestNode) -> Value {
        self.json()["swarm"][node.state.ed25519_hex()].clone()
    }
}

impl TestNode {
    pub async fn raw(&self, body: impl Into<reqwest::Body>) -> Resp {
        self.post("/storage_rpc/v1", body).await
    }

    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> Resp {
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .body(body)
            .send()
            .await
            .unwrap();
        Resp {
            code: r.status().as_u16(),
            text: r.text().await.unwrap(),
        }
    }

    pub async fn rpc(&self, method: &str, params: Value) -> Resp {
        self.raw(json!({ "method": method, "params": params }).to_string())
            .await
    }

    pub fn now(&self) -> u64 {
        self.state.now_ms()
    }
}

pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A Session user (05 account).
pub struct User {
    pub keys: IdentityKeys,
}

impl User {
    pub fn new(n: u8) -> Self {
        Self {
            keys: IdentityKeys::from_seed(Seed::from_bytes([n; 32])),
        }
    }

    pub fn pubkey(&self) -> String {
        self.keys.session_id().to_string()
    }

    pub fn ed(&self) -> String {
        hex::encode(self.keys.ed25519_public().as_bytes())
    }

    pub fn sign(&self, msg: &str) -> String {
        b64(&self.keys.sign(msg.as_bytes()))
    }

    /// Params with pubkey, pubkey_ed25519 and a signature over `msg`.
    pub fn auth(&self, msg: &str, mut extra: Value) -> Value {
        extra["pubkey"] = json!(self.pubkey());
        extra["pubkey_ed25519"] = json!(self.ed());
        extra["signature"] = json!(self.sign(msg));
        extra
    }
}

pub const DAY: u64 = 24 * 3600 * 1000;

/// Stores `data` unsigned in namespace 0; returns the hash.
pub async fn store_public(node: &TestNode, user: &User, data: &[u8]) -> String {
    let now = node.now();
    let r = node
        .rpc(
            "store",
            json!({"pubkey": user.pubkey(), "timestamp": now, "ttl": DAY, "data": b64(data)}),
        )
        .await;
    assert_eq!(r.code, 200, "{}", r.text);
    r.json()["hash"].as_str().unwrap().to_owned()
}

/// Signed retrieve of a namespace.
pub async fn retrieve(node: &TestNode, user: &User, ns: i16) -> Resp {
    let now = node.now();
    let ns_str = if ns == 0 {
        String::new()
    } else {
        ns.to_string()
    };
    let params = user.auth(
        &format!("retrieve{ns_str}{now}"),
        json!({"namespace": ns, "timestamp": now}),
    );
    node.rpc("retrieve", params).await
}

pub fn hashes_of(r: &Resp) -> Vec<String> {
    r.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["hash"].as_str().unwrap().to_owned())
        .collect()
}
