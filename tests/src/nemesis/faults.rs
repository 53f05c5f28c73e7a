//! The nemesis: faults injected into a running devnet while the clients work, each recorded
//! in the history with its heal. `kill -9` and restart of up to n-1 members of a swarm,
//! SIGSTOP/SIGCONT pauses (hung nodes), a node restarted with its clock minutes off, churn
//! (a node registers and another exits under load), a node on a full disk, and a network
//! partition cutting part of a swarm off from every other node.

use super::history::History;
use super::partition::{self, Partition};
use super::rpc::Target;
use super::topology::{Shared, Topology};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use session_devnet::Devnet;
use std::sync::Arc;
use std::time::Duration;

/// The kinds of fault, in the order the short form runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// SIGKILL of n-1 members of one swarm (fewer when mixed at random), restart after a hold.
    Kill,
    /// SIGSTOP of one or two nodes, SIGCONT after a hold.
    Pause,
    /// A node restarted with its clock 3 minutes ahead or behind, then restarted right.
    Clock,
    /// A node registers, then an original member of a swarm above the minimum size exits.
    Churn,
    /// A node's data moved onto a small tmpfs that is then filled (see [`super::disk`]).
    Disk,
    /// Some members of a swarm cut off from every other node, clients still reaching all
    /// (see [`super::partition`]).
    Partition,
}

/// Every fault, once each.
pub const ALL: [Fault; 6] = [
    Fault::Kill,
    Fault::Pause,
    Fault::Clock,
    Fault::Disk,
    Fault::Partition,
    Fault::Churn,
];

/// Injects faults into `devnet`, recording them in `history` and keeping `topology` current.
pub struct Nemesis<'a> {
    devnet: &'a mut Devnet,
    history: Arc<History>,
    topology: Shared,
    rng: StdRng,
    /// How long a fault is held before it is healed.
    pub hold: Duration,
}

impl<'a> Nemesis<'a> {
    /// A nemesis over `devnet`.
    pub fn new(devnet: &'a mut Devnet, history: Arc<History>, topology: Shared, seed: u64) -> Self {
        Self {
            devnet,
            history,
            topology,
            rng: StdRng::seed_from_u64(seed),
            hold: Duration::from_secs(10),
        }
    }

    /// Injects `fault` and heals it (`worst`: the largest kill a swarm survives).
    pub async fn inject(&mut self, fault: Fault, worst: bool) -> anyhow::Result<()> {
        match fault {
            Fault::Kill => self.kill(worst).await,
            Fault::Pause => self.pause().await,
            Fault::Clock => self.clock().await,
            Fault::Churn => self.churn().await,
            Fault::Disk => self.disk().await,
            Fault::Partition => self.partition(worst).await,
        }
    }

    /// A fault chosen at random.
    pub fn random(&mut self) -> Fault {
        ALL[self.rng.random_range(0..ALL.len())]
    }

    /// Devnet indexes of each swarm's running members.
    fn swarms(&self) -> Vec<Vec<usize>> {
        let t = self.topology.get();
        t.swarms()
            .map(|members| {
                members
                    .iter()
                    .filter_map(|m| self.index(&m.id))
                    .filter(|i| self.devnet.nodes[*i].pid != 0)
                    .collect()
            })
            .collect()
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.devnet
            .nodes
            .iter()
            .position(|n| !n.exited && hex::encode(n.record.ed25519) == id)
    }

    fn name(&self, i: usize) -> String {
        format!("node {}", self.devnet.nodes[i].id)
    }

