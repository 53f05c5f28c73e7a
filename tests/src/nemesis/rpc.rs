//! The nemesis clients' storage RPC: signed `store`, `retrieve`, `delete` and `expire` sent
//! straight to one node, each answer read into an [`Answer`].

use super::history::{Answer, NodeId, Request, Seen};
use crate::{b64, now_ms};
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::IdentityKeys;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// How long a client waits for one answer (a paused node never answers; other builds may
/// share the machine).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A node to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Its Ed25519 key (hex).
    pub id: NodeId,
    /// Its storage RPC address.
    pub addr: SocketAddr,
}

/// An HTTP client with [`TIMEOUT`].
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .expect("http client")
}

fn ns_str(ns: i16) -> String {
    if ns == 0 {
        String::new()
    } else {
        ns.to_string()
    }
}

fn account_params(user: &IdentityKeys) -> Value {
    json!({"pubkey": user.session_id().to_string(),
        "pubkey_ed25519": hex::encode(user.ed25519_public().as_bytes())})
}

/// The hash a node computes for `data` in `user`'s namespace `ns`.
pub fn message_hash(user: &IdentityKeys, ns: i16, data: &[u8]) -> String {
    let mut account = [0u8; 33];
    account[0] = 0x05;
    account[1..].copy_from_slice(user.x25519_public().as_bytes());
    session_rpc::types::MessageHash::compute(
        &session_rpc::types::Account(account),
        session_rpc::types::Namespace(ns),
        data,
    )
    .to_b64()
}

fn store_params(user: &IdentityKeys, ns: i16, data: &[u8], ttl_ms: u64, ts: u64) -> Value {
    let mut p = account_params(user);
    p["namespace"] = json!(ns);
    p["timestamp"] = json!(ts);
    p["ttl"] = json!(ttl_ms);
    p["data"] = json!(b64(data));
    if ns % 10 != 0 {
        p["signature"] = json!(b64(
            &user.sign(format!("store{}{ts}", ns_str(ns)).as_bytes())
        ));
    }
    p
}

/// Stores `data` with `ttl_ms` (signed unless `ns` is a public inbox).
pub async fn store(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    ns: i16,
    data: Vec<u8>,
    ttl_ms: u64,
) -> (Request, Answer) {
    let ts = now_ms();
    let p = store_params(user, ns, &data, ttl_ms, ts);
    let request = Request::Store {
        hash: message_hash(user, ns, &data),
        data,
        expiry_ms: ts + ttl_ms,
    };
    let answer = call(http, to, "store", p, |v| {
        Some(Answer::Stored {
            hash: v["hash"].as_str()?.to_owned(),
        })
    })
    .await;
    (request, answer)
}

/// Stores `data` and returns the node's whole 200 answer, whose `swarm` object gives each
/// member's outcome (`"failed": true` for a member the node could not reach).
pub async fn store_answer(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    ns: i16,
    data: &[u8],
    ttl_ms: u64,
) -> anyhow::Result<Value> {
    let body = json!({"method": "store", "params": store_params(user, ns, data, ttl_ms, now_ms())});
    let reply = http
        .post(format!("http://{}/storage_rpc/v1", to.addr))
        .json(&body)
        .send()
        .await?;
    let status = reply.status();
    let text = reply.text().await?;
    anyhow::ensure!(status == 200, "store on {}: {status} {text}", to.addr);
    Ok(serde_json::from_str(&text)?)
}

