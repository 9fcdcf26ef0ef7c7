//! Admin routes: revoke one session, a user's sessions or a whole environment's, and list
//! sessions and webhook deliveries. Every route needs the environment's admin token, and
//! every route checks the token's environment *before* looking anything up, so a token never
//! learns whether something exists in another environment.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app_state::AppState;
use crate::error::ApiError;
use crate::pagination::PageRequest;
use crate::path_param::PathParams;
use crate::routes::admin_auth::AdminAuth;
use crate::session::Session;

/// `PUT /api/v0/sessions/{sessionId}/revoke`: revokes one session and returns it. Revoking an
/// already revoked session returns it unchanged and sends no second webhook.
///
/// The path names no environment, so the token's environment is the scope: a session of
/// another environment gets exactly the 404 an unknown id gets.
pub async fn revoke_session(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(session_id): PathParams<String>,
) -> Result<Json<Session>, ApiError> {
    let id = Uuid::parse_str(&session_id).map_err(|_| ApiError::SessionNotFound)?;
    let revocation = {
        let mut sessions = state.sessions();
        let in_scope = sessions
            .get(id)
            .is_some_and(|session| session.environment_id == auth.environment_id());
        if !in_scope {
            return Err(ApiError::SessionNotFound);
        }
        sessions
            .revoke(id, OffsetDateTime::now_utc())
            .ok_or(ApiError::SessionNotFound)?
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

/// `GET /api/v0/environments/{environmentId}/users/{userId}/sessions`: one page of the user's
/// sessions, newest first (`?limit=&cursor=`, see [`PageRequest`]).
pub async fn list_user_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams((environment_id, user_id)): PathParams<(String, String)>,
    page: PageRequest,
) -> Result<Json<Value>, ApiError> {
    auth.authorize(&environment_id)?;
    let result = {
        let sessions = state.sessions();
        if !sessions.has_user(&environment_id, &user_id) {
            return Err(ApiError::UserNotFound(user_id));
        }
        sessions.page_user(&environment_id, &user_id, page)
    };
    Ok(Json(json!({
        "sessions": result.items,
        "nextCursor": result.next_cursor(),
        "limit": page.limit,
    })))
}

/// `GET /api/v0/environments/{environmentId}/sessions`: one page of the environment's
/// sessions, newest first, with counts over all of them (not a Dynamic path; the admin page
/// uses it). `?limit=` (default 100, at most 500) and `?cursor=<nextCursor>`.
pub async fn list_sessions(
    auth: AdminAuth,
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
    page: PageRequest,
) -> Result<Json<Value>, ApiError> {
    auth.authorize(&environment_id)?;
    let (result, counts) = {
        let sessions = state.sessions();
        (
            sessions.page_environment(&environment_id, page),
            sessions.counts(&environment_id, OffsetDateTime::now_utc()),
        )
    };
    Ok(Json(json!({
        "sessions": result.items,
        "nextCursor": result.next_cursor(),
        "limit": page.limit,
        "counts": counts,
    })))
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
