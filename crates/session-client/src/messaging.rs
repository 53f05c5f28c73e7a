//! Swarm requests of one account over the onion: the recipient's swarm is asked for through a
//! path (`get_swarm`, cached, replaced on 421), messages are stored at a swarm member
//! (namespace 0) with retries and backoff, and signed `retrieve`, `delete` and `expire`
//! requests act on the own swarm. Every request goes through [`OnionClient`]; times are network
//! time (the local clock corrected by the offset learned from nodes), so a client whose clock
//! is wrong still signs and stores in the nodes' window. What the messages mean is
//! [`crate::chat`]'s.

use crate::account::Account;
use crate::content;
use crate::error::{Error, Result};
use crate::history::Incoming;
use crate::onion::OnionClient;
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::SessionId;
use session_onion::Node;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

pub use content::DEFAULT_TTL_MS;

/// How a store is retried when every onion attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Stores tried in all.
    pub attempts: u32,
    /// Wait before the second try; doubled for each further one.
    pub first: Duration,
    /// Longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 4,
            first: Duration::from_millis(500),
            max: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The wait before try `n` (0-based; none before the first).
    pub fn delay(&self, n: u32) -> Duration {
        if n == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32.checked_shl(n - 1).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// Members of a swarm one request tries (each a different one while there are).
const SWARM_TRIES: usize = 3;

/// A random member not in `tried` (any member once all were tried).
fn pick_untried(swarm: &[Node], tried: &[session_crypto::Ed25519PublicKey]) -> Option<Node> {
    let fresh: Vec<&Node> = swarm
        .iter()
        .filter(|n| !tried.contains(&n.ed25519))
        .collect();
    let pool: Vec<&Node> = if fresh.is_empty() {
        swarm.iter().collect()
    } else {
        fresh
    };
    pool.get(rand::random_range(0..pool.len().max(1)))
        .map(|n| (*n).clone())
}

/// One page of a `retrieve`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The messages that opened.
    pub items: Vec<Incoming>,
    /// The hash to continue after (the last one returned, opened or not).
    pub last_hash: String,
    /// The node holds more after this page.
    pub more: bool,
}

/// A 1:1 message that opened.
#[derive(Clone, Debug)]
pub(crate) enum Opened {
    /// A conversation's message.
    Message(Incoming),
    /// A group invitation or promotion.
    Group(crate::history::groups::GroupUpdateIn),
    /// A call message.
    Call(crate::history::CallIn),
}

/// Swarm requests for one account.
pub struct Messenger {
    account: Account,
    onion: OnionClient,
    nodes: Mutex<Vec<Node>>,
    swarms: Mutex<HashMap<String, Vec<Node>>>,
    backoff: Backoff,
    refresh: Option<Refresh>,
}

/// Where a fresh node list comes from when the pool cannot give paths any more.
#[derive(Clone, Debug)]
struct Refresh {
    home: std::path::PathBuf,
    network: crate::network::NetworkConfig,
    /// When the node list in use was fetched (system ms).
    fetched_at_ms: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// How old it may get before the next request fetches it again.
    max_age_ms: u64,
}

impl std::fmt::Debug for Messenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messenger")
            .field("account", &self.account)
            .finish()
    }
}

pub(crate) fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The storage hash of `data` in `to`'s namespace 0 (what the node will answer).
pub fn message_hash(to: &SessionId, data: &[u8]) -> String {
    message_hash_in(to, 0, data)
}

/// The storage hash of `data` in `to`'s `namespace`.
pub fn message_hash_in(to: &SessionId, namespace: i16, data: &[u8]) -> String {
    let account = session_rpc::types::Account(to.to_bytes());
    session_rpc::types::MessageHash::compute(
        &account,
        session_rpc::types::Namespace(namespace),
        data,
    )
    .to_b64()
}

impl Messenger {
    /// A messenger for `account` over `onion`, with `nodes` (the bootstrapped list) to ask
    /// swarm questions of.
    pub fn new(account: Account, onion: OnionClient, nodes: Vec<Node>) -> Self {
        Self {
            account,
            onion,
            nodes: Mutex::new(nodes),
            swarms: Mutex::new(HashMap::new()),
            backoff: Backoff::default(),
            refresh: None,
        }
    }

