//! Everything a request handler needs: the store, the node's keys, the clock, the swarm view.

use crate::clock::Clock;
use crate::swarm_view::{NodeRecord, SwarmInfo, SwarmView};
use base64::Engine as _;
use session_crypto::IdentityKeys;
use session_store::{Account, Store};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// Shared node state.
#[derive(Debug)]
pub struct NodeState {
    /// The message store.
    pub store: Store,
    /// The node's identity.
    pub keys: IdentityKeys,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// This node as others see it.
    pub record: NodeRecord,
    /// The swarms of the last closed epoch (swapped whole by the chain watcher).
    view: RwLock<Arc<SwarmView>>,
    /// Peer test results and schedule.
    pub peer_health: std::sync::Mutex<crate::internal::health::Schedule>,
    /// Request counters by how requests arrived.
    pub traffic: Traffic,
    /// What the sync loop asked of peers.
    pub sync: SyncCounters,
    /// How far peers' clocks are from ours (from their signed internal calls).
    pub peer_clock: crate::internal::peer_clock::PeerClock,
    /// Where storage requests run (off the async workers).
    pub executor: crate::executor::Executor,
}

/// The sync loop's work (`GET /info` `sync`): how many rounds ran, how many ended up asking
/// every node, how many `Summary` calls it made and the encoded bytes of their replies.
#[derive(Debug, Default)]
pub struct SyncCounters {
    /// Sync rounds run.
    pub rounds: std::sync::atomic::AtomicU64,
    /// Rounds that asked every node (start, or the swarms changed).
    pub everyone_rounds: std::sync::atomic::AtomicU64,
    /// `Summary` calls made.
    pub summary_calls: std::sync::atomic::AtomicU64,
    /// Encoded bytes of the `Summary` replies received.
    pub summary_bytes: std::sync::atomic::AtomicU64,
}

impl SyncCounters {
    /// `{"rounds", "everyone_rounds", "summary_calls", "summary_bytes"}`.
    pub fn to_json(&self) -> serde_json::Value {
        use std::sync::atomic::Ordering::Relaxed;
        serde_json::json!({
            "rounds": self.rounds.load(Relaxed),
            "everyone_rounds": self.everyone_rounds.load(Relaxed),
            "summary_calls": self.summary_calls.load(Relaxed),
            "summary_bytes": self.summary_bytes.load(Relaxed),
        })
    }
}

/// How many requests reached this node directly and through onions (shown by `GET /info`,
/// so that tests and operators can see whether clients keep to onion paths).
#[derive(Debug, Default)]
pub struct Traffic {
    /// `POST /storage_rpc/v1` requests (direct, from clients or tools).
    pub direct_rpc: std::sync::atomic::AtomicU64,
    /// Onion requests whose destination was this node's storage RPC.
    pub onion_rpc: std::sync::atomic::AtomicU64,
    /// Onion requests this node, as the last hop, passed to an HTTP server.
    pub proxied: std::sync::atomic::AtomicU64,
}

impl Traffic {
    /// `{"direct_rpc": n, "onion_rpc": m, "proxied": p}`.
    pub fn to_json(&self) -> serde_json::Value {
        use std::sync::atomic::Ordering::Relaxed;
        serde_json::json!({
            "direct_rpc": self.direct_rpc.load(Relaxed),
            "onion_rpc": self.onion_rpc.load(Relaxed),
            "proxied": self.proxied.load(Relaxed),
        })
    }
}

impl NodeState {
    /// Builds the state of a standalone node (its own single swarm, owning every account).
    pub fn standalone(
        store: Store,
        keys: IdentityKeys,
        clock: Arc<dyn Clock>,
        addr: SocketAddr,
    ) -> Self {
        let record = record_of(&keys, addr);
        let view = SwarmView::standalone(record.clone());
        Self::with_view(store, keys, clock, record, view)
    }

    /// Builds the state of a node that follows the chain: it owns nothing until the watcher
    /// publishes the first epoch's swarms.
    pub fn following_chain(
        store: Store,
        keys: IdentityKeys,
        clock: Arc<dyn Clock>,
        addr: SocketAddr,
    ) -> Self {
        let record = record_of(&keys, addr);
        Self::with_view(store, keys, clock, record, SwarmView::default())
    }

    fn with_view(
        store: Store,
        keys: IdentityKeys,
        clock: Arc<dyn Clock>,
        record: NodeRecord,
        view: SwarmView,
    ) -> Self {
        Self {
            store,
            keys,
            clock,
            record,
            traffic: Traffic::default(),
            sync: SyncCounters::default(),
            peer_clock: Default::default(),
            executor: crate::executor::Executor::per_core(),
            view: RwLock::new(Arc::new(view)),
            peer_health: std::sync::Mutex::new(crate::internal::health::Schedule::new(
                crate::internal::health::PASS_INTERVAL_MS,
                crate::internal::health::PASS_JITTER_MS,
            )),
        }
    }

    /// The current swarm view.
    pub fn view(&self) -> Arc<SwarmView> {
        self.view
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Publishes a new swarm view.
    pub fn set_view(&self, view: SwarmView) {
        *self
            .view
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(view);
    }

    /// Now, in ms.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Now on the network's clock: ours moved by the median offset of our peers' clocks (see
    /// [`crate::internal::peer_clock`]). What expiry stamps are dated with.
    pub fn network_ms(&self) -> u64 {
        self.peer_clock.network_ms(self.now_ms())
    }

    /// Base64 of this node's Ed25519 signature over `msg`.
    pub fn sign_b64(&self, msg: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.keys.sign(msg))
    }

    /// The node's Ed25519 public key in hex.
    pub fn ed25519_hex(&self) -> String {
        hex::encode(self.record.ed25519)
    }

    /// Whether this node's swarm has members besides this node (a standalone node has none).
    pub fn has_swarm_peers(&self) -> bool {
        let view = self.view();
        view.own_swarm()
            .is_some_and(|own| view.members(own).len() > 1)
    }

    /// Whether this node's swarm stores `account`.
    pub fn owns(&self, account: &Account) -> bool {
        self.view().owns(account)
    }

    /// The swarm that stores `account` (no members before the first epoch).
    pub fn swarm_for(&self, account: &Account) -> SwarmInfo {
        self.view().swarm_for(account)
    }
}

fn record_of(keys: &IdentityKeys, addr: SocketAddr) -> NodeRecord {
    NodeRecord {
        addr,
        grpc: addr,
        ed25519: *keys.ed25519_public().as_bytes(),
        x25519: *keys.x25519_public().as_bytes(),
    }
}
