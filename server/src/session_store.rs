//! In-memory session storage with the revocation and eviction rules in one place.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::pagination::{Page, PageRequest};
use crate::session::{Session, SessionStatus};

/// How long a session is kept after it expired or was revoked, unless configured otherwise:
/// long enough for the admin page to show what just happened, short enough that a busy demo
/// does not accumulate every session it ever had.
pub const DEFAULT_RETENTION: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// All sessions of all environments, in creation order.
///
/// Callers hold it behind a `Mutex` and never across an `.await`; every method is a short,
/// synchronous state change, which is what makes "revoke fires the webhook once" race-free.
///
/// A session that has ended (expired or revoked) is evicted once the retention has passed
/// since it ended. Eviction happens lazily on every write, so the store holds the active
/// sessions plus at most one retention's worth of ended ones. An evicted session is unknown:
/// a token for it gets `invalid_token` (still a 401, which is what the SDK acts on).
#[derive(Debug)]
pub struct SessionStore {
    retention: Duration,
    next_position: u64,
    /// Sessions by position (creation order), so "newest first" and cursors need no timestamps.
    sessions: BTreeMap<u64, Session>,
    positions: HashMap<Uuid, u64>,
    /// When each session stopped (or will stop) being active, soonest first.
    ends: BTreeSet<(OffsetDateTime, u64)>,
}

/// The result of revoking one session by id.
#[derive(Debug, Clone)]
pub struct Revocation {
    /// The session after the call.
    pub session: Session,
    /// `false` when it had already been revoked, so no event should be sent again.
    pub newly_revoked: bool,
}

/// How many sessions of an environment are in each state, for the admin page's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SessionCounts {
    /// Every stored session.
    pub total: usize,
    /// Neither revoked nor expired.
    pub active: usize,
    /// Revoked.
    pub revoked: usize,
    /// Expired and never revoked.
    pub expired: usize,
    /// Distinct users.
    pub users: usize,
}

impl Default for SessionStore {
    fn default() -> Self {
        Self::new(DEFAULT_RETENTION)
    }
}

impl SessionStore {
    /// An empty store keeping ended sessions for `retention`.
    pub fn new(retention: std::time::Duration) -> Self {
        Self {
            retention: Duration::try_from(retention).unwrap_or(Duration::MAX),
            next_position: 0,
            sessions: BTreeMap::new(),
            positions: HashMap::new(),
            ends: BTreeSet::new(),
        }
    }

    /// Adds a new session, first evicting what has been over for longer than the retention
    /// (the session's `created_at` is "now").
    pub fn insert(&mut self, session: Session) {
        self.evict_ended(session.created_at);
        let position = self.next_position;
        self.next_position += 1;
        self.ends.insert((ended_at(&session), position));
        self.positions.insert(session.id, position);
        self.sessions.insert(position, session);
    }

    /// The session with this id.
    pub fn get(&self, id: Uuid) -> Option<&Session> {
        self.positions
            .get(&id)
            .and_then(|position| self.sessions.get(position))
    }

    /// Revokes one session, whatever its state. Idempotent: revoking twice keeps the first
    /// `revokedAt` and reports `newly_revoked: false`.
    pub fn revoke(&mut self, id: Uuid, now: OffsetDateTime) -> Option<Revocation> {
        self.evict_ended(now);
        let position = *self.positions.get(&id)?;
        let newly_revoked = self.revoke_at(position, now);
        let session = self.sessions.get(&position)?.clone();
        Some(Revocation {
            session,
            newly_revoked,
        })
    }

