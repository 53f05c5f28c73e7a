//! `POST /loki/v3/lsrpc` and `/oxen/v3/lsrpc`: the deprecated v3 onion form, which the
//! reference file server still serves. The body opens as for v4 (same framing and ciphers,
//! `session_onion::ServerRequest`); the payload is JSON (`{"endpoint","method","body",
//! "headers"}`, [`crate::request::parse_v3`]); the inner request runs on the server's own
//! router; the answer is `base64(encrypt(body))` for a 200 and
//! `base64(encrypt({"status_code": N}))` otherwise (headers and error bodies are dropped, as the
//! reference does). A body that does not open is a plain 400, as for v4.
//!
//! `session-lsrpc` serves only v4; this handler is written to move there unchanged if the
//! community server wants v3 too.

use crate::pyjson::Json;
use crate::request::parse_v3;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use session_lsrpc::{Limits, ViaOnion};
use session_onion::{NodeKeys, ServerRequest};
use std::sync::Arc;
use tower::ServiceExt as _;

/// The paths this endpoint is served on.
pub const PATHS: [&str; 2] = ["/loki/v3/lsrpc", "/oxen/v3/lsrpc"];

#[derive(Clone)]
struct V3 {
    keys: Arc<NodeKeys>,
    inner: Router,
    limits: Limits,
}

/// A router serving [`PATHS`] for `inner` (the server's routes without the onion endpoints).
pub fn router(keys: Arc<NodeKeys>, inner: Router, limits: Limits) -> Router {
    let mut r = Router::new();
    for p in PATHS {
        r = r.route(p, post(endpoint));
    }
    r.layer(DefaultBodyLimit::max(limits.request))
        .with_state(V3 {
            keys,
            inner,
            limits,
        })
}

async fn endpoint(State(s): State<V3>, body: Bytes) -> Response {
    let opened = match ServerRequest::open(&s.keys, &body) {
        Ok(o) => o,
        Err(e) => {
            tracing::debug!(error = %e, "undecryptable v3 onion request");
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                e.body(),
            )
                .into_response();
        }
    };
    let answer = match parse_v3(&opened.plaintext).and_then(|r| to_http(&r)) {
        Some(req) => run(s.inner, req, s.limits.response).await,
        None => Json::status(400).dump().into_bytes(),
    };
    let sealed = opened.reply.seal_base64(&answer, &mut rand::rng());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        sealed,
    )
        .into_response()
}

fn to_http(req: &crate::request::V3Request) -> Option<Request<Body>> {
    let method = Method::from_bytes(req.method.as_bytes()).ok()?;
    let mut b = Request::builder().method(method).uri(&req.endpoint);
    for (n, v) in &req.headers {
        if n == "content-type" || n == "content-length" {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            b = b.header(n, v);
        }
    }
    // v3 bodies are JSON strings: the reference gives every v3 sub-request this content type.
    b = b.header(header::CONTENT_TYPE, "application/json");
    let mut r = b.body(Body::from(req.body.clone())).ok()?;
    r.extensions_mut().insert(ViaOnion);
    Some(r)
}

/// The inner answer as v3 carries it: the body of a 200, else `{"status_code": N}`.
async fn run(inner: Router, req: Request<Body>, limit: usize) -> Vec<u8> {
    let Ok(resp) = inner.oneshot(req).await;
    let code = resp.status().as_u16();
    if code != 200 {
        return Json::status(code).dump().into_bytes();
    }
    match axum::body::to_bytes(resp.into_body(), limit).await {
        Ok(b) => b.to_vec(),
        Err(_) => Json::status(500).dump().into_bytes(),
    }
}
