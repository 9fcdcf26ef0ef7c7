//! A path extractor whose failures are [`ApiError`]s, like [`JsonBody`](crate::json_body::JsonBody)
//! for bodies: a segment that is not valid UTF-8 after percent-decoding gets the usual JSON
//! error instead of axum's plain-text one.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Path<T>` with a JSON-shaped 400 on failure.
#[derive(Debug)]
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParams(value)),
            Err(rejection) => Err(ApiError::BadPath(rejection.body_text())),
        }
    }
}
