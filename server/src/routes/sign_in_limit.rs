//! The per-address rate limit in front of the demo sign-in, as an extractor so it runs before
//! the body is read: a refused request costs no JSON parsing and no RSA signature.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::app_state::AppState;
use crate::error::ApiError;

/// Proof that the caller's address had a sign-in token left. Extracting it takes the token;
/// without one the request fails with 429 and `Retry-After`.
///
/// The address is the TCP peer: behind a reverse proxy every client would share the proxy's
/// bucket (the demo server is meant to be reached directly).
#[derive(Debug, Clone, Copy)]
pub struct SignInAllowance;

impl FromRequestParts<Arc<AppState>> for SignInAllowance {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| {
                tracing::error!(
                    "no peer address on the request; is the router served with connect info?"
                );
                ApiError::Internal
            })?;
        state
            .sign_in_limiter
            .check(peer, Instant::now())
            .map_err(|limited| {
                tracing::warn!(%peer, "demo sign-in rate limited");
                ApiError::from(limited)
            })?;
        Ok(SignInAllowance)
    }
}
