//! Webhook delivery (signature, envelope, retries, non-blocking) and the built-in receiver.

mod common;

use std::collections::HashSet;

use common::capture::CaptureEndpoint;
use common::{eventually, fast_retry, TestServer, ADMIN, ENV, SECRET};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use session_keeper_server::webhook::{sign, verify};

fn revoke_path(session_id: &str) -> String {
    format!("/api/v0/sessions/{session_id}/revoke")
}

#[tokio::test]
async fn deliveries_are_signed_over_the_exact_body() {
    let endpoint = CaptureEndpoint::start(0).await;
    let url = endpoint.url.clone();
    let server = TestServer::start_with(|config| config.webhook_urls = vec![url]).await;
    let session = server.sign_in("kim").await;
    let (status, revoked) = server
        .call(Method::PUT, &revoke_path(&session.session_id), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::OK);

    eventually("the delivery", || async {
        (endpoint.calls() >= 1).then_some(())
    })
    .await;
    let captured = endpoint.captured();
    assert_eq!(captured.len(), 1);
    let delivery = &captured[0];
    assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
    let signature = delivery.signature.as_deref().expect("signature header");
    assert!(
        signature.starts_with("sha256=") && signature.len() == 7 + 64,
        "{signature}"
    );
    assert_eq!(
        verify(SECRET.as_bytes(), &delivery.body, Some(signature)),
        Ok(())
    );
    assert!(verify(b"another-secret", &delivery.body, Some(signature)).is_err());

    let envelope: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(envelope["eventName"], "user.session.revoked");
    assert_eq!(envelope["environmentId"], ENV);
    assert_eq!(envelope["userId"], "kim");
    assert_eq!(envelope["redelivery"], false);
    assert_eq!(envelope["data"], revoked, "data is the Session object");
    for field in ["eventId", "messageId", "webhookId", "timestamp"] {
        assert!(
            envelope[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {envelope}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_event_id() {
    let endpoint = CaptureEndpoint::start(2).await;
    let url = endpoint.url.clone();
    let server = TestServer::start_with(|config| {
        config.webhook_urls = vec![url];
        config.retry = fast_retry(6);
    })
    .await;
    let session = server.sign_in("lee").await;
    let (status, _) = server
        .call(Method::PUT, &revoke_path(&session.session_id), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::OK);

    let deliveries = eventually("a successful retry", || async {
        let log = server.deliveries().await;
        log.iter()
            .any(|d| d["outcome"] == "delivered")
            .then_some(log)
    })
    .await;
    // Newest first in the log; reverse to read it in order.
    let attempts: Vec<_> = deliveries.iter().rev().collect();
    let summary: Vec<_> = attempts
        .iter()
        .map(|d| {
            (
                d["attempt"].clone(),
                d["status"].clone(),
                d["outcome"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (json!(1), json!(500), json!("retrying")),
            (json!(2), json!(500), json!("retrying")),
            (json!(3), json!(200), json!("delivered")),
        ]
    );

    let bodies: Vec<Value> = endpoint
        .captured()
        .iter()
        .map(|c| serde_json::from_slice(&c.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 3);
    let event_ids: HashSet<_> = bodies
        .iter()
        .map(|b| b["eventId"].as_str().unwrap())
        .collect();
    let message_ids: HashSet<_> = bodies
        .iter()
        .map(|b| b["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(event_ids.len(), 1, "one event");
    assert_eq!(message_ids.len(), 3, "a new message id per attempt");
    let redelivery: Vec<_> = bodies.iter().map(|b| b["redelivery"].clone()).collect();
    assert_eq!(redelivery, [json!(false), json!(true), json!(true)]);
    // Every attempt is signed over its own body.
    for captured in endpoint.captured() {
        assert_eq!(
            verify(
                SECRET.as_bytes(),
                &captured.body,
                captured.signature.as_deref()
            ),
            Ok(())
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn delivery_gives_up_after_the_last_attempt() {
    // Nothing listens on this port once the probe listener is dropped.
    let dead_url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let server = TestServer::start_with(|config| {
        config.webhook_urls = vec![dead_url];
        config.retry = fast_retry(3);
    })
    .await;
    let session = server.sign_in("mallory").await;
    server
        .call(Method::PUT, &revoke_path(&session.session_id), Some(ADMIN))
        .await;

    let deliveries = eventually("the final failure", || async {
        let log = server.deliveries().await;
        log.iter().any(|d| d["outcome"] == "failed").then_some(log)
    })
    .await;
    let outcomes: Vec<_> = deliveries
        .iter()
        .rev()
        .map(|d| d["outcome"].clone())
        .collect();
    assert_eq!(
        outcomes,
        [json!("retrying"), json!("retrying"), json!("failed")]
    );
    assert!(deliveries
        .iter()
        .all(|d| d["status"].is_null() && d["error"].is_string()));
    server.stop().await;
}

#[tokio::test]
async fn api_calls_do_not_wait_for_webhook_receivers() {
    let endpoint = CaptureEndpoint::start_gated().await;
    let url = endpoint.url.clone();
    let server = TestServer::start_with(|config| config.webhook_urls = vec![url]).await;
    let session = server.sign_in("nina").await;

    // The receiver holds every request until released, yet the revoke returns.
    let (status, _) = server
        .call(Method::PUT, &revoke_path(&session.session_id), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::OK);
    server.assert_ended(&session.jwt, "session_revoked").await;
    eventually("the held delivery to arrive", || async {
        (endpoint.calls() >= 1).then_some(())
    })
    .await;
    assert!(server.deliveries().await.is_empty(), "still in flight");

    endpoint.release(10);
    eventually("the delivery to complete", || async {
        let log = server.deliveries().await;
        log.iter()
            .any(|d| d["outcome"] == "delivered")
            .then_some(())
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn every_configured_url_gets_the_event() {
    let first = CaptureEndpoint::start(0).await;
    let second = CaptureEndpoint::start(0).await;
    let urls = vec![first.url.clone(), second.url.clone()];
    let server = TestServer::start_with(|config| config.webhook_urls = urls).await;
    let session = server.sign_in("oscar").await;
    server
        .call(Method::PUT, &revoke_path(&session.session_id), Some(ADMIN))
        .await;
    eventually("both deliveries", || async {
        (first.calls() == 1 && second.calls() == 1).then_some(())
    })
    .await;

    let envelope = |endpoint: &CaptureEndpoint| -> Value {
        serde_json::from_slice(&endpoint.captured()[0].body).unwrap()
    };
    let (a, b) = (envelope(&first), envelope(&second));
    assert_eq!(a["eventId"], b["eventId"]);
    assert_ne!(
        a["webhookId"], b["webhookId"],
        "each URL is its own webhook"
    );
    server.stop().await;
}

#[tokio::test]
async fn receiver_accepts_only_correctly_signed_bodies() {
    let server = TestServer::start().await;
    let body =
        serde_json::to_vec(&json!({ "eventId": "evt-1", "eventName": "user.session.revoked" }))
            .unwrap();
    let post = |body: Vec<u8>, signature: Option<String>| {
        let mut request = server
            .client
            .post(server.url("/webhooks/receiver"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-dynamic-signature-256", signature);
        }
        request.send()
    };

    let rejected = [
        (body.clone(), None),
        (body.clone(), Some("sha256=".to_owned())),
        (body.clone(), Some("sha256=not-hex".to_owned())),
        (body.clone(), Some(sign(b"wrong-secret", &body))),
        // Tampered body: the signature was made for the original bytes.
        (
            br#"{"eventId":"evt-1","eventName":"admin.user.session.revoked"}"#.to_vec(),
            Some(sign(SECRET.as_bytes(), &body)),
        ),
    ];
    for (payload, signature) in rejected {
        let response = post(payload, signature).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_signature");
    }
    assert!(
        server.received().await.is_empty(),
        "nothing recorded from rejected requests"
    );

    // Signed but not JSON.
    let response = post(
        b"not json".to_vec(),
        Some(sign(SECRET.as_bytes(), b"not json")),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Correct: accepted, recorded; a second copy is flagged as a duplicate.
    for expected_duplicate in [false, true] {
        let response = post(body.clone(), Some(sign(SECRET.as_bytes(), &body)))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let ack: Value = response.json().await.unwrap();
        assert_eq!(ack["duplicate"], expected_duplicate);
    }
    let events = server.received().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["payload"]["eventId"], "evt-1");
    assert_eq!(events[0]["duplicate"], true);

    // Oversized bodies are refused before verification.
    let huge = vec![b'x'; 100 * 1024];
    let response = post(huge.clone(), Some(sign(SECRET.as_bytes(), &huge)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

#[tokio::test]
async fn default_webhook_goes_to_the_built_in_receiver() {
    let server = TestServer::start().await;
    let session = server.sign_in("peggy").await;
    server
        .call(
            Method::POST,
            &format!("/api/v0/sdk/{ENV}/revoke"),
            Some(&session.jwt),
        )
        .await;
    let events = server
        .wait_for_received("the revocation", |e| {
            !common::events_for(e, &session.session_id).is_empty()
        })
        .await;
    let event = &common::events_for(&events, &session.session_id)[0];
    assert_eq!(event["duplicate"], false);
    assert_eq!(event["payload"]["data"]["userId"], "peggy");
    assert!(event["receivedAt"].is_string());
    server.stop().await;
}
