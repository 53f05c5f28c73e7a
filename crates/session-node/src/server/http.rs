//! The HTTP routes: `POST /storage_rpc/v1` with the request-level checks, `POST /onion_req/v2`
//! (see [`crate::onion`]), `GET /info` health and `POST /json_rpc`. Served on a bound listener
//! until the token is cancelled.

use super::conn::HttpLimits;
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

#[derive(Clone)]
struct App {
    node: Arc<NodeState>,
    limiter: Option<Arc<RateLimiter>>,
    peers: Arc<Peers>,
    onion: Arc<Onion>,
    body_timeout: Duration,
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

/// Serves the HTTP routes of `onion`'s node, sharing its peer channels, under the default
/// [`HttpLimits`].
pub async fn serve_onion(
    onion: Arc<Onion>,
    limiter: Option<Arc<RateLimiter>>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    serve_onion_with(onion, limiter, listener, shutdown, HttpLimits::default()).await
}

/// Serves the HTTP routes of `onion`'s node under `limits` (head and body deadlines, connection
/// caps: see [`HttpLimits`]).
pub async fn serve_onion_with(
    onion: Arc<Onion>,
    limiter: Option<Arc<RateLimiter>>,
    listener: TcpListener,
    shutdown: CancellationToken,
    limits: HttpLimits,
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
            body_timeout: limits.body_timeout,
        });
    super::conn::serve(app, listener, limits, shutdown).await;
    Ok(())
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
    let body = match read_body(&headers, body, app.body_timeout).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    to_response(rpc::storage_request(app.node, app.peers, Arc::from(body.as_ref())).await)
}

/// The body, with the `Content-Length` checks, a streaming 10 MiB cap (§1 rows 5, 6) and a
/// deadline (408 when the body has not all arrived by then).
async fn read_body(
    headers: &HeaderMap,
    body: axum::body::Body,
    timeout: Duration,
) -> Result<axum::body::Bytes, Response> {
    if let Some(len) = headers.get(header::CONTENT_LENGTH) {
        match len.to_str().ok().and_then(|s| s.parse::<u64>().ok()) {
            None => return Err(text(400, "invalid Content-Length")),
            Some(n) if n > MAX_BODY as u64 => return Err(text(413, "Request body too large")),
            Some(_) => {}
        }
    }
    // Streaming cap, for bodies without (or lying about) Content-Length.
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(text(413, "Request body too large")),
        Err(_) => Err(text(408, "Request body timed out")),
    }
}

/// `POST /onion_req/v2`: the request-level checks of `spec/rpc-errors.md` §6 row 1 (no IPv4,
/// rate-limit or long-poll checks here), then the onion handler.
async fn onion_req(State(app): State<App>, headers: HeaderMap, body: axum::body::Body) -> Response {
    if app.node.view().own_swarm().is_none() {
        return text(503, "Service node is not ready: not in any swarm\n");
    }
    let body = match read_body(&headers, body, app.body_timeout).await {
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
        "sync": n.sync.to_json(),
        "store_memory": store_memory(&n.store),
        "peer_channels": app.peers.open_channels(),
        "t": n.now_ms(),
    });
    to_response(Reply::ok(body))
}

/// The store's memory by part (bytes), or null when RocksDB cannot say.
fn store_memory(store: &session_store::Store) -> serde_json::Value {
    store.memory().map_or(serde_json::Value::Null, |m| {
        serde_json::json!({
            "memtables": m.memtables,
            "table_readers": m.table_readers,
            "block_cache": m.block_cache,
            "block_cache_pinned": m.block_cache_pinned,
        })
    })
}

/// The seed-node call clients bootstrap from: JSON-RPC 2.0 `get_n_service_nodes` (the only
/// method), answered from this node's swarm view.
async fn json_rpc(State(app): State<App>, headers: HeaderMap, body: axum::body::Body) -> Response {
    let body = match read_body(&headers, body, app.body_timeout).await {
        Ok(b) => b,
        Err(r) => return r,
    };
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
