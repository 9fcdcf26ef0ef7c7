//! Admin routes: revoke one session, a user's sessions or a whole environment's, and list
//! sessions and webhook deliveries. Every route needs the environment's admin token.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app_state::AppState;
use crate::error::ApiError;
use crate::path_param::PathParams;
use crate::routes::admin_auth::AdminAuth;
use crate::session::Session;

/// `PUT /api/v0/sessions/{sessionId}/revoke`: revokes one session and returns it. Revoking an
/// already revoked session returns it unchanged and sends no second webhook.
pub async fn revoke_session(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(session_id): PathParams<String>,
) -> Result<Json<Session>, ApiError> {
    let not_found = || ApiError::SessionNotFound(session_id.clone());
    let id = Uuid::parse_str(&session_id).map_err(|_| not_found())?;
    let revocation = {
        let mut sessions = state.sessions();
        let environment_id = sessions
            .get(id)
            .ok_or_else(not_found)?
            .environment_id
            .clone();
        auth.authorize(&environment_id)?;
        sessions
            .revoke(id, OffsetDateTime::now_utc())
            .ok_or_else(not_found)?
    };
    if revocation.newly_revoked {
        state.announce_revoked(auth.source.event_name(), [revocation.session.clone()]);
    }
    Ok(Json(revocation.session))
}

/// `POST /api/v0/environments/{environmentId}/users/{userId}/sessions/revoke`: revokes all of
/// the user's active sessions (one webhook each).
pub async fn revoke_user_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams((environment_id, user_id)): PathParams<(String, String)>,
) -> Result<StatusCode, ApiError> {
    auth.authorize(&environment_id)?;
    let revoked = {
        let mut sessions = state.sessions();
        if !sessions.has_user(&environment_id, &user_id) {
            return Err(ApiError::UserNotFound(user_id));
        }
        sessions.revoke_user(&environment_id, &user_id, OffsetDateTime::now_utc())
    };
    state.announce_revoked(auth.source.event_name(), revoked);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v0/environments/{environmentId}/users/sessions/revoke`: revokes every active
/// session in the environment. 202 like Dynamic (which does it in the background); here it is
/// already done when the response is sent.
pub async fn revoke_environment_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    auth.authorize(&environment_id)?;
    let revoked = state
        .sessions()
        .revoke_environment(&environment_id, OffsetDateTime::now_utc());
    let count = revoked.len();
    state.announce_revoked(auth.source.event_name(), revoked);
    let message = format!("Revoked {count} active session(s) in environment {environment_id}");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "message": message, "revokedCount": count })),
    ))
}

/// `GET /api/v0/environments/{environmentId}/users/{userId}/sessions`: the user's sessions,
/// newest first.
pub async fn list_user_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams((environment_id, user_id)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    auth.authorize(&environment_id)?;
    let sessions = state.sessions().list_user(&environment_id, &user_id);
    if sessions.is_empty() {
        return Err(ApiError::UserNotFound(user_id));
    }
    Ok(Json(json!({ "sessions": sessions })))
}

/// `GET /api/v0/environments/{environmentId}/sessions`: every session, newest first (not a
/// Dynamic path; the admin page uses it).
pub async fn list_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    auth.authorize(&environment_id)?;
    let sessions = state.sessions().list_environment(&environment_id);
    Ok(Json(json!({ "sessions": sessions })))
}

/// `GET /api/v0/environments/{environmentId}/webhooks/deliveries`: the delivery log, newest
/// first (not a Dynamic path; the admin page uses it).
pub async fn list_deliveries(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    auth.authorize(&environment_id)?;
    let deliveries = state.webhooks.log().for_environment(&environment_id);
    Ok(Json(json!({ "deliveries": deliveries })))
}
