//! The server-side record of a session, in the JSON shape of Dynamic's Session object.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::timestamp::serde_iso;

/// A session created by a sign-in. The JWT carries its id as `sid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Session id.
    pub id: Uuid,
    /// The user the session belongs to.
    pub user_id: String,
    /// The environment the session belongs to.
    pub environment_id: String,
    /// When the session was created.
    #[serde(with = "serde_iso")]
    pub created_at: OffsetDateTime,
    /// When the session's JWT expires.
    #[serde(with = "serde_iso")]
    pub expires_at: OffsetDateTime,
    /// When the session was revoked, `null` while it was not.
    #[serde(with = "serde_iso::option")]
    pub revoked_at: Option<OffsetDateTime>,
    /// The peer address of the sign-in request.
    pub ip_address: Option<String>,
    /// The `User-Agent` of the sign-in request.
    pub user_agent: Option<String>,
}

/// Where a session stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Neither revoked nor expired.
    Active,
    /// Revoked (whether or not it has also expired since).
    Revoked,
    /// Past its expiry and never revoked.
    Expired,
}

impl Session {
    /// The status at `now`. Revocation wins over expiry: it is the more specific fact.
    pub fn status(&self, now: OffsetDateTime) -> SessionStatus {
        if self.revoked_at.is_some() {
            SessionStatus::Revoked
        } else if now >= self.expires_at {
            SessionStatus::Expired
        } else {
            SessionStatus::Active
        }
    }
}
