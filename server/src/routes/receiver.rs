//! The built-in webhook receiver: what a customer's endpoint would do, so the demo and the
//! tests can see deliveries arrive and check their signatures.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use crate::app_state::AppState;
use crate::error::ApiError;
use crate::json_body::bytes_rejection_to_error;
use crate::webhook::{verify, SIGNATURE_HEADER};

/// `POST /webhooks/receiver`: verifies `x-dynamic-signature-256` over the raw body (401 if
/// missing or wrong), then records the event.
pub async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map_err(|rejection| bytes_rejection_to_error(&rejection))?;
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    verify(state.webhook_secret.as_bytes(), &body, signature)
        .map_err(|_| ApiError::BadSignature)?;
    let payload: Value = serde_json::from_slice(&body)
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    let duplicate = state.received.record(payload);
    Ok(Json(json!({ "received": true, "duplicate": duplicate })))
}

/// `GET /webhooks/receiver/events`: everything the receiver accepted, newest first.
pub async fn list(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "events": state.received.newest_first() }))
}
