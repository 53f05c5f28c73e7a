//! 1:1 text messages over the onion: the recipient's swarm is asked for through a path
//! (`get_swarm`), the encrypted message is stored at a swarm member (namespace 0), and a
//! signed `retrieve` polls the own swarm. Every request goes through [`OnionClient`]; times
//! are network time (the local clock corrected by the offset learned from nodes' answers).
//! Local history, requests, receipts and disappearing messages come later (issue 8).

use crate::account::Account;
use crate::error::{Error, Result};
use crate::onion::OnionClient;
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::SessionId;
use session_onion::Node;
use session_protocol::proto::{Content, DataMessage};
use std::collections::HashMap;
use std::sync::Mutex;

/// Default time-to-live of a 1:1 message (14 days, as Session clients use).
pub const DEFAULT_TTL_MS: u64 = 14 * 24 * 3600 * 1000;

/// A received, decrypted and verified message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// Sender's Session ID.
    pub sender: SessionId,
    /// The text.
    pub text: String,
    /// When the sender says it sent it (signed inside the box), ms.
    pub sent_at_ms: u64,
    /// The storage hash.
    pub hash: String,
}

/// Sends and receives for one account.
pub struct Messenger {
    account: Account,
    onion: OnionClient,
    nodes: Vec<Node>,
    swarms: Mutex<HashMap<String, Vec<Node>>>,
}

impl std::fmt::Debug for Messenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messenger")
            .field("account", &self.account)
            .finish()
    }
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

impl Messenger {
    /// A messenger for `account` over `onion`, with `nodes` (the bootstrapped list) to ask
    /// swarm questions of.
    pub fn new(account: Account, onion: OnionClient, nodes: Vec<Node>) -> Self {
        Self {
            account,
            onion,
            nodes,
            swarms: Mutex::new(HashMap::new()),
        }
    }

    /// The onion transport.
    pub fn onion(&self) -> &OnionClient {
        &self.onion
    }

    /// Network time, ms.
    pub fn now_ms(&self) -> u64 {
        let local = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        local.saturating_add_signed(self.onion.clock_offset_ms())
    }