/// One page of `user`'s namespace `ns` after `after`.
pub async fn retrieve(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    ns: i16,
    after: &str,
    max_count: u32,
) -> (Request, Answer) {
    let ts = now_ms();
    let mut p = account_params(user);
    p["namespace"] = json!(ns);
    p["timestamp"] = json!(ts);
    p["last_hash"] = json!(after);
    p["max_count"] = json!(max_count);
    p["signature"] = json!(b64(
        &user.sign(format!("retrieve{}{ts}", ns_str(ns)).as_bytes())
    ));
    let request = Request::Retrieve {
        after: after.to_owned(),
        max_count,
    };
    let answer = call(http, to, "retrieve", p, |v| {
        let mut messages = Vec::new();
        for m in v["messages"].as_array()? {
            messages.push(Seen {
                hash: m["hash"].as_str()?.to_owned(),
                data: base64::engine::general_purpose::STANDARD
                    .decode(m["data"].as_str()?)
                    .ok()?,
                expiry_ms: m["expiration"].as_u64()?,
            });
        }
        Some(Answer::Retrieved {
            messages,
            more: v["more"] == json!(true),
        })
    })
    .await;
    (request, answer)
}

/// Deletes `hashes`.
pub async fn delete(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    hashes: Vec<String>,
) -> (Request, Answer) {
    let mut p = account_params(user);
    p["messages"] = json!(hashes);
    p["signature"] = json!(b64(
        &user.sign(format!("delete{}", hashes.concat()).as_bytes())
    ));
    let answer = call(http, to, "delete", p, |v| {
        Some(Answer::Deleted {
            by_node: per_node(v, "deleted")?,
        })
    })
    .await;
    (Request::Delete { hashes }, answer)
}

/// Sets the expiry of `hashes` to `expiry_ms` (a plain set: it may shorten or extend).
pub async fn expire(
    http: &reqwest::Client,
    to: &Target,
    user: &IdentityKeys,
    hashes: Vec<String>,
    expiry_ms: u64,
) -> (Request, Answer) {
    let mut p = account_params(user);
    p["messages"] = json!(hashes);
    p["expiry"] = json!(expiry_ms);
    let signed = format!("expire{expiry_ms}{}", hashes.concat());
    p["signature"] = json!(b64(&user.sign(signed.as_bytes())));
    let answer = call(http, to, "expire", p, |v| {
        Some(Answer::Expired {
            by_node: per_node(v, "updated")?,
        })
    })
    .await;
    (Request::Expire { hashes, expiry_ms }, answer)
}

/// The `key` list of every member that answered in a swarm reply (failed members left out).
fn per_node(v: &Value, key: &str) -> Option<BTreeMap<NodeId, Vec<String>>> {
    let mut out = BTreeMap::new();
    for (node, entry) in v["swarm"].as_object()? {
        if entry.get("failed") == Some(&json!(true)) {
            continue;
        }
        let hashes = entry[key]
            .as_array()?
            .iter()
            .map(|h| h.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        out.insert(node.clone(), hashes);
    }
    Some(out)
}

/// Sends one request; 200 is read by `parse` (an unreadable 200 is `Unknown`), a 4xx is a
/// refusal, anything else `Unknown`.
async fn call(
    http: &reqwest::Client,
    to: &Target,
    method: &str,
    params: Value,
    parse: impl FnOnce(&Value) -> Option<Answer>,
) -> Answer {
    let body = json!({"method": method, "params": params});
    let reply = match http
        .post(format!("http://{}/storage_rpc/v1", to.addr))
        .json(&body)
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => return unknown(&e),
    };
    let status = reply.status().as_u16();
    let text = match reply.text().await {
        Ok(t) => t,
        Err(e) => return unknown(&e),
    };
    match status {
        200 => serde_json::from_str::<Value>(&text)
            .ok()
            .as_ref()
            .and_then(parse)
            .unwrap_or_else(|| Answer::Unknown {
                error: format!(
                    "unreadable 200: {}",
                    text.chars().take(200).collect::<String>()
                ),
            }),
        400..=499 => Answer::Refused { status },
        _ => Answer::Unknown {
            error: format!("{status}: {}", text.chars().take(200).collect::<String>()),
        },
    }
}

fn unknown(e: &reqwest::Error) -> Answer {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection refused"
    } else {
        "transport error"
    };
    Answer::Unknown {
        error: kind.to_owned(),
    }
}
