//! The built-in webhook receiver: what a customer's endpoint would do, so the demo and the
//! tests can see deliveries arrive and check their signatures.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::app_state::AppState;
use crate::error::ApiError;
use crate::json_body::bytes_rejection_to_error;
use crate::routes::admin_auth::AdminAuth;
use crate::webhook::{check_freshness, verify, SIGNATURE_HEADER};

/// `POST /webhooks/receiver`: verifies `x-dynamic-signature-256` over the raw body (401 if
/// missing or wrong), refuses a `timestamp` outside the tolerance (400), then records the
/// event. A `messageId` seen before is acknowledged as a duplicate without a second record.
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
    let now = OffsetDateTime::now_utc();
    let delivery = check_freshness(&payload, now).inspect_err(|rejection| {
        tracing::warn!(%rejection, "webhook delivery refused");
    })?;
    let outcome = state.received.record(&delivery, payload, now);
    Ok(Json(
        json!({ "received": true, "duplicate": outcome.duplicate }),
    ))
}

/// `GET /webhooks/receiver/events`: what the receiver accepted for the admin token's
/// environment, newest first. The events carry user ids, session ids, IP addresses and user
/// agents, so they are admin data like the session list.
pub async fn list(auth: AdminAuth, State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "events": state.received.for_environment(auth.environment_id()) }))
}
