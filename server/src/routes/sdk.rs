//! SDK routes: demo sign-in, JWKS, logout (revoke) and the session check.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app_state::AppState;
use crate::bearer::bearer_token;
use crate::claims::{issuer, SessionClaims, VerifiedCredential};
use crate::error::{ApiError, TokenError};
use crate::json_body::JsonBody;
use crate::path_param::PathParams;
use crate::routes::sign_in_limit::SignInAllowance;
use crate::session::Session;
use crate::signing_key::JwkSet;
use crate::timestamp::to_epoch_millis;
use crate::user::User;
use crate::webhook::EventName;

/// Longest session the demo sign-in issues: 30 days, like Dynamic's maximum.
const MAX_LIFETIME_SECONDS: u64 = 30 * 24 * 60 * 60;
const MAX_ID_CHARS: usize = 256;
const MAX_WALLETS: usize = 20;
const MAX_USER_AGENT_CHARS: usize = 512;
const DEFAULT_WALLET_NAME: &str = "metamask";

/// Body of `POST /api/v0/sdk/{environmentId}/demo/sign-in`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    user_id: String,
    #[serde(default)]
    email: Option<String>,
    lifetime_seconds: u64,
    #[serde(default)]
    wallets: Vec<WalletInput>,
}

/// A wallet to list in `verified_credentials`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletInput {
    address: String,
    chain: String,
    #[serde(default)]
    wallet_name: Option<String>,
}

/// Response of the demo sign-in.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInResponse {
    jwt: String,
    user: User,
    /// Epoch milliseconds, equal to the JWT's `exp` × 1000.
    expires_at: i64,
}

impl SignInRequest {
    /// Range and shape checks serde cannot express. Each failure is a 422.
    fn validate(&self) -> Result<(), ApiError> {
        let invalid = |message: &str| Err(ApiError::InvalidRequest(message.to_owned()));
        if !(1..=MAX_LIFETIME_SECONDS).contains(&self.lifetime_seconds) {
            return invalid("lifetimeSeconds must be an integer from 1 to 2592000 (30 days)");
        }
        if !is_reasonable_text(&self.user_id) {
            return invalid("userId must be a non-empty string of at most 256 characters");
        }
        if let Some(email) = &self.email {
            if !is_reasonable_text(email) || !email.contains('@') {
                return invalid("email must be an email address of at most 256 characters");
            }
        }
        if self.wallets.len() > MAX_WALLETS {
            return invalid("at most 20 wallets may be given");
        }
        for wallet in &self.wallets {
            let name_ok = wallet.wallet_name.as_deref().is_none_or(is_reasonable_text);
            if !is_reasonable_text(&wallet.address)
                || !is_reasonable_text(&wallet.chain)
                || !name_ok
            {
                return invalid("each wallet needs a non-empty address and chain (and walletName, if given) of at most 256 characters");
            }
        }
        Ok(())
    }

    /// Dynamic lists wallets first, then the email.
    fn verified_credentials(&self) -> Vec<VerifiedCredential> {
        let wallets = self
            .wallets
            .iter()
            .map(|wallet| VerifiedCredential::Blockchain {
                id: Uuid::new_v4(),
                address: wallet.address.clone(),
                chain: wallet.chain.clone(),
                wallet_name: wallet
                    .wallet_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_WALLET_NAME.to_owned()),
                public_identifier: wallet.address.clone(),
            });
        let email = self.email.iter().map(|email| VerifiedCredential::Email {
            id: Uuid::new_v4(),
            email: email.clone(),
        });
        wallets.chain(email).collect()
    }
}

fn is_reasonable_text(text: &str) -> bool {
    !text.trim().is_empty()
        && text.chars().count() <= MAX_ID_CHARS
        && !text.chars().any(char::is_control)
}

