//! The client's path selection policy as a state machine (`spec/network.md` §1.1, from
//! desktop's `onionPath.ts`/`onions.ts`/`snodePool.ts`): no I/O and no clock; the caller
//! performs the [`Action`]s and reports what happened.
//!
//! * **Guards** are tested before use: [`PathManager::poll`] proposes candidates (a batch of
//!   [`PathConfig::paths`] at a time, up to [`PathConfig::max_guard_rounds`] batches), the caller
//!   tests each with a direct `get_swarm` and reports with [`PathManager::guard_tested`].
//! * **Paths**: one per guard ([`PathConfig::paths`], default 2), each of
//!   [`PathConfig::hops`] nodes (default 3) with the guard first. The other hops are drawn
//!   uniformly from the pool without nodes in use, so that (with
//!   [`PathConfig::one_node_per_subnet`]) no two nodes of a path share an IPv4 /24; a /24 is
//!   therefore picked with a weight equal to its node count, as desktop's
//!   `getWeightedSingleSnodePerSubnet` does. Guards have distinct /24s too. No node is in two
//!   paths. Building needs a pool of more than [`PathConfig::min_pool`] nodes.
//! * **Failures** ([`PathManager::report`]): a path failure counts against the path (keyed by
//!   its guard) and against each of its non-guard nodes; at
//!   [`PathConfig::path_failure_threshold`] the path and its guard are dropped (the guard also
//!   from the pool) and a new guard is tested. A node reaching
//!   [`PathConfig::node_failure_threshold`] leaves the pool; in a path it is replaced in place by
//!   a random untested node (a guard's whole path is dropped instead). A relay failure (the
//!   guard answered `Request time out` or `Invalid response from snode`) counts as a path
//!   failure and also gives the path new relays at once, keeping its guard (which answered):
//!   a retry does not go through the dead hop again (desktop waits for the thresholds).
//!   `Next node not found` counts against the named node; 421, 406/425 and other destination statuses are advice for
//!   the caller.
//! * Counters are not reset by successes; [`PathManager::set_pool`] (a fresh pool from seed nodes
//!   or from node consensus) resets them, as desktop does.

mod manager;

pub use manager::PathManager;

use crate::node::Node;
use session_crypto::Ed25519PublicKey;

/// The policy's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathConfig {
    /// Nodes per path, the guard included (`ONION_REQUEST_HOPS` = 3).
    pub hops: usize,
    /// Paths (= guards) to keep (`desiredGuardCount` = 2).
    pub paths: usize,
    /// Path failures that drop a path and its guard (`pathFailureThreshold` = 3).
    pub path_failure_threshold: u32,
    /// Failures that drop a node from the pool (`snodeFailureThreshold` = 3).
    pub node_failure_threshold: u32,
    /// At most one node per IPv4 /24 in a path, and guards in distinct /24s. Off for loopback
    /// devnets, where every node is on 127.0.0.1 (desktop's `useLocalDevNet`).
    pub one_node_per_subnet: bool,
    /// Building paths needs a pool of more than this many nodes (`minSnodePoolCount` = 8).
    pub min_pool: usize,
    /// Candidate batches tested before guard selection gives up (desktop stops when
    /// `attempts > 5`, i.e. after 6 batches) until the pool is refreshed.
    pub max_guard_rounds: u32,
    /// Drop a node named by `Next node not found` at once (current desktop) instead of counting
    /// one failure (the spec's rule, the default).
    pub drop_on_next_node_not_found: bool,
}

impl Default for PathConfig {
    fn default() -> Self {
        Self {
            hops: crate::DEFAULT_HOPS,
            paths: 2,
            path_failure_threshold: 3,
            node_failure_threshold: 3,
            one_node_per_subnet: true,
            min_pool: 8,
            max_guard_rounds: 6,
            drop_on_next_node_not_found: false,
        }
    }
}

impl PathConfig {
    /// The defaults for a loopback devnet: no /24 rule, and any pool that can hold the paths.
    pub fn devnet() -> Self {
        Self {
            one_node_per_subnet: false,
            min_pool: 0,
            ..Self::default()
        }
    }
}