    fn names(&self, nodes: &[usize]) -> String {
        nodes
            .iter()
            .map(|i| self.name(*i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn pick_swarm(&mut self) -> Vec<usize> {
        let swarms = self.swarms();
        swarms[self.rng.random_range(0..swarms.len())].clone()
    }

    async fn kill(&mut self, worst: bool) -> anyhow::Result<()> {
        let mut swarm = self.pick_swarm();
        let n = swarm.len();
        let k = if worst {
            n - 1
        } else {
            self.rng.random_range(1..n)
        };
        let mut victims = Vec::new();
        for _ in 0..k {
            victims.push(swarm.swap_remove(self.rng.random_range(0..swarm.len())));
        }
        self.history.fault(
            "kill",
            format!("SIGKILL {k} of {n} members: {}", self.names(&victims)),
        );
        for v in &victims {
            self.devnet.kill_node(*v);
        }
        tokio::time::sleep(self.hold).await;
        for v in &victims {
            self.devnet.restart_node(*v)?;
        }
        self.history
            .fault("heal", format!("restarted {}", self.names(&victims)));
        Ok(())
    }

    async fn pause(&mut self) -> anyhow::Result<()> {
        let live: Vec<usize> = self.swarms().concat();
        let k = self.rng.random_range(1..=2usize);
        let mut victims: Vec<usize> = Vec::new();
        while victims.len() < k {
            let v = live[self.rng.random_range(0..live.len())];
            if !victims.contains(&v) {
                victims.push(v);
            }
        }
        self.history
            .fault("pause", format!("SIGSTOP {}", self.names(&victims)));
        for v in &victims {
            self.devnet.pause_node(*v);
        }
        tokio::time::sleep(self.hold).await;
        for v in &victims {
            self.devnet.resume_node(*v);
        }
        self.history
            .fault("heal", format!("SIGCONT {}", self.names(&victims)));
        Ok(())
    }

    async fn clock(&mut self) -> anyhow::Result<()> {
        let live: Vec<usize> = self.swarms().concat();
        let v = live[self.rng.random_range(0..live.len())];
        let offset: i64 = if self.rng.random_bool(0.5) {
            180_000
        } else {
            -180_000
        };
        self.history.fault(
            "clock",
            format!("{} restarted {offset} ms off", self.name(v)),
        );
        self.devnet.kill_node(v);
        self.devnet
            .restart_node_with(v, &["--test-clock-offset-ms".into(), offset.to_string()])?;
        let seen = skew(self.devnet.nodes[v].http()).await.ok_or_else(|| {
            anyhow::anyhow!(
                "{} did not come up with its clock {offset} ms off",
                self.name(v)
            )
        })?;
        self.history.fault(
            "observed",
            format!("{} answers with its clock {seen} ms off", self.name(v)),
        );
        tokio::time::sleep(self.hold * 2).await;
        self.devnet.kill_node(v);
        self.devnet.restart_node(v)?;
        self.history.fault(
            "heal",
            format!("{} restarted with the right clock", self.name(v)),
        );
        Ok(())
    }

    async fn disk(&mut self) -> anyhow::Result<()> {
        let live: Vec<usize> = self.swarms().concat();
        let v = live[self.rng.random_range(0..live.len())];
        let name = self.name(v);
        self.history
            .fault("disk", format!("{name} moved onto a tmpfs to be filled"));
        match super::disk::full_disk(self.devnet, v, self.hold).await? {
            Some(what) => self
                .history
                .fault("heal", format!("{name} back on its disk ({what})")),
            None => self
                .history
                .fault("heal", format!("{name}: skipped, mounting not allowed")),
        }
        Ok(())
    }

    /// Cuts k members of a swarm (one when `worst`: a lone member facing the rest) off from
    /// every other node; checks the cut from a probe stored on that side, holds it, heals it
    /// and checks that the probe reaches the whole swarm.
    async fn partition(&mut self, worst: bool) -> anyhow::Result<()> {
        let topology = self.topology.get();
        let swarm: Vec<Target> = {
            let swarms: Vec<&[Target]> = topology.swarms().filter(|s| s.len() > 1).collect();
            anyhow::ensure!(!swarms.is_empty(), "no swarm to partition");
            swarms[self.rng.random_range(0..swarms.len())].to_vec()
        };
        let k = if worst {
            1
        } else {
            self.rng.random_range(1..swarm.len())
        };
        let mut others = swarm.clone();
        let side: Vec<Target> = (0..k)
            .map(|_| others.swap_remove(self.rng.random_range(0..others.len())))
            .collect();
        let side_nodes: Vec<usize> = side.iter().filter_map(|t| self.index(&t.id)).collect();
        anyhow::ensure!(side_nodes.len() == k, "a member of the swarm has left");
        let rest_nodes: Vec<usize> = (0..self.devnet.nodes.len())
            .filter(|i| !self.devnet.nodes[*i].exited && !side_nodes.contains(i))
            .collect();
        let addresses = |nodes: &[usize]| -> Vec<std::net::Ipv4Addr> {
            nodes
                .iter()
                .map(|i| self.devnet.nodes[*i].record.ipv4.into())
                .collect()
        };
        let names = self.names(&side_nodes);
        self.history.fault(
            "partition",
            format!("{names} cut off from the other {} nodes", rest_nodes.len()),
        );
        let Some(cut) = Partition::cut(&addresses(&side_nodes), &addresses(&rest_nodes))? else {
            self.history.fault(
                "heal",
                format!("{names}: skipped, routing rules may not be changed"),
            );
            return Ok(());
        };
        let (probe, reached) = partition::probe(&topology, &swarm, &side[0], &others).await?;
        self.history.fault(
            "observed",
            format!(
                "{} one-way links cut; a store on {} reached {reached} of {} members, none across",
                cut.links(),
                self.name(side_nodes[0]),
                swarm.len()
            ),
        );
        tokio::time::sleep(self.hold).await;
        drop(cut);
        let took = partition::await_repair(&probe, &swarm, Duration::from_secs(60)).await?;
        self.history.fault(
            "heal",
            format!(
                "{names} reconnected; the probe was on all {} members {} ms later",
                swarm.len(),
                took.as_millis()
            ),
        );
        Ok(())
    }

    async fn churn(&mut self) -> anyhow::Result<()> {
        let joined = self.devnet.add_node().await?;
        self.history
            .fault("join", format!("{} registered", self.name(joined)));
        self.converge().await?;
        let min = self.devnet.cfg.min_swarm_size;
        let candidates: Vec<usize> = self
            .swarms()
            .into_iter()
            .filter(|s| s.len() > min)
            .flatten()
            .filter(|i| *i != joined)
            .collect();
        if let Some(&v) = candidates.get(self.rng.random_range(0..candidates.len().max(1))) {
            self.history
                .fault("exit", format!("{} requested its exit", self.name(v)));
            self.devnet.exit_node(v).await?;
            self.converge().await?;
        }
        Ok(())
    }

    /// Waits until the live nodes agree on swarms holding exactly them; the clients follow.
    pub async fn converge(&mut self) -> anyhow::Result<()> {
        let report = self.devnet.wait_converged(Duration::from_secs(180)).await?;
        self.topology.set(Topology::new(self.devnet, &report));
        Ok(())
    }

    /// Heals whatever is still broken (nothing, when every fault healed itself).
    pub fn heal_all(&mut self) -> anyhow::Result<()> {
        for i in 0..self.devnet.nodes.len() {
            let n = &self.devnet.nodes[i];
            if n.exited {
                continue;
            }
            if n.pid == 0 {
                self.devnet.restart_node(i)?;
            } else {
                self.devnet.resume_node(i);
            }
        }
        Ok(())
    }
}

/// How far `node`'s clock is from ours (its `info` timestamp minus our time), once it answers
/// (within 30 s), if it is at least a minute off — what the clock fault must have done.
async fn skew(node: std::net::SocketAddr) -> Option<i64> {
    let http = super::rpc::http();
    let body = serde_json::json!({"method": "info", "params": {}});
    for _ in 0..60 {
        let reply = http
            .post(format!("http://{node}/storage_rpc/v1"))
            .json(&body)
            .send()
            .await;
        if let Ok(r) = reply
            && let Ok(v) = r.json::<serde_json::Value>().await
            && let Some(t) = v["timestamp"].as_i64()
        {
            let off = t - i64::try_from(crate::now_ms()).unwrap_or(i64::MAX);
            return (off.abs() >= 60_000).then_some(off);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}
