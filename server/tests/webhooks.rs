//! Webhook delivery (signature, envelope, retries, non-blocking) and the built-in receiver.

mod common;

use std::collections::HashSet;

use common::capture::CaptureEndpoint;
use common::{eventually, fast_retry, TestServer, ADMIN, ENV, OTHER_ADMIN, OTHER_ENV, SECRET};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use session_keeper_server::timestamp::to_iso;
use session_keeper_server::webhook::{sign, verify};
use time::OffsetDateTime;

fn revoke_path(session_id: &str) -> String {
    format!("/api/v0/sessions/{session_id}/revoke")
}

/// An envelope for `ENV` as the dispatcher would send it, dated `at`.
fn envelope(message_id: &str, event_id: &str, at: OffsetDateTime) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "eventId": event_id,
        "messageId": message_id,
        "eventName": "user.session.revoked",
        "environmentId": ENV,
        "timestamp": to_iso(at),
    }))
    .unwrap()
}

/// POSTs `body` to the built-in receiver, signed with the test secret.
async fn deliver_signed(server: &TestServer, body: &[u8]) -> (StatusCode, Value) {
    common::status_and_json(
        server
            .client
            .post(server.url("/webhooks/receiver"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-dynamic-signature-256", sign(SECRET.as_bytes(), body))
            .body(body.to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await
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
    let body = envelope("msg-1", "evt-1", OffsetDateTime::now_utc());
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

    let tampered = String::from_utf8(body.clone())
        .unwrap()
        .replace("user.session.revoked", "admin.user.session.revoked");
    let rejected = [
        (body.clone(), None),
        (body.clone(), Some("sha256=".to_owned())),
        (body.clone(), Some("sha256=not-hex".to_owned())),
        (body.clone(), Some(sign(b"wrong-secret", &body))),
        // Tampered body: the signature was made for the original bytes.
        (tampered.into_bytes(), Some(sign(SECRET.as_bytes(), &body))),
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

    // Correct: accepted and recorded.
    let (status, ack) = deliver_signed(&server, &body).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack, json!({ "received": true, "duplicate": false }));
    let events = server.received().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["payload"]["eventId"], "evt-1");
    assert_eq!(events[0]["duplicate"], false);

    // Oversized bodies are refused before verification.
    let huge = vec![b'x'; 100 * 1024];
    let response = post(huge.clone(), Some(sign(SECRET.as_bytes(), &huge)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

/// Issue 9: a correctly signed delivery dated far from now is a replay (or hopelessly late)
/// and is refused, every time it is sent.
#[tokio::test]
async fn receiver_refuses_deliveries_outside_the_timestamp_tolerance() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let from_2001 = envelope(
        "msg-2001",
        "evt-2001",
        OffsetDateTime::from_unix_timestamp(1_000_000_000).unwrap(),
    );
    for attempt in ["first", "replayed"] {
        let (status, body) = deliver_signed(&server, &from_2001).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{attempt}: {body}");
        assert_eq!(
            body["error"]["code"], "timestamp_out_of_tolerance",
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("2001-09-09T01:46:40.000Z") && message.contains("300 s"),
            "{message}"
        );
    }
    let just_outside = [
        now - time::Duration::seconds(310),
        now + time::Duration::seconds(310),
    ];
    for at in just_outside {
        let (status, body) = deliver_signed(&server, &envelope("msg-x", "evt-x", at)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["code"], "timestamp_out_of_tolerance");
    }

    // Without a timestamp or a message id there is nothing to judge a replay by.
    let without_timestamp =
        serde_json::to_vec(&json!({ "eventId": "e", "messageId": "m", "environmentId": ENV }))
            .unwrap();
    let unreadable = serde_json::to_vec(
        &json!({ "eventId": "e", "messageId": "m", "environmentId": ENV, "timestamp": "yesterday" }),
    )
    .unwrap();
    let without_message_id = serde_json::to_vec(
        &json!({ "eventId": "e", "environmentId": ENV, "timestamp": to_iso(now) }),
    )
    .unwrap();
    for body in [without_timestamp, unreadable, without_message_id] {
        let (status, error) = deliver_signed(&server, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["code"], "invalid_webhook", "{error}");
    }
    assert!(server.received().await.is_empty(), "nothing recorded");

    // Inside the tolerance, either way, is fine.
    for (i, at) in [
        now - time::Duration::seconds(240),
        now + time::Duration::seconds(240),
    ]
    .into_iter()
    .enumerate()
    {
        let body = envelope(&format!("msg-ok-{i}"), &format!("evt-ok-{i}"), at);
        let (status, ack) = deliver_signed(&server, &body).await;
        assert_eq!(status, StatusCode::OK, "{ack}");
    }
    assert_eq!(server.received().await.len(), 2);
    server.stop().await;
}

/// Issue 9: within the tolerance, a delivery sent again with the same `messageId` is
/// acknowledged as a duplicate (as before) but recorded only once; a redelivery of the same
/// event under a new `messageId` is still recorded and flagged.
#[tokio::test]
async fn receiver_records_a_replayed_message_id_once() {
    let server = TestServer::start().await;
    let now = OffsetDateTime::now_utc();
    let first = envelope("msg-a", "evt-a", now);
    let (status, ack) = deliver_signed(&server, &first).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ack, json!({ "received": true, "duplicate": false }));
    for _ in 0..3 {
        let (status, ack) = deliver_signed(&server, &first).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a replay inside the window is acknowledged"
        );
        assert_eq!(ack, json!({ "received": true, "duplicate": true }));
    }
    let events = server.received().await;
    assert_eq!(events.len(), 1, "recorded once: {events:?}");
    assert_eq!(events[0]["duplicate"], false);

    // A retry of the same event (new messageId): recorded, flagged as a duplicate.
    let retry = envelope("msg-b", "evt-a", now);
    let (status, ack) = deliver_signed(&server, &retry).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ack["duplicate"], true);
    let events = server.received().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["payload"]["messageId"], "msg-b");
    assert_eq!(events[0]["duplicate"], true);
    server.stop().await;
}

/// Issue 7: the receiver's log holds user ids, session ids, IP addresses and user agents, so
/// reading it takes an admin token, and a token sees only its own environment's events.
#[tokio::test]
async fn receiver_events_need_the_admin_token_and_show_only_its_environment() {
    let server = TestServer::start().await;
    let mine = server.sign_in("kate").await;
    let theirs = server.sign_in_to(OTHER_ENV, "leo", 3600).await;
    for (env, session) in [(ENV, &mine), (OTHER_ENV, &theirs)] {
        let (status, _) = server
            .call(
                Method::POST,
                &format!("/api/v0/sdk/{env}/revoke"),
                Some(&session.jwt),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    server
        .wait_for_received("kate's webhook", |e| {
            !common::events_for(e, &mine.session_id).is_empty()
        })
        .await;
    eventually("leo's webhook", || async {
        let events = server.received_with(OTHER_ADMIN).await;
        (!common::events_for(&events, &theirs.session_id).is_empty()).then_some(())
    })
    .await;

    // No token, a wrong one, or a session JWT: 401, from any origin.
    for token in [None, Some("admin-wrong"), Some(mine.jwt.as_str())] {
        let mut request = server
            .client
            .get(server.url("/webhooks/receiver/events"))
            .header(header::ORIGIN, "http://evil.test");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = common::status_and_json(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["code"], "invalid_admin_token");
        assert!(body.get("events").is_none());
    }

    // Each token sees its own environment only.
    for (token, env, own, other) in [
        (ADMIN, ENV, &mine, &theirs),
        (OTHER_ADMIN, OTHER_ENV, &theirs, &mine),
    ] {
        let events = server.received_with(token).await;
        assert!(!events.is_empty());
        assert!(
            events.iter().all(|e| e["payload"]["environmentId"] == env),
            "{events:?}"
        );
        assert!(!common::events_for(&events, &own.session_id).is_empty());
        assert!(common::events_for(&events, &other.session_id).is_empty());
    }
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
