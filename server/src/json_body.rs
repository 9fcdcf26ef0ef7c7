//! A JSON body extractor whose failures are [`ApiError`]s, so a bad body gets the same
//! `{ error: { code, message } }` shape as every other failure instead of axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest request body any route accepts. Enforced by `DefaultBodyLimit` on the router and
/// reported by the extractors as 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// `Json<T>` with typed, JSON-shaped rejections.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(rejection_to_error(&rejection)),
        }
    }
}

/// Maps axum's rejection by status: the variants are non-exhaustive, the statuses are stable.
fn rejection_to_error(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::InvalidRequest(rejection.body_text()),
        _ => ApiError::MalformedJson(rejection.body_text()),
    }
}

/// Maps a failure to read a raw body (used by the webhook receiver, which must see the exact
/// bytes to check their signature).
pub fn bytes_rejection_to_error(rejection: &axum::extract::rejection::BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        }
    } else {
        ApiError::MalformedJson(rejection.body_text())
    }
}
