//! The network's time as this node's peers tell it: every authentic internal call carries its
//! caller's clock (signed), so a node learns how far its own clock is from its peers' — even
//! when it is so far off that it refuses their calls. Expiry stamps are dated in this network
//! time, so a node whose clock runs minutes off does not date its stamps minutes off (the
//! nemesis suite's clock fault: such stamps won or lost against changes made minutes apart).

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a peer's reading counts.
const FRESH_MS: u64 = 120_000;

/// Fewest peers whose readings make an offset (fewer: no correction).
const MIN_PEERS: usize = 2;

/// Each peer's latest (offset of its clock from ours, when we saw it), in ms.
#[derive(Debug, Default)]
pub struct PeerClock {
    seen: Mutex<HashMap<[u8; 32], (i64, u64)>>,
}

impl PeerClock {
    /// Records an authentic call from `peer` stamped `their_ms`, received at `now_ms`.
    pub fn record(&self, peer: [u8; 32], their_ms: u64, now_ms: u64) {
        let offset = i64::try_from(their_ms)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(now_ms).unwrap_or(i64::MAX));
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(peer, (offset, now_ms));
        seen.retain(|_, (_, at)| at.saturating_add(FRESH_MS) >= now_ms);
    }

    /// The median offset of the peers heard from recently (0 with fewer than two).
    pub fn offset_ms(&self, now_ms: u64) -> i64 {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut offsets: Vec<i64> = seen
            .values()
            .filter(|(_, at)| at.saturating_add(FRESH_MS) >= now_ms)
            .map(|(o, _)| *o)
            .collect();
        if offsets.len() < MIN_PEERS {
            return 0;
        }
        offsets.sort_unstable();
        offsets[offsets.len() / 2]
    }

    /// `now_ms` moved by the peers' offset.
    pub fn network_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_add_signed(self.offset_ms(now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_fresh_peers_moves_the_time() {
        let c = PeerClock::default();
        let now = 1_000_000;
        assert_eq!(c.network_ms(now), now, "nobody heard from");
        c.record([1; 32], now - 180_000, now);
        assert_eq!(c.offset_ms(now), 0, "one peer is not enough");
        c.record([2; 32], now - 180_010, now);
        c.record([3; 32], now + 5, now);
        // Two of three peers say we run 3 minutes ahead.
        assert_eq!(c.offset_ms(now), -180_000);
        assert_eq!(c.network_ms(now), now - 180_000);
        // A peer's newer reading replaces its older one; stale readings stop counting.
        c.record([1; 32], now + 1, now);
        assert_eq!(c.offset_ms(now), 1);
        assert_eq!(c.offset_ms(now + FRESH_MS + 1), 0);
    }
}
