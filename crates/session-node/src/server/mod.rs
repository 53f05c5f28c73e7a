//! The node at the top of its layers: [`run`] wires the store, the key, the chain follower, the
//! background loops (purge, sync, peer tests) and both transports — the HTTP routes
//! ([`http`]: storage RPC, onion entry, health, seed calls) and the internal gRPC service
//! ([`grpc`]) — and drains them on shutdown.
//!
//! Layers (ARCHITECTURE.md; `cargo xtask tidy` checks that no module imports one above it):
//! transport (`server`) → request logic (`rpc`, `onion`, `replication`, `chain`) → what they
//! all use (`state`, `swarm_view`, `internal` peers client, `clock`, `config`, …).

mod conn;
pub mod grpc;
pub mod http;

pub use conn::HttpLimits;
pub use grpc::InternalService;
pub use http::{MAX_BODY, serve, serve_onion, serve_onion_with};

use crate::clock::{Clock, OffsetClock, SystemClock};
use crate::config::NodeConfig;
use crate::internal::peers::Peers;
use crate::onion::{Onion, ProxyConfig};
use crate::rate_limit::RateLimiter;
use crate::state::NodeState;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Why a node could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The store would not open.
    #[error(transparent)]
    Store(#[from] session_store::Error),
    /// The node key could not be loaded or created.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// Serving failed.
    #[error("http server: {0}")]
    Io(#[from] std::io::Error),
    /// Neither standalone nor a chain to follow.
    #[error("a node needs either --standalone or a chain (--chain-rpc and --registry)")]
    NoNetwork,
    /// The chain watcher could not start.
    #[error(transparent)]
    Chain(#[from] crate::chain::ChainError),
}

/// Opens the store and key in `config.data_dir` and builds the node state for `listener`.
pub fn build_state(
    config: &NodeConfig,
    listener: &TcpListener,
    clock: Arc<dyn Clock>,
) -> Result<NodeState, ServerError> {
    if !config.standalone && config.chain.is_none() {
        return Err(ServerError::NoNetwork);
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let keys = crate::identity::load_or_create(&config.data_dir, &mut rand::rng())?;
    let store = session_store::Store::open(&config.data_dir.join("store"))?;
    let addr = listener.local_addr()?;
    Ok(if config.standalone {
        NodeState::standalone(store, keys, clock, addr)
    } else {
        NodeState::following_chain(store, keys, clock, addr)
    })
}

/// Runs a node on `listener` until `shutdown` is cancelled, then drains.
pub async fn run(
    config: NodeConfig,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), ServerError> {
    let clock: Arc<dyn Clock> = match config.test_clock_offset_ms {
        0 => Arc::new(SystemClock),
        offset => Arc::new(OffsetClock::new(offset)),
    };
    let node = Arc::new(build_state(&config, &listener, clock)?);
    tracing::info!(
        ed25519 = %node.ed25519_hex(),
        addr = %node.record.addr,
        mode = if config.standalone { "standalone" } else { "chain" },
        "session node listening"
    );
    let watcher = match (&config.chain, config.standalone) {
        (Some(chain), false) => {
            let follower = crate::chain::ChainFollower::connect(chain, &config.data_dir).await?;
            Some(tokio::spawn(crate::chain::follow(
                node.clone(),
                follower,
                Duration::from_millis(chain.poll_ms.max(10)),
                shutdown.clone(),
            )))
        }
        _ => None,
    };
    let peers = Arc::new(match config.grpc_listen {
        Some(addr) if config.peer_calls_from_listen_address => Peers::bound_to(addr.ip()),
        _ => Peers::default(),
    });
    let proxy = ProxyConfig {
        allow_private: config.proxy_allow_private,
    };
    let onion = Arc::new(Onion::new(node.clone(), peers.clone(), proxy));
    let grpc = match config.grpc_listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr).await?;
            tracing::info!(grpc = %listener.local_addr()?, "internal gRPC listening");
            let (onion, shutdown) = (onion.clone(), shutdown.clone());
            Some(tokio::spawn(async move {
                if let Err(e) = grpc::serve(onion, listener, shutdown).await {
                    tracing::error!(error = %e, "internal gRPC server failed");
                }
            }))
        }
        None => None,
    };
    let purge = tokio::spawn(purge_loop(
        node.clone(),
        config.purge_interval_secs,
        shutdown.clone(),
    ));
    let limiter = (!config.no_rate_limit).then(|| Arc::new(RateLimiter::default()));
    *crate::internal::health::lock(&node.peer_health) = crate::internal::health::Schedule::new(
        config.peer_test_interval_ms,
        config.peer_test_interval_ms * 3 / 10,
    );
    let background = (!config.standalone).then(|| {
        [
            tokio::spawn(crate::replication::sync::sync_loop(
                node.clone(),
                peers.clone(),
                Duration::from_millis(config.sync_interval_ms.max(100)),
                shutdown.clone(),
            )),
            tokio::spawn(crate::replication::peer_tests::test_loop(
                node.clone(),
                peers.clone(),
                shutdown.clone(),
            )),
        ]
    });
    http::serve_onion(onion, limiter, listener, shutdown).await?;
    for task in background.into_iter().flatten() {
        let _ = task.await;
    }
    let _ = purge.await;
    if let Some(w) = watcher {
        let _ = w.await;
    }
    if let Some(g) = grpc {
        let _ = g.await;
    }
    tracing::info!("session node stopped");
    Ok(())
}

async fn purge_loop(node: Arc<NodeState>, every_secs: u64, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(every_secs.max(1)));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let n = node.clone();
        match tokio::task::spawn_blocking(move || n.store.purge_expired(n.now_ms())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(count)) => tracing::debug!(count, "purged expired messages"),
            Ok(Err(e)) => tracing::error!(error = %e, "expiry purge failed"),
            Err(e) => tracing::error!(error = %e, "expiry purge task panicked"),
        }
    }
}
