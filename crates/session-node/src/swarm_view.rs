//! What a node knows of the network at one moment: the swarms of the last closed epoch and the
//! swarm this node is in. Request handlers read an `Arc<SwarmView>` that the chain watcher
//! swaps whole, so a request sees one consistent epoch.

use serde_json::{Value, json};
use session_store::Account;
use session_swarm::SwarmId;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

/// A node as `get_swarm` and 421 replies describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRecord {
    /// Its public storage-RPC address.
    pub addr: SocketAddr,
    /// Ed25519 public key.
    pub ed25519: [u8; 32],
    /// X25519 public key.
    pub x25519: [u8; 32],
    /// Its internal gRPC address (as registered; the storage-RPC address for a standalone node).
    pub grpc: SocketAddr,
}

impl NodeRecord {
    /// The reference server's snode object.
    pub fn to_json(&self) -> Value {
        let port = self.addr.port();
        json!({
            "address": format!("{}.snode", hex::encode(self.ed25519)),
            "pubkey_legacy": hex::encode(self.ed25519),
            "pubkey_x25519": hex::encode(self.x25519),
            "pubkey_ed25519": hex::encode(self.ed25519),
            "port": port.to_string(),
            "port_https": port,
            "port_omq": port,
            "port_quic": port,
            "ip": self.addr.ip().to_string(),
        })
    }
}

/// One swarm: its id on the 2^64 ring and its members.
#[derive(Clone, Debug)]
pub struct SwarmInfo {
    /// The swarm id.
    pub id: u64,
    /// Its nodes.
    pub members: Vec<NodeRecord>,
}

/// The swarms of one epoch, as this node sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SwarmView {
    /// The epoch block these swarms were computed at (0 for a standalone node).
    pub epoch_block: u64,
    swarms: BTreeMap<SwarmId, Vec<NodeRecord>>,
    ids: Vec<SwarmId>,
    own: Option<SwarmId>,
}

impl SwarmView {
    /// A standalone node: one swarm (id 0) holding this node alone.
    pub fn standalone(me: NodeRecord) -> Self {
        Self::new(0, [(0, vec![me.clone()])].into(), Some(me.ed25519))
    }

    /// Swarms from `(id, members)` pairs; `me` is this node's Ed25519 key if it has one.
    pub fn new(
        epoch_block: u64,
        swarms: BTreeMap<SwarmId, Vec<NodeRecord>>,
        me: Option<[u8; 32]>,
    ) -> Self {
        let own = me.and_then(|key| {
            swarms
                .iter()
                .find(|(_, members)| members.iter().any(|n| n.ed25519 == key))
                .map(|(id, _)| *id)
        });
        let ids = swarms.keys().copied().collect();
        Self {
            epoch_block,
            swarms,
            ids,
            own,
        }
    }

    /// Builds the view from a replayed network.
    pub fn from_network(net: &session_swarm::NetworkState, me: [u8; 32]) -> Self {
        let swarms = net
            .swarms()
            .iter()
            .map(|(id, members)| (*id, members.iter().map(node_record).collect()))
            .collect();
        Self::new(net.epoch_block().unwrap_or(0), swarms, Some(me))
    }

    /// Whether `other` has the same swarms, members and own swarm (the epoch block aside): then
    /// no account moved between swarms and no member joined or left ours.
    pub fn same_swarms(&self, other: &SwarmView) -> bool {
        self.swarms == other.swarms && self.own == other.own
    }

    /// How many swarms there are.
    pub fn swarm_count(&self) -> usize {
        self.ids.len()
    }

    /// True before the first epoch that formed any swarm.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// This node's swarm, if it is in one.
    pub fn own_swarm(&self) -> Option<SwarmId> {
        self.own
    }

    /// The id of the swarm that stores `account`.
    pub fn swarm_id_for(&self, account: &Account) -> Option<SwarmId> {
        let key: &[u8; 32] = account.0[1..].try_into().ok()?;
        session_swarm::swarm_for_space(session_swarm::pubkey_space(key), &self.ids)
    }

    /// Whether this node's swarm stores `account`.
    pub fn owns(&self, account: &Account) -> bool {
        self.own.is_some() && self.swarm_id_for(account) == self.own
    }

    /// The swarm that stores `account` (empty when there are no swarms).
    pub fn swarm_for(&self, account: &Account) -> SwarmInfo {
        match self.swarm_id_for(account) {
            Some(id) => SwarmInfo {
                id,
                members: self.swarms.get(&id).cloned().unwrap_or_default(),
            },
            None => SwarmInfo {
                id: session_swarm::UNASSIGNED_SWARM_ID,
                members: Vec::new(),
            },
        }
    }

    /// Every node with its swarm id, swarms in id order.
    pub fn nodes(&self) -> impl Iterator<Item = (SwarmId, &NodeRecord)> {
        self.swarms
            .iter()
            .flat_map(|(id, members)| members.iter().map(move |n| (*id, n)))
    }

    /// The members of swarm `id`.
    pub fn members(&self, id: SwarmId) -> &[NodeRecord] {
        self.swarms.get(&id).map_or(&[], Vec::as_slice)
    }
}

/// A registry record as the storage RPC describes nodes.
pub fn node_record(r: &session_swarm::NodeRecord) -> NodeRecord {
    NodeRecord {
        addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(r.ipv4), r.http_port)),
        grpc: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(r.ipv4), r.grpc_port)),
        ed25519: r.ed25519,
        x25519: r.x25519,
    }
}
