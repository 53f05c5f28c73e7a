//! The periodic-task skeleton the node's background loops share.

use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Ticks every `period` (a late tick delays the next rather than bunching them) until the token
/// is cancelled.
#[derive(Debug)]
pub(crate) struct Every {
    tick: tokio::time::Interval,
    shutdown: CancellationToken,
}

impl Every {
    /// The first tick is immediate.
    pub(crate) fn new(period: Duration, shutdown: CancellationToken) -> Self {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self { tick, shutdown }
    }

    /// Waits for the next tick; `false` once shut down.
    pub(crate) async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.shutdown.cancelled() => false,
            _ = self.tick.tick() => true,
        }
    }
}