    /// Revokes every *active* session of one user; returns the ones it revoked.
    pub fn revoke_user(
        &mut self,
        environment_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Vec<Session> {
        self.revoke_active_where(now, |s| {
            s.environment_id == environment_id && s.user_id == user_id
        })
    }

    /// Revokes every *active* session of an environment; returns the ones it revoked.
    pub fn revoke_environment(
        &mut self,
        environment_id: &str,
        now: OffsetDateTime,
    ) -> Vec<Session> {
        self.revoke_active_where(now, |s| s.environment_id == environment_id)
    }

    /// One page of an environment's sessions, newest first.
    pub fn page_environment(&self, environment_id: &str, page: PageRequest) -> Page<Session> {
        self.page_where(page, |s| s.environment_id == environment_id)
    }

    /// One page of a user's sessions, newest first.
    pub fn page_user(
        &self,
        environment_id: &str,
        user_id: &str,
        page: PageRequest,
    ) -> Page<Session> {
        self.page_where(page, |s| {
            s.environment_id == environment_id && s.user_id == user_id
        })
    }

    /// Whether this user has a stored session in this environment.
    pub fn has_user(&self, environment_id: &str, user_id: &str) -> bool {
        self.sessions
            .values()
            .any(|s| s.environment_id == environment_id && s.user_id == user_id)
    }

    /// Counts of an environment's sessions by status at `now`.
    pub fn counts(&self, environment_id: &str, now: OffsetDateTime) -> SessionCounts {
        let mut counts = SessionCounts::default();
        let mut users = HashSet::new();
        for session in self
            .sessions
            .values()
            .filter(|s| s.environment_id == environment_id)
        {
            counts.total += 1;
            match session.status(now) {
                SessionStatus::Active => counts.active += 1,
                SessionStatus::Revoked => counts.revoked += 1,
                SessionStatus::Expired => counts.expired += 1,
            }
            users.insert(session.user_id.as_str());
        }
        counts.users = users.len();
        counts
    }

    /// Drops every session that ended (expired or was revoked) at least one retention before
    /// `now`. Writes call it; it only looks at the sessions it removes.
    pub fn evict_ended(&mut self, now: OffsetDateTime) {
        while let Some(&(ended, position)) = self.ends.first() {
            let due = ended
                .checked_add(self.retention)
                .is_some_and(|at| at <= now);
            if !due {
                break;
            }
            self.ends.pop_first();
            if let Some(session) = self.sessions.remove(&position) {
                self.positions.remove(&session.id);
            }
        }
    }

    /// Marks the session at `position` revoked at `now` unless it already was; keeps the
    /// eviction order in step. Returns whether it changed.
    fn revoke_at(&mut self, position: u64, now: OffsetDateTime) -> bool {
        let Some(session) = self.sessions.get_mut(&position) else {
            return false;
        };
        if session.revoked_at.is_some() {
            return false;
        }
        let before = ended_at(session);
        session.revoked_at = Some(now);
        let after = ended_at(session);
        if after != before {
            self.ends.remove(&(before, position));
            self.ends.insert((after, position));
        }
        true
    }

    fn revoke_active_where(
        &mut self,
        now: OffsetDateTime,
        matches: impl Fn(&Session) -> bool,
    ) -> Vec<Session> {
        self.evict_ended(now);
        let positions: Vec<u64> = self
            .sessions
            .iter()
            .filter(|(_, s)| matches(s) && s.status(now) == SessionStatus::Active)
            .map(|(&position, _)| position)
            .collect();
        positions
            .into_iter()
            .filter_map(|position| {
                self.revoke_at(position, now);
                self.sessions.get(&position).cloned()
            })
            .collect()
    }

    // Positions follow insertion order, so reversing them is "newest first" without relying
    // on timestamps that can tie within a millisecond.
    fn page_where(&self, page: PageRequest, matches: impl Fn(&Session) -> bool) -> Page<Session> {
        let older = match page.before {
            Some(before) => self.sessions.range(..before),
            None => self.sessions.range(..),
        };
        let mut matching = older.rev().filter(|(_, s)| matches(s));
        let items: Vec<(u64, Session)> = matching
            .by_ref()
            .take(page.limit)
            .map(|(&position, s)| (position, s.clone()))
            .collect();
        let more = matching.next().is_some();
        let next = if more {
            items.last().map(|(position, _)| *position)
        } else {
            None
        };
        Page {
            items: items.into_iter().map(|(_, s)| s).collect(),
            next,
        }
    }
}

/// When a session stopped (or will stop) being active: its revocation if that came first,
/// else its expiry.
fn ended_at(session: &Session) -> OffsetDateTime {
    match session.revoked_at {
        Some(revoked) if revoked < session.expires_at => revoked,
        _ => session.expires_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn session(env: &str, user: &str, now: OffsetDateTime, lifetime: Duration) -> Session {
        Session {
            id: Uuid::new_v4(),
            user_id: user.into(),
            environment_id: env.into(),
            created_at: now,
            expires_at: now + lifetime,
            revoked_at: None,
            ip_address: None,
            user_agent: None,
        }
    }

    #[test]
    fn revoke_is_idempotent() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::default();
        let s = session("e", "u", now, Duration::hours(1));
        store.insert(s.clone());
        let first = store.revoke(s.id, now).unwrap();
        assert!(first.newly_revoked);
        let second = store.revoke(s.id, now + Duration::seconds(5)).unwrap();
        assert!(!second.newly_revoked);
        assert_eq!(second.session.revoked_at, Some(now));
        assert!(store.revoke(Uuid::new_v4(), now).is_none());
    }

    #[test]
    fn bulk_revoke_touches_only_active_sessions_in_scope() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::default();
        let a1 = session("e", "a", now, Duration::hours(1));
        let a_expired = session("e", "a", now - Duration::minutes(90), Duration::hours(1));
        let b1 = session("e", "b", now, Duration::hours(1));
        let other_env = session("f", "a", now, Duration::hours(1));
        for s in [&a1, &a_expired, &b1, &other_env] {
            store.insert(s.clone());
        }
        let revoked = store.revoke_user("e", "a", now);
        assert_eq!(
            revoked.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![a1.id]
        );
        assert_eq!(
            store.get(a_expired.id).unwrap().status(now),
            SessionStatus::Expired
        );

        let revoked = store.revoke_environment("e", now);
        assert_eq!(
            revoked.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![b1.id]
        );
        assert_eq!(
            store.get(other_env.id).unwrap().status(now),
            SessionStatus::Active
        );
    }