    /// Lets the messenger fetch a fresh node list from `network`'s seeds (cached in `home`)
    /// when the onion pool runs short (nodes died and were dropped).
    /// The list in use was fetched at `fetched_at_ms` (system ms); it is fetched again once
    /// older than [`crate::network::CACHE_MAX_AGE_MS`] (see [`Self::set_node_list_max_age`]).
    pub fn with_refresh(
        mut self,
        home: &std::path::Path,
        network: &crate::NetworkConfig,
        fetched_at_ms: u64,
    ) -> Self {
        self.refresh = Some(Refresh {
            home: home.to_path_buf(),
            network: network.clone(),
            fetched_at_ms: std::sync::Arc::new(fetched_at_ms.into()),
            max_age_ms: crate::network::CACHE_MAX_AGE_MS,
        });
        self
    }

    /// How old the node list may get before it is fetched again (long-running clients).
    pub fn set_node_list_max_age(&mut self, max_age: Duration) {
        if let Some(r) = &mut self.refresh {
            r.max_age_ms = u64::try_from(max_age.as_millis()).unwrap_or(u64::MAX);
        }
    }

    /// Fetches the node list again from the seeds and puts it to use.
    async fn refresh_nodes(&self, r: &Refresh) -> Result<()> {
        let now = crate::onion::system_ms();
        let http = reqwest::Client::new();
        let nodes = crate::network::refresh(&r.home, &http, &r.network, now).await?;
        self.onion.set_pool(nodes.clone());
        *self
            .nodes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = nodes;
        r.fetched_at_ms
            .store(now, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// One onion request. A node list past its age is fetched again first (a failure keeps the
    /// old one); when the pool can no longer give paths, the list is fetched again and the
    /// request tried once more.
    async fn request(&self, node: &Node, body: &[u8]) -> Result<session_onion::NodeReply> {
        if let Some(r) = &self.refresh {
            let age = crate::onion::system_ms()
                .saturating_sub(r.fetched_at_ms.load(std::sync::atomic::Ordering::Relaxed));
            if age >= r.max_age_ms
                && let Err(e) = self.refresh_nodes(r).await
            {
                tracing::debug!(error = %e, "refreshing the node list failed; keeping the old one");
            }
        }
        self.refreshing_when_short(|| self.onion.request(node, body))
            .await
    }

    /// Builds the onion paths (their guard tests also teach the network time); when the node
    /// list cannot give them, it is fetched again first, as for a request.
    pub async fn ensure_paths(&self) -> Result<()> {
        self.refreshing_when_short(|| self.onion.ensure_paths())
            .await
    }

    /// Runs `op`; when the onion pool cannot give paths, fetches the node list again (if the
    /// messenger knows where from) and runs `op` once more.
    async fn refreshing_when_short<T, F: Future<Output = Result<T>>>(
        &self,
        op: impl Fn() -> F,
    ) -> Result<T> {
        match (op().await, &self.refresh) {
            (Err(Error::NoPaths(shortage)), Some(r)) => {
                tracing::info!(?shortage, "onion pool short: fetching the node list again");
                self.refresh_nodes(r).await?;
                op().await
            }
            (result, _) => result,
        }
    }

    /// Replaces the store retry policy.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The onion transport.
    pub fn onion(&self) -> &OnionClient {
        &self.onion
    }

    /// Network time, ms.
    pub fn now_ms(&self) -> u64 {
        self.onion.network_now_ms()
    }

    /// The swarm of `pubkey` (66 hex), cached; asked of a random known node through a path
    /// (another one when it does not answer).
    pub async fn swarm_of(&self, pubkey: &str) -> Result<Vec<Node>> {
        if let Some(s) = self.lock().get(pubkey) {
            return Ok(s.clone());
        }
        let body = json!({"method": "get_swarm", "params": {"pubkey": pubkey}}).to_string();
        let mut asked = Vec::new();
        let mut last = Error::NodeList("no nodes".into());
        for _ in 0..SWARM_TRIES {
            let known = self
                .nodes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            let Some(ask) = pick_untried(&known, &asked) else {
                break;
            };
            asked.push(ask.ed25519);
            let reply = match self.request(&ask, body.as_bytes()).await {
                Ok(r) => r,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match reply
                .body_json()
                .map(|v| session_onion::swarm_from_reply(&v))
            {
                Some(Ok(swarm)) => {
                    self.lock().insert(pubkey.to_owned(), swarm.clone());
                    return Ok(swarm);
                }
                _ => last = Error::Reply(format!("get_swarm answered {}", reply.status)),
            }
        }
        Err(last)
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Node>>> {
        self.swarms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends a storage RPC request for `pubkey`'s account to a member of its swarm; on 421 the
    /// swarm in the answer replaces the cached one, and on an unreachable member (every onion
    /// attempt failed) another member is tried. `body` is
    /// rebuilt for each try (signed requests take a fresh network time).
    pub(crate) async fn to_swarm(&self, pubkey: &str, body: impl Fn() -> Value) -> Result<Value> {
        let mut tried = Vec::new();
        let mut last = Error::Reply(format!("no member of {pubkey}'s swarm answered"));
        for _ in 0..SWARM_TRIES {
            let swarm = self.swarm_of(pubkey).await?;
            let Some(member) = pick_untried(&swarm, &tried) else {
                return Err(Error::Reply(format!("empty swarm for {pubkey}")));
            };
            tried.push(member.ed25519);
            let reply = match self.request(&member, body().to_string().as_bytes()).await {
                Ok(reply) => reply,
                Err(e) => {
                    // Unreachable through every path: another member, and this one is left
                    // out of the cached swarm (while others remain).
                    self.forget_member(pubkey, &member);
                    last = e;
                    continue;
                }
            };
            match (reply.status, reply.body_json()) {
                (200, Some(v)) => return Ok(v),
                (421, Some(v)) => {
                    if let Ok(s) = session_onion::swarm_from_reply(&v) {
                        self.lock().insert(pubkey.to_owned(), s);
                    }
                    last = Error::Reply("421 wrong swarm".into());
                }
                (status, _) => {
                    let text = reply.body_text().unwrap_or_default();
                    last = Error::Reply(format!("status {status}: {text}"));
                }
            }
        }
        Err(last)
    }

    /// Drops `member` from `pubkey`'s cached swarm unless it is the last one.
    fn forget_member(&self, pubkey: &str, member: &Node) {
        let mut swarms = self.lock();
        if let Some(s) = swarms.get_mut(pubkey)
            && s.len() > 1
        {
            s.retain(|n| n.ed25519 != member.ed25519);
        }
    }

    /// Stores `data` (an encrypted 1:1 message) in `to`'s swarm; retried with [`Backoff`]
    /// when it fails (the same bytes, so a store that did land is not stored twice).
    /// Returns the node's hash.
    pub async fn store(
        &self,
        to: &SessionId,
        data: &[u8],
        sent_ms: u64,
        ttl_ms: u64,
    ) -> Result<String> {
        let pubkey = to.to_string();
        let body = || {
            json!({"method": "store", "params": {"pubkey": pubkey, "timestamp": sent_ms,
                "ttl": ttl_ms, "data": b64(data)}})
        };
        let mut last = None;
        for n in 0..self.backoff.attempts.max(1) {
            tokio::time::sleep(self.backoff.delay(n)).await;
            match self.to_swarm(&pubkey, body).await {
                Ok(v) => {
                    return v["hash"]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| Error::Reply("store answer without hash".into()));
                }
                Err(e) => {
                    tracing::debug!(try_ = n, error = %e, "store failed");
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Reply("no store attempt".into())))
    }

    /// Encrypts `content` for `to` at `sent_ms`; returns the bytes and their storage hash.
    pub fn seal(
        &self,
        to: &SessionId,
        content: &session_protocol::proto::Content,
        sent_ms: u64,
    ) -> Result<(Vec<u8>, String)> {
        let bytes = session_protocol::encode_for_recipient(
            self.account.keys(),
            to,
            content,
            sent_ms,
            &mut rand::rng(),
        )
        .map_err(|e| Error::Reply(e.to_string()))?;
        let hash = message_hash(to, &bytes);
        Ok((bytes, hash))
    }

    /// The own account's signed-request fields: `pubkey`, `pubkey_ed25519`, `signature` over
    /// `signed` (a closure of the network time, for requests that sign a timestamp).
    pub(crate) fn signed(&self, mut params: Value, signed: &str) -> Value {
        let keys = self.account.keys();
        let sig = keys.sign(signed.as_bytes());
        if let Some(o) = params.as_object_mut() {
            o.insert(
                "pubkey".into(),
                json!(self.account.session_id().to_string()),
            );
            o.insert(
                "pubkey_ed25519".into(),
                json!(hex::encode(keys.ed25519_public().as_bytes())),
            );
            o.insert("signature".into(), json!(b64(&sig)));
        }
        params
    }

    /// Polls the own swarm (namespace 0) after `last_hash` ("" for everything); returns the
    /// decodable messages of one page (others are skipped).
    pub async fn retrieve(&self, last_hash: &str) -> Result<Page> {
        let pubkey = self.account.session_id().to_string();
        let body = || {
            let ts = self.now_ms();
            let params = json!({"timestamp": ts, "last_hash": last_hash});
            json!({"method": "retrieve", "params": self.signed(params, &format!("retrieve{ts}"))})
        };
        let v = self.to_swarm(&pubkey, body).await?;
        let mut last = last_hash.to_owned();
        let mut out = Vec::new();
        for m in v["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let Some(hash) = m["hash"].as_str() else {
                continue;
            };
            last = hash.to_owned();
            if let Some(incoming) = self.open(hash, m["data"].as_str().unwrap_or_default()) {
                out.push(incoming);
            }
        }
        Ok(Page {
            items: out,
            last_hash: last,
            more: v["more"].as_bool().unwrap_or(false),
        })
    }

    /// Decrypts one retrieved message; `None` for anything that does not open (or is a
    /// group control message: see [`Self::open_any`]).
    pub(crate) fn open(&self, hash: &str, data: &str) -> Option<Incoming> {
        match self.open_any(hash, data)? {
            Opened::Message(m) => Some(m),
            Opened::Group(_) | Opened::Call(_) => None,
        }
    }

    /// Decrypts one retrieved message: a conversation's, or a group invitation/promotion.
    pub(crate) fn open_any(&self, hash: &str, data: &str) -> Option<Opened> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        // The hash is the history's key: a node must not be able to replay a message under
        // another hash (a duplicate) or hide one behind a known hash.
        if message_hash(&self.account.session_id(), &bytes) != hash {
            tracing::debug!("a retrieved message does not match its hash: skipped");
            return None;
        }
        let incoming = session_protocol::decode_incoming(self.account.keys(), &bytes).ok()?;
        if let Some(update) = session_protocol::group::parse(&incoming.content) {
            return Some(Opened::Group(crate::history::groups::GroupUpdateIn {
                sender: incoming.sender.to_string(),
                sent_at_ms: incoming
                    .signed_timestamp_ms()
                    .unwrap_or(incoming.envelope_timestamp_ms),
                hash: hash.to_owned(),
                update,
            }));
        }
        if let Some(signal) = session_call::CallSignal::from_content(&incoming.content) {
            let signal = signal.ok()?;
            return Some(Opened::Call(crate::history::CallIn {
                sender: incoming.sender.to_string(),
                sent_at_ms: incoming
                    .signed_timestamp_ms()
                    .unwrap_or(incoming.envelope_timestamp_ms),
                hash: hash.to_owned(),
                signal,
            }));
        }
        let parsed = content::parse_full(&incoming.content);
        // Only our own account may file a message in another conversation.
        let sync_target = parsed
            .sync_target
            .filter(|_| incoming.sender == self.account.session_id())
            .map(|t| t.to_string());
        if parsed.sync_target.is_some() && sync_target.is_none() {
            return None;
        }
        let dm = incoming.content.data_message.as_ref();
        let profile_key = dm
            .and_then(|d| d.profile_key.as_deref())
            .or_else(|| {
                incoming
                    .content
                    .message_request_response
                    .as_ref()
                    .and_then(|r| r.profile_key.as_deref())
            })
            .and_then(crate::avatars::ProfileKey::from_slice);
        let attachments = dm
            .map(|d| {
                d.attachments
                    .iter()
                    .filter_map(crate::attachments::Pointer::from_proto)
                    .collect()
            })
            .unwrap_or_default();
        Some(Opened::Message(Incoming {
            sender: incoming.sender.to_string(),
            sent_at_ms: incoming
                .signed_timestamp_ms()
                .unwrap_or(incoming.envelope_timestamp_ms),
            hash: hash.to_owned(),
            payload: parsed.payload?,
            expiry: parsed.expiry,
            sync_target,
            profile: parsed.profile,
            profile_key,
            attachments,
        }))
    }

    /// Deletes `hashes` from the own swarm.
    pub async fn delete_own(&self, hashes: &[String]) -> Result<()> {
        if hashes.is_empty() {
            return Ok(());
        }
        let pubkey = self.account.session_id().to_string();
        let signed = format!("delete{}", hashes.concat());
        let body = || {
            let params = json!({"messages": hashes});
            json!({"method": "delete", "params": self.signed(params, &signed)})
        };
        self.to_swarm(&pubkey, body).await.map(drop)
    }

    /// Shortens the expiry of `hashes` in the own swarm to `expiry_ms` (network time).
    pub async fn shorten_own(&self, hashes: &[String], expiry_ms: u64) -> Result<()> {
        if hashes.is_empty() {
            return Ok(());
        }
        let pubkey = self.account.session_id().to_string();
        let signed = format!("expireshorten{expiry_ms}{}", hashes.concat());
        let body = || {
            let params = json!({"messages": hashes, "expiry": expiry_ms, "shorten": true});
            json!({"method": "expire", "params": self.signed(params, &signed)})
        };
        self.to_swarm(&pubkey, body).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OnionConfig;

    #[test]
    fn a_retrieved_message_counts_only_under_its_own_hash() {
        let dir = tempfile::tempdir().expect("dir");
        let (me, _) = Account::create(dir.path(), &mut rand::rng()).expect("account");
        let sender =
            session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([4; 32]));
        let content = content::build(
            &content::Payload::Text {
                body: "hello".into(),
                quote: None,
            },
            content::Expiry::Off,
            1_700_000_000_000,
        );
        let bytes = session_protocol::encode_for_recipient(
            &sender,
            &me.session_id(),
            &content,
            1_700_000_000_000,
            &mut rand::rng(),
        )
        .expect("sealed");
        let hash = message_hash(&me.session_id(), &bytes);
        let m = Messenger::new(me, OnionClient::new(OnionConfig::devnet(), []), Vec::new());
        let data = b64(&bytes);
        let got = m.open(&hash, &data).expect("opens under its hash");
        assert_eq!(
            (got.sender, got.hash),
            (sender.session_id().to_string(), hash)
        );
        let other = message_hash(&sender.session_id(), &bytes);
        assert!(
            m.open(&other, &data).is_none(),
            "replayed under another hash"
        );
    }

    #[test]
    fn only_our_own_account_can_file_a_message_in_another_conversation() {
        let dir = tempfile::tempdir().expect("dir");
        let (me, _) = Account::create(dir.path(), &mut rand::rng()).expect("account");
        let my_id = me.session_id();
        let stranger =
            session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([4; 32]));
        let bob =
            session_crypto::IdentityKeys::from_seed(session_crypto::Seed::from_bytes([5; 32]))
                .session_id();
        let text = content::build(
            &content::Payload::Text {
                body: "to bob".into(),
                quote: None,
            },
            content::Expiry::Off,
            1_700_000_000_000,
        );
        let copy = content::sync_copy(&text, &bob).expect("a copy");
        let mine = session_protocol::encode_for_recipient(
            me.keys(),
            &my_id,
            &copy,
            1_700_000_000_000,
            &mut rand::rng(),
        )
        .expect("sealed");
        let forged = session_protocol::encode_for_recipient(
            &stranger,
            &my_id,
            &copy,
            1_700_000_000_000,
            &mut rand::rng(),
        )
        .expect("sealed");
        let m = Messenger::new(me, OnionClient::new(OnionConfig::devnet(), []), Vec::new());
        let got = m
            .open(&message_hash(&my_id, &mine), &b64(&mine))
            .expect("our copy opens");
        assert_eq!(got.sync_target, Some(bob.to_string()));
        assert_eq!(got.sender, my_id.to_string());
        assert!(
            m.open(&message_hash(&my_id, &forged), &b64(&forged))
                .is_none(),
            "a stranger's copy is dropped"
        );
    }

    fn node(n: u8) -> Node {
        Node {
            ed25519: session_crypto::Ed25519PublicKey::from_bytes([n; 32]),
            x25519: session_crypto::X25519PublicKey::from_bytes([n; 32]),
            ip: std::net::Ipv4Addr::LOCALHOST,
            port: u16::from(n),
        }
    }

    #[test]
    fn members_are_tried_once_each_before_any_again() {
        let swarm = [node(1), node(2), node(3)];
        for _ in 0..50 {
            let mut tried = Vec::new();
            for _ in 0..3 {
                let m = pick_untried(&swarm, &tried).expect("a member");
                assert!(!tried.contains(&m.ed25519), "tried twice");
                tried.push(m.ed25519);
            }
            assert!(pick_untried(&swarm, &tried).is_some(), "then any");
        }
        assert!(pick_untried(&[], &[]).is_none());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let b = Backoff::default();
        let waits: Vec<u64> = (0..7)
            .map(|n| u64::try_from(b.delay(n).as_millis()).unwrap_or(0))
            .collect();
        assert_eq!(waits, [0, 500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(b.delay(200), b.max, "no overflow");
    }
}
