//! The registry event reader: chunked `eth_getLogs` with a resumable cursor.

use crate::decode::decode_log;
use alloy::eips::BlockNumberOrTag;
use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::Filter;
use serde::{Deserialize, Serialize};
use session_swarm::RegistryEvent;

/// Most blocks asked for in one `eth_getLogs` (providers commonly refuse more).
pub const MAX_LOG_CHUNK: u64 = 1_000;

/// Where a reader stands: the next block whose logs it has not read. Save it with the events
/// read so far and give it back to [`RegistryReader::resume`] after a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// First block not read yet.
    pub next_block: u64,
}

/// An RPC call failed; the cursor did not move, so the same call can simply be retried.
#[derive(Debug, thiserror::Error)]
#[error("chain rpc: {0}")]
pub struct ReadError(pub String);

impl ReadError {
    fn rpc(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// Reads the registry's logs in order.
#[derive(Clone, Debug)]
pub struct RegistryReader {
    provider: DynProvider,
    registry: Address,
    cursor: Cursor,
    chunk: u64,
}

impl RegistryReader {
    /// A reader starting at `from_block` (the registry's deployment block, or 0).
    pub fn new(provider: DynProvider, registry: Address, from_block: u64) -> Self {
        Self::resume(
            provider,
            registry,
            Cursor {
                next_block: from_block,
            },
        )
    }

    /// A reader continuing from a saved cursor.
    pub fn resume(provider: DynProvider, registry: Address, cursor: Cursor) -> Self {
        Self {
            provider,
            registry,
            cursor,
            chunk: MAX_LOG_CHUNK,
        }
    }

    /// Uses smaller chunks (tests; providers with tighter limits). Clamped to 1..=1000.
    #[must_use]
    pub fn with_chunk(mut self, blocks: u64) -> Self {
        self.chunk = blocks.clamp(1, MAX_LOG_CHUNK);
        self
    }

    /// The current cursor.
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    /// The registry address.
    pub fn registry(&self) -> Address {
        self.registry
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The latest block number.
    pub async fn head(&self) -> Result<u64, ReadError> {
        self.provider
            .get_block_number()
            .await
            .map_err(ReadError::rpc)
    }

    /// The hash of block `number`.
    pub async fn block_hash(&self, number: u64) -> Result<[u8; 32], ReadError> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(ReadError::rpc)?
            .ok_or_else(|| ReadError(format!("block {number} not found")))?;
        Ok(block.header.hash.0)
    }

    /// Reads the next chunk of at most [`MAX_LOG_CHUNK`] blocks ending no later than `up_to`
    /// and advances the cursor past it. `Ok(None)` once the cursor is past `up_to`. Events come
    /// in (block, log index) order; logs that do not decode are logged and skipped.
    pub async fn next_chunk(
        &mut self,
        up_to: u64,
    ) -> Result<Option<Vec<RegistryEvent>>, ReadError> {
        let from = self.cursor.next_block;
        if from > up_to {
            return Ok(None);
        }
        let to = up_to.min(from.saturating_add(self.chunk - 1));
        let filter = Filter::new()
            .address(self.registry)
            .from_block(from)
            .to_block(to);
        let logs = self
            .provider
            .get_logs(&filter)
            .await
            .map_err(ReadError::rpc)?;
        let mut events = Vec::with_capacity(logs.len());
        for log in &logs {
            match decode_log(log) {
                Ok(Some(e)) => events.push(e),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, block = ?log.block_number, "skipping registry log")
                }
            }
        }
        events.sort_by_key(|e| (e.block, e.log_index));
        self.cursor.next_block = to + 1;
        Ok(Some(events))
    }

    /// Reads every chunk up to `up_to`. On an error, the events of the chunks already read are
    /// returned with it (the cursor stands after them).
    pub async fn read_until(&mut self, up_to: u64) -> (Vec<RegistryEvent>, Option<ReadError>) {
        let mut all = Vec::new();
        loop {
            match self.next_chunk(up_to).await {
                Ok(Some(mut events)) => all.append(&mut events),
                Ok(None) => return (all, None),
                Err(e) => return (all, Some(e)),
            }
        }
    }
}
