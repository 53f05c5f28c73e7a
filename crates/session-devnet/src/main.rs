//! `session-devnet`: the program behind `cargo xtask devnet`. `up` brings a devnet up (nodes, a
//! community server, a file server, a TURN relay; in the foreground until Ctrl-C, or
//! `--detach`ed), `down` stops a detached one, `register` adds a node and `exit ID` retires one,
//! `status` prints what the nodes agree on; `kill`, `start`, `pause` and `resume ID` inject
//! faults by hand.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use session_devnet::{Devnet, DevnetConfig, Manifest, SwarmReport};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A local Session network: anvil, the contracts, registered nodes, a community server, a file
/// server and a TURN relay (coturn).
#[derive(Parser, Debug)]
#[command(name = "session-devnet", version, about)]
struct Cli {
    /// Workspace root (the manifest goes to ROOT/target/devnet/devnet.json).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The session-node binary (default: next to this program).
    #[arg(long)]
    node_binary: Option<PathBuf>,
    /// The session-community binary (default: next to this program).
    #[arg(long)]
    community_binary: Option<PathBuf>,
    /// The session-fileserver binary (default: next to this program).
    #[arg(long)]
    fileserver_binary: Option<PathBuf>,
    /// coturn's turnserver (default: $SESSION_TURNSERVER, else `turnserver` on PATH).
    #[arg(long)]
    turn_binary: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Start a devnet (foreground; Ctrl-C tears it down).
    Up(UpArgs),
    /// Stop a detached devnet.
    Down,
    /// Register one more node on the running devnet and start it.
    Register,
    /// Retire node ID: request exit, wait out the unlock delay, exit, stop its process.
    Exit {
        /// Registry id of the node.
        id: u64,
    },
    /// Print the running devnet's nodes and swarms.
    Status,
    /// SIGKILL node ID (it stays registered; `start ID` brings it back).
    Kill {
        /// Registry id of the node.
        id: u64,
    },
    /// Start node ID again on its data directory and ports (after `kill`).
    Start {
        /// Registry id of the node.
        id: u64,
    },
    /// SIGSTOP node ID: it keeps its sockets but answers nothing, like a hung node.
    Pause {
        /// Registry id of the node.
        id: u64,
    },
    /// SIGCONT node ID after `pause`.
    Resume {
        /// Registry id of the node.
        id: u64,
    },
}

/// A fault injected by hand.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Kill,
    Start,
    Pause,
    Resume,
}

#[derive(Args, Debug)]
struct UpArgs {
    /// Number of nodes.
    #[arg(long, default_value_t = 12)]
    nodes: usize,
    /// Smallest swarm (Session: 5).
    #[arg(long, default_value_t = 3)]
    min_swarm_size: usize,
    /// Size of a new swarm (Session: 7).
    #[arg(long, default_value_t = 4)]
    ideal_swarm_size: usize,
    /// Epoch length in blocks (1 block per second).
    #[arg(long, default_value_t = 4)]
    epoch_blocks: u64,
    /// Seconds between an exit request and the exit.
    #[arg(long, default_value_t = 5)]
    unlock_delay: u64,
    /// Return once the network is ready, leaving it running (`down` stops it).
    #[arg(long)]
    detach: bool,
}

fn devnet_dir(root: &Path) -> PathBuf {
    root.join("target/devnet")
}

fn manifest_path(root: &Path) -> PathBuf {
    devnet_dir(root).join("devnet.json")
}

/// `given`, or the program `name` next to this one; it must exist.
fn binary(given: Option<&PathBuf>, name: &str) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name(name),
    };
    if !path.is_file() {
        bail!(
            "{} not found: build it with `cargo build --workspace --bins`",
            path.display()
        );
    }
    Ok(path)
}

fn config(cli: &Cli) -> anyhow::Result<DevnetConfig> {
    Ok(DevnetConfig::new(
        devnet_dir(&cli.root),
        session_devnet::anvil::find(&cli.root)?,
        binary(cli.node_binary.as_ref(), "session-node")?,
    ))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        // Colours only on a terminal: log files stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let root = std::fs::canonicalize(&cli.root).context("workspace root")?;
    match &cli.cmd {
        Cmd::Up(a) => up(&cli, &root, a).await,
        Cmd::Down => down(&root),
        Cmd::Register => register(&cli, &root).await,
        Cmd::Exit { id } => exit(&cli, &root, *id).await,
        Cmd::Status => status(&cli, &root).await,
        Cmd::Kill { id } => fault(&cli, &root, *id, Fault::Kill).await,
        Cmd::Start { id } => fault(&cli, &root, *id, Fault::Start).await,
        Cmd::Pause { id } => fault(&cli, &root, *id, Fault::Pause).await,
        Cmd::Resume { id } => fault(&cli, &root, *id, Fault::Resume).await,
    }
}

