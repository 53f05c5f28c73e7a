//! The onion transport: every request to a node goes through one of two 3-hop paths.
//!
//! [`OnionClient`] keeps a [`PathManager`] (the policy: tested guards, path building, failure
//! counters, replacements) and does its I/O: testing guard candidates with a direct
//! `GET /info` (health; never a storage request), POSTing built requests to the guard's
//! `/onion_req/v2`, opening the answers. After a path failure the request is sent again on a
//! path not yet tried (the other path); every outcome is reported to the policy. The network's
//! clock is learned from the `t` of answers and guard tests;
//! [`OnionClient::network_now_ms`] is the time to sign and store with. Requests to HTTP servers
//! (the file server) go the same way with a v4 payload (`server`).

mod server;

use crate::error::{Error, Result};
use serde_json::Value;
use session_crypto::Ed25519PublicKey;
use session_onion::{
    Action, Advice, Destination, EncType, Node, NodeDestination, NodeReply, Outcome, Path,
    PathConfig, PathManager,
};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the transport behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnionConfig {
    /// The path policy.
    pub paths: PathConfig,
    /// The cipher of every layer.
    pub enc_type: EncType,
    /// How long to wait for the guard's answer (relays wait 30 s for the next hop).
    pub request_timeout: Duration,
    /// How long a guard candidate has to answer its test.
    pub guard_test_timeout: Duration,
    /// Sends of one request, each on a path not tried before when there is one.
    pub attempts: usize,
    /// Added to the system clock to make this client's local clock (0 normally; tests use it
    /// to run a client whose clock is wrong, which must still work on network time).
    pub local_clock_skew_ms: i64,
}

impl Default for OnionConfig {
    fn default() -> Self {
        Self {
            paths: PathConfig::default(),
            enc_type: EncType::XChaCha20,
            request_timeout: Duration::from_secs(40),
            guard_test_timeout: Duration::from_secs(5),
            attempts: 3,
            local_clock_skew_ms: 0,
        }
    }
}

impl OnionConfig {
    /// For a loopback devnet: no /24 rule, any pool size, shorter timeouts.
    pub fn devnet() -> Self {
        Self {
            paths: PathConfig::devnet(),
            request_timeout: Duration::from_secs(35),
            guard_test_timeout: Duration::from_secs(2),
            ..Self::default()
        }
    }
}

/// One send over one path.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// What happened, as the policy classifies it.
    pub outcome: Outcome,
    /// The destination's answer, when one came back and opened.
    pub reply: Option<NodeReply>,
    /// A short description for errors (status and relay error text; no payload).
    pub detail: String,
}

/// The onion transport of one client.
#[derive(Debug)]
pub struct OnionClient {
    config: OnionConfig,
    http: reqwest::Client,
    manager: Mutex<PathManager>,
    clock_offset_ms: AtomicI64,
}

impl OnionClient {
    /// A transport over `pool` (from seed nodes or [`fetch_nodes`]).
    pub fn new(config: OnionConfig, pool: impl IntoIterator<Item = Node>) -> Self {
        let mut manager = PathManager::new(config.paths.clone());
        manager.set_pool(pool);
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .expect("a TLS-less HTTP client builds");
        Self {
            config,
            http,
            manager: Mutex::new(manager),
            clock_offset_ms: AtomicI64::new(0),
        }
    }

    fn manager(&self) -> MutexGuard<'_, PathManager> {
        self.manager.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current paths (guard first).
    pub fn paths(&self) -> Vec<Path> {
        self.manager().paths().to_vec()
    }

    /// Looks at the path policy's state.
    pub fn with_manager<R>(&self, f: impl FnOnce(&PathManager) -> R) -> R {
        f(&self.manager())
    }

    /// Replaces the pool (a fresh node list).
    pub fn set_pool(&self, pool: impl IntoIterator<Item = Node>) {
        self.manager().set_pool(pool);
    }

    /// The network's clock minus ours, in ms, as learned from answers (0 before any).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Drives the policy until both paths are built: tests the guard candidates it proposes.
    pub async fn ensure_paths(&self) -> Result<()> {
        loop {
            let action = self.manager().poll(&mut rand::rng());
            match action {
                Action::Ready => return Ok(()),
                Action::RefreshPool(shortage) => return Err(Error::NoPaths(shortage)),
                Action::AwaitGuardTests => {
                    // Tests are awaited below, so none is outstanding here; a stale state
                    // means the pool changed under us: poll again.
                    tokio::task::yield_now().await;
                }
                Action::TestGuards(candidates) => {
                    let mut tests = tokio::task::JoinSet::new();
                    for node in candidates {
                        let http = self.http.clone();
                        let timeout = self.config.guard_test_timeout;
                        tests.spawn(async move {
                            let t = test_guard(&http, &node, timeout).await;
                            (node.ed25519, t)
                        });
                    }
                    while let Some(done) = tests.join_next().await {
                        if let Ok((node, t)) = done {
                            if let Some(t) = t.filter(|&t| t > 0) {
                                self.learn_time(t);
                            }
                            self.manager().guard_tested(&node, t.is_some());
                        }
                    }
                }
            }
        }
    }

