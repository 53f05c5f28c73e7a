//! [`PathManager`]: the state of the path policy and its transitions.

use super::{Action, Advice, Outcome, Path, PathConfig, Report, Shortage};
use crate::node::Node;
use crate::random::{choose, shuffle};
use rand_core::CryptoRng;
use session_crypto::Ed25519PublicKey;
use std::collections::{HashMap, HashSet};

/// The path policy state machine.
#[derive(Clone, Debug)]
pub struct PathManager {
    config: PathConfig,
    pool: Vec<Node>,
    guards: Vec<Node>,
    paths: Vec<Path>,
    pending: Vec<Node>,
    rejected: HashSet<Ed25519PublicKey>,
    rounds: u32,
    node_failures: HashMap<Ed25519PublicKey, u32>,
    path_failures: HashMap<Ed25519PublicKey, u32>,
}

impl PathManager {
    /// An empty manager; give it a pool with [`Self::set_pool`].
    pub fn new(config: PathConfig) -> Self {
        Self {
            config,
            pool: Vec::new(),
            guards: Vec::new(),
            paths: Vec::new(),
            pending: Vec::new(),
            rejected: HashSet::new(),
            rounds: 0,
            node_failures: HashMap::new(),
            path_failures: HashMap::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PathConfig {
        &self.config
    }

    /// The node pool.
    pub fn pool(&self) -> &[Node] {
        &self.pool
    }

    /// The tested guards (each with a path, or waiting for one).
    pub fn guards(&self) -> &[Node] {
        &self.guards
    }

    /// The built paths.
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// Guard candidates whose test results are outstanding.
    pub fn pending_guards(&self) -> &[Node] {
        &self.pending
    }

    /// Failures counted against a node.
    pub fn node_failures(&self, node: &Ed25519PublicKey) -> u32 {
        self.node_failures.get(node).copied().unwrap_or(0)
    }

    /// Failures counted against the path of a guard.
    pub fn path_failures(&self, guard: &Ed25519PublicKey) -> u32 {
        self.path_failures.get(guard).copied().unwrap_or(0)
    }

    /// Replaces the pool (a fresh list from seed nodes or from node consensus). Nodes with ip
    /// `0.0.0.0` and repeated keys are left out; every failure counter and the guard search are
    /// reset (as desktop does on a refresh); guards no longer in the pool are dropped with their
    /// paths, and paths with another node no longer in the pool are dropped (their guards stay
    /// and get new paths). Kept nodes take the pool's address for them.
    pub fn set_pool(&mut self, nodes: impl IntoIterator<Item = Node>) {
        let mut seen = HashSet::new();
        self.pool = nodes
            .into_iter()
            .filter(|n| !n.ip.is_unspecified() && seen.insert(n.ed25519))
            .collect();
        self.node_failures.clear();
        self.path_failures.clear();
        self.rejected.clear();
        self.rounds = 0;
        let fresh = |n: &Node| self.pool.iter().find(|p| p.ed25519 == n.ed25519).cloned();
        self.guards = self.guards.iter().filter_map(fresh).collect();
        self.pending = self.pending.iter().filter_map(fresh).collect();
        self.paths = self
            .paths
            .iter()
            .filter_map(|p| {
                let nodes: Option<Vec<Node>> = p.nodes.iter().map(fresh).collect();
                nodes.map(|nodes| Path { nodes })
            })
            .filter(|p| self.is_guard(&p.guard().ed25519))
            .collect();
    }

    /// Takes back guards tested earlier (persisted by the caller) that are still in the pool,
    /// up to [`PathConfig::paths`] in all.
    pub fn restore_guards(&mut self, guards: &[Ed25519PublicKey]) {
        for ed in guards {
            if self.guards.len() >= self.config.paths || self.is_guard(ed) {
                continue;
            }
            if let Some(node) = self.pool.iter().find(|n| &n.ed25519 == ed).cloned() {
                self.pending.retain(|p| &p.ed25519 != ed);
                self.guards.push(node);
            }
        }
    }

    /// Advances the policy: builds the paths of guards that have none, and proposes guard
    /// candidates when guards are missing.
    pub fn poll(&mut self, rng: &mut impl CryptoRng) -> Action {
        let pathless: Vec<Node> = self
            .guards
            .iter()
            .filter(|g| !self.paths.iter().any(|p| p.guard().ed25519 == g.ed25519))
            .cloned()
            .collect();
        for guard in pathless {
            if let Err(shortage) = self.check_pool() {
                return Action::RefreshPool(shortage);
            }
            match self.pick_path(guard, rng) {
                Some(path) => self.paths.push(path),
                None => return Action::RefreshPool(Shortage::NoRelays),
            }
        }
        if self.paths.len() >= self.config.paths {
            self.rounds = 0;
            return Action::Ready;
        }
        if !self.pending.is_empty() {
            return Action::AwaitGuardTests;
        }
        if let Err(shortage) = self.check_pool() {
            return Action::RefreshPool(shortage);
        }
        if self.rounds >= self.config.max_guard_rounds {
            return Action::RefreshPool(Shortage::GuardRoundsExhausted);
        }
        let candidates = self.guard_candidates(rng);
        if candidates.is_empty() {
            return Action::RefreshPool(Shortage::NoGuardCandidates);
        }
        self.rounds += 1;
        self.pending.clone_from(&candidates);
        Action::TestGuards(candidates)
    }

    /// Records a guard test. A passing candidate becomes a guard while guards are missing (a
    /// surplus one is let go); a failing one is not proposed again until the pool is refreshed.
    /// Results for nodes not under test are ignored.
    pub fn guard_tested(&mut self, node: &Ed25519PublicKey, ok: bool) {
        let Some(i) = self.pending.iter().position(|n| &n.ed25519 == node) else {
            return;
        };
        let candidate = self.pending.remove(i);
        if !ok {
            self.rejected.insert(candidate.ed25519);
        } else if self.guards.len() < self.config.paths {
            self.guards.push(candidate);
        }
    }

    /// A random path for a request, avoiding paths that contain `exclude` (the destination
    /// node, so that it is not also a hop). `None` when no path qualifies.
    pub fn choose_path(
        &self,
        rng: &mut impl CryptoRng,
        exclude: Option<&Ed25519PublicKey>,
    ) -> Option<Path> {
        let usable: Vec<&Path> = self
            .paths
            .iter()
            .filter(|p| exclude.is_none_or(|e| !p.contains(e)))
            .collect();
        choose(rng, &usable).map(|p| (*p).clone())
    }

    /// Reports what happened to a request sent over `path` (as [`Self::choose_path`] gave it)
    /// to `destination` (the node's key for a storage RPC, `None` for an HTTP server): updates
    /// the counters, drops and replaces nodes, and says what to do about the request.
    pub fn report(
        &mut self,
        path: &Path,
        destination: Option<&Ed25519PublicKey>,
        outcome: Outcome,
        rng: &mut impl CryptoRng,
    ) -> Report {
        let mut dropped = Vec::new();
        let advice = match outcome {
            Outcome::Answered { status } => match (destination, status) {
                (_, 406 | 425) => Advice::ResyncClock,
                (Some(_), 421) => Advice::UpdateSwarm,
                (Some(dest), 500..=599) => {
                    self.node_failed(dest, destination, rng, &mut dropped);
                    Advice::RetryOtherNode
                }
                _ => Advice::Accept,
            },
            Outcome::PathFailed => {
                self.path_failed(path, rng, &mut dropped);
                Advice::RetryPath
            }
            Outcome::RelayFailed => {
                self.path_failed(path, rng, &mut dropped);
                self.new_relays(&path.guard().ed25519, rng);
                Advice::RetryPath
            }
            Outcome::NextNodeNotFound(node) => {
                if self.config.drop_on_next_node_not_found {
                    if self.is_known(&node, destination) {
                        self.drop_node(&node, rng, &mut dropped);
                    }
                } else {
                    self.node_failed(&node, destination, rng, &mut dropped);
                }
                if !path.contains(&node) && destination == Some(&node) {
                    Advice::RetryOtherNode
                } else {
                    Advice::RetryPath
                }
            }
        };
        Report { advice, dropped }
    }

    fn is_guard(&self, node: &Ed25519PublicKey) -> bool {
        self.guards.iter().any(|g| &g.ed25519 == node)
    }

    fn in_pool(&self, node: &Ed25519PublicKey) -> bool {
        self.pool.iter().any(|n| &n.ed25519 == node)
    }

    /// Counters are kept for pool nodes and for the caller's destination only, so that keys
    /// named by remote answers cannot grow the table.
    fn is_known(&self, node: &Ed25519PublicKey, destination: Option<&Ed25519PublicKey>) -> bool {
        self.in_pool(node) || destination == Some(node)
    }

    fn check_pool(&self) -> Result<(), Shortage> {
        if self.pool.len() <= self.config.min_pool {
            return Err(Shortage::TooFewNodes {
                have: self.pool.len(),
                need: self.config.min_pool + 1,
            });
        }
        Ok(())
    }

    /// Nodes that cannot join a path: guards, path nodes, candidates under test, and
    /// candidates that failed their test.
    fn busy(&self) -> HashSet<Ed25519PublicKey> {
        let mut busy: HashSet<_> = self.rejected.iter().copied().collect();
        let nodes = self.guards.iter().chain(&self.pending);
        busy.extend(
            nodes
                .chain(self.paths.iter().flat_map(|p| &p.nodes))
                .map(|n| n.ed25519),
        );
        busy
    }

    fn guard_candidates(&self, rng: &mut impl CryptoRng) -> Vec<Node> {
        let busy = self.busy();
        let mut free: Vec<&Node> = self
            .pool
            .iter()
            .filter(|n| !busy.contains(&n.ed25519))
            .collect();
        shuffle(rng, &mut free);
        let mut subnets: HashSet<[u8; 3]> = self.guards.iter().map(Node::subnet24).collect();
        let mut picked = Vec::new();
        for node in free {
            if picked.len() >= self.config.paths {
                break;
            }
            if self.config.one_node_per_subnet && !subnets.insert(node.subnet24()) {
                continue;
            }
            picked.push(node.clone());
        }
        picked
    }

    /// A random node for a path holding `members`, not busy and (with the /24 rule) in a /24
    /// of its own.
    fn pick_relay(
        &self,
        members: &[Node],
        busy: &HashSet<Ed25519PublicKey>,
        rng: &mut impl CryptoRng,
    ) -> Option<Node> {
        let eligible: Vec<&Node> = self
            .pool
            .iter()
            .filter(|n| !busy.contains(&n.ed25519))
            .filter(|n| members.iter().all(|m| m.ed25519 != n.ed25519))
            .filter(|n| {
                !self.config.one_node_per_subnet
                    || members.iter().all(|m| m.subnet24() != n.subnet24())
            })
            .collect();
        choose(rng, &eligible).map(|n| (*n).clone())
    }

    fn pick_path(&self, guard: Node, rng: &mut impl CryptoRng) -> Option<Path> {
        let busy = self.busy();
        let mut nodes = vec![guard];
        while nodes.len() < self.config.hops.max(1) {
            let relay = self.pick_relay(&nodes, &busy, rng)?;
            nodes.push(relay);
        }
        Some(Path { nodes })
    }

    /// Gives the path of `guard` (if it still has one) new relays, none of its old ones; the
    /// path is dropped when the pool has too few free nodes.
    fn new_relays(&mut self, guard: &Ed25519PublicKey, rng: &mut impl CryptoRng) {
        let Some(i) = self.paths.iter().position(|p| &p.guard().ed25519 == guard) else {
            return;
        };
        let busy = self.busy();
        let mut nodes = vec![self.paths[i].nodes[0].clone()];
        while nodes.len() < self.paths[i].nodes.len() {
            match self.pick_relay(&nodes, &busy, rng) {
                Some(relay) => nodes.push(relay),
                None => {
                    self.paths.remove(i);
                    return;
                }
            }
        }
        self.paths[i].nodes = nodes;
    }

    fn path_failed(
        &mut self,
        path: &Path,
        rng: &mut impl CryptoRng,
        dropped: &mut Vec<Ed25519PublicKey>,
    ) {
        let guard = path.guard().ed25519;
        let Some(current) = self.paths.iter().find(|p| p.guard().ed25519 == guard) else {
            return;
        };
        // As desktop does: every non-guard node of the failing path takes a failure too.
        let relays: Vec<Ed25519PublicKey> = path.nodes[1..]
            .iter()
            .map(|n| n.ed25519)
            .filter(|ed| current.contains(ed))
            .collect();
        for relay in &relays {
            self.node_failed(relay, None, rng, dropped);
        }
        let count = self.path_failures.entry(guard).or_insert(0);
        *count += 1;
        if *count >= self.config.path_failure_threshold {
            self.drop_guard(&guard, dropped);
        }
    }

    fn node_failed(
        &mut self,
        node: &Ed25519PublicKey,
        destination: Option<&Ed25519PublicKey>,
        rng: &mut impl CryptoRng,
        dropped: &mut Vec<Ed25519PublicKey>,
    ) {
        if !self.is_known(node, destination) {
            return;
        }
        let count = self.node_failures.entry(*node).or_insert(0);
        *count += 1;
        if *count >= self.config.node_failure_threshold {
            self.drop_node(node, rng, dropped);
        }
    }

    /// Removes a node from the pool and from its path: a guard's path goes with it; a relay is
    /// replaced in place by a random untested node (the path is dropped if none is free).
    fn drop_node(
        &mut self,
        node: &Ed25519PublicKey,
        rng: &mut impl CryptoRng,
        dropped: &mut Vec<Ed25519PublicKey>,
    ) {
        if self.is_guard(node) {
            self.drop_guard(node, dropped);
            return;
        }
        self.node_failures.remove(node);
        self.pool.retain(|n| &n.ed25519 != node);
        self.pending.retain(|n| &n.ed25519 != node);
        dropped.push(*node);
        let Some((i, pos)) = self.paths.iter().enumerate().find_map(|(i, p)| {
            let pos = p.nodes.iter().position(|n| &n.ed25519 == node)?;
            Some((i, pos))
        }) else {
            return;
        };
        let others: Vec<Node> = self.paths[i]
            .nodes
            .iter()
            .filter(|n| &n.ed25519 != node)
            .cloned()
            .collect();
        match self.pick_relay(&others, &self.busy(), rng) {
            Some(replacement) => self.paths[i].nodes[pos] = replacement,
            None => {
                self.paths.remove(i);
            }
        }
    }

    /// Drops a guard: its path, its place among the guards and its place in the pool.
    fn drop_guard(&mut self, guard: &Ed25519PublicKey, dropped: &mut Vec<Ed25519PublicKey>) {
        self.paths.retain(|p| &p.guard().ed25519 != guard);
        self.guards.retain(|g| &g.ed25519 != guard);
        self.pool.retain(|n| &n.ed25519 != guard);
        self.path_failures.remove(guard);
        self.node_failures.remove(guard);
        dropped.push(*guard);
    }
}
