//! Per-client token buckets (storage server `rate_limiter`): 600 tokens, refilled at 300/s,
//! at most 10,000 tracked clients; when the table is full, new clients are refused.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Bucket capacity.
pub const BUCKET_SIZE: f64 = 600.0;
/// Refill rate per second.
pub const REFILL_PER_SEC: f64 = 300.0;
/// Most clients tracked at once.
pub const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

/// The limiter. `now_ms` is passed in so the policy is testable without sleeping.
#[derive(Debug)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    size: f64,
    refill_per_ms: f64,
    max_clients: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(BUCKET_SIZE, REFILL_PER_SEC, MAX_CLIENTS)
    }
}

impl RateLimiter {
    /// A limiter with custom parameters.
    pub fn new(size: f64, refill_per_sec: f64, max_clients: usize) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            size,
            refill_per_ms: refill_per_sec / 1000.0,
            max_clients,
        }
    }

    /// Takes one token for `ip`; false means "answer 429".
    pub fn allow(&self, ip: IpAddr, now_ms: u64) -> bool {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(&ip) && map.len() >= self.max_clients {
            // Forget clients whose buckets are full again: they cost nothing to recreate.
            let (size, rate) = (self.size, self.refill_per_ms);
            map.retain(|_, b| b.tokens + now_ms.saturating_sub(b.last_ms) as f64 * rate < size);
            if map.len() >= self.max_clients {
                return false;
            }
        }
        let b = map.entry(ip).or_insert(Bucket {
            tokens: self.size,
            last_ms: now_ms,
        });
        let elapsed = now_ms.saturating_sub(b.last_ms) as f64;
        b.tokens = (b.tokens + elapsed * self.refill_per_ms).min(self.size);
        b.last_ms = now_ms;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn bucket_empties_then_refills() {
        let rl = RateLimiter::default();
        for _ in 0..600 {
            assert!(rl.allow(ip(1), 1000));
        }
        assert!(!rl.allow(ip(1), 1000));
        assert!(rl.allow(ip(2), 1000), "other clients are unaffected");
        // 10 ms at 300/s refills 3 tokens
        assert!(rl.allow(ip(1), 1010));
        assert!(rl.allow(ip(1), 1010));
        assert!(rl.allow(ip(1), 1010));
        assert!(!rl.allow(ip(1), 1010));
    }

    #[test]
    fn full_table_refuses_new_clients_until_buckets_refill() {
        let rl = RateLimiter::new(2.0, 1.0, 2);
        assert!(rl.allow(ip(1), 0));
        assert!(rl.allow(ip(2), 0));
        assert!(!rl.allow(ip(3), 0));
        // after 1 s both buckets are full again and can be forgotten
        assert!(rl.allow(ip(3), 1000));
    }
}