/// `POST /api/v0/sdk/{environmentId}/demo/sign-in`: issues a session JWT. Rate-limited per
/// client address (the allowance is extracted first, before the body is read).
pub async fn sign_in(
    _allowance: SignInAllowance,
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignInRequest>,
) -> Result<Json<SignInResponse>, ApiError> {
    state.environment(&environment_id)?;
    request.validate()?;

    let now = OffsetDateTime::now_utc();
    let iat = now.unix_timestamp();
    // validate() bounds lifetime_seconds to 30 days, so this cannot overflow.
    let exp = iat + i64::try_from(request.lifetime_seconds).map_err(|_| ApiError::Internal)?;
    let expires_at = OffsetDateTime::from_unix_timestamp(exp).map_err(|_| ApiError::Internal)?;
    let claims = SessionClaims {
        sub: request.user_id.clone(),
        sid: Uuid::new_v4(),
        environment_id: environment_id.clone(),
        iss: issuer(&environment_id),
        iat,
        exp,
        email: request.email.clone(),
        verified_credentials: request.verified_credentials(),
    };
    let jwt = state.signing_key.sign(&claims).map_err(|error| {
        tracing::error!(%error, "could not sign a session token");
        ApiError::Internal
    })?;

    // Recorded only after signing succeeded, so a failed request leaves no session behind.
    state.sessions().insert(Session {
        id: claims.sid,
        user_id: claims.sub.clone(),
        environment_id,
        created_at: now,
        expires_at,
        revoked_at: None,
        ip_address: Some(peer.ip().to_string()),
        user_agent: user_agent(&headers),
    });
    tracing::info!(session_id = %claims.sid, "session created");

    Ok(Json(SignInResponse {
        jwt,
        user: User::from(&claims),
        expires_at: to_epoch_millis(expires_at),
    }))
}

fn user_agent(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::USER_AGENT)?.to_str().ok()?;
    Some(value.chars().take(MAX_USER_AGENT_CHARS).collect())
}

/// `GET /api/v0/sdk/{environmentId}/.well-known/jwks`: the public key tokens verify against.
pub async fn jwks(
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
) -> Result<Json<JwkSet>, ApiError> {
    state.environment(&environment_id)?;
    Ok(Json(state.signing_key.jwks()))
}

/// `POST /api/v0/sdk/{environmentId}/revoke`: logs the bearer's session out. Idempotent; an
/// expired but genuine token may still log out. Fires `user.session.revoked` once.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    state.environment(&environment_id)?;
    let claims = verified_claims(&state, &environment_id, &headers)?;
    let revocation = state
        .sessions()
        .revoke(claims.sid, OffsetDateTime::now_utc());
    let revocation = revocation.ok_or(TokenError::Invalid)?;
    if revocation.newly_revoked {
        state.announce_revoked(EventName::UserSessionRevoked, [revocation.session]);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v0/sdk/{environmentId}/users`: the session check. 200 with the user while the
/// session is live, 401 `session_revoked` / `token_expired` / `invalid_token` otherwise.
pub async fn current_user(
    State(state): State<Arc<AppState>>,
    PathParams(environment_id): PathParams<String>,
    headers: HeaderMap,
) -> Result<Json<User>, ApiError> {
    state.environment(&environment_id)?;
    let claims = verified_claims(&state, &environment_id, &headers)?;
    let revoked = state
        .sessions()
        .get(claims.sid)
        .map(|session| session.revoked_at.is_some());
    match revoked {
        None => Err(TokenError::Invalid.into()),
        Some(true) => Err(TokenError::Revoked.into()),
        Some(false) if OffsetDateTime::now_utc().unix_timestamp() >= claims.exp => {
            Err(TokenError::Expired.into())
        }
        Some(false) => Ok(Json(User::from(&claims))),
    }
}

/// The bearer token's claims, if it is signed by us for this environment. Expiry is left to
/// the caller.
fn verified_claims(
    state: &AppState,
    environment_id: &str,
    headers: &HeaderMap,
) -> Result<SessionClaims, TokenError> {
    let token = bearer_token(headers).ok_or(TokenError::Missing)?;
    let claims = state
        .signing_key
        .verify(token)
        .map_err(|_| TokenError::Invalid)?;
    if claims.environment_id != environment_id {
        return Err(TokenError::Invalid);
    }
    Ok(claims)
}