    /// Sends a storage RPC body (`{"method","params"}`) to `destination` through the paths,
    /// retrying on a path not yet tried after a path failure. Returns the destination's
    /// answer (any status: 421, 406 and others are for the caller to act on).
    pub async fn request(&self, destination: &Node, body: &[u8]) -> Result<NodeReply> {
        self.request_from(None, destination, body).await
    }

    /// [`Self::request`], with the first attempt on `first` (when it avoids the destination).
    pub async fn request_from(
        &self,
        first: Option<&Path>,
        destination: &Node,
        body: &[u8],
    ) -> Result<NodeReply> {
        let mut tried: Vec<Ed25519PublicKey> = Vec::new();
        let mut last = String::from("no attempt");
        let attempts = self.config.attempts.max(1);
        let mut first = first.filter(|p| !p.contains(&destination.ed25519)).cloned();
        for _ in 0..attempts {
            self.ensure_paths().await?;
            let path = match first.take() {
                Some(p) => p,
                None => self.pick_path(Some(&destination.ed25519), &tried)?,
            };
            let attempt = self.send_once(&path, destination, body).await?;
            let report = self.manager().report(
                &path,
                Some(&destination.ed25519),
                attempt.outcome,
                &mut rand::rng(),
            );
            tracing::debug!(advice = ?report.advice, dropped = report.dropped.len(), "onion attempt");
            match (report.advice, attempt.reply) {
                (Advice::RetryPath, _) | (_, None) => {
                    tried.push(path.guard().ed25519);
                    last = attempt.detail;
                }
                (_, Some(reply)) => return Ok(reply),
            }
        }
        Err(Error::Exhausted { attempts, last })
    }

    /// A path for a request to `destination` (a node, or `None` for an HTTP server): one
    /// without the destination and whose guard has not been tried for this request, else any
    /// without the destination.
    fn pick_path(
        &self,
        destination: Option<&Ed25519PublicKey>,
        tried: &[Ed25519PublicKey],
    ) -> Result<Path> {
        let manager = self.manager();
        let fresh: Vec<&Path> = manager
            .paths()
            .iter()
            .filter(|p| {
                destination.is_none_or(|d| !p.contains(d)) && !tried.contains(&p.guard().ed25519)
            })
            .collect();
        if !fresh.is_empty() {
            let i = rand::random_range(0..fresh.len());
            return Ok(fresh[i].clone());
        }
        manager
            .choose_path(&mut rand::rng(), destination)
            .ok_or(Error::NoPathAvoidsDestination)
    }

    /// Sends once over `path` (no retry, nothing reported to the policy).
    pub async fn send_once(&self, path: &Path, destination: &Node, body: &[u8]) -> Result<Attempt> {
        let built = session_onion::build(
            path.nodes(),
            &Destination::Node(NodeDestination::new(destination)),
            body,
            self.config.enc_type,
            &mut rand::rng(),
        )
        .map_err(Error::Build)?;
        let guard = path.guard();
        let url = format!("http://{}:{}/onion_req/v2", guard.ip, guard.port);
        let sent = self.http.post(url).body(built.body).send().await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return Ok(failed(if e.is_timeout() {
                    "guard timed out"
                } else {
                    "guard unreachable"
                }));
            }
        };
        let status = response.status().as_u16();
        let bytes = match read_capped(response, MAX_REPLY_BYTES).await {
            Ok(b) => b,
            Err(why) => return Ok(failed(why)),
        };
        if status != 200 {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            return Ok(Attempt {
                outcome: Outcome::from_plain_error(status, &bytes),
                reply: None,
                detail: format!("{status} {text}"),
            });
        }
        match built.response.open_node_reply(&bytes) {
            Ok(reply) => {
                self.learn_clock(&reply);
                Ok(Attempt {
                    outcome: Outcome::Answered {
                        status: reply.status,
                    },
                    detail: format!("destination answered {}", reply.status),
                    reply: Some(reply),
                })
            }
            Err(_) => Ok(failed("answer did not open")),
        }
    }

    fn learn_clock(&self, reply: &NodeReply) {
        if let Some(t) = reply
            .body_json()
            .and_then(|v| v.get("t").and_then(Value::as_u64))
        {
            self.learn_time(t);
        }
    }

    /// Records a node's time `t` (ms) as the network's.
    fn learn_time(&self, t: u64) {
        let offset = i64::try_from(t)
            .unwrap_or(i64::MAX)
            .saturating_sub(self.local_now_ms());
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
    }

    /// This client's local clock, ms: the system clock plus the configured skew.
    pub fn local_now_ms(&self) -> i64 {
        i64::try_from(system_ms())
            .unwrap_or(i64::MAX)
            .saturating_add(self.config.local_clock_skew_ms)
    }

    /// Network time, ms: the local clock corrected by the offset learned from nodes.
    pub fn network_now_ms(&self) -> u64 {
        let t = self.local_now_ms().saturating_add(self.clock_offset_ms());
        u64::try_from(t).unwrap_or(0)
    }
}

