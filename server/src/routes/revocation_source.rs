//! Who asked for a revocation, which decides the webhook event name.

use axum::http::HeaderMap;

use crate::webhook::EventName;

/// Request header the admin page sends on its revoke calls, with the value `dashboard`, so the
/// admin routes fire `admin.user.session.revoked` as Dynamic does for dashboard revocations.
/// Only honoured on admin-token-authenticated routes.
pub const DASHBOARD_SOURCE_HEADER: &str = "x-session-keeper-source";

/// Where an admin revocation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationSource {
    /// A server-to-server call of the admin API.
    Api,
    /// A click on the admin page.
    Dashboard,
}

impl RevocationSource {
    /// Reads [`DASHBOARD_SOURCE_HEADER`].
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let dashboard = headers
            .get(DASHBOARD_SOURCE_HEADER)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("dashboard"));
        if dashboard {
            RevocationSource::Dashboard
        } else {
            RevocationSource::Api
        }
    }

    /// The event an admin revocation from this source fires.
    pub fn event_name(self) -> EventName {
        match self {
            RevocationSource::Api => EventName::UserSessionRevoked,
            RevocationSource::Dashboard => EventName::AdminUserSessionRevoked,
        }
    }
}
