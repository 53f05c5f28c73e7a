//! The devnet: anvil + contracts + node processes (+ community, file and TURN servers), and
//! the checks that the nodes agree.

use crate::anvil::{self, Anvil};
use crate::manifest::{CommunityEntry, FileServerEntry, Manifest, ManifestNode, TurnEntry};
use crate::ops::{CallError, Chain, Contracts, STAKING_REQUIREMENT, TOKEN, sign_registration};
use crate::process::Child;
use crate::servers::{self, Running};
use crate::turn;
use alloy::primitives::Address;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use session_crypto::IdentityKeys;
use session_swarm::{NodeRecord, SwarmId};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// How to build a devnet.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Directory for anvil's log and the nodes' data directories (created).
    pub dir: PathBuf,
    /// anvil binary.
    pub anvil: PathBuf,
    /// `session-node` binary.
    pub node_binary: PathBuf,
    /// Nodes registered at start.
    pub nodes: usize,
    /// Smallest swarm.
    pub min_swarm_size: usize,
    /// Size of a new swarm.
    pub ideal_swarm_size: usize,
    /// Epoch length in blocks.
    pub epoch_blocks: u64,
    /// Confirmations before an epoch block is used.
    pub confirmations: u64,
    /// Seconds per block.
    pub block_time: u64,
    /// Stake per node (token base units).
    pub staking_requirement: u64,
    /// Seconds between an exit request and the exit.
    pub unlock_delay_secs: u64,
    /// Every k-th node is staked by three contributors (operator 25 %); 0 for none.
    pub multi_contributor_every: usize,
    /// Node chain poll interval.
    pub chain_poll_ms: u64,
    /// Per-IP rate limiting in the nodes. Off by default: every devnet client is 127.0.0.1.
    pub rate_limit: bool,
    /// `session-community` binary: when set, a community server with the room `lobby` runs.
    pub community_binary: Option<PathBuf>,
    /// `session-fileserver` binary: when set, a file server runs.
    pub fileserver_binary: Option<PathBuf>,
    /// coturn's `turnserver` binary ([`turn::find`]): when set, a TURN relay runs.
    pub turn_binary: Option<PathBuf>,
    /// Give node k its own loopback address, 127.1.x.y with x.y = k + 1, instead of every node
    /// on 127.0.0.1: nodes then call each other from distinct addresses, so a test can cut the
    /// links between two of them (the nemesis's partitions) and leave clients' links alone.
    pub distinct_addresses: bool,
}

impl DevnetConfig {
    /// Defaults: 12 nodes, swarms of 3 (new ones of 4) so that 12 nodes form several swarms,
    /// epochs of 4 one-second blocks, Session's 25,000-token stake, a 5 s unlock delay.
    pub fn new(dir: PathBuf, anvil: PathBuf, node_binary: PathBuf) -> Self {
        Self {
            dir,
            anvil,
            node_binary,
            nodes: 12,
            min_swarm_size: 3,
            ideal_swarm_size: 4,
            epoch_blocks: 4,
            confirmations: 1,
            block_time: 1,
            staking_requirement: STAKING_REQUIREMENT,
            unlock_delay_secs: 5,
            multi_contributor_every: 4,
            chain_poll_ms: 250,
            rate_limit: false,
            community_binary: None,
            fileserver_binary: None,
            turn_binary: None,
            distinct_addresses: false,
        }
    }
}

/// One node of the devnet.
#[derive(Debug)]
pub struct NodeHandle {
    /// Registry id.
    pub id: u64,
    /// Its record as registered.
    pub record: NodeRecord,
    /// Who staked it (operator first).
    pub contributors: Vec<Address>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Whether it has exited the registry.
    pub exited: bool,
    /// Process id (0 when not running).
    pub pid: u32,
    child: Option<Child>,
}

impl NodeHandle {
    /// `host:port` of its storage RPC.
    pub fn http(&self) -> SocketAddr {
        SocketAddr::from((self.record.ipv4, self.record.http_port))
    }

    /// `host:port` registered for gRPC.
    pub fn grpc(&self) -> SocketAddr {
        SocketAddr::from((self.record.ipv4, self.record.grpc_port))
    }

