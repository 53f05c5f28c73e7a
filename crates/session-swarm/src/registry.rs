//! Replay of the node registry's events (DESIGN.md §4): registrations, activations, exit
//! requests and exits, in chain order.
//!
//! The contract cannot afford to verify Ed25519 signatures, so it accepts any registration;
//! everyone replaying the events checks them and ignores the bad ones, as Session does. An
//! ignored event is not an error: replay goes on, and [`Registry::apply`] says why it was ignored.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The domain tag that starts every signed registration message.
pub const REGISTRATION_TAG: &[u8] = b"session-rs-register-v1";

/// A node as registered on chain. Node records are public; they hold no secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeRecord {
    /// The registry's id for the node (assigned by the contract, never reused).
    pub id: u64,
    /// The operator's address (the account that registered and staked).
    pub operator: [u8; 20],
    /// The node's Ed25519 public key: its identity, and how onion requests address it.
    pub ed25519: [u8; 32],
    /// The node's X25519 public key, the Montgomery form of `ed25519`.
    pub x25519: [u8; 32],
    /// IPv4 address.
    pub ipv4: [u8; 4],
    /// Port of the HTTPS storage RPC.
    pub http_port: u16,
    /// Port of the node-to-node gRPC.
    pub grpc_port: u16,
}

/// What happened in one registry event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistryEventKind {
    /// A node was registered with this Ed25519 signature over [`registration_message`].
    Registered {
        /// The registered node.
        record: NodeRecord,
        /// The node key's signature, as given to the contract (checked here, not there).
        signature: Vec<u8>,
    },
    /// A registered node became active (eligible for swarms).
    Activated {
        /// The node.
        id: u64,
    },
    /// A node's operator asked to leave; the node stays active until it exits.
    ExitRequested {
        /// The node.
        id: u64,
        /// When the stake unlocks (chain time, seconds).
        unlock_time: u64,
    },
    /// A node left the registry.
    Exited {
        /// The node.
        id: u64,
    },
}

/// A registry event with its position on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEvent {
    /// The block that holds the event.
    pub block: u64,
    /// The event's log index within the block.
    pub log_index: u64,
    /// What happened.
    pub kind: RegistryEventKind,
}

/// The deployment that registrations are signed for, so that a signature is useless on another
/// chain or registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistryContext {
    /// The chain id.
    pub chain_id: u64,
    /// The registry contract's address.
    pub registry: [u8; 20],
}

/// The bytes a node's Ed25519 key signs to register:
/// `"session-rs-register-v1"` ‖ chain id (32 bytes, big-endian) ‖ registry address (20) ‖
/// operator (20) ‖ ed25519 (32) ‖ x25519 (32) ‖ ipv4 (4) ‖ http port (2, BE) ‖ grpc port (2, BE).
/// The record's `id` is not signed: the contract assigns it after the signature is made.
pub fn registration_message(ctx: &RegistryContext, r: &NodeRecord) -> Vec<u8> {
    let mut msg = Vec::with_capacity(REGISTRATION_TAG.len() + 32 + 20 + 20 + 32 + 32 + 4 + 2 + 2);
    msg.extend_from_slice(REGISTRATION_TAG);
    msg.extend_from_slice(&[0u8; 24]);
    msg.extend_from_slice(&ctx.chain_id.to_be_bytes());
    msg.extend_from_slice(&ctx.registry);
    msg.extend_from_slice(&r.operator);
    msg.extend_from_slice(&r.ed25519);
    msg.extend_from_slice(&r.x25519);
    msg.extend_from_slice(&r.ipv4);
    msg.extend_from_slice(&r.http_port.to_be_bytes());
    msg.extend_from_slice(&r.grpc_port.to_be_bytes());
    msg
}

/// Checks a registration on its own (not against other nodes): the signature is 64 bytes, the
/// Ed25519 key is a valid point, the signature verifies under `verify_strict` (which also
/// rejects small-order keys), and the X25519 key is the Ed25519 key's Montgomery form. The
/// checks run in that order and the first failure is returned.
pub fn verify_registration(
    ctx: &RegistryContext,
    record: &NodeRecord,
    signature: &[u8],
) -> Result<(), IgnoreReason> {
    let sig_bytes: &[u8; 64] = signature
        .try_into()
        .map_err(|_| IgnoreReason::SignatureLength {
            got: signature.len(),
        })?;
    let key = VerifyingKey::from_bytes(&record.ed25519).map_err(|_| IgnoreReason::InvalidKey)?;
    let sig = Signature::from_bytes(sig_bytes);
    key.verify_strict(&registration_message(ctx, record), &sig)
        .map_err(|_| IgnoreReason::BadSignature)?;
    if key.to_montgomery().to_bytes() != record.x25519 {
        return Err(IgnoreReason::X25519Mismatch);
    }
    Ok(())
}

/// Why an event was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IgnoreReason {
    /// The registration's signature was not 64 bytes long.
    #[error("signature is {got} bytes, not 64")]
    SignatureLength {
        /// Its length.
        got: usize,
    },
    /// The Ed25519 key is not a valid curve point.
    #[error("Ed25519 key is not a valid point")]
    InvalidKey,
    /// The signature does not verify over the registration message.
    #[error("signature does not verify")]
    BadSignature,
    /// The X25519 key is not the Montgomery form of the Ed25519 key.
    #[error("X25519 key does not match the Ed25519 key")]
    X25519Mismatch,
    /// The Ed25519 key belongs to a node that is registered and has not exited.
    #[error("Ed25519 key already belongs to live node {existing}")]
    DuplicateKey {
        /// That node's id.
        existing: u64,
    },
    /// A registration reused the id of a node seen before.
    #[error("node id {id} was already registered")]
    DuplicateId {
        /// The id.
        id: u64,
    },
    /// The event names a node that was never (validly) registered.
    #[error("unknown node {id}")]
    UnknownNode {
        /// The id.
        id: u64,
    },
    /// An activation of a node that is already active.
    #[error("node {id} is already active")]
    AlreadyActive {
        /// The id.
        id: u64,
    },
    /// The event names a node that has exited.
    #[error("node {id} has exited")]
    NodeExited {
        /// The id.
        id: u64,
    },
}

