//! Expiry maths: when a session ends, how far the device clock is off, and how long a timer
//! may wait. All times are epoch milliseconds; "server" times are on the issuer's clock,
//! "local" times on this device's clock, and `local = server - skew`.

/// A Dynamic session lives at most 30 days; a longer `exp` is clamped to `iat + 30 days`.
pub const MAX_LIFETIME_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// `setTimeout` fires at once for delays of 2^31 ms (≈24.8 days) or more, so a wake-up
/// further away is split: wait this long, re-check, re-arm.
pub const MAX_TIMER_DELAY_MS: i64 = 2_147_483_647;

/// Estimates `skew = server clock - device clock` from a token's `iat` read at `device_now`,
/// when there is nothing better (no server `Date` header seen yet).
///
/// Only evidence counts. An `iat` in the device's future proves the device slow by at least
/// that much (a token cannot be issued in the future), so `skew = iat - now`, however large
/// (there is no cap: a cap would give a token more life than its `exp` on the server's
/// clock). An `iat` in the past proves nothing — the token may simply be
/// old, or backdated by its issuer — so the skew is 0 and the token gets exactly the life its
/// `exp` leaves on this device's clock: an expired token is never revived.
///
/// ```
/// use session_keeper::expiry::estimate_skew;
/// let now = 1_700_000_000_000;
/// assert_eq!(estimate_skew(Some(now + 3_600_000), now), 3_600_000); // device an hour slow
/// assert_eq!(estimate_skew(Some(now - 3_600_000), now), 0); // an old token: no evidence
/// assert_eq!(estimate_skew(None, now), 0);
/// ```
pub fn estimate_skew(issued_at_ms: Option<i64>, device_now_ms: i64) -> i64 {
    let Some(iat) = issued_at_ms else { return 0 };
    iat.saturating_sub(device_now_ms).max(0)
}

/// The skew to time a token with: the server's clock from its `Date` header when one was seen
/// (`server_skew`), else [`estimate_skew`] — and never less than the token's `iat` proves (the
/// server's clock had reached `iat` when the token arrived), so that the header's one-second
/// resolution cannot stretch a fresh token past its lifetime.
///
/// ```
/// use session_keeper::expiry::token_skew;
/// let now = 1_700_000_000_000;
/// assert_eq!(token_skew(Some(-3_600_000), Some(now - 3_600_000 - 5_000), now), -3_600_000); // the Date header rules
/// assert_eq!(token_skew(Some(-300), Some(now), now), 0); // but not below what iat proves
/// assert_eq!(token_skew(None, Some(now + 2_000), now), 2_000);
/// ```
pub fn token_skew(server_skew: Option<i64>, issued_at_ms: Option<i64>, device_now_ms: i64) -> i64 {
    let Some(server_skew) = server_skew else { return estimate_skew(issued_at_ms, device_now_ms) };
    match issued_at_ms {
        Some(iat) => server_skew.max(iat.saturating_sub(device_now_ms)),
        None => server_skew,
    }
}

/// Skew from an HTTP `Date` header (`server_date_ms`, whole seconds) received at
/// `device_now_ms`. The header truncates to the second, so the server's clock was somewhere
/// in `[date, date + 1 s)`: take the middle. No cap: a device days off is timed by the
/// server's clock all the same (the caller takes headers only from fresh responses).
///
/// ```
/// use session_keeper::expiry::skew_from_date;
/// let three_days = 3 * 86_400_000;
/// assert_eq!(skew_from_date(1_700_000_000_000 + three_days, 1_700_000_000_500), three_days);
/// ```
pub fn skew_from_date(server_date_ms: i64, device_now_ms: i64) -> i64 {
    server_date_ms.saturating_add(500).saturating_sub(device_now_ms)
}

/// The server-clock moment a session ends: `min(exp, anchor + 30 days) - leeway`, where the
/// anchor is `iat` (or, without `iat`, the server time when the session was set).
///
/// ```
/// use session_keeper::expiry::{server_end, MAX_LIFETIME_MS};
/// assert_eq!(server_end(1_000, 5_000, 0), 5_000);
/// assert_eq!(server_end(0, 40 * 86_400_000, 0), MAX_LIFETIME_MS); // clamped to 30 days
/// assert_eq!(server_end(0, 5_000, 1_000), 4_000); // leeway ends it earlier
/// ```
pub fn server_end(anchor_ms: i64, expires_at_ms: i64, leeway_ms: i64) -> i64 {
    expires_at_ms
        .min(anchor_ms.saturating_add(MAX_LIFETIME_MS))
        .saturating_sub(leeway_ms)
}

/// How long to wait before the next wake-up for `deadline_ms`, as a `setTimeout` delay:
/// never negative and never more than [`MAX_TIMER_DELAY_MS`]. When the clamp applies the
/// wake-up comes early, finds the deadline not yet reached, and arms the next one.
///
/// ```
/// use session_keeper::expiry::{timer_delay, MAX_TIMER_DELAY_MS};
/// assert_eq!(timer_delay(1_500, 1_000), 500);
/// assert_eq!(timer_delay(0, 1_000), 0);
/// let thirty_days = 30 * 86_400_000;
/// assert_eq!(timer_delay(thirty_days, 0), MAX_TIMER_DELAY_MS as u32);
/// ```
pub fn timer_delay(deadline_ms: i64, now_ms: i64) -> u32 {
    let delay = deadline_ms.saturating_sub(now_ms).clamp(0, MAX_TIMER_DELAY_MS);
    // In 0..=i32::MAX by the clamp above.
    u32::try_from(delay).unwrap_or(0)
}
