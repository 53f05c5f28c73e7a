//! The chain watcher: reads the registry's events, closes epochs once they are confirmed, and
//! publishes each epoch's swarms to the request handlers.
//!
//! Everything it learned is kept in a journal (`chain.json` in the data directory: cursor,
//! events, epoch hashes), written atomically after every change, so a restarted node replays the
//! journal in memory and reads on from where it stopped. RPC errors are logged and retried on
//! the next poll; the cursor never moves past a block range it did not read whole.

use crate::config::ChainConfig;
use crate::state::NodeState;
use crate::swarm_view::SwarmView;
use alloy::primitives::Address;
use alloy::providers::{Provider, ProviderBuilder};
use serde::{Deserialize, Serialize};
use session_chain::{Cursor, ReadError, RegistryEvent, RegistryReader};
use session_swarm::{EpochParams, NetworkState, RegistryContext, SwarmParams};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// File (inside the data directory) holding the journal.
pub const JOURNAL_FILE: &str = "chain.json";

/// Why the watcher could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The configuration is unusable.
    #[error("chain config: {0}")]
    Config(String),
    /// The chain could not be asked for its id.
    #[error(transparent)]
    Rpc(#[from] ReadError),
    /// The journal could not be read or written.
    #[error("chain journal {path}: {reason}")]
    Journal {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    chain_id: u64,
    registry: String,
    cursor: Option<Cursor>,
    events: Vec<RegistryEvent>,
    /// Closed epochs: (block, block hash hex).
    epochs: Vec<(u64, String)>,
}

/// Follows one registry.
#[derive(Debug)]
pub struct ChainFollower {
    reader: RegistryReader,
    network: NetworkState,
    journal: Journal,
    path: PathBuf,
    epoch_blocks: u64,
    confirmations: u64,
    next_epoch: u64,
}

impl ChainFollower {
    /// Connects to the chain, loads the journal in `data_dir` (if it belongs to the same chain
    /// and registry) and replays it.
    pub async fn connect(cfg: &ChainConfig, data_dir: &Path) -> Result<Self, ChainError> {
        let registry: Address = cfg
            .registry
            .parse()
            .map_err(|e| ChainError::Config(format!("registry address {}: {e}", cfg.registry)))?;
        let url = cfg
            .rpc_url
            .parse()
            .map_err(|e| ChainError::Config(format!("rpc url {}: {e}", cfg.rpc_url)))?;
        if cfg.epoch_blocks == 0 {
            return Err(ChainError::Config("epoch_blocks must be at least 1".into()));
        }
        let swarm = SwarmParams::new(cfg.min_swarm_size, cfg.ideal_swarm_size)
            .map_err(|e| ChainError::Config(e.to_string()))?;
        let provider = ProviderBuilder::new().connect_http(url).erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| ReadError(e.to_string()))?;
        let ctx = RegistryContext {
            chain_id,
            registry: registry.into_array(),
        };
        let params = EpochParams {
            epoch_blocks: cfg.epoch_blocks,
            swarm,
        };
        let path = data_dir.join(JOURNAL_FILE);
        let mut journal = load_journal(&path)?;
        if journal.chain_id != chain_id || journal.registry != cfg.registry.to_lowercase() {
            journal = Journal {
                chain_id,
                registry: cfg.registry.to_lowercase(),
                ..Journal::default()
            };
        }
        let mut network =
            NetworkState::new(ctx, params).map_err(|e| ChainError::Config(e.to_string()))?;
        replay(&mut network, &journal).map_err(|reason| ChainError::Journal {
            path: path.display().to_string(),
            reason,
        })?;
        let cursor = journal.cursor.unwrap_or(Cursor {
            next_block: cfg.start_block,
        });
        let next_epoch = match journal.epochs.last() {
            Some((block, _)) => block + cfg.epoch_blocks,
            None => first_epoch(cfg.start_block, cfg.epoch_blocks),
        };
        Ok(Self {
            reader: RegistryReader::resume(provider, registry, cursor),
            network,
            journal,
            path,
            epoch_blocks: cfg.epoch_blocks,
            confirmations: cfg.confirmations,
            next_epoch,
        })
    }

    /// The replayed network.
    pub fn network(&self) -> &NetworkState {
        &self.network
    }

    /// One poll: closes every epoch that is confirmed. Returns how many epochs were closed.
    pub async fn step(&mut self) -> Result<usize, ReadError> {
        let head = self.reader.head().await?;
        let mut closed = 0;
        while self.next_epoch + self.confirmations <= head {
            let epoch = self.next_epoch;
            let (events, err) = self.reader.read_until(epoch).await;
            for e in events {
                self.network
                    .push_event(e.clone())
                    .map_err(|e| ReadError(format!("registry event out of order: {e}")))?;
                self.journal.events.push(e);
            }
            self.journal.cursor = Some(self.reader.cursor());
            if let Some(e) = err {
                self.save();
                return Err(e);
            }
            let hash = self.reader.block_hash(epoch).await?;
            let outcome = self
                .network
                .close_epoch(epoch, hash)
                .map_err(|e| ReadError(format!("closing epoch {epoch}: {e}")))?;
            for ignored in &outcome.ignored {
                tracing::warn!(
                    block = ignored.block,
                    log_index = ignored.log_index,
                    reason = %ignored.reason,
                    "ignored registry event"
                );
            }
            self.journal.epochs.push((epoch, hex::encode(hash)));
            self.next_epoch = epoch + self.epoch_blocks;
            closed += 1;
        }
        if closed > 0 {
            self.save();
        }
        Ok(closed)
    }

    fn save(&self) {
        if let Err(e) = write_journal(&self.path, &self.journal) {
            tracing::error!(error = %e, path = %self.path.display(), "writing chain journal");
        }
    }
}

/// Runs the watcher until `shutdown`: polls every `poll`, publishing each new epoch's swarms.
pub async fn follow(
    node: Arc<NodeState>,
    mut follower: ChainFollower,
    poll: Duration,
    shutdown: CancellationToken,
) {
    publish(&node, &follower);
    let mut ticks = crate::every::Every::new(poll, shutdown);
    while ticks.next().await {
        match follower.step().await {
            Ok(0) => {}
            Ok(_) => publish(&node, &follower),
            Err(e) => tracing::warn!(error = %e, "chain poll failed; retrying"),
        }
    }
}

fn publish(node: &NodeState, follower: &ChainFollower) {
    let view = SwarmView::from_network(follower.network(), node.record.ed25519);
    if *node.view() != view {
        tracing::info!(
            epoch = view.epoch_block,
            swarms = view.swarm_count(),
            nodes = view.nodes().count(),
            own = ?view.own_swarm(),
            "new swarm view"
        );
        node.set_view(view);
    }
}

fn first_epoch(start_block: u64, epoch_blocks: u64) -> u64 {
    start_block.div_ceil(epoch_blocks).max(1) * epoch_blocks
}

fn replay(network: &mut NetworkState, journal: &Journal) -> Result<(), String> {
    for e in &journal.events {
        network.push_event(e.clone()).map_err(|e| e.to_string())?;
    }
    for (block, hash) in &journal.epochs {
        let bytes: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("bad block hash for epoch {block}"))?;
        network
            .close_epoch(*block, bytes)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn load_journal(path: &Path) -> Result<Journal, ChainError> {
    let err = |reason: String| ChainError::Journal {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| err(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Journal::default()),
        Err(e) => Err(err(e.to_string())),
    }
}

fn write_journal(path: &Path, journal: &Journal) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec(journal).map_err(std::io::Error::other)?;
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
