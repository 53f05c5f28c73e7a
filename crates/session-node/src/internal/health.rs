//! Peer testing: which nodes answer, with the reference's schedule. A pass over every other node
//! in random order tests one node per pass interval (10 s ± 3 s in Session; configurable); a
//! node that failed is retested after 10 s × its failure count (plus the same jitter), capped at
//! 2 minutes, at most 4 retests per 200 ms tick. Results feed the health output and the logs.
//!
//! [`Schedule`] is the policy (pure: time and randomness are arguments); the loop that runs it
//! is `crate::replication::peer_tests`, a layer above.

use rand::RngExt as _;
use rand::seq::SliceRandom as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

/// Session's pass interval and jitter (10 s ± 3 s).
pub const PASS_INTERVAL_MS: u64 = 10_000;
/// Jitter of the pass interval.
pub const PASS_JITTER_MS: u64 = 3_000;
use std::time::Duration;

/// Retest delay per previous failure.
pub const RETEST_STEP_MS: u64 = 10_000;
/// Longest retest delay.
pub const RETEST_CAP_MS: u64 = 120_000;
/// Most retests started per tick.
pub const MAX_RETESTS_PER_TICK: usize = 4;
/// Tick of the test loop.
pub const TICK: Duration = Duration::from_millis(200);

/// What is known of one peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerStatus {
    /// Consecutive failed tests (0 when the last test passed).
    pub failures: u32,
    /// When it last passed a test (ms).
    pub last_ok_ms: Option<u64>,
    /// When a failing peer is due for a retest (ms).
    pub retest_at_ms: u64,
    /// The last failure's reason.
    pub last_error: String,
}

/// The testing policy.
#[derive(Debug)]
pub struct Schedule {
    pass_interval_ms: u64,
    jitter_ms: u64,
    peers: HashMap<[u8; 32], PeerStatus>,
    pass: Vec<[u8; 32]>,
    next_pass_ms: u64,
}

impl Schedule {
    /// A schedule testing one node per `pass_interval_ms` (± `jitter_ms`).
    pub fn new(pass_interval_ms: u64, jitter_ms: u64) -> Self {
        Self {
            pass_interval_ms,
            jitter_ms,
            peers: HashMap::new(),
            pass: Vec::new(),
            next_pass_ms: 0,
        }
    }

    fn jitter(&self, rng: &mut impl rand::Rng) -> u64 {
        if self.jitter_ms == 0 {
            0
        } else {
            rng.random_range(0..=2 * self.jitter_ms)
        }
    }

    /// The peers to test now: due retests (at most 4), then the next node of the pass when its
    /// time has come. `nodes` is every other node of the current epoch.
    pub fn due(
        &mut self,
        now_ms: u64,
        nodes: &[[u8; 32]],
        rng: &mut impl rand::Rng,
    ) -> Vec<[u8; 32]> {
        self.peers.retain(|k, _| nodes.contains(k));
        let mut out: Vec<[u8; 32]> = self
            .peers
            .iter()
            .filter(|(_, s)| s.failures > 0 && s.retest_at_ms <= now_ms)
            .map(|(k, _)| *k)
            .collect();
        out.sort_unstable();
        out.truncate(MAX_RETESTS_PER_TICK);
        if now_ms >= self.next_pass_ms && !nodes.is_empty() {
            if self.pass.is_empty() {
                self.pass = nodes.to_vec();
                self.pass.shuffle(rng);
            }
            if let Some(next) = self.pass.pop()
                && !out.contains(&next)
            {
                out.push(next);
            }
            self.next_pass_ms =
                now_ms + (self.pass_interval_ms + self.jitter(rng)).saturating_sub(self.jitter_ms);
        }
        out
    }

    /// Records a test result.
    pub fn record(
        &mut self,
        peer: [u8; 32],
        result: Result<(), String>,
        now_ms: u64,
        rng: &mut impl rand::Rng,
    ) {
        let jitter = self.jitter(rng);
        let s = self.peers.entry(peer).or_default();
        match result {
            Ok(()) => {
                s.failures = 0;
                s.last_ok_ms = Some(now_ms);
                s.last_error.clear();
            }
            Err(e) => {
                s.failures += 1;
                let delay = (RETEST_STEP_MS * u64::from(s.failures) + jitter).min(RETEST_CAP_MS);
                s.retest_at_ms = now_ms + delay;
                s.last_error = e;
            }
        }
    }

