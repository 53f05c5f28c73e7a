//! Requests to HTTP servers (the file server) through the onion paths: the inner request is a
//! v4 payload (`spec/network.md` §1.6) encrypted to the server's X25519 key; the last hop
//! POSTs it to the server's `/oxen/v4/lsrpc` and the server's answer comes back encrypted,
//! raw (a bencoded `[meta, body]`, so a 10 MB file costs 10 MB, not its base64).
//!
//! The retry policy is [`OnionClient::request_from`]'s: a path failure (a relay's plain error,
//! a guard that does not answer, an answer that does not open) is reported to the policy and
//! the request goes again on a path whose guard was not tried; any answer the server sealed
//! is returned as it is, whatever its status.

use super::{Attempt, MAX_REPLY_BYTES, OnionClient, failed, read_capped};
use crate::error::{Error, Result};
use session_crypto::Ed25519PublicKey;
use session_onion::{Advice, Destination, Outcome, Path, ServerDestination, V4Request, V4Response};

/// One send to a server over one path.
struct ServerAttempt {
    attempt: Attempt,
    response: Option<V4Response>,
}

impl OnionClient {
    /// Sends `request` to the HTTP server `server` through a 3-hop path, retrying on a path
    /// not yet tried after a path failure. Returns the server's answer (any status).
    pub async fn request_server(
        &self,
        server: &ServerDestination,
        request: &V4Request,
    ) -> Result<V4Response> {
        let payload = request.encode();
        let mut tried: Vec<Ed25519PublicKey> = Vec::new();
        let mut last = String::from("no attempt");
        let attempts = self.config.attempts.max(1);
        for _ in 0..attempts {
            self.ensure_paths().await?;
            let path = self.pick_path(None, &tried)?;
            let sent = self.send_server_once(&path, server, &payload).await?;
            let report = self
                .manager()
                .report(&path, None, sent.attempt.outcome, &mut rand::rng());
            tracing::debug!(advice = ?report.advice, "onion attempt to a server");
            match (report.advice, sent.response) {
                (Advice::RetryPath, _) | (_, None) => {
                    tried.push(path.guard().ed25519);
                    last = sent.attempt.detail;
                }
                (_, Some(response)) => return Ok(response),
            }
        }
        Err(Error::Exhausted { attempts, last })
    }

    /// Sends a v4 `payload` to `server` once over `path` (no retry, nothing reported).
    async fn send_server_once(
        &self,
        path: &Path,
        server: &ServerDestination,
        payload: &[u8],
    ) -> Result<ServerAttempt> {
        let built = session_onion::build(
            path.nodes(),
            &Destination::Server(server.clone()),
            payload,
            self.config.enc_type,
            &mut rand::rng(),
        )
        .map_err(Error::Build)?;
        let guard = path.guard();
        let url = format!("http://{}:{}/onion_req/v2", guard.ip, guard.port);
        let lost = |detail: &str| ServerAttempt {
            attempt: failed(detail),
            response: None,
        };
        let response = match self.http.post(url).body(built.body).send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Ok(lost("guard timed out")),
            Err(_) => return Ok(lost("guard unreachable")),
        };
        let status = response.status().as_u16();
        let bytes = match read_capped(response, MAX_REPLY_BYTES).await {
            Ok(b) => b,
            Err(why) => return Ok(lost(why)),
        };
        if status != 200 {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            return Ok(ServerAttempt {
                attempt: Attempt {
                    outcome: Outcome::from_plain_error(status, &bytes),
                    reply: None,
                    detail: format!("{status} {text}"),
                },
                response: None,
            });
        }
        match built.response.open_v4(&bytes) {
            Ok(v4) => Ok(ServerAttempt {
                attempt: Attempt {
                    outcome: Outcome::Answered { status: v4.code },
                    reply: None,
                    detail: format!("server answered {}", v4.code),
                },
                response: Some(v4),
            }),
            Err(_) => Ok(lost("server answer did not open")),
        }
    }
}
