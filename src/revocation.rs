//! When to ask the backend whether the session was revoked, and what its answer means.
//! Pure: the browser layer performs the request and reports the outcome here.

/// What one session check said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// 2xx: the session is valid.
    Valid,
    /// 401 or 403: the backend no longer accepts the session.
    Revoked,
    /// No answer (offline, DNS, CORS) or any other status (5xx, 404, 429): unknown. Never a
    /// reason to end a session; retried with backoff.
    Failed,
}

/// Classifies an HTTP status (`None` for a network error).
///
/// ```
/// use session_keeper::revocation::{classify, CheckOutcome};
/// assert_eq!(classify(Some(200)), CheckOutcome::Valid);
/// assert_eq!(classify(Some(401)), CheckOutcome::Revoked);
/// assert_eq!(classify(Some(503)), CheckOutcome::Failed);
/// assert_eq!(classify(None), CheckOutcome::Failed);
/// ```
pub fn classify(status: Option<u16>) -> CheckOutcome {
    match status {
        Some(200..=299) => CheckOutcome::Valid,
        Some(401 | 403) => CheckOutcome::Revoked,
        _ => CheckOutcome::Failed,
    }
}

/// Wake-ups (visible, focus, online) check at once, but not more often than this.
pub const WAKE_THROTTLE_MS: i64 = 5_000;

/// Backoff after failures grows to at most this (or the interval, if longer).
pub const MAX_BACKOFF_MS: i64 = 5 * 60 * 1000;

/// The polling schedule: every `interval` while things go well, doubling after each failed
/// check up to [`MAX_BACKOFF_MS`], one check in flight at a time.
///
/// ```
/// use session_keeper::revocation::{CheckOutcome, RevocationSchedule};
/// let mut s = RevocationSchedule::new(60_000);
/// assert!(s.begin(0));
/// assert!(!s.begin(1), "one at a time");
/// s.finish(CheckOutcome::Failed);
/// assert_eq!(s.next_due(), Some(120_000), "backs off");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationSchedule {
    interval_ms: i64,
    last_started: Option<i64>,
    failures: u32,
    in_flight: bool,
}

impl RevocationSchedule {
    /// A schedule polling every `interval_ms` (> 0).
    pub fn new(interval_ms: i64) -> Self {
        RevocationSchedule { interval_ms: interval_ms.max(1), last_started: None, failures: 0, in_flight: false }
    }

    /// Starts a check at `now` unless one is in flight. Returns whether to send it.
    pub fn begin(&mut self, now: i64) -> bool {
        if self.in_flight {
            return false;
        }
        self.in_flight = true;
        self.last_started = Some(now);
        true
    }

    /// Records the outcome of the check in flight.
    pub fn finish(&mut self, outcome: CheckOutcome) {
        self.in_flight = false;
        self.failures = match outcome {
            CheckOutcome::Failed => self.failures.saturating_add(1),
            CheckOutcome::Valid | CheckOutcome::Revoked => 0,
        };
    }

    /// Whether a wake-up at `now` should check at once: none in flight and none started
    /// within [`WAKE_THROTTLE_MS`] (or the interval, if shorter). After failures, wake-ups
    /// wait for the backoff too, so flapping focus cannot hammer a struggling backend.
    pub fn due_on_wake(&self, now: i64) -> bool {
        if self.in_flight {
            return false;
        }
        match self.last_started {
            None => true,
            Some(_) if self.failures > 0 => self.next_due().is_some_and(|due| now >= due),
            Some(last) => now.saturating_sub(last) >= WAKE_THROTTLE_MS.min(self.interval_ms),
        }
    }

    /// When the next periodic check is due (local epoch ms); `None` while one is in flight.
    /// Before any check it is due at once (`Some(i64::MIN)`).
    pub fn next_due(&self) -> Option<i64> {
        if self.in_flight {
            return None;
        }
        let Some(last) = self.last_started else { return Some(i64::MIN) };
        let cap = MAX_BACKOFF_MS.max(self.interval_ms);
        let delay = (0..self.failures.min(16)).fold(self.interval_ms, |d, _| d.saturating_mul(2).min(cap));
        Some(last.saturating_add(delay))
    }

    /// Starts the schedule afresh for a new session set at `now`: its first check is one
    /// interval later (a token straight from sign-in needs no check).
    pub fn restart(&mut self, now: i64) {
        *self = RevocationSchedule { last_started: Some(now), ..RevocationSchedule::new(self.interval_ms) };
    }

    /// The network is back: failures were most likely the network's, so drop the backoff.
    pub fn forgive(&mut self) {
        self.failures = 0;
    }
}
