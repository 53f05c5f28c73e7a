//! The HTTP server: `POST /storage_rpc/v1` with the request-level checks, `POST /onion_req/v2`
//! (see [`crate::onion`]), `GET /info` health, and the periodic expiry purge. Served on a bound listener until the token is cancelled.

use crate::clock::{Clock, SystemClock};
use crate::config::NodeConfig;
use crate::internal::peers::Peers;
use crate::onion::{Onion, ProxyConfig};
use crate::rate_limit::RateLimiter;
use crate::rpc::{self, Body, Reply};
use crate::state::NodeState;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Largest request body (10 MiB).
pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// Why a node could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The store would not open.
    #[error(transparent)]
    Store(#[from] session_store::Error),
    /// The node key could not be loaded or created.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// Serving failed.
    #[error("http server: {0}")]
    Io(#[from] std::io::Error),
    /// Neither standalone nor a chain to follow.
    #[error("a node needs either --standalone or a chain (--chain-rpc and --registry)")]
    NoNetwork,
    /// The chain watcher could not start.
    #[error(transparent)]
    Chain(#[from] crate::chain::ChainError),
}

#[derive(Clone)]
struct App {
    node: Arc<NodeState>,
    limiter: Option<Arc<RateLimiter>>,
    peers: Arc<Peers>,
    onion: Arc<Onion>,
}

/// Opens the store and key in `config.data_dir` and builds the node state for `listener`.
pub fn build_state(
    config: &NodeConfig,
    listener: &TcpListener,
    clock: Arc<dyn Clock>,
) -> Result<NodeState, ServerError> {
    if !config.standalone && config.chain.is_none() {
        return Err(ServerError::NoNetwork);
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let keys = crate::identity::load_or_create(&config.data_dir, &mut rand::rng())?;
    let store = session_store::Store::open(&config.data_dir.join("store"))?;
    let addr = listener.local_addr()?;
    Ok(if config.standalone {
        NodeState::standalone(store, keys, clock, addr)
    } else {
        NodeState::following_chain(store, keys, clock, addr)
    })
}

/// Runs a node on `listener` until `shutdown` is cancelled, then drains.
pub async fn run(
    config: NodeConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ServerError> {
    let node = Arc::new(build_state(&config, &listener, Arc::new(SystemClock))?);
    tracing::info!(
        ed25519 = %node.ed25519_hex(),
        addr = %node.record.addr,
        mode = if config.standalone { "standalone" } else { "chain" },
        "session node listening"
    );
    let watcher = match (&config.chain, config.standalone) {
        (Some(chain), false) => {
            let follower = crate::chain::ChainFollower::connect(chain, &config.data_dir).await?;
            Some(tokio::spawn(crate::chain::follow(
                node.clone(),
                follower,
                Duration::from_millis(chain.poll_ms.max(10)),
                shutdown.clone(),
            )))
        }
        _ => None,
    };
    let peers: Arc<Peers> = Arc::default();
    let proxy = ProxyConfig {
        allow_private: config.proxy_allow_private,
    };
    let onion = Arc::new(Onion::new(node.clone(), peers.clone(), proxy));
    let grpc = match config.grpc_listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr).await?;
            tracing::info!(grpc = %listener.local_addr()?, "internal gRPC listening");
            let (onion, shutdown) = (onion.clone(), shutdown.clone());
            Some(tokio::spawn(async move {
                if let Err(e) = crate::internal::serve(onion, listener, shutdown).await {
                    tracing::error!(error = %e, "internal gRPC server failed");
                }
            }))
        }
        None => None,
    };
    let purge = tokio::spawn(purge_loop(
        node.clone(),
        config.purge_interval_secs,
        shutdown.clone(),
    ));
    let limiter = (!config.no_rate_limit).then(|| Arc::new(RateLimiter::default()));
    *crate::internal::health::lock(&node.peer_health) = crate::internal::health::Schedule::new(
        config.peer_test_interval_ms,
        config.peer_test_interval_ms * 3 / 10,
    );
    let background = (!config.standalone).then(|| {
        [
            tokio::spawn(crate::internal::sync::sync_loop(
                node.clone(),
                peers.clone(),
                Duration::from_millis(config.sync_interval_ms.max(100)),
                shutdown.clone(),
            )),
            tokio::spawn(crate::internal::health::test_loop(
                node.clone(),
                peers.clone(),
                shutdown.clone(),
            )),
        ]
    });
    serve_onion(onion, limiter, listener, shutdown).await?;
    for task in background.into_iter().flatten() {
        let _ = task.await;
    }
    let _ = purge.await;
    if let Some(w) = watcher {
        let _ = w.await;
    }
    if let Some(g) = grpc {
        let _ = g.await;
    }
    tracing::info!("session node stopped");
    Ok(())
}

/// Serves the HTTP routes for an existing state (its own peer channels, the default proxy
/// deny-list).
pub async fn serve(
    node: Arc<NodeState>,
    limiter: Option<Arc<RateLimiter>>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let onion = Onion::new(node, Arc::default(), ProxyConfig::default());
    serve_onion(Arc::new(onion), limiter, listener, shutdown).await
}

/// Serves the HTTP routes of `onion`'s node, sharing its peer channels.
pub async fn serve_onion(
    onion: Arc<Onion>,
    limiter: Option<Arc<RateLimiter>>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/storage_rpc/v1", post(storage_rpc))
        .route("/onion_req/v2", post(onion_req))
        .route("/info", get(health))
        .route("/json_rpc", post(json_rpc))
        .fallback(not_found)
        .layer(DefaultBodyLimit::disable())
        .with_state(App {
            node: onion.node().clone(),
            limiter,
            peers: onion.peers().clone(),
            onion,
        });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}

async fn purge_loop(node: Arc<NodeState>, every_secs: u64, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(every_secs.max(1)));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let n = node.clone();
        match tokio::task::spawn_blocking(move || n.store.purge_expired(n.now_ms())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(count)) => tracing::debug!(count, "purged expired messages"),
            Ok(Err(e)) => tracing::error!(error = %e, "expiry purge failed"),
            Err(e) => tracing::error!(error = %e, "expiry purge task panicked"),
        }
    }
}