/// The largest onion answer read (a full retrieve page, base64 and encrypted, is ~11 MB); a
/// guard sending more is treated as a failed path rather than filling memory.
pub const MAX_REPLY_BYTES: usize = 24 * 1024 * 1024;

/// The largest node list read from a seed (thousands of nodes fit in well under this).
pub const MAX_NODE_LIST_BYTES: usize = 8 * 1024 * 1024;

/// Reads a response body up to `cap` bytes.
async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, &'static str> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err("answer too large");
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > cap => return Err("answer too large"),
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body),
            Err(_) => return Err("answer cut short"),
        }
    }
}

fn failed(detail: &str) -> Attempt {
    Attempt {
        outcome: Outcome::PathFailed,
        reply: None,
        detail: detail.to_owned(),
    }
}

/// The system clock, ms since the epoch (cache ages, local deadlines; anything signed or
/// stored uses [`OnionClient::network_now_ms`]).
pub fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A guard test: a direct `GET /info` (the node's health, not the storage RPC) that must answer
/// 200; its `t` is returned for the clock offset.
async fn test_guard(http: &reqwest::Client, node: &Node, timeout: Duration) -> Option<u64> {
    let url = format!("http://{}:{}/info", node.ip, node.port);
    let r = http.get(url).timeout(timeout).send().await.ok()?;
    if r.status().as_u16() != 200 {
        return None;
    }
    let v: Value = serde_json::from_slice(&read_capped(r, 64 * 1024).await.ok()?).ok()?;
    Some(v.get("t").and_then(Value::as_u64).unwrap_or(0))
}

/// The node list from a node's seed call (`POST /json_rpc` `get_n_service_nodes`), nodes
/// with ip `0.0.0.0` or unusable entries left out.
pub async fn fetch_nodes(http: &reqwest::Client, seed: SocketAddr) -> Result<Vec<Node>> {
    let req = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "get_n_service_nodes",
        "params": {"active_only": true, "fields": {"public_ip": true, "storage_port": true,
        "pubkey_x25519": true, "pubkey_ed25519": true}}});
    let err = |e: &dyn std::fmt::Display| Error::NodeList(e.to_string());
    let reply = http
        .post(format!("http://{seed}/json_rpc"))
        .body(req.to_string())
        .send()
        .await
        .map_err(|e| err(&e))?;
    let v: Value = serde_json::from_slice(
        &read_capped(reply, MAX_NODE_LIST_BYTES)
            .await
            .map_err(|e| err(&e))?,
    )
    .map_err(|e| err(&e))?;
    let states = v
        .pointer("/result/service_node_states")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::NodeList("no service_node_states".into()))?;
    Ok(states
        .iter()
        .filter_map(|s| Node::from_json(s).ok())
        .filter(|n| !n.ip.is_unspecified())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A loopback HTTP server answering every request with `head` and then `body_chunks`
    /// chunks of 1 MiB (chunked encoding, no length announced) until the client hangs up.
    async fn serve(head: &'static str, body_chunks: usize) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![0u8; 64 * 1024];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 1 << 20];
            for _ in 0..body_chunks {
                let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                if sock.write_all(&frame).await.is_err() {
                    return;
                }
            }
            let _ = sock.write_all(b"0\r\n\r\n").await;
        });
        addr
    }

    async fn get(addr: SocketAddr) -> reqwest::Response {
        reqwest::get(format!("http://{addr}/"))
            .await
            .expect("answer")
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused_without_reading_it_all() {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // An endless stream stops at the cap.
        let endless = serve(chunked, usize::MAX).await;
        let capped = read_capped(get(endless).await, 4 << 20).await;
        assert_eq!(capped, Err("answer too large"));
        // An announced length over the cap is refused before the body.
        let huge = "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n";
        let announced = serve(huge, 0).await;
        assert_eq!(
            read_capped(get(announced).await, 4 << 20).await,
            Err("answer too large")
        );
        // Under the cap, the whole body.
        let small = serve(chunked, 3).await;
        assert_eq!(
            read_capped(get(small).await, 4 << 20)
                .await
                .map(|b| b.len()),
            Ok(3 << 20)
        );
    }
}