async fn up(cli: &Cli, root: &Path, a: &UpArgs) -> anyhow::Result<()> {
    let path = manifest_path(root);
    if let Ok(m) = Manifest::load(&path)
        && session_devnet::is_running(m.anvil_pid)
    {
        bail!(
            "a devnet is already running (anvil pid {}); stop it with `cargo xtask devnet down`",
            m.anvil_pid
        );
    }
    let dir = devnet_dir(root);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    let mut cfg = config(cli)?;
    cfg.nodes = a.nodes;
    cfg.min_swarm_size = a.min_swarm_size;
    cfg.ideal_swarm_size = a.ideal_swarm_size;
    cfg.epoch_blocks = a.epoch_blocks;
    cfg.unlock_delay_secs = a.unlock_delay;
    cfg.community_binary = Some(binary(cli.community_binary.as_ref(), "session-community")?);
    cfg.fileserver_binary = Some(binary(
        cli.fileserver_binary.as_ref(),
        "session-fileserver",
    )?);
    cfg.turn_binary = Some(match &cli.turn_binary {
        Some(p) => p.clone(),
        None => session_devnet::turn::find()?,
    });
    eprintln!(
        "starting anvil, deploying, registering {} nodes...",
        cfg.nodes
    );
    let devnet = Devnet::start(cfg).await?;
    let report = devnet.agreed_report().await?;
    devnet.manifest(Some(&report), 0).save(&path)?;
    print_summary(&devnet, &report, &path);
    if a.detach {
        devnet.detach();
        println!("detached; stop it with `cargo xtask devnet down`");
        return Ok(());
    }
    println!("running in the foreground; Ctrl-C stops everything");
    tokio::signal::ctrl_c().await?;
    eprintln!("stopping the devnet...");
    drop(devnet);
    let _ = std::fs::remove_file(&path);
    Ok(())
}

fn print_summary(devnet: &Devnet, report: &SwarmReport, manifest: &Path) {
    println!(
        "devnet ready: chain {} at {}",
        devnet.chain.chain_id, devnet.rpc_url
    );
    println!("  token    {}", devnet.contracts.token);
    println!(
        "  registry {} (deployed in block {})",
        devnet.contracts.registry, devnet.contracts.deploy_block
    );
    for (swarm, members) in report.swarms() {
        println!("  swarm {swarm:>20}: {} nodes", members.len());
    }
    for n in devnet.live_nodes() {
        let swarm = report
            .assignment
            .get(&n.record.ed25519)
            .map_or_else(|| "-".to_owned(), ToString::to_string);
        println!(
            "  node {:>3} {} http {} swarm {swarm}",
            n.id,
            &hex::encode(n.record.ed25519)[..16],
            n.http()
        );
    }
    if let Some(c) = &devnet.community {
        println!(
            "  community server {} (pid {})",
            c.entry.base_url, c.entry.pid
        );
        for room in &c.entry.rooms {
            println!("    room {}: {}", room.token, room.url);
        }
    }
    if let Some(f) = &devnet.file_server {
        println!(
            "  file server {} pubkey {} (pid {})",
            f.entry.url, f.entry.pubkey, f.entry.pid
        );
    }
    if let Some(t) = &devnet.turn {
        let t = &t.entry;
        println!(
            "  TURN relay {} user {} credential {} realm {} relay ports {}-{} (pid {})",
            t.url, t.username, t.credential, t.realm, t.relay_min_port, t.relay_max_port, t.pid
        );
        println!("    log {}", t.log);
    }
    println!("manifest: {}", manifest.display());
    if let Some(n) = devnet.live_nodes().next() {
        println!("try (from the workspace root, so the CLI finds the manifest):");
        println!("  cargo run -p session-cli -- --home /tmp/alice init");
        println!("  cargo run -p session-cli -- --home /tmp/bob init");
        println!("  cargo run -p session-cli -- --home /tmp/alice send 05<bob's id> 'hello'");
        println!("  cargo run -p session-cli -- --home /tmp/bob receive");
        println!(
            "  curl -s -X POST http://{}/storage_rpc/v1 -d '{{\"method\":\"get_swarm\",\"params\":{{\"pubkey\":\"05<64 hex>\"}}}}'",
            n.http()
        );
        if let Some(t) = &devnet.turn {
            let t = &t.entry;
            let port = t.addr.rsplit(':').next().unwrap_or_default();
            println!(
                "  turnutils_uclient -u {} -w {} -y -c -n 10 -p {port} 127.0.0.1   # two clients relay through TURN",
                t.username, t.credential
            );
        }
        println!("  cargo xtask devnet register | exit ID | status | down");
    }
}

