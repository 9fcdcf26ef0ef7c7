//! Everything the JavaScript side asks, answered with one [`Outcome`] per call: the keeper, its
//! revocation schedule, and change detection for snapshots. Pure Rust: the page's timers,
//! listeners and `fetch` live in JavaScript, which does what the outcome says and decides
//! nothing itself.
//!
//! Storage holds the truth: every call first reads the stored record and follows it
//! ([`Keeper::check`]), then acts, so every write is conditional on what was just read.

use crate::event::{Event, Notice};
use crate::expiry::timer_delay;
use crate::keeper::{Config, Keeper};
use crate::revocation::{classify, CheckOutcome, RevocationSchedule};
use crate::storage::Storage;
use crate::wire;
use crate::{EndReason, Error, Result, Wallet};

/// What one call did, for the JavaScript side to act on.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The call's return value as JSON text (`null` when it has none).
    pub value: Option<String>,
    /// Why the call was refused; nothing changed then.
    pub error: Option<Error>,
    /// Events to deliver, in order.
    pub events: Vec<Event>,
    /// Log lines (never containing a token).
    pub notices: Vec<Notice>,
    /// Bumped whenever the snapshot changed; equal revisions mean equal snapshots.
    pub revision: u32,
    /// The session's end (local epoch ms), when there is a session.
    pub wake_at: Option<i64>,
    /// Milliseconds until the next wake-up for the end: already clamped to what `setTimeout`
    /// can wait, so an early wake-up simply finds the end not reached.
    pub wake_in: Option<u32>,
    /// Milliseconds until the next revocation check is due (a visible page arms a timer).
    pub poll_in: Option<u32>,
    /// Check the session with the backend now, with this token; answer with [`Engine::answer`].
    pub request: Option<String>,
    /// What the call wrote to storage, for the other keepers of the document (see
    /// [`Keeper::take_told`]).
    pub told: Option<String>,
}

/// Where an answer from the backend came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The keeper's own session check (scheduled or on a wake-up).
    Check,
    /// A `keeper.fetch` response from under `apiBaseUrl`.
    Fetch,
}

/// The keeper with its revocation schedule, driven by the JavaScript side.
#[derive(Debug)]
pub struct Engine {
    keeper: Keeper,
    schedule: Option<RevocationSchedule>,
    /// The session the schedule belongs to.
    scheduled_key: Option<String>,
    snapshot: String,
    revision: u32,
}

impl Engine {
    /// A keeper on `storage` (`None`: memory), checking the session with the backend every
    /// `check_interval_ms` (0: never). Restores a stored session.
    /// Call [`check`](Self::check) or [`poll`](Self::poll) next: their outcome carries what
    /// restoring found (notices, the wake-up).
    pub fn new(config: Config, storage: Option<Box<dyn Storage>>, check_interval_ms: i64, now: i64) -> Self {
        let keeper = Keeper::new(config, storage, now);
        // A restored session has not been checked yet: its first check is due at once (at
        // start-up when the page is visible, or when it is first shown).
        let schedule = (check_interval_ms > 0).then(|| RevocationSchedule::new(check_interval_ms));
        let scheduled_key = keeper.session().map(|s| s.key().to_owned());
        let snapshot = wire::snapshot(&keeper);
        Engine { keeper, schedule, scheduled_key, snapshot, revision: 1 }
    }

    /// The snapshot as JSON text: `{ isActive, session, token, user, wallets, persistence }`.
    pub fn snapshot(&self) -> &str {
        &self.snapshot
    }

    /// The keeper, for reading.
    pub fn keeper(&self) -> &Keeper {
        &self.keeper
    }

    /// `setSession(token, { user, wallets })`: `user` as JSON text, `wallets` as a JSON array.
    pub fn set_session(&mut self, token: &str, user: Option<String>, wallets: Option<&str>, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        let result = parse_wallets(wallets).and_then(|wallets| {
            let (info, events) = self.keeper.set_session(token, user, wallets, now)?;
            Ok((Some(wire::session_info(&info)), events))
        });
        self.finish(events, result, now)
    }

    /// `setUser(user)`, as JSON text.
    pub fn set_user(&mut self, user: String, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        let result = self.keeper.set_user(user).map(|()| (None, Vec::new()));
        self.finish(events, result, now)
    }

    /// `connectWallet(wallet)`.
    pub fn connect_wallet(&mut self, wallet: Wallet, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        let result = self.keeper.connect_wallet(wallet).map(|()| (None, Vec::new()));
        self.finish(events, result, now)
    }

    /// `disconnectWallet(address)`: the value is whether one was removed.
    pub fn disconnect_wallet(&mut self, address: &str, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        let result = self.keeper.disconnect_wallet(address).map(|removed| (Some(bool_text(removed)), Vec::new()));
        self.finish(events, result, now)
    }

    /// `logout()`: the value is the ended session's token (for the backend's revoke call), or
    /// `null` when there was no session. The session ended is the one storage holds now
    /// (another tab may have replaced the one this keeper last saw).
    pub fn logout(&mut self, now: i64) -> Outcome {
        let mut events = self.keeper.check(now);
        let token = self.keeper.session().map(|s| wire::string(s.token()));
        events.extend(self.keeper.end(EndReason::Logout, now));
        self.finish(events, Ok((token, Vec::new())), now)
    }

    /// Brings the session up to date (a timer fired, or a read found the end time passed).
    pub fn check(&mut self, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        self.finish(events, Ok((None, Vec::new())), now)
    }