    /// The operator.
    pub fn operator(&self) -> Address {
        self.contributors[0]
    }
}

/// What one node says the swarms are: Ed25519 key → swarm id, at an epoch block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwarmReport {
    /// The epoch block.
    pub epoch: u64,
    /// Node → swarm.
    pub assignment: BTreeMap<[u8; 32], SwarmId>,
}

impl SwarmReport {
    /// The swarm ids, sorted.
    pub fn swarm_ids(&self) -> Vec<SwarmId> {
        let mut ids: Vec<SwarmId> = self.assignment.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Members of each swarm.
    pub fn swarms(&self) -> BTreeMap<SwarmId, Vec<[u8; 32]>> {
        let mut out: BTreeMap<SwarmId, Vec<[u8; 32]>> = BTreeMap::new();
        for (node, swarm) in &self.assignment {
            out.entry(*swarm).or_default().push(*node);
        }
        out
    }
}

/// A running devnet; dropping it stops every process it started.
#[derive(Debug)]
pub struct Devnet {
    /// The configuration it was built with.
    pub cfg: DevnetConfig,
    /// The chain.
    pub chain: Chain,
    /// The contracts.
    pub contracts: Contracts,
    /// The nodes, in registration order.
    pub nodes: Vec<NodeHandle>,
    /// anvil's URL.
    pub rpc_url: String,
    /// anvil's process id.
    pub anvil_pid: u32,
    /// The community server, when [`DevnetConfig::community_binary`] was set.
    pub community: Option<Running<CommunityEntry>>,
    /// The file server, when [`DevnetConfig::fileserver_binary`] was set.
    pub file_server: Option<Running<FileServerEntry>>,
    /// The TURN relay, when [`DevnetConfig::turn_binary`] was set.
    pub turn: Option<Running<TurnEntry>>,
    http: reqwest::Client,
    // Declared last: dropped after the nodes.
    anvil: Option<Anvil>,
}

impl Devnet {
    /// Starts anvil, deploys, registers and starts `cfg.nodes` nodes, and waits until every
    /// node reports the same swarms.
    pub async fn start(cfg: DevnetConfig) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&cfg.dir)
            .with_context(|| format!("creating {}", cfg.dir.display()))?;
        let accounts = (cfg.nodes + 8).max(12);
        let anvil = tokio::task::block_in_place(|| {
            anvil::start(
                &cfg.anvil,
                session_chain::DEVNET_CHAIN_ID,
                cfg.block_time,
                accounts,
                &cfg.dir.join("anvil.log"),
            )
        })?;
        let chain = Chain::connect(&anvil.url).await?;
        let contracts = chain
            .deploy(cfg.staking_requirement, cfg.unlock_delay_secs)
            .await?;
        chain
            .fund(&contracts, &chain.accounts.clone(), 1_000_000 * TOKEN)
            .await?;
        let mut devnet = Self {
            rpc_url: anvil.url.clone(),
            cfg,
            chain,
            contracts,
            nodes: Vec::new(),
            anvil_pid: anvil.child.pid(),
            community: None,
            file_server: None,
            turn: None,
            http: reqwest::Client::new(),
            anvil: Some(anvil),
        };
        devnet.start_servers().await?;
        for _ in 0..devnet.cfg.nodes {
            devnet.add_node().await?;
        }
        devnet.wait_converged(Duration::from_secs(120)).await?;
        Ok(devnet)
    }

    /// Starts the community and file servers and the TURN relay whose binaries the config
    /// names.
    async fn start_servers(&mut self) -> anyhow::Result<()> {
        if let Some(bin) = &self.cfg.community_binary {
            let dir = self.cfg.dir.join("community");
            self.community = Some(servers::start_community(bin, &dir).await?);
        }
        if let Some(bin) = &self.cfg.fileserver_binary {
            let dir = self.cfg.dir.join("fileserver");
            self.file_server = Some(servers::start_file_server(bin, &dir).await?);
        }
        if let Some(bin) = &self.cfg.turn_binary {
            let dir = self.cfg.dir.join("turn");
            self.turn = Some(turn::start(bin, &dir).await?);
        }
        Ok(())
    }

    /// Re-attaches to a devnet started earlier (with `--detach`) from its manifest, to add or
    /// exit nodes. Its processes stay unowned: dropping the handle stops nothing.
    pub async fn attach(cfg: DevnetConfig, m: &Manifest) -> anyhow::Result<Self> {
        let chain = Chain::connect(&m.rpc_url).await?;
        let contracts = Contracts {
            token: m.token.parse().context("manifest token")?,
            registry: m.registry.parse().context("manifest registry")?,
            deploy_block: m.deploy_block,
        };
        let nodes = m
            .nodes
            .iter()
            .map(node_from_manifest)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            rpc_url: m.rpc_url.clone(),
            cfg,
            chain,
            contracts,
            nodes,
            anvil_pid: m.anvil_pid,
            community: m.community.clone().map(Running::unowned),
            file_server: m.file_server.clone().map(Running::unowned),
            turn: m.turn.clone().map(Running::unowned),
            http: reqwest::Client::new(),
            anvil: None,
        })
    }

    /// Creates a node key, registers the node (every `multi_contributor_every`-th with three
    /// contributors) and starts its process. Returns its index in [`Devnet::nodes`].
    pub async fn add_node(&mut self) -> anyhow::Result<usize> {
        let index = self.nodes.len();
        let data_dir = self.cfg.dir.join(format!("node-{index:02}"));
        let keys = session_node::identity::load_or_create(&data_dir, &mut rand::rng())?;
        let ipv4 = self.address_for(index);
        let record = NodeRecord {
            id: 0,
            operator: self.operator_for(index).into_array(),
            ed25519: *keys.ed25519_public().as_bytes(),
            x25519: *keys.x25519_public().as_bytes(),
            ipv4,
            http_port: crate::free_port_on(ipv4)?,
            grpc_port: crate::free_port_on(ipv4)?,
        };
        let contributors = self.contributors_for(index);
        let id = self.register(&keys, &record, &contributors).await?;
        let mut node = NodeHandle {
            id,
            record: NodeRecord { id, ..record },
            contributors,
            data_dir,
            exited: false,
            pid: 0,
            child: None,
        };
        let child = self.spawn_node(&node)?;
        node.pid = child.pid();
        node.child = Some(child);
        self.nodes.push(node);
        Ok(index)
    }

    /// The loopback address node `index` listens on (see [`DevnetConfig::distinct_addresses`]).
    fn address_for(&self, index: usize) -> [u8; 4] {
        if !self.cfg.distinct_addresses {
            return [127, 0, 0, 1];
        }
        let [_, _, x, y] = u32::try_from(index + 1).unwrap_or(u32::MAX).to_be_bytes();
        [127, 1, x, y]
    }

    fn operator_for(&self, index: usize) -> Address {
        let a = &self.chain.accounts;
        a[1 + index % (a.len() - 1)]
    }

    fn contributors_for(&self, index: usize) -> Vec<Address> {
        let operator = self.operator_for(index);
        let every = self.cfg.multi_contributor_every;
        if every == 0 || index % every != every - 1 {
            return vec![operator];
        }
        let a = &self.chain.accounts;
        let others = (1..a.len())
            .map(|k| a[(index + k * 3) % (a.len() - 1) + 1])
            .filter(|x| *x != operator);
        let mut out = vec![operator];
        for x in others {
            if !out.contains(&x) {
                out.push(x);
            }
            if out.len() == 3 {
                break;
            }
        }
        out
    }

    /// Registers with a valid signature: the operator stakes all, or 25 % with the rest split
    /// between the other contributors.
    async fn register(
        &self,
        keys: &IdentityKeys,
        record: &NodeRecord,
        contributors: &[Address],
    ) -> anyhow::Result<u64> {
        let ctx = self.contracts.context(self.chain.chain_id);
        let sig = sign_registration(keys, &ctx, record);
        let total = self.cfg.staking_requirement;
        let operator_stake = if contributors.len() == 1 {
            total
        } else {
            total / 4
        };
        let id = self
            .chain
            .register(
                &self.contracts,
                contributors[0],
                record,
                &sig,
                operator_stake,
            )
            .await
            .context("register")?;
        let rest = &contributors[1..];
        let mut remaining = total - operator_stake;
        for (i, who) in rest.iter().enumerate() {
            let amount = if i + 1 == rest.len() {
                remaining
            } else {
                remaining / 2
            };
            remaining -= amount;
            self.chain
                .contribute(&self.contracts, *who, id, amount)
                .await
                .context("contribute")?;
        }
        Ok(id)
    }

    fn spawn_node(&self, node: &NodeHandle) -> anyhow::Result<Child> {
        self.spawn_node_with(node, &[])
    }

    fn spawn_node_with(&self, node: &NodeHandle, extra: &[String]) -> anyhow::Result<Child> {
        let c = &self.cfg;
        let mut cmd = Command::new(&c.node_binary);
        cmd.arg("--data-dir")
            .arg(&node.data_dir)
            .args(["--listen", &node.http().to_string()])
            .args(["--grpc-listen", &node.grpc().to_string()])
            .args(["--sync-interval-ms", "1000"])
            .args(["--peer-test-interval-ms", "500"])
            // Onion requests may exit to servers on loopback (community, file servers).
            .arg("--proxy-allow-private")
            .args(["--chain-rpc", &self.rpc_url])
            .args(["--registry", &self.contracts.registry.to_string()])
            .args(["--start-block", &self.contracts.deploy_block.to_string()])
            .args(["--epoch-blocks", &c.epoch_blocks.to_string()])
            .args(["--confirmations", &c.confirmations.to_string()])
            .args(["--min-swarm-size", &c.min_swarm_size.to_string()])
            .args(["--ideal-swarm-size", &c.ideal_swarm_size.to_string()])
            .args(["--chain-poll-ms", &c.chain_poll_ms.to_string()])
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            );
        if c.distinct_addresses {
            cmd.arg("--peer-calls-from-listen-address");
        }
        if !c.rate_limit {
            cmd.arg("--no-rate-limit");
        }
        cmd.args(extra);
        let log = node.data_dir.join("node.log");
        Child::spawn(&format!("node {}", node.id), cmd, &log)
            .with_context(|| format!("starting {}", c.node_binary.display()))
    }

    /// Asks for node `index` to exit, waits out the unlock delay, exits it and stops its
    /// process.
    pub async fn exit_node(&mut self, index: usize) -> anyhow::Result<()> {
        let (id, operator) = {
            let n = &self.nodes[index];
            (n.id, n.operator())
        };
        self.chain
            .request_exit(&self.contracts, operator, id)
            .await
            .context("requestExit")?;
        let deadline = Instant::now() + Duration::from_secs(self.cfg.unlock_delay_secs + 60);
        loop {
            match self.chain.exit(&self.contracts, operator, id).await {
                Ok(()) => break,
                Err(CallError::Reverted(name))
                    if name == "StillLocked" && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e).context("exit"),
            }
        }
        let node = &mut self.nodes[index];
        node.exited = true;
        match node.child.take() {
            Some(mut child) => tokio::task::block_in_place(|| child.stop()),
            None => crate::process::terminate(node.pid),
        }
        node.pid = 0;
        Ok(())
    }

    /// Kills node `index` with SIGKILL (it stays registered).
    pub fn kill_node(&mut self, index: usize) {
        let node = &mut self.nodes[index];
        match node.child.take() {
            Some(mut child) => child.kill9(),
            None => crate::process::kill9(node.pid),
        }
        node.pid = 0;
    }

    /// Pauses node `index` with SIGSTOP: it holds its sockets and answers nothing (a hung
    /// node) until [`Devnet::resume_node`].
    pub fn pause_node(&self, index: usize) {
        crate::process::pause(self.nodes[index].pid);
    }

    /// Lets a paused node run again (SIGCONT).
    pub fn resume_node(&self, index: usize) {
        crate::process::resume(self.nodes[index].pid);
    }

    /// Starts node `index` again on its data directory and ports.
    pub fn restart_node(&mut self, index: usize) -> anyhow::Result<()> {
        let child = self.spawn_node(&self.nodes[index])?;
        let node = &mut self.nodes[index];
        node.pid = child.pid();
        node.child = Some(child);
        Ok(())
    }

    /// Starts node `index` again like [`Devnet::restart_node`], with extra `session-node` flags
    /// for this run only (e.g. `--test-clock-offset-ms 180000`: a node whose clock is off).
    pub fn restart_node_with(&mut self, index: usize, extra: &[String]) -> anyhow::Result<()> {
        let child = self.spawn_node_with(&self.nodes[index], extra)?;
        let node = &mut self.nodes[index];
        node.pid = child.pid();
        node.child = Some(child);
        Ok(())
    }

    /// Nodes that are registered, active and running.
    pub fn live_nodes(&self) -> impl Iterator<Item = &NodeHandle> {
        self.nodes.iter().filter(|n| !n.exited && n.pid != 0)
    }

    /// Asks one node for its view of the swarms (`/json_rpc` `get_n_service_nodes`).
    pub async fn swarm_report(&self, node: &NodeHandle) -> anyhow::Result<SwarmReport> {
        let url = format!("http://{}/json_rpc", node.http());
        let body =
            json!({"jsonrpc": "2.0", "id": 1, "method": "get_n_service_nodes", "params": {}});
        let reply: Value = self
            .http
            .post(&url)
            .json(&body)
            .timeout(Duration::from_secs(5))
            .send()
            .await?
            .json()
            .await?;
        parse_report(&reply["result"]).with_context(|| format!("reply of {url}: {reply}"))
    }

    /// Waits until every live node reports the same swarms and they hold exactly the live
    /// nodes. Returns that report.
    pub async fn wait_converged(&self, timeout: Duration) -> anyhow::Result<SwarmReport> {
        let deadline = Instant::now() + timeout;
        let expected: Vec<[u8; 32]> = {
            let mut v: Vec<_> = self.live_nodes().map(|n| n.record.ed25519).collect();
            v.sort_unstable();
            v
        };
        let mut last = String::new();
        while Instant::now() < deadline {
            match self.agreed_report().await {
                Ok(report) if report.assignment.keys().copied().collect::<Vec<_>>() == expected => {
                    return Ok(report);
                }
                Ok(report) => {
                    last = format!(
                        "nodes agree on {} nodes at epoch {}, expected {}",
                        report.assignment.len(),
                        report.epoch,
                        expected.len()
                    );
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        bail!(
            "the nodes did not converge within {timeout:?}: {last}{}",
            self.dead_nodes()
        )
    }

    /// For an error message: the live nodes whose process is gone, with their logs' last lines.
    fn dead_nodes(&self) -> String {
        let mut out = String::new();
        for n in self.live_nodes() {
            if crate::process::is_running(n.pid) {
                continue;
            }
            let log = std::fs::read_to_string(n.data_dir.join("node.log")).unwrap_or_default();
            let tail: Vec<&str> = log
                .lines()
                .filter(|l| !is_backtrace_line(l))
                .rev()
                .take(5)
                .collect();
            out.push_str(&format!(
                "; node {} (pid {}, {}) is not running, its log ends: {}",
                n.id,
                n.pid,
                n.http(),
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    /// The report every live node gives, if they all give the same one.
    pub async fn agreed_report(&self) -> anyhow::Result<SwarmReport> {
        let mut first: Option<SwarmReport> = None;
        for node in self.live_nodes() {
            let r = self.swarm_report(node).await?;
            match &first {
                None => first = Some(r),
                Some(f) if f.assignment == r.assignment => {}
                Some(_) => bail!("node {} disagrees", node.id),
            }
        }
        first.context("no live nodes")
    }

    /// The manifest of this devnet.
    pub fn manifest(&self, report: Option<&SwarmReport>, supervisor_pid: u32) -> Manifest {
        let c = &self.cfg;
        Manifest {
            rpc_url: self.rpc_url.clone(),
            chain_id: self.chain.chain_id,
            token: self.contracts.token.to_string(),
            registry: self.contracts.registry.to_string(),
            deploy_block: self.contracts.deploy_block,
            epoch_blocks: c.epoch_blocks,
            confirmations: c.confirmations,
            min_swarm_size: c.min_swarm_size,
            ideal_swarm_size: c.ideal_swarm_size,
            unlock_delay_secs: c.unlock_delay_secs,
            // Killed nodes stay listed (pid 0) so that `start ID` finds them again.
            nodes: self
                .nodes
                .iter()
                .filter(|n| !n.exited)
                .map(|n| ManifestNode {
                    id: n.id,
                    ed25519: hex::encode(n.record.ed25519),
                    x25519: hex::encode(n.record.x25519),
                    http: n.http().to_string(),
                    grpc: n.grpc().to_string(),
                    swarm_id: report
                        .and_then(|r| r.assignment.get(&n.record.ed25519))
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    pid: n.pid,
                    data_dir: n.data_dir.display().to_string(),
                    operator: n.operator().to_string(),
                })
                .collect(),
            anvil_pid: self.anvil_pid,
            supervisor_pid,
            community: self.community.as_ref().map(|r| r.entry.clone()),
            file_server: self.file_server.as_ref().map(|r| r.entry.clone()),
            turn: self.turn.as_ref().map(|r| r.entry.clone()),
        }
    }

    /// Lets every process outlive this handle (`--detach`).
    pub fn detach(mut self) {
        for n in &mut self.nodes {
            if let Some(c) = n.child.as_mut() {
                c.detach();
            }
        }
        if let Some(s) = self.community.as_mut() {
            s.detach();
        }
        if let Some(s) = self.file_server.as_mut() {
            s.detach();
        }
        if let Some(s) = self.turn.as_mut() {
            s.detach();
        }
        if let Some(a) = self.anvil.as_mut() {
            a.child.detach();
        }
    }
}

fn node_from_manifest(n: &ManifestNode) -> anyhow::Result<NodeHandle> {
    let key = |h: &str| -> anyhow::Result<[u8; 32]> {
        hex::decode(h)
            .ok()
            .and_then(|b| b.try_into().ok())
            .context("manifest key")
    };
    let http: SocketAddr = n.http.parse().context("manifest http")?;
    let grpc: SocketAddr = n.grpc.parse().context("manifest grpc")?;
    let SocketAddr::V4(v4) = http else {
        bail!("manifest http address is not IPv4");
    };
    let operator: Address = n.operator.parse().context("manifest operator")?;
    Ok(NodeHandle {
        id: n.id,
        record: NodeRecord {
            id: n.id,
            operator: operator.into_array(),
            ed25519: key(&n.ed25519)?,
            x25519: key(&n.x25519)?,
            ipv4: v4.ip().octets(),
            http_port: http.port(),
            grpc_port: grpc.port(),
        },
        contributors: vec![operator],
        data_dir: PathBuf::from(&n.data_dir),
        exited: false,
        pid: n.pid,
        child: None,
    })
}

/// Parses a `get_n_service_nodes` result into a report.
pub fn parse_report(result: &Value) -> anyhow::Result<SwarmReport> {
    let epoch = result["height"].as_u64().context("no height")?;
    let states = result["service_node_states"]
        .as_array()
        .context("no service_node_states")?;
    let mut assignment = BTreeMap::new();
    for s in states {
        let key: [u8; 32] = hex::decode(s["pubkey_ed25519"].as_str().unwrap_or_default())
            .ok()
            .and_then(|b| b.try_into().ok())
            .context("bad pubkey_ed25519")?;
        let swarm = s["swarm_id"].as_u64().context("bad swarm_id")?;
        assignment.insert(key, swarm);
    }
    Ok(SwarmReport { epoch, assignment })
}

/// A line of a printed backtrace (`Stack backtrace:`, `  12: frame`, `at file:line`): left
/// out of a dead node's log tail, so the error above it shows.
fn is_backtrace_line(line: &str) -> bool {
    let t = line.trim_start();
    t == "Stack backtrace:"
        || t == "stack backtrace:"
        || t.starts_with("at ")
        || t.split_once(':')
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_backtrace_line;

    #[test]
    fn a_dead_nodes_tail_keeps_the_error_and_drops_the_backtrace() {
        let log = "INFO starting\nError: Address already in use (os error 98)\n\nStack backtrace:\n   0: anyhow::error::msg\n             at /rustc/x/library/core/src/ops.rs:12:5\n  17: __libc_start_main_impl\n  18: _start";
        let kept: Vec<&str> = log.lines().filter(|l| !is_backtrace_line(l)).collect();
        assert_eq!(
            kept,
            [
                "INFO starting",
                "Error: Address already in use (os error 98)",
                ""
            ]
        );
    }
}
