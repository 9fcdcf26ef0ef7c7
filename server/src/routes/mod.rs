//! The HTTP surface: which path goes to which handler, plus the layers every route shares.

mod admin;
mod admin_auth;
mod receiver;
mod revocation_source;
mod sdk;
mod sign_in_limit;
mod static_files;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, Method};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};

use crate::app_state::AppState;
use crate::error::ApiError;
use crate::json_body::MAX_BODY_BYTES;

pub use revocation_source::DASHBOARD_SOURCE_HEADER;

/// The whole application.
pub fn router(state: Arc<AppState>) -> Router {
    let www_dir = state.www_dir.clone();
    let pkg_dir = state.pkg_dir.clone();

    Router::new()
        // SDK routes (Dynamic API v0 paths, plus the demo sign-in).
        .route(
            "/api/v0/sdk/{environment_id}/demo/sign-in",
            post(sdk::sign_in),
        )
        .route(
            "/api/v0/sdk/{environment_id}/.well-known/jwks",
            get(sdk::jwks),
        )
        .route("/api/v0/sdk/{environment_id}/revoke", post(sdk::revoke))
        .route("/api/v0/sdk/{environment_id}/users", get(sdk::current_user))
        // Admin routes (Dynamic API v0 paths).
        .route(
            "/api/v0/sessions/{session_id}/revoke",
            put(admin::revoke_session),
        )
        .route(
            "/api/v0/environments/{environment_id}/users/{user_id}/sessions/revoke",
            post(admin::revoke_user_sessions),
        )
        .route(
            "/api/v0/environments/{environment_id}/users/sessions/revoke",
            post(admin::revoke_environment_sessions),
        )
        .route(
            "/api/v0/environments/{environment_id}/users/{user_id}/sessions",
            get(admin::list_user_sessions),
        )
        // Admin routes of our own, for the admin page.
        .route(
            "/api/v0/environments/{environment_id}/sessions",
            get(admin::list_sessions),
        )
        .route(
            "/api/v0/environments/{environment_id}/webhooks/deliveries",
            get(admin::list_deliveries),
        )
        // The built-in webhook receiver.
        .route("/webhooks/receiver", post(receiver::receive))
        .route("/webhooks/receiver/events", get(receiver::list))
        // Pages and static files.
        .route("/", get(static_files::index))
        .route("/admin", get(static_files::admin))
        .nest_service("/pkg", static_files::directory(&pkg_dir))
        .nest_service("/www", static_files::directory(&www_dir))
        .fallback_service(static_files::directory(&www_dir))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors())
        .with_state(state)
}

/// Any origin may call the API: the SDK runs on whatever page embeds it. `Date` is exposed
/// because the SDK estimates clock skew from it.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(DASHBOARD_SOURCE_HEADER),
        ])
        .expose_headers([header::DATE])
}