    /// Storage changed: a `storage` event for `key` (`None`: storage was cleared) carrying
    /// `value`, or another keeper of this document wrote (`key` `None`, `value` what it
    /// told). Storage is read again; `value` is only a hint (see [`Keeper::storage_changed`]).
    /// Keys other than this keeper's are ignored.
    pub fn storage_changed(&mut self, key: Option<&str>, value: Option<&str>, now: i64) -> Outcome {
        let ours = key.is_none_or(|k| k == self.keeper.storage_key());
        let events = if ours { self.keeper.storage_changed(value, now) } else { Vec::new() };
        self.finish(events, Ok((None, Vec::new())), now)
    }

    /// The page woke up and is visible (visibility, focus, online, pageshow): bring the
    /// session up to date and, when due, ask for a session check at once.
    pub fn wake(&mut self, online: bool, now: i64) -> Outcome {
        let events = self.keeper.check(now);
        let mut outcome = self.finish(events, Ok((None, Vec::new())), now);
        if let Some(schedule) = self.schedule.as_mut() {
            if online {
                schedule.forgive();
            }
            if schedule.due_on_wake(now) {
                self.begin_check(&mut outcome, now);
            }
        }
        outcome
    }

    /// The revocation timer fired (or a restored session wants its first check): ask for a
    /// session check now, unless one is in flight.
    pub fn poll(&mut self, now: i64) -> Outcome {
        let mut outcome = self.finish(Vec::new(), Ok((None, Vec::new())), now);
        self.begin_check(&mut outcome, now);
        outcome
    }

    /// Starts a check if one may start; no periodic one is due while it is in flight.
    fn begin_check(&mut self, outcome: &mut Outcome, now: i64) {
        let (Some(session), Some(schedule)) = (self.keeper.session(), self.schedule.as_mut()) else { return };
        if schedule.begin(now) {
            outcome.request = Some(session.token().to_owned());
            outcome.poll_in = None;
        }
    }

    /// What the backend said about a request sent with `token`: its status (`None`: no
    /// answer), the `Date` header (epoch ms, from a response fresh from the server), and
    /// whether a 401 said the token expired. An answer is about the token it was sent with:
    /// it ends the session only while that session still holds that very token (not after a
    /// refresh, not a newer session).
    pub fn answer(&mut self, token: &str, status: Option<u16>, server_date: Option<i64>, expired: bool, source: Source, now: i64) -> Outcome {
        let outcome = match (source, status) {
            (Source::Check, _) => classify(status),
            // Only a 401 is about the token; another endpoint's 403 may be about the request.
            (Source::Fetch, Some(401)) => CheckOutcome::Revoked,
            (Source::Fetch, Some(200..=299)) => CheckOutcome::Valid,
            (Source::Fetch, _) => CheckOutcome::Failed,
        };
        if source == Source::Check {
            if let Some(schedule) = self.schedule.as_mut() {
                schedule.finish(outcome);
            }
        }
        // The server's clock first: the session may be over by the device's clock and not by
        // the server's (or the other way round).
        let mut events = self.keeper.read_storage(now);
        if let Some(date) = server_date.filter(|_| status.is_some()) {
            self.keeper.observe_server_time(date, now);
        }
        if outcome == CheckOutcome::Revoked {
            let reason = if expired { EndReason::Expired } else { EndReason::Revoked };
            events.extend(self.keeper.end_token(token, reason, now));
        }
        events.extend(self.keeper.expire(now));
        self.finish(events, Ok((None, Vec::new())), now)
    }

    /// A server `Date` header (epoch ms) seen outside a session check.
    pub fn server_time(&mut self, server_date: i64, now: i64) -> Outcome {
        let mut events = self.keeper.read_storage(now);
        self.keeper.observe_server_time(server_date, now);
        events.extend(self.keeper.expire(now));
        self.finish(events, Ok((None, Vec::new())), now)
    }

    /// Completes a call: gathers notices, rebuilds the snapshot text and bumps the revision if
    /// it changed, and says when to wake up and when to check next.
    /// `events`: what reading storage found before the call acted (delivered even when the
    /// call itself was refused).
    fn finish(&mut self, mut events: Vec<Event>, result: Result<(Option<String>, Vec<Event>)>, now: i64) -> Outcome {
        let (value, error) = match result {
            Ok((value, more)) => {
                events.extend(more);
                (value, None)
            }
            Err(error) => (None, Some(error)),
        };
        let snapshot = wire::snapshot(&self.keeper);
        if snapshot != self.snapshot {
            self.snapshot = snapshot;
            self.revision = self.revision.wrapping_add(1);
        }
        let key = self.keeper.session().map(|s| s.key().to_owned());
        let mut poll_in = None;
        if let Some(schedule) = self.schedule.as_mut() {
            if self.scheduled_key != key {
                // A new session: its first check is one interval away (it was just issued, or
                // a restored one is checked by `poll` at start-up).
                schedule.restart(now);
                self.scheduled_key.clone_from(&key);
            }
            if key.is_some() {
                poll_in = schedule.next_due().map(|due| timer_delay(due, now));
            }
        }
        let wake_at = self.keeper.next_wakeup();
        Outcome {
            value,
            error,
            events,
            notices: self.keeper.take_notices(),
            revision: self.revision,
            wake_at,
            wake_in: wake_at.map(|at| timer_delay(at, now)),
            poll_in,
            request: None,
            told: self.keeper.take_told(),
        }
    }
}

fn parse_wallets(text: Option<&str>) -> Result<Option<Vec<Wallet>>> {
    let Some(text) = text else { return Ok(None) };
    let mut reader = crate::json::Reader::new(text);
    match crate::wallet::parse_list(&mut reader) {
        Some(list) if reader.at_end() => Ok(Some(list)),
        _ => Err(Error::InvalidArgument(
            "wallets must be an array of { address, chain?, connector? } with non-empty string addresses (at most 10000)".into(),
        )),
    }
}

fn bool_text(b: bool) -> String {
    String::from(if b { "true" } else { "false" })
}
