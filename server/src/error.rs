//! The one error type every route returns, rendered as `{ "error": { "code", "message" } }`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::rate_limit::RateLimited;
use crate::webhook::DeliveryRejection;

/// Why a session JWT was not accepted. The `code` strings are part of the API: the SDK
/// switches on them to decide whether the session ended (revoked, expired) or the token was
/// never good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer …` header.
    #[error("missing bearer token")]
    Missing,
    /// Bad signature, malformed token, wrong environment or unknown session.
    #[error("invalid token")]
    Invalid,
    /// The token's `exp` has passed.
    #[error("token has expired")]
    Expired,
    /// The session the token belongs to was revoked.
    #[error("session has been revoked")]
    Revoked,
}

impl TokenError {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Missing => "missing_token",
            TokenError::Invalid => "invalid_token",
            TokenError::Expired => "token_expired",
            TokenError::Revoked => "session_revoked",
        }
    }
}

/// An API failure. Each variant maps to one HTTP status and one stable `code`; the handler
/// that returns it has changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (syntax error, truncated body).
    #[error("request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body is JSON but not the expected shape, or a value is out of range.
    #[error("{0}")]
    InvalidRequest(String),
    /// The request carried a body without `Content-Type: application/json`.
    #[error("request body must be sent with Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A path segment could not be decoded.
    #[error("{0}")]
    BadPath(String),
    /// A query parameter (`limit`, `cursor`) is not usable.
    #[error("{0}")]
    BadQuery(String),
    /// No environment with this id.
    #[error("unknown environment `{0}`")]
    EnvironmentNotFound(String),
    /// No session with this id in the admin token's environment. Deliberately the same
    /// answer (status and body) whether the session does not exist or belongs to another
    /// environment, so a token cannot learn which ids exist elsewhere.
    #[error("no session with this id in the admin token's environment")]
    SessionNotFound,
    /// No session was ever created for this user in this environment.
    #[error("unknown user `{0}`")]
    UserNotFound(String),
    /// A session JWT was missing or not accepted.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The admin token is missing or belongs to no environment.
    #[error("missing or unknown admin token")]
    AdminUnauthorized,
    /// The admin token belongs to another environment than the resource.
    #[error("this admin token does not grant access to environment `{0}`")]
    Forbidden(String),
    /// A webhook delivery to the receiver had a missing or wrong signature.
    #[error("webhook signature is missing or does not match the body")]
    BadSignature,
    /// A correctly signed delivery that is stale, from the future or lacks its replay fields.
    #[error(transparent)]
    WebhookRejected(#[from] DeliveryRejection),
    /// Too many demo sign-ins from this client address.
    #[error("too many sign-ins from this address; retry in {} s", .0.retry_after.as_secs())]
    RateLimited(#[from] RateLimited),
    /// No route matches the path.
    #[error("no such route")]
    RouteNotFound,
    /// The route exists but not with this method.
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// A bug or resource failure on the server side.
    #[error("internal server error")]
    Internal,
}

impl ApiError {
    /// HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_)
            | ApiError::BadPath(_)
            | ApiError::BadQuery(_)
            | ApiError::WebhookRejected(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::EnvironmentNotFound(_)
            | ApiError::SessionNotFound
            | ApiError::UserNotFound(_)
            | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::Token(_) | ApiError::AdminUnauthorized | ApiError::BadSignature => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::BadPath(_) => "invalid_path",
            ApiError::BadQuery(_) => "invalid_query",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::EnvironmentNotFound(_) => "environment_not_found",
            ApiError::SessionNotFound => "session_not_found",
            ApiError::UserNotFound(_) => "user_not_found",
            ApiError::Token(token) => token.code(),
            ApiError::AdminUnauthorized => "invalid_admin_token",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::BadSignature => "invalid_signature",
            ApiError::WebhookRejected(rejection) => rejection.code(),
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::RouteNotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Internal => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code(), "message": self.to_string() } });
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, ApiError::Token(_) | ApiError::AdminUnauthorized) {
            // RFC 6750: a 401 for bearer auth says which scheme it wants.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let ApiError::RateLimited(limited) = &self {
            // RFC 9110: how many seconds to wait before asking again.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(limited.retry_after.as_secs()),
            );
        }
        response
    }
}
