//! Time as a dependency: the node reads "now" through a [`Clock`] so tests can move it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in unix milliseconds.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in ms since the unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told (tests).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// Starts at `ms`.
    pub fn new(ms: u64) -> Self {
        Self(AtomicU64::new(ms))
    }

    /// Sets the time.
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system clock shifted by a fixed offset: a node whose clock is minutes off (the nemesis
/// tests' `--test-clock-offset-ms`; never set in production).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset_ms: i64,
}

impl OffsetClock {
    /// The system clock plus `offset_ms` (negative: behind).
    pub fn new(offset_ms: i64) -> Self {
        Self { offset_ms }
    }
}

impl Clock for OffsetClock {
    fn now_ms(&self) -> u64 {
        SystemClock.now_ms().saturating_add_signed(self.offset_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_clock_is_the_system_clock_moved() {
        let ahead = OffsetClock::new(180_000).now_ms();
        let now = SystemClock.now_ms();
        let behind = OffsetClock::new(-180_000).now_ms();
        assert!(ahead.abs_diff(now + 180_000) < 5_000, "{ahead} vs {now}");
        assert!(behind.abs_diff(now - 180_000) < 5_000, "{behind} vs {now}");
        assert_eq!(
            OffsetClock::new(i64::MIN).now_ms(),
            0,
            "saturates at the epoch"
        );
    }
}
