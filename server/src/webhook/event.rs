//! Webhook events and the JSON envelope Dynamic wraps them in.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::Session;
use crate::timestamp::to_iso;

/// The events this server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventName {
    /// A session was revoked through the SDK or the admin API.
    #[serde(rename = "user.session.revoked")]
    UserSessionRevoked,
    /// A session was revoked from the dashboard (the admin page).
    #[serde(rename = "admin.user.session.revoked")]
    AdminUserSessionRevoked,
}

impl EventName {
    /// The wire name, e.g. `user.session.revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::UserSessionRevoked => "user.session.revoked",
            EventName::AdminUserSessionRevoked => "admin.user.session.revoked",
        }
    }
}

/// One thing that happened. It is delivered to every webhook URL, possibly several times
/// (at-least-once); `event_id` is what a receiver deduplicates on.
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// Stable across retries and URLs.
    pub event_id: Uuid,
    /// What happened.
    pub event_name: EventName,
    /// When it happened.
    pub timestamp: OffsetDateTime,
    /// The session concerned; also gives the environment and user.
    pub session: Session,
}

/// The JSON body of one delivery attempt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEnvelope<'a> {
    /// Same for every attempt and URL of one event.
    pub event_id: Uuid,
    /// New for every attempt.
    pub message_id: Uuid,
    /// Identifies the webhook (URL) configuration the delivery is for.
    pub webhook_id: Uuid,
    /// e.g. `user.session.revoked`.
    pub event_name: EventName,
    /// The session's environment.
    pub environment_id: &'a str,
    /// The session's user.
    pub user_id: &'a str,
    /// When the event happened, ISO-8601.
    pub timestamp: String,
    /// `true` on every attempt after the first.
    pub redelivery: bool,
    /// The session.
    pub data: &'a Session,
}

impl WebhookEvent {
    /// A new event about `session`, happening now.
    pub fn new(event_name: EventName, session: Session) -> Self {
        Self {
            event_id: Uuid::new_v4(),
            event_name,
            timestamp: OffsetDateTime::now_utc(),
            session,
        }
    }

    /// The envelope for one attempt.
    pub fn envelope(
        &self,
        webhook_id: Uuid,
        message_id: Uuid,
        redelivery: bool,
    ) -> WebhookEnvelope<'_> {
        WebhookEnvelope {
            event_id: self.event_id,
            message_id,
            webhook_id,
            event_name: self.event_name,
            environment_id: &self.session.environment_id,
            user_id: &self.session.user_id,
            timestamp: to_iso(self.timestamp),
            redelivery,
            data: &self.session,
        }
    }
}