    /// The status of `peer`, if it was ever tested.
    pub fn status(&self, peer: &[u8; 32]) -> Option<&PeerStatus> {
        self.peers.get(peer)
    }

    /// Health output: counts and the failing peers.
    pub fn to_json(&self) -> Value {
        let mut failing: Vec<Value> = self
            .peers
            .iter()
            .filter(|(_, s)| s.failures > 0)
            .map(|(k, s)| {
                json!({"ed25519": hex::encode(k), "failures": s.failures,
                    "last_ok": s.last_ok_ms, "error": s.last_error})
            })
            .collect();
        failing.sort_by(|a, b| a["ed25519"].as_str().cmp(&b["ed25519"].as_str()));
        json!({
            "tested": self.peers.len(),
            "reachable": self.peers.values().filter(|s| s.failures == 0).count(),
            "failing": failing,
        })
    }
}

/// Locks a schedule, surviving a poisoned lock.
pub fn lock(s: &Mutex<Schedule>) -> std::sync::MutexGuard<'_, Schedule> {
    s.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng as _;

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn a_pass_tests_every_node_once_per_interval() {
        let mut s = Schedule::new(1_000, 0);
        let nodes: Vec<[u8; 32]> = (1..=3).map(|i| [i; 32]).collect();
        let mut r = rng();
        let mut seen = Vec::new();
        for t in 0..3 {
            let due = s.due(t * 1_000, &nodes, &mut r);
            assert_eq!(due.len(), 1);
            assert!(
                s.due(t * 1_000 + 999, &nodes, &mut r).is_empty(),
                "one per interval"
            );
            seen.extend(due);
        }
        seen.sort_unstable();
        assert_eq!(seen, nodes);
    }

    #[test]
    fn failures_back_off_linearly_up_to_the_cap_and_success_resets() {
        let mut s = Schedule::new(u64::MAX / 4, 0);
        let peer = [9; 32];
        let mut r = rng();
        for n in 1..=14u64 {
            s.record(peer, Err("refused".into()), 0, &mut r);
            let want = (RETEST_STEP_MS * n).min(RETEST_CAP_MS);
            assert_eq!(s.status(&peer).map(|p| p.retest_at_ms), Some(want));
        }
        s.record(peer, Ok(()), 5, &mut r);
        let st = s.status(&peer).cloned().unwrap_or_default();
        assert_eq!((st.failures, st.last_ok_ms), (0, Some(5)));
    }

    #[test]
    fn at_most_four_retests_per_tick_and_gone_nodes_are_forgotten() {
        let mut s = Schedule::new(u64::MAX / 4, 0);
        let mut r = rng();
        let nodes: Vec<[u8; 32]> = (1..=6).map(|i| [i; 32]).collect();
        // Consume the first pass slot so only retests remain.
        let _ = s.due(0, &nodes, &mut r);
        for n in &nodes {
            s.record(*n, Err("down".into()), 0, &mut r);
        }
        let due = s.due(RETEST_STEP_MS, &nodes, &mut r);
        assert_eq!(due.len(), MAX_RETESTS_PER_TICK);
        let _ = s.due(RETEST_STEP_MS, &nodes[..2], &mut r);
        assert_eq!(s.to_json()["tested"], 2);
    }

    #[test]
    fn health_json_lists_failing_peers() {
        let mut s = Schedule::new(1_000, 0);
        let mut r = rng();
        s.record([1; 32], Ok(()), 10, &mut r);
        s.record([2; 32], Err("connection refused".into()), 10, &mut r);
        let j = s.to_json();
        assert_eq!(j["tested"], 2);
        assert_eq!(j["reachable"], 1);
        assert_eq!(j["failing"][0]["ed25519"], hex::encode([2u8; 32]));
        assert_eq!(j["failing"][0]["error"], "connection refused");
    }
}
