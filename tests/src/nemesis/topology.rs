//! Who holds what: the swarms as the nodes agree on them, shared by the clients and updated
//! by the nemesis after churn.

use super::rpc::Target;
use session_crypto::IdentityKeys;
use session_devnet::{Devnet, SwarmReport};
use session_swarm::SwarmId;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The registered nodes by swarm (killed ones included: a client cannot tell).
#[derive(Clone, Debug, Default)]
pub struct Topology {
    swarms: BTreeMap<SwarmId, Vec<Target>>,
}

impl Topology {
    /// The swarms of `report`, with the addresses of `devnet`'s nodes.
    pub fn new(devnet: &Devnet, report: &SwarmReport) -> Self {
        let mut swarms: BTreeMap<SwarmId, Vec<Target>> = BTreeMap::new();
        for n in devnet.nodes.iter().filter(|n| !n.exited) {
            if let Some(s) = report
                .assignment
                .get(&n.record.ed25519)
                .filter(|s| **s != session_swarm::UNASSIGNED_SWARM_ID)
            {
                swarms.entry(*s).or_default().push(Target {
                    id: hex::encode(n.record.ed25519),
                    addr: n.http(),
                });
            }
        }
        Self { swarms }
    }

    /// The members of `user`'s swarm (empty if there are no swarms).
    pub fn members(&self, user: &IdentityKeys) -> Vec<Target> {
        let ids: Vec<SwarmId> = self.swarms.keys().copied().collect();
        session_swarm::swarm_for_pubkey(user.x25519_public().as_bytes(), &ids)
            .and_then(|s| self.swarms.get(&s))
            .cloned()
            .unwrap_or_default()
    }

    /// Each swarm's members.
    pub fn swarms(&self) -> impl Iterator<Item = &[Target]> {
        self.swarms.values().map(Vec::as_slice)
    }

    /// Swarm sizes, for the summary.
    pub fn sizes(&self) -> Vec<usize> {
        self.swarms.values().map(Vec::len).collect()
    }
}

/// The current topology, swapped whole when it changes.
#[derive(Clone, Debug, Default)]
pub struct Shared(Arc<RwLock<Arc<Topology>>>);

impl Shared {
    /// Starts with `t`.
    pub fn new(t: Topology) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(t))))
    }

    /// The topology now.
    pub fn get(&self) -> Arc<Topology> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces it.
    pub fn set(&self, t: Topology) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(t);
    }
}