fn text(code: u16, body: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain")], body.into()).into_response()
}

fn to_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply.body {
        Body::Text(t) => text(status.as_u16(), t),
        Body::Json(v) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            v.to_string(),
        )
            .into_response(),
    }
}

async fn storage_rpc(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    (app.node.traffic.direct_rpc).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if app.node.view().own_swarm().is_none() {
        return text(503, "Service node is not ready: not in any swarm\n");
    }
    let ip = peer.ip().to_canonical();
    if !ip.is_ipv4() {
        return text(400, "Bad Request\n");
    }
    if app
        .limiter
        .as_ref()
        .is_some_and(|l| !l.allow(ip, app.node.now_ms()))
    {
        return text(429, "Too Many Requests\n");
    }
    if headers
        .get("X-Loki-Long-Poll")
        .is_some_and(|v| !v.is_empty())
    {
        return text(
            410,
            "long polling is no longer supported, client upgrade required",
        );
    }
    let body = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    to_response(storage_request(app.node, app.peers, Arc::from(body.as_ref())).await)
}

/// The body, with the `Content-Length` checks and a streaming 10 MiB cap (§1 rows 5, 6).
async fn read_body(
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<axum::body::Bytes, Response> {
    if let Some(len) = headers.get(header::CONTENT_LENGTH) {
        match len.to_str().ok().and_then(|s| s.parse::<u64>().ok()) {
            None => return Err(text(400, "invalid Content-Length")),
            Some(n) if n > MAX_BODY as u64 => return Err(text(413, "Request body too large")),
            Some(_) => {}
        }
    }
    // Streaming cap, for bodies without (or lying about) Content-Length.
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| text(413, "Request body too large"))
}

/// Runs a storage RPC body as `/storage_rpc/v1` does once its request-level checks passed
/// (`spec/rpc-errors.md` §1 from row 8 on): decode and execute on the blocking pool, then, for
/// a recursive request that succeeded, forward it to the rest of the swarm and merge the
/// answers. Onion requests whose destination is this node run through here too.
pub async fn storage_request(node: Arc<NodeState>, peers: Arc<Peers>, body: Arc<[u8]>) -> Reply {
    // RocksDB calls block; keep them off the async workers.
    let (local_node, local_body) = (node.clone(), body.clone());
    let (reply, recursive) = match tokio::task::spawn_blocking(move || {
        rpc::handle_entry(&local_node, &local_body)
    })
    .await
    {
        Ok(done) => done,
        Err(e) => {
            return Reply::text(
                500,
                format!("Exception caught with processing client request: {e}"),
            );
        }
    };
    // A recursive request that succeeded here goes to the rest of the swarm.
    if recursive && reply.code == 200 && node.has_swarm_peers() {
        return crate::internal::peers::fan_out(node, peers, body, reply).await;
    }
    reply
}

/// `POST /onion_req/v2`: the request-level checks of `spec/rpc-errors.md` §6 row 1 (no IPv4,
/// rate-limit or long-poll checks here), then the onion handler.
async fn onion_req(State(app): State<App>, headers: HeaderMap, body: axum::body::Body) -> Response {
    if app.node.view().own_swarm().is_none() {
        return text(503, "Service node is not ready: not in any swarm\n");
    }
    let body = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let reply = app.onion.entry(&body).await;
    let status = StatusCode::from_u16(reply.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status == StatusCode::OK {
        "application/octet-stream"
    } else {
        "text/plain"
    };
    (status, [(header::CONTENT_TYPE, content_type)], reply.body).into_response()
}

async fn health(State(app): State<App>) -> Response {
    let n = &app.node;
    let body = serde_json::json!({
        "ed25519": n.ed25519_hex(),
        "x25519": hex::encode(n.record.x25519),
        "version": rpc::VERSION,
        "hf": rpc::HARDFORK,
        "swarm": n.view().own_swarm().map(|id| format!("{id:016x}")),
        "epoch": n.view().epoch_block,
        "peers": crate::internal::health::lock(&n.peer_health).to_json(),
        "traffic": n.traffic.to_json(),
        "t": n.now_ms(),
    });
    to_response(Reply::ok(body))
}

/// The seed-node call clients bootstrap from: JSON-RPC 2.0 `get_n_service_nodes` (the only
/// method), answered from this node's swarm view.
async fn json_rpc(State(app): State<App>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return text(400, "invalid json");
    };
    let id = req.get("id").cloned().unwrap_or(serde_json::Value::Null);
    if req.get("method").and_then(serde_json::Value::as_str) != Some("get_n_service_nodes") {
        let err = serde_json::json!({
            "jsonrpc": "2.0", "id": id,
            "error": { "code": -32601, "message": "Method not found" },
        });
        return to_response(Reply::json(200, err));
    }
    let fields = req
        .pointer("/params/fields")
        .and_then(serde_json::Value::as_object);
    let result = rpc::service_nodes_json(&app.node, fields);
    to_response(Reply::ok(
        serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result }),
    ))
}

async fn not_found(method: Method, uri: Uri) -> Response {
    text(
        404,
        format!(
            "{} {} Not Found",
            method.as_str().to_lowercase(),
            uri.path()
        ),
    )
}
