//! Per-client token buckets for the one unauthenticated route that creates state: the demo
//! sign-in. Without a limit a script can create sessions as fast as it can send requests, and
//! every session is kept in memory.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sync::lock;

/// At most this many client addresses are tracked at once, so a flood from many addresses
/// cannot grow the limiter itself without bound. A bucket that has refilled completely carries
/// no information and is dropped first; past that the fullest bucket goes.
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// How many requests a client may make in a burst and how fast it earns them back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitPolicy {
    /// Bucket size: requests allowed back to back. 0 turns the limit off.
    pub burst: u32,
    /// Tokens added per second, up to `burst`.
    pub refill_per_second: f64,
}

impl Default for RateLimitPolicy {
    /// 60 at once, then one a second. A person clicking the demo never gets near that; a
    /// script sending a couple of hundred sign-ins in a few seconds is stopped after ~60. The
    /// end-to-end suite (at most ~35 sign-ins per server, from 127.0.0.1) stays well below it.
    fn default() -> Self {
        Self {
            burst: 60,
            refill_per_second: 1.0,
        }
    }
}

impl RateLimitPolicy {
    /// Whether the policy limits anything.
    pub fn is_enabled(&self) -> bool {
        self.burst > 0
    }

    /// A usable refill rate: finite and above zero (only checked when the limit is on).
    pub fn is_valid(&self) -> bool {
        !self.is_enabled() || (self.refill_per_second.is_finite() && self.refill_per_second > 0.0)
    }
}

/// A refused request: how long until the client has a token again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limited; retry after {} s", .retry_after.as_secs())]
pub struct RateLimited {
    /// Whole seconds, at least one (what `Retry-After` carries).
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets keyed by client (see [`client_key`]).
#[derive(Debug)]
pub struct RateLimiter {
    policy: RateLimitPolicy,
    capacity: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter tracking at most [`MAX_TRACKED_CLIENTS`] clients.
    pub fn new(policy: RateLimitPolicy) -> Self {
        Self::with_capacity(policy, MAX_TRACKED_CLIENTS)
    }

    /// A limiter tracking at most `capacity` clients (at least one).
    pub fn with_capacity(policy: RateLimitPolicy, capacity: usize) -> Self {
        Self {
            policy,
            capacity: capacity.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client` at `now`, or says how long to wait for one.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), RateLimited> {
        if !self.policy.is_enabled() {
            return Ok(());
        }
        let key = client_key(client);
        let mut buckets = lock(&self.buckets);
        if !buckets.contains_key(&key) && buckets.len() >= self.capacity {
            self.make_room(&mut buckets, now);
        }
        let burst = f64::from(self.policy.burst);
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        bucket.tokens = self.tokens_at(bucket, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.policy.refill_per_second;
            // Whole seconds, rounded up: a client that waits exactly this long succeeds.
            let seconds = wait.ceil().clamp(1.0, f64::from(u32::MAX));
            Err(RateLimited {
                retry_after: Duration::from_secs_f64(seconds),
            })
        }
    }

    /// How many clients are tracked right now.
    pub fn tracked_clients(&self) -> usize {
        lock(&self.buckets).len()
    }

    fn tokens_at(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.policy.refill_per_second).min(f64::from(self.policy.burst))
    }

    /// Drops every bucket that has refilled completely (forgetting it changes nothing); if
    /// that frees nothing, drops the fullest one, which loses the least information.
    fn make_room(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let burst = f64::from(self.policy.burst);
        buckets.retain(|_, bucket| self.tokens_at(bucket, now) < burst);
        if buckets.len() < self.capacity {
            return;
        }
        let fullest = buckets
            .iter()
            .max_by(|(_, a), (_, b)| self.tokens_at(a, now).total_cmp(&self.tokens_at(b, now)))
            .map(|(key, _)| *key);
        if let Some(key) = fullest {
            buckets.remove(&key);
        }
    }
}

/// The key a client is limited under: its IPv4 address, or its IPv6 /64 (one host usually
/// owns a whole /64, so limiting single IPv6 addresses would limit nothing). IPv4-mapped IPv6
/// addresses count as the IPv4 address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn policy(burst: u32, refill_per_second: f64) -> RateLimitPolicy {
        RateLimitPolicy {
            burst,
            refill_per_second,
        }
    }

    fn v4(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    #[test]
    fn allows_a_burst_then_refills() {
        let limiter = RateLimiter::new(policy(3, 1.0));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(v4(1), start), Ok(()));
        }
        let refused = limiter.check(v4(1), start).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        // Another client has its own bucket.
        assert_eq!(limiter.check(v4(2), start), Ok(()));
        // One second later exactly one more is allowed.
        let later = start + Duration::from_secs(1);
        assert_eq!(limiter.check(v4(1), later), Ok(()));
        assert!(limiter.check(v4(1), later).is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let limiter = RateLimiter::new(policy(1, 0.1));
        let start = Instant::now();
        assert_eq!(limiter.check(v4(1), start), Ok(()));
        let refused = limiter.check(v4(1), start).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(10));
    }

    #[test]
    fn a_zero_burst_turns_the_limit_off() {
        let limiter = RateLimiter::new(policy(0, 0.0));
        let now = Instant::now();
        for _ in 0..1000 {
            assert_eq!(limiter.check(v4(1), now), Ok(()));
        }
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn the_map_of_clients_stays_bounded() {
        let limiter = RateLimiter::with_capacity(policy(2, 1.0), 4);
        let start = Instant::now();
        for last in 0..=200 {
            let _ = limiter.check(v4(last), start);
            assert!(limiter.tracked_clients() <= 4);
        }
    }

    #[test]
    fn a_full_map_forgets_the_fullest_bucket_and_keeps_the_drained_one() {
        let limiter = RateLimiter::with_capacity(policy(2, 1.0), 2);
        let now = Instant::now();
        let (drained, half, newcomer) = (v4(1), v4(2), v4(3));
        assert_eq!(limiter.check(drained, now), Ok(()));
        assert_eq!(limiter.check(drained, now), Ok(()));
        assert_eq!(limiter.check(half, now), Ok(()));
        assert_eq!(limiter.check(newcomer, now), Ok(()));
        assert_eq!(limiter.tracked_clients(), 2);
        assert!(
            limiter.check(drained, now).is_err(),
            "the drained client is still limited"
        );
    }

    #[test]
    fn ipv6_clients_are_limited_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), v4(1));
    }

    #[test]
    fn validity_of_policies() {
        assert!(RateLimitPolicy::default().is_valid());
        assert!(policy(0, f64::NAN).is_valid());
        assert!(!policy(5, 0.0).is_valid());
        assert!(!policy(5, f64::INFINITY).is_valid());
    }
}