fn down(root: &Path) -> anyhow::Result<()> {
    let path = manifest_path(root);
    let m = Manifest::load(&path)?;
    for n in &m.nodes {
        if session_devnet::is_running(n.pid) {
            session_devnet::terminate(n.pid);
        }
    }
    let servers = [
        m.community.as_ref().map(|c| c.pid),
        m.file_server.as_ref().map(|f| f.pid),
        m.turn.as_ref().map(|t| t.pid),
    ];
    for pid in servers.into_iter().flatten() {
        if session_devnet::is_running(pid) {
            session_devnet::terminate(pid);
        }
    }
    for pid in [m.anvil_pid, m.supervisor_pid] {
        if session_devnet::is_running(pid) {
            session_devnet::terminate(pid);
        }
    }
    std::fs::remove_file(&path)?;
    println!(
        "devnet stopped ({} nodes, {} servers, anvil pid {})",
        m.nodes.len(),
        servers.iter().flatten().count(),
        m.anvil_pid
    );
    Ok(())
}

async fn attach(cli: &Cli, root: &Path) -> anyhow::Result<(Devnet, Manifest)> {
    let m = Manifest::load(&manifest_path(root))?;
    if !session_devnet::is_running(m.anvil_pid) {
        bail!(
            "the devnet in {} is not running",
            manifest_path(root).display()
        );
    }
    let mut cfg = config(cli)?;
    cfg.epoch_blocks = m.epoch_blocks;
    cfg.confirmations = m.confirmations;
    cfg.min_swarm_size = m.min_swarm_size;
    cfg.ideal_swarm_size = m.ideal_swarm_size;
    cfg.unlock_delay_secs = m.unlock_delay_secs;
    Ok((Devnet::attach(cfg, &m).await?, m))
}

async fn register(cli: &Cli, root: &Path) -> anyhow::Result<()> {
    let (mut devnet, _) = attach(cli, root).await?;
    let index = devnet.add_node().await?;
    let id = devnet.nodes[index].id;
    let report = devnet.wait_converged(Duration::from_secs(120)).await?;
    devnet
        .manifest(Some(&report), 0)
        .save(&manifest_path(root))?;
    println!(
        "registered node {id} at {}; swarms converged at epoch {}",
        devnet.nodes[index].http(),
        report.epoch
    );
    devnet.detach();
    Ok(())
}

async fn exit(cli: &Cli, root: &Path, id: u64) -> anyhow::Result<()> {
    let (mut devnet, _) = attach(cli, root).await?;
    let index = devnet
        .nodes
        .iter()
        .position(|n| n.id == id)
        .with_context(|| format!("no live node with id {id}"))?;
    devnet.exit_node(index).await?;
    let report = devnet.wait_converged(Duration::from_secs(120)).await?;
    devnet
        .manifest(Some(&report), 0)
        .save(&manifest_path(root))?;
    println!(
        "node {id} exited; swarms converged at epoch {}",
        report.epoch
    );
    devnet.detach();
    Ok(())
}

async fn status(cli: &Cli, root: &Path) -> anyhow::Result<()> {
    let (devnet, _) = attach(cli, root).await?;
    let report = devnet.agreed_report().await?;
    print_summary(&devnet, &report, &manifest_path(root));
    devnet.detach();
    Ok(())
}

/// Kills, starts, pauses or resumes node `id`, and keeps the manifest's pids current.
async fn fault(cli: &Cli, root: &Path, id: u64, what: Fault) -> anyhow::Result<()> {
    let (mut devnet, old) = attach(cli, root).await?;
    let index = devnet
        .nodes
        .iter()
        .position(|n| n.id == id)
        .with_context(|| format!("no node with id {id} in the manifest"))?;
    let pid = devnet.nodes[index].pid;
    match (what, pid) {
        (Fault::Start, 0) => devnet.restart_node(index)?,
        (Fault::Start, _) => bail!("node {id} runs (pid {pid}); `kill {id}` it first"),
        (_, 0) => bail!("node {id} is not running; `start {id}` it first"),
        (Fault::Kill, _) => devnet.kill_node(index),
        (Fault::Pause, _) => devnet.pause_node(index),
        (Fault::Resume, _) => devnet.resume_node(index),
    }
    let mut m = devnet.manifest(None, old.supervisor_pid);
    for n in &mut m.nodes {
        if let Some(before) = old.nodes.iter().find(|o| o.id == n.id) {
            n.swarm_id.clone_from(&before.swarm_id);
        }
    }
    m.save(&manifest_path(root))?;
    let now = devnet.nodes[index].pid;
    println!(
        "node {id}: {} (pid {})",
        match what {
            Fault::Kill => "killed",
            Fault::Start => "started",
            Fault::Pause => "paused",
            Fault::Resume => "resumed",
        },
        if now == 0 { pid } else { now }
    );
    devnet.detach();
    Ok(())
}