/// What applying one event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum EventOutcome {
    /// The event changed the registry.
    Applied,
    /// The event was ignored, for this reason; the registry is unchanged.
    Ignored(IgnoreReason),
}

/// Where a node is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeStatus {
    /// Registered, not yet active.
    Registered,
    /// Active: it belongs in a swarm (also after an exit request, until the exit).
    Active,
    /// Gone. Its key may be registered again, under a new id.
    Exited,
}

/// A validly registered node and its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredNode {
    /// The node as registered.
    pub record: NodeRecord,
    /// Its state.
    pub status: NodeStatus,
    /// The unlock time of its latest exit request, if any.
    pub exit_unlock_time: Option<u64>,
}

/// The registry as replayed from its events.
#[derive(Clone, Debug)]
pub struct Registry {
    ctx: RegistryContext,
    /// Every validly registered node, exited ones included (so their ids stay taken).
    nodes: BTreeMap<u64, RegisteredNode>,
    /// Ed25519 key → id of the live (registered or active) node that holds it.
    live_keys: BTreeMap<[u8; 32], u64>,
}

impl Registry {
    /// An empty registry of the deployment `ctx`.
    pub fn new(ctx: RegistryContext) -> Self {
        Self {
            ctx,
            nodes: BTreeMap::new(),
            live_keys: BTreeMap::new(),
        }
    }

    /// The deployment registrations are checked against.
    pub fn context(&self) -> &RegistryContext {
        &self.ctx
    }

    /// Applies one event. Ordering is the caller's business ([`crate::NetworkState`] checks it).
    ///
    /// A registration is ignored when its id was seen before, when [`verify_registration`]
    /// fails, or when its Ed25519 key belongs to a live node (checked in that order). Activation,
    /// exit request and exit are ignored for unknown (or ignored) ids and for exited nodes, and
    /// an activation of an active node is ignored. A node may exit without having been active
    /// or having asked to.
    pub fn apply(&mut self, event: &RegistryEvent) -> EventOutcome {
        match self.try_apply(&event.kind) {
            Ok(()) => EventOutcome::Applied,
            Err(reason) => EventOutcome::Ignored(reason),
        }
    }

    fn try_apply(&mut self, kind: &RegistryEventKind) -> Result<(), IgnoreReason> {
        match kind {
            RegistryEventKind::Registered { record, signature } => {
                if self.nodes.contains_key(&record.id) {
                    return Err(IgnoreReason::DuplicateId { id: record.id });
                }
                verify_registration(&self.ctx, record, signature)?;
                if let Some(&existing) = self.live_keys.get(&record.ed25519) {
                    return Err(IgnoreReason::DuplicateKey { existing });
                }
                self.live_keys.insert(record.ed25519, record.id);
                let node = RegisteredNode {
                    record: record.clone(),
                    status: NodeStatus::Registered,
                    exit_unlock_time: None,
                };
                self.nodes.insert(record.id, node);
            }
            RegistryEventKind::Activated { id } => {
                let node = self.live_node_mut(*id)?;
                if node.status == NodeStatus::Active {
                    return Err(IgnoreReason::AlreadyActive { id: *id });
                }
                node.status = NodeStatus::Active;
            }
            RegistryEventKind::ExitRequested { id, unlock_time } => {
                self.live_node_mut(*id)?.exit_unlock_time = Some(*unlock_time);
            }
            RegistryEventKind::Exited { id } => {
                let node = self.live_node_mut(*id)?;
                node.status = NodeStatus::Exited;
                let key = node.record.ed25519;
                self.live_keys.remove(&key);
            }
        }
        Ok(())
    }

    fn live_node_mut(&mut self, id: u64) -> Result<&mut RegisteredNode, IgnoreReason> {
        match self.nodes.get_mut(&id) {
            None => Err(IgnoreReason::UnknownNode { id }),
            Some(node) if node.status == NodeStatus::Exited => Err(IgnoreReason::NodeExited { id }),
            Some(node) => Ok(node),
        }
    }

    /// A validly registered node by id (exited ones too).
    pub fn node(&self, id: u64) -> Option<&RegisteredNode> {
        self.nodes.get(&id)
    }

    /// The live (registered or active) node holding an Ed25519 key.
    pub fn live_node_by_key(&self, ed25519: &[u8; 32]) -> Option<&RegisteredNode> {
        self.live_keys
            .get(ed25519)
            .and_then(|id| self.nodes.get(id))
    }

    /// Every validly registered node, by id.
    pub fn nodes(&self) -> impl Iterator<Item = &RegisteredNode> {
        self.nodes.values()
    }

    /// The active nodes, by id.
    pub fn active(&self) -> impl Iterator<Item = &NodeRecord> {
        self.nodes
            .values()
            .filter(|n| n.status == NodeStatus::Active)
            .map(|n| &n.record)
    }
}