    #[test]
    fn lists_newest_first() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::default();
        let first = session("e", "a", now, Duration::hours(1));
        let second = session("e", "a", now, Duration::hours(1));
        store.insert(first.clone());
        store.insert(second.clone());
        let ids: Vec<_> = store
            .page_user("e", "a", PageRequest::default())
            .items
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, vec![second.id, first.id]);
        assert!(store.has_user("e", "a"));
        assert!(!store.has_user("e", "z"));
    }

    #[test]
    fn pages_follow_cursors_newest_first() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::default();
        let mine: Vec<Session> = (0..5)
            .map(|_| session("e", "a", now, Duration::hours(1)))
            .collect();
        for (i, s) in mine.iter().enumerate() {
            store.insert(s.clone());
            // Interleave another environment's sessions; they never show up.
            if i % 2 == 0 {
                store.insert(session("f", "a", now, Duration::hours(1)));
            }
        }
        let mut seen = Vec::new();
        let mut page = PageRequest {
            limit: 2,
            before: None,
        };
        loop {
            let result = store.page_environment("e", page);
            assert!(result.items.len() <= 2);
            seen.extend(result.items.iter().map(|s| s.id));
            match result.next {
                Some(next) => page.before = Some(next),
                None => break,
            }
        }
        let expected: Vec<_> = mine.iter().rev().map(|s| s.id).collect();
        assert_eq!(seen, expected);
        // A page that ends exactly at the last item has no next cursor.
        let all = store.page_environment(
            "e",
            PageRequest {
                limit: 5,
                before: None,
            },
        );
        assert_eq!(all.items.len(), 5);
        assert_eq!(all.next, None);
    }

    #[test]
    fn ended_sessions_are_evicted_after_the_retention() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::new(std::time::Duration::from_secs(60));
        let expiring = session("e", "a", now, Duration::seconds(10));
        let revoked = session("e", "a", now, Duration::hours(1));
        let active = session("e", "a", now, Duration::hours(1));
        for s in [&expiring, &revoked, &active] {
            store.insert(s.clone());
        }
        store.revoke(revoked.id, now + Duration::seconds(5));
        assert_eq!(store.counts("e", now + Duration::seconds(20)).expired, 1);

        // 69 s: the expired one ended 59 s ago, the revoked one 64 s ago.
        store.evict_ended(now + Duration::seconds(69));
        assert!(store.get(expiring.id).is_some());
        assert!(store.get(revoked.id).is_none());
        store.evict_ended(now + Duration::seconds(70));
        assert!(store.get(expiring.id).is_none());
        assert!(store.get(active.id).is_some(), "active sessions stay");

        // Writes evict on their own.
        let later = now + Duration::hours(2);
        let newest = session("e", "b", later, Duration::hours(1));
        store.insert(newest.clone());
        assert!(
            store.get(active.id).is_none(),
            "expired an hour ago, retention 60 s"
        );
        assert_eq!(store.counts("e", later).total, 1);
        assert!(store.get(newest.id).is_some());
    }

    #[test]
    fn counts_by_status() {
        let now = OffsetDateTime::now_utc();
        let mut store = SessionStore::default();
        let a = session("e", "a", now, Duration::hours(1));
        store.insert(a.clone());
        store.insert(session(
            "e",
            "b",
            now - Duration::minutes(30),
            Duration::minutes(10),
        ));
        store.insert(session("e", "b", now, Duration::hours(1)));
        store.insert(session("f", "c", now, Duration::hours(1)));
        store.revoke(a.id, now);
        assert_eq!(
            store.counts("e", now),
            SessionCounts {
                total: 3,
                active: 1,
                revoked: 1,
                expired: 1,
                users: 2
            }
        );
    }
}
