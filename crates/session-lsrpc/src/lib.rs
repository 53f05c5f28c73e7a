#![doc = include_str!("../README.md")]

pub mod key;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use session_onion::{NodeKeys, V4Request, V4Response, invalid_v4_response, open_v4};
use std::sync::Arc;
use tower::ServiceExt as _;

/// The path this endpoint is served on.
pub const PATH: &str = "/oxen/v4/lsrpc";

/// Size limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest onion body accepted (the encrypted layer with its framing).
    pub request: usize,
    /// Largest inner answer body sealed back; a larger one becomes a 500.
    pub response: usize,
}

impl Default for Limits {
    /// 12 MiB each way: a 10 MB upload or download plus onion and JSON overhead.
    fn default() -> Self {
        Self {
            request: 12 * 1024 * 1024,
            response: 12 * 1024 * 1024,
        }
    }
}

/// Marks an inner request that arrived inside an onion request (an extension on the request
/// the inner router sees).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViaOnion;

#[derive(Clone)]
struct Lsrpc {
    keys: Arc<NodeKeys>,
    inner: Router,
    limits: Limits,
}

/// A router serving [`PATH`] for `inner` (the server's routes without this one, so an onion
/// request cannot nest another); merge it into the server's router.
pub fn router(keys: Arc<NodeKeys>, inner: Router, limits: Limits) -> Router {
    Router::new()
        .route(PATH, post(endpoint))
        .layer(DefaultBodyLimit::max(limits.request))
        .with_state(Lsrpc {
            keys,
            inner,
            limits,
        })
}

async fn endpoint(State(s): State<Lsrpc>, body: Bytes) -> Response {
    handle(&s.keys, s.inner, s.limits, &body).await
}

/// Answers one `/oxen/v4/lsrpc` body: open, run on `inner`, seal.
pub async fn handle(keys: &NodeKeys, inner: Router, limits: Limits, body: &[u8]) -> Response {
    let exchange = match open_v4(keys, body) {
        Ok(x) => x,
        Err(e) => {
            tracing::debug!(error = %e, "undecryptable onion request");
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                e.body(),
            )
                .into_response();
        }
    };
    let answer = match &exchange.request {
        Ok(req) => match to_http(req) {
            Some(http_req) => run(inner, http_req, limits.response).await,
            None => invalid_v4_response(),
        },
        Err(e) => {
            tracing::debug!(error = %e, "invalid v4 onion request");
            invalid_v4_response()
        }
    };
    let sealed = exchange.seal(&answer, &mut rand::rng());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        sealed,
    )
        .into_response()
}

/// The inner request as HTTP: the endpoint made a valid URI (raw UTF-8 and other bytes outside
/// the URI grammar percent-encoded; existing escapes kept, so the decoded path is unchanged),
/// the headers that are valid HTTP headers, the body.
fn to_http(req: &V4Request) -> Option<Request<Body>> {
    let method = Method::from_bytes(req.method.as_bytes()).ok()?;
    let mut builder = Request::builder()
        .method(method)
        .uri(encode_uri(&req.endpoint));
    for (name, value) in &req.headers {
        let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        builder = builder.header(n, v);
    }
    let mut http_req = builder
        .body(Body::from(req.body.clone().unwrap_or_default()))
        .ok()?;
    http_req.extensions_mut().insert(ViaOnion);
    Some(http_req)
}

async fn run(inner: Router, req: Request<Body>, limit: usize) -> V4Response {
    let Ok(resp) = inner.oneshot(req).await;
    let code = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(n, _)| *n != header::CONTENT_LENGTH)
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    match axum::body::to_bytes(resp.into_body(), limit).await {
        Ok(body) => V4Response {
            code,
            headers,
            body: body.to_vec(),
        },
        Err(_) => V4Response {
            code: 500,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: b"Response too large".to_vec(),
        },
    }
}

/// Percent-encodes the bytes a URI may not carry (non-ASCII, space, controls and
/// `"<>\^`{|}`), leaving `%` escapes as they are.
fn encode_uri(endpoint: &str) -> String {
    let mut out = String::with_capacity(endpoint.len());
    for b in endpoint.bytes() {
        let keep = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' | b'#'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_become_uris_with_the_same_decoded_path() {
        assert_eq!(
            encode_uri("/room/a/reaction/1/🍆"),
            "/room/a/reaction/1/%F0%9F%8D%86"
        );
        assert_eq!(encode_uri("/x?limit=5&t=r"), "/x?limit=5&t=r");
        assert_eq!(encode_uri("/a b%20c"), "/a%20b%20c");
        for e in ["/room/a/reaction/1/🍆", "/a b\"<{|}>", "/ok/%F0%9F"] {
            let uri: axum::http::Uri = encode_uri(e).parse().unwrap();
            assert!(uri.path().starts_with('/'));
        }
    }
}