/// One onion path: the guard first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    nodes: Vec<Node>,
}

impl Path {
    /// The nodes, guard first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The guard (first hop).
    pub fn guard(&self) -> &Node {
        &self.nodes[0]
    }

    /// True when the node is on this path.
    pub fn contains(&self, ed25519: &Ed25519PublicKey) -> bool {
        self.nodes.iter().any(|n| &n.ed25519 == ed25519)
    }
}

/// What the caller should do next ([`PathManager::poll`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Test these guard candidates with a direct (non-onion) `get_swarm` and report each
    /// result with [`PathManager::guard_tested`].
    TestGuards(Vec<Node>),
    /// Guard tests are outstanding; report them (a timeout is a failure).
    AwaitGuardTests,
    /// The paths cannot be completed from this pool: fetch a fresh pool and
    /// [`PathManager::set_pool`] it.
    RefreshPool(Shortage),
    /// Every path is built.
    Ready,
}

/// Why the pool cannot complete the paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortage {
    /// The pool has `have` nodes; building needs at least `need`.
    TooFewNodes {
        /// Nodes in the pool.
        have: usize,
        /// Nodes needed.
        need: usize,
    },
    /// No untested node is eligible as a guard.
    NoGuardCandidates,
    /// [`PathConfig::max_guard_rounds`] batches were tested without finding enough guards.
    GuardRoundsExhausted,
    /// Not enough nodes (in distinct /24s) are free to complete a path.
    NoRelays,
}

/// What happened to a request sent over a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The destination answered (the status inside the onion answer, or a server's status).
    Answered {
        /// The destination's status.
        status: u16,
    },
    /// Nothing usable came back: the guard was unreachable or timed out, a relay answered with
    /// a plain error naming no node, or the answer did not decrypt.
    PathFailed,
    /// A relay answered `502 Next node not found: <ed25519>`.
    NextNodeNotFound(Ed25519PublicKey),
    /// The guard answered, but a hop after it failed: a relay's next hop timed out (`504
    /// Request time out`) or answered garbage (`500 Invalid response from snode`).
    RelayFailed,
}

const NEXT_NODE_NOT_FOUND: &[u8] = b"Next node not found: ";
/// The reference server's texts for a next hop that did not answer, or answered garbage.
const RELAY_FAILURES: [&[u8]; 2] = [b"Request time out", b"Invalid response from snode"];

impl Outcome {
    /// Classifies a plain (non-200) answer from the guard: `Next node not found: <hex>` names a
    /// node; a relay timeout or garbage from a relay is [`Self::RelayFailed`]; anything else
    /// is a path failure.
    pub fn from_plain_error(_status: u16, body: &[u8]) -> Self {
        if RELAY_FAILURES.iter().any(|text| body.starts_with(text)) {
            return Self::RelayFailed;
        }
        body.strip_prefix(NEXT_NODE_NOT_FOUND)
            .and_then(|rest| rest.get(..64))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| crate::json::key32(hex).ok())
            .map_or(Self::PathFailed, |k| {
                Self::NextNodeNotFound(Ed25519PublicKey::from_bytes(k))
            })
    }
}

/// What the caller should do about a request after [`PathManager::report`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    /// Use the answer as it is (a success, or an error that retrying would not change).
    Accept,
    /// The path failed: send again on a path from [`PathManager::choose_path`].
    RetryPath,
    /// The destination node failed or is unknown: send to another node of the swarm.
    RetryOtherNode,
    /// 421: the destination is not in the account's swarm; replace the cached swarm with the
    /// answer's `snodes` ([`crate::swarm_from_reply`]) and send there.
    UpdateSwarm,
    /// 406/425: the clock is out of step with the network; resync (the `t` of `info`) first.
    ResyncClock,
}

/// The result of a report: the advice, and the nodes dropped from the pool on the way (drop
/// them from cached swarms too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// What to do about the request.
    pub advice: Advice,
    /// Nodes removed from the pool by this report.
    pub dropped: Vec<Ed25519PublicKey>,
}