    /// The swarm of `pubkey` (66 hex), cached; asked of a random known node through a path.
    pub async fn swarm_of(&self, pubkey: &str) -> Result<Vec<Node>> {
        if let Some(s) = self.lock().get(pubkey) {
            return Ok(s.clone());
        }
        let ask = self
            .nodes
            .get(rand::random_range(0..self.nodes.len().max(1)))
            .ok_or_else(|| Error::NodeList("no nodes".into()))?;
        let body = json!({"method": "get_swarm", "params": {"pubkey": pubkey}}).to_string();
        let reply = self.onion.request(ask, body.as_bytes()).await?;
        let v = reply
            .body_json()
            .ok_or_else(|| Error::Reply(format!("get_swarm answered {}", reply.status)))?;
        let swarm = session_onion::swarm_from_reply(&v).map_err(|e| Error::Reply(e.to_string()))?;
        self.lock().insert(pubkey.to_owned(), swarm.clone());
        Ok(swarm)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Node>>> {
        self.swarms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends `body` (a storage RPC request for `pubkey`'s account) to a member of its swarm;
    /// on 421 the swarm in the answer replaces the cached one and the next member is tried.
    async fn to_swarm(&self, pubkey: &str, body: &Value) -> Result<Value> {
        let mut last = String::new();
        for _ in 0..3 {
            let swarm = self.swarm_of(pubkey).await?;
            let Some(member) = swarm.get(rand::random_range(0..swarm.len().max(1))) else {
                return Err(Error::Reply(format!("empty swarm for {pubkey}")));
            };
            let reply = self
                .onion
                .request(member, body.to_string().as_bytes())
                .await?;
            match (reply.status, reply.body_json()) {
                (200, Some(v)) => return Ok(v),
                (421, Some(v)) => {
                    if let Ok(s) = session_onion::swarm_from_reply(&v) {
                        self.lock().insert(pubkey.to_owned(), s);
                    }
                    last = "421 wrong swarm".into();
                }
                (status, _) => {
                    last = format!("status {status}: {}", reply.body_text().unwrap_or_default())
                }
            }
        }
        Err(Error::Reply(last))
    }

    /// Sends a text message to `to`; returns its storage hash.
    pub async fn send_text(&self, to: &SessionId, text: &str, ttl_ms: u64) -> Result<String> {
        let sent_ms = self.now_ms();
        let content = Content {
            data_message: Some(DataMessage {
                body: Some(text.to_owned()),
                ..Default::default()
            }),
            sig_timestamp: Some(sent_ms),
            ..Default::default()
        };
        let bytes = session_protocol::encode_for_recipient(
            self.account.keys(),
            to,
            &content,
            sent_ms,
            &mut rand::rng(),
        )
        .map_err(|e| Error::Reply(e.to_string()))?;
        let pubkey = to.to_string();
        let body = json!({"method": "store", "params": {"pubkey": pubkey, "timestamp": sent_ms,
            "ttl": ttl_ms, "data": b64(&bytes)}});
        let v = self.to_swarm(&pubkey, &body).await?;
        v["hash"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Error::Reply("store answer without hash".into()))
    }

    /// Polls namespace 0 after the stored cursor and commits the new messages with the advanced
    /// cursor in one transaction; returns the messages that were new.
    pub async fn poll(&self, history: &mut crate::history::History) -> Result<Vec<Received>> {
        let cursor = history.cursor(0).map_err(|e| Error::Reply(e.to_string()))?;
        let (received, last) = self.receive(&cursor).await?;
        history
            .commit_poll(0, &received, &last)
            .map_err(|e| Error::Reply(e.to_string()))
    }

    /// Sends a text message and records it in `history` with its hash.
    pub async fn send_recorded(
        &self,
        history: &crate::history::History,
        to: &SessionId,
        text: &str,
        ttl_ms: u64,
    ) -> Result<String> {
        let sent_ms = self.now_ms();
        let hash = self.send_text(to, text, ttl_ms).await?;
        history
            .record_sent(&to.to_string(), text, sent_ms, &hash)
            .map_err(|e| Error::Reply(e.to_string()))?;
        Ok(hash)
    }

    /// Polls the own swarm (namespace 0) after `last_hash` ("" for everything); returns the
    /// decodable messages (others are skipped) and the hash to continue after.
    pub async fn receive(&self, last_hash: &str) -> Result<(Vec<Received>, String)> {
        let keys = self.account.keys();
        let pubkey = self.account.session_id().to_string();
        let ts = self.now_ms();
        let sig = keys.sign(format!("retrieve{ts}").as_bytes());
        let body = json!({"method": "retrieve", "params": {"pubkey": pubkey,
            "pubkey_ed25519": hex::encode(keys.ed25519_public().as_bytes()),
            "timestamp": ts, "signature": b64(&sig), "last_hash": last_hash}});
        let v = self.to_swarm(&pubkey, &body).await?;
        let mut last = last_hash.to_owned();
        let mut out = Vec::new();
        for m in v["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let (Some(hash), Some(data)) = (m["hash"].as_str(), m["data"].as_str()) else {
                continue;
            };
            last = hash.to_owned();
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
                continue;
            };
            let Ok(incoming) = session_protocol::decode_incoming(keys, &bytes) else {
                continue;
            };
            let text = incoming
                .content
                .data_message
                .as_ref()
                .and_then(|d| d.body.clone())
                .unwrap_or_default();
            out.push(Received {
                sent_at_ms: incoming
                    .signed_timestamp_ms()
                    .unwrap_or(incoming.envelope_timestamp_ms),
                sender: incoming.sender,
                text,
                hash: hash.to_owned(),
            });
        }
        Ok((out, last))
    }
}
