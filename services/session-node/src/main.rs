//! `session-node`: a Session Node. Parses flags (or a JSON config file), sets up logging, binds
//! the listener and runs the library until Ctrl-C or SIGTERM, then drains.

/// jemalloc for the whole process: the Rust heap through this allocator, RocksDB's C++
/// allocations through jemalloc's own `malloc` (the `unprefixed_malloc_on_supported_platforms`
/// feature). With glibc's malloc the node's RSS kept climbing under sustained stores while its
/// live heap stayed bounded (docs/RELIABILITY.md, finding 6).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use anyhow::{Context, Result};
use clap::Parser;
use session_node::config::NodeConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// Run a Session Node.
#[derive(Parser, Debug)]
#[command(name = "session-node", version, about)]
struct Args {
    /// Read options from this JSON file (keys: data_dir, listen, grpc_listen, sync_interval_ms, peer_test_interval_ms, standalone,
    /// purge_interval_secs, no_rate_limit, proxy_allow_private, peer_calls_from_listen_address, test_clock_offset_ms, chain: {rpc_url, registry, start_block, epoch_blocks,
    /// confirmations, min_swarm_size, ideal_swarm_size, poll_ms}); flags given here override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Directory for the message store and the node's Ed25519 key (created if missing).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address to serve the storage RPC on, e.g. 127.0.0.1:22021 (port 0 picks a free port).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Run as a one-node network that is its own swarm, with no chain (development and tests).
    #[arg(long)]
    standalone: bool,
    /// Seconds between purges of expired messages (default 10).
    #[arg(long)]
    purge_interval_secs: Option<u64>,
    /// Turn off the per-IP rate limit (600 requests, refilled at 300/s).
    #[arg(long)]
    no_rate_limit: bool,
    /// Print the bound address as `listening on ADDR` on stdout once ready (for test harnesses).
    #[arg(long)]
    print_addr: bool,
    /// Address to serve the internal node-to-node gRPC API on (the gRPC port registered on chain).
    #[arg(long)]
    grpc_listen: Option<SocketAddr>,
    /// Milliseconds between replication rounds with peers (default 5000).
    #[arg(long)]
    sync_interval_ms: Option<u64>,
    /// Mean milliseconds between peer tests (default 10000, ± 30 %).
    #[arg(long)]
    peer_test_interval_ms: Option<u64>,
    /// Let onion requests be proxied to private and loopback addresses (off by default; for
    /// devnets on loopback).
    #[arg(long)]
    proxy_allow_private: bool,
    /// JSON-RPC URL of the chain holding the registry (e.g. the devnet's anvil).
    #[arg(long, requires = "registry")]
    chain_rpc: Option<String>,
    /// Address of the ServiceNodeRegistry contract (0x + 40 hex digits).
    #[arg(long, requires = "chain_rpc")]
    registry: Option<String>,
    /// Block the registry was deployed in; reading starts there (default 0).
    #[arg(long)]
    start_block: Option<u64>,
    /// Swarms are recomputed at every multiple of this many blocks (default 10).
    #[arg(long)]
    epoch_blocks: Option<u64>,
    /// Blocks an epoch block must be buried under before it is used (default 2).
    #[arg(long)]
    confirmations: Option<u64>,
    /// Smallest swarm size (default 5, Session's).
    #[arg(long)]
    min_swarm_size: Option<usize>,
    /// Size of a newly formed swarm (default 7, Session's).
    #[arg(long)]
    ideal_swarm_size: Option<usize>,
    /// Milliseconds between chain polls (default 1000).
    #[arg(long)]
    chain_poll_ms: Option<u64>,
    /// Call peers from the --grpc-listen address instead of letting the kernel choose (test
    /// networks whose nodes share a host on addresses of their own; off by default).
    #[arg(long)]
    peer_calls_from_listen_address: bool,
    /// Test only: run this node's clock this many ms off the system clock (negative: behind).
    #[arg(long, allow_hyphen_values = true)]
    test_clock_offset_ms: Option<i64>,
}

fn config(args: &Args) -> Result<NodeConfig> {
    let mut v = match &args.config {
        Some(path) => serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("parsing {}", path.display()))?,
        None => serde_json::json!({}),
    };
    if let Some(d) = &args.data_dir {
        v["data_dir"] = serde_json::json!(d);
    }
    if let Some(l) = args.listen {
        v["listen"] = serde_json::json!(l.to_string());
    }
    if args.standalone {
        v["standalone"] = serde_json::json!(true);
    }
    if let Some(s) = args.purge_interval_secs {
        v["purge_interval_secs"] = serde_json::json!(s);
    }
    if args.no_rate_limit {
        v["no_rate_limit"] = serde_json::json!(true);
    }
    if let Some(ms) = args.peer_test_interval_ms {
        v["peer_test_interval_ms"] = serde_json::json!(ms);
    }
    if let Some(ms) = args.sync_interval_ms {
        v["sync_interval_ms"] = serde_json::json!(ms);
    }
    if args.proxy_allow_private {
        v["proxy_allow_private"] = serde_json::json!(true);
    }
    if let Some(ms) = args.test_clock_offset_ms {
        v["test_clock_offset_ms"] = serde_json::json!(ms);
    }
    if args.peer_calls_from_listen_address {
        v["peer_calls_from_listen_address"] = serde_json::json!(true);
    }
    if let Some(g) = args.grpc_listen {
        v["grpc_listen"] = serde_json::json!(g.to_string());
    }
    chain_flags(args, &mut v);
    serde_json::from_value(v).context("configuration (data_dir and listen are required)")
}

/// Merges the chain flags into the `chain` object of the configuration.
fn chain_flags(args: &Args, v: &mut serde_json::Value) {
    let pairs = [
        (
            "rpc_url",
            args.chain_rpc.clone().map(serde_json::Value::from),
        ),
        (
            "registry",
            args.registry.clone().map(serde_json::Value::from),
        ),
        ("start_block", args.start_block.map(serde_json::Value::from)),
        (
            "epoch_blocks",
            args.epoch_blocks.map(serde_json::Value::from),
        ),
        (
            "confirmations",
            args.confirmations.map(serde_json::Value::from),
        ),
        (
            "min_swarm_size",
            args.min_swarm_size.map(serde_json::Value::from),
        ),
        (
            "ideal_swarm_size",
            args.ideal_swarm_size.map(serde_json::Value::from),
        ),
        ("poll_ms", args.chain_poll_ms.map(serde_json::Value::from)),
    ];
    for (key, value) in pairs {
        if let Some(value) = value {
            if !v["chain"].is_object() {
                v["chain"] = serde_json::json!({});
            }
            v["chain"][key] = value;
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        // Colours only on a terminal: log files stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // A log that cannot be written (full disk) is dropped: reporting it with `eprintln!`
        // would panic whichever task logged, failing its request (found by the nemesis suite).
        .log_internal_errors(false)
        .init();
    let args = Args::parse();
    let config = config(&args)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    if args.print_addr {
        println!("listening on {}", listener.local_addr()?);
    }
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        signal.cancel();
    });
    session_node::server::run(config, listener, shutdown).await?;
    Ok(())
}

async fn wait_for_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
