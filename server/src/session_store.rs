//! In-memory session storage with the revocation rules in one place.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::{Session, SessionStatus};

/// All sessions of all environments, in creation order.
///
/// Callers hold it behind a `Mutex` and never across an `.await`; every method is a short,
/// synchronous state change, which is what makes "revoke fires the webhook once" race-free.
#[derive(Debug, Default)]
pub struct SessionStore {
    sessions: Vec<Session>,
    index: HashMap<Uuid, usize>,
}

/// The result of revoking one session by id.
#[derive(Debug, Clone)]
pub struct Revocation {
    /// The session after the call.
    pub session: Session,
    /// `false` when it had already been revoked, so no event should be sent again.
    pub newly_revoked: bool,
}

impl SessionStore {
    /// Adds a new session.
    pub fn insert(&mut self, session: Session) {
        self.index.insert(session.id, self.sessions.len());
        self.sessions.push(session);
    }

    /// The session with this id.
    pub fn get(&self, id: Uuid) -> Option<&Session> {
        self.index.get(&id).map(|&at| &self.sessions[at])
    }

    /// Revokes one session, whatever its state. Idempotent: revoking twice keeps the first
    /// `revokedAt` and reports `newly_revoked: false`.
    pub fn revoke(&mut self, id: Uuid, now: OffsetDateTime) -> Option<Revocation> {
        let session = &mut self.sessions[*self.index.get(&id)?];
        let newly_revoked = session.revoked_at.is_none();
        if newly_revoked {
            session.revoked_at = Some(now);
        }
        Some(Revocation {
            session: session.clone(),
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

    /// Sessions of an environment, newest first.
    pub fn list_environment(&self, environment_id: &str) -> Vec<Session> {
        self.newest_first(|s| s.environment_id == environment_id)
    }

    /// Sessions of one user, newest first.
    pub fn list_user(&self, environment_id: &str, user_id: &str) -> Vec<Session> {
        self.newest_first(|s| s.environment_id == environment_id && s.user_id == user_id)
    }

    /// Whether this user ever had a session in this environment.
    pub fn has_user(&self, environment_id: &str, user_id: &str) -> bool {
        self.sessions
            .iter()
            .any(|s| s.environment_id == environment_id && s.user_id == user_id)
    }

    fn revoke_active_where(
        &mut self,
        now: OffsetDateTime,
        matches: impl Fn(&Session) -> bool,
    ) -> Vec<Session> {
        self.sessions
            .iter_mut()
            .filter(|s| matches(s) && s.status(now) == SessionStatus::Active)
            .map(|s| {
                s.revoked_at = Some(now);
                s.clone()
            })
            .collect()
    }

    // Creation order is insertion order, so reversing it is "newest first" without relying
    // on timestamps that can tie within a millisecond.
    fn newest_first(&self, matches: impl Fn(&Session) -> bool) -> Vec<Session> {
        self.sessions
            .iter()
            .rev()
            .filter(|s| matches(s))
            .cloned()
            .collect()
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
        let a_expired = session("e", "a", now - Duration::hours(2), Duration::hours(1));
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
        let ids: Vec<_> = store.list_user("e", "a").iter().map(|s| s.id).collect();
        assert_eq!(ids, vec![second.id, first.id]);
        assert!(store.has_user("e", "a"));
        assert!(!store.has_user("e", "z"));
    }
}
