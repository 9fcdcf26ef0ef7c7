//! SDK routes: sign-in, JWKS, session check and SDK logout, happy paths and errors.

mod common;

use common::{events_for, eventually, status_and_json, TestServer, ENV, OTHER_ENV};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use session_keeper_server::claims::SessionClaims;
use session_keeper_server::signing_key::SigningKey;

fn sign_in_path(env: &str) -> String {
    format!("/api/v0/sdk/{env}/demo/sign-in")
}

async fn post_json(server: &TestServer, path: &str, body: &Value) -> (StatusCode, Value) {
    status_and_json(
        server
            .client
            .post(server.url(path))
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
}

#[tokio::test]
async fn sign_in_issues_a_jwt_that_verifies_against_the_jwks() {
    let server = TestServer::start().await;
    let request = json!({
        "userId": "user-1",
        "email": "ada@example.com",
        "lifetimeSeconds": 600,
        "wallets": [
            { "address": "0xAbC", "chain": "eip155" },
            { "address": "So1ana", "chain": "solana", "walletName": "phantom" }
        ]
    });
    let response = server
        .client
        .post(server.url(&sign_in_path(ENV)))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().contains_key(header::DATE),
        "every response carries Date"
    );
    let body: Value = response.json().await.unwrap();
    let jwt = body["jwt"].as_str().unwrap();

    let jwks: Value = server
        .client
        .get(server.url(&format!("/api/v0/sdk/{ENV}/.well-known/jwks")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = &jwks["keys"][0];
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["alg"], "RS256");
    for part in ["n", "e"] {
        let value = jwk[part].as_str().unwrap();
        assert!(
            !value.contains('=') && !value.contains('+') && !value.contains('/'),
            "base64url, unpadded"
        );
    }

    let header = decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());

    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let claims = decode::<Value>(jwt, &key, &Validation::new(Algorithm::RS256))
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["environment_id"], ENV);
    assert_eq!(claims["iss"], format!("app.dynamicauth.com/{ENV}"));
    assert_eq!(claims["email"], "ada@example.com");
    let iat = claims["iat"].as_i64().unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    assert_eq!(exp - iat, 600);
    assert_eq!(body["expiresAt"].as_i64().unwrap(), exp * 1000);

    let credentials = claims["verified_credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 3);
    assert_eq!(credentials[0]["format"], "blockchain");
    assert_eq!(credentials[0]["address"], "0xAbC");
    assert_eq!(credentials[0]["chain"], "eip155");
    assert_eq!(credentials[0]["wallet_name"], "metamask");
    assert_eq!(credentials[0]["public_identifier"], "0xAbC");
    assert_eq!(credentials[1]["wallet_name"], "phantom");
    assert_eq!(credentials[2]["format"], "email");
    assert_eq!(credentials[2]["email"], "ada@example.com");
    assert!(credentials
        .iter()
        .all(|c| c["id"].as_str().is_some_and(|id| id.len() == 36)));

    let user = &body["user"];
    assert_eq!(user["id"], "user-1");
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["environmentId"], ENV);
    assert_eq!(user["sessionId"], claims["sid"]);
    assert_eq!(user["verifiedCredentials"][1]["walletName"], "phantom");
    assert_eq!(user["verifiedCredentials"][1]["publicIdentifier"], "So1ana");

    // The sign-in recorded a Session object with the caller's address and user agent.
    let (status, sessions) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/users/user-1/sessions"),
            Some(common::ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let session = &sessions["sessions"][0];
    assert_eq!(session["id"], claims["sid"]);
    assert_eq!(session["userId"], "user-1");
    assert_eq!(session["environmentId"], ENV);
    assert_eq!(session["revokedAt"], Value::Null);
    assert_eq!(session["ipAddress"], "127.0.0.1");
    assert!(session["userAgent"].is_string() || session["userAgent"].is_null());
    let expires_at = session["expiresAt"].as_str().unwrap();
    assert!(
        expires_at.ends_with(".000Z") && expires_at.len() == 24,
        "ISO-8601 with ms: {expires_at}"
    );
    server.stop().await;
}

#[tokio::test]
async fn sign_in_rejects_bad_bodies_and_changes_nothing() {
    let server = TestServer::start().await;
    let path = sign_in_path(ENV);
    let cases = [
        (
            json!({ "userId": "u", "lifetimeSeconds": 0 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": 2_592_001 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": -5 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": 1.5 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": "60" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "userId": "u" }), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({ "userId": "", "lifetimeSeconds": 60 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "lifetimeSeconds": 60 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "email": "not-an-email", "lifetimeSeconds": 60 }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": 60, "wallets": [{ "address": "", "chain": "eip155" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "u", "lifetimeSeconds": 60, "wallets": [{ "address": "0x1" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!([1, 2, 3]), StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (body, expected) in cases {
        let (status, response) = post_json(&server, &path, &body).await;
        assert_error(status, &response, expected, "invalid_request");
    }

    // The limits themselves are accepted.
    for lifetime in [1, 2_592_000] {
        let (status, body) = post_json(
            &server,
            &path,
            &json!({ "userId": "edge", "lifetimeSeconds": lifetime }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "lifetime {lifetime}: {body}");
    }

    let malformed = server
        .client
        .post(server.url(&path))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"userId\": \"u\", ")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(malformed).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_json");

    let no_content_type = server
        .client
        .post(server.url(&path))
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(no_content_type).await;
    assert_error(
        status,
        &body,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    let huge = json!({ "userId": "u", "lifetimeSeconds": 60, "padding": "x".repeat(100 * 1024) });
    let (status, body) = post_json(&server, &path, &huge).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    let (status, body) = post_json(
        &server,
        &sign_in_path("env-missing"),
        &json!({ "userId": "u", "lifetimeSeconds": 60 }),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );

    // None of the rejected requests created a session: only the two edge sign-ins exist.
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/sessions"),
            Some(common::ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let users: Vec<_> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["userId"].clone())
        .collect();
    assert_eq!(users, vec![json!("edge"), json!("edge")]);
    server.stop().await;
}

#[tokio::test]
async fn jwks_of_an_unknown_environment_is_404() {
    let server = TestServer::start().await;
    let (status, body) = server
        .call(
            Method::GET,
            "/api/v0/sdk/env-missing/.well-known/jwks",
            None,
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );
    server.stop().await;
}

#[tokio::test]
async fn session_check_is_200_until_the_sdk_revokes_it() {
    let server = TestServer::start().await;
    let session = server.sign_in("user-logout").await;
    let (status, user) = server.check(&session.jwt).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["id"], "user-logout");
    assert_eq!(user["sessionId"], session.session_id);

    let revoke_path = format!("/api/v0/sdk/{ENV}/revoke");
    let (status, _) = server
        .call(Method::POST, &revoke_path, Some(&session.jwt))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    server.assert_ended(&session.jwt, "session_revoked").await;

    // Idempotent: a second logout is still 204 ...
    let (status, _) = server
        .call(Method::POST, &revoke_path, Some(&session.jwt))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // ... and the webhook fired exactly once. Wait for the first, then give a straggler the
    // chance to show up by waiting for a later event from another session.
    let events = server
        .wait_for_received("first revocation webhook", |events| {
            !events_for(events, &session.session_id).is_empty()
        })
        .await;
    assert_eq!(
        events_for(&events, &session.session_id)[0]["payload"]["eventName"],
        "user.session.revoked"
    );
    let marker = server.sign_in("marker").await;
    server
        .call(Method::POST, &revoke_path, Some(&marker.jwt))
        .await;
    let events = server
        .wait_for_received("marker webhook", |events| {
            !events_for(events, &marker.session_id).is_empty()
        })
        .await;
    assert_eq!(events_for(&events, &session.session_id).len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_fire_one_webhook() {
    let server = TestServer::start().await;
    let session = server.sign_in("racer").await;
    let mut logouts = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = server
            .client
            .post(server.url(&format!("/api/v0/sdk/{ENV}/revoke")))
            .bearer_auth(&session.jwt);
        logouts.spawn(async move { request.send().await.map(|response| response.status()) });
    }
    while let Some(status) = logouts.join_next().await {
        assert_eq!(status.unwrap().unwrap(), StatusCode::NO_CONTENT);
    }
    server
        .wait_for_received("revocation webhook", |e| {
            !events_for(e, &session.session_id).is_empty()
        })
        .await;
    // Every attempt is logged with its event id; one revocation means one event id.
    let deliveries = server.deliveries().await;
    let mut event_ids: Vec<_> = deliveries.iter().map(|d| d["eventId"].clone()).collect();
    event_ids.dedup();
    assert_eq!(event_ids.len(), 1, "deliveries: {deliveries:?}");
    server.stop().await;
}

#[tokio::test]
async fn session_check_rejects_missing_bad_and_foreign_tokens() {
    let server = TestServer::start().await;
    let session = server.sign_in("user-tokens").await;
    let users = format!("/api/v0/sdk/{ENV}/users");
    let revoke = format!("/api/v0/sdk/{ENV}/revoke");

    for path in [&users, &revoke] {
        let method = if path == &users {
            Method::GET
        } else {
            Method::POST
        };
        let (status, body) = server.call(method.clone(), path, None).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "missing_token");
        let (status, body) = server.call(method.clone(), path, Some("not.a.jwt")).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");

        // Tampered payload: same signature, different claims.
        let mut parts: Vec<String> = session.jwt.split('.').map(str::to_owned).collect();
        parts[1] = tamper(&parts[1]);
        let (status, body) = server
            .call(method.clone(), path, Some(&parts.join(".")))
            .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    }

    // A token signed by a different key (same claims) is rejected.
    let foreign_key = SigningKey::generate(1024).unwrap();
    let claims: SessionClaims = common::shared_key().verify(&session.jwt).unwrap();
    let forged = foreign_key.sign(&claims).unwrap();
    let (status, body) = server.check(&forged).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");

    // A genuine token used against another environment is rejected, and so is logout with it.
    let (status, body) = server.check_in(OTHER_ENV, &session.jwt).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/api/v0/sdk/{OTHER_ENV}/revoke"),
            Some(&session.jwt),
        )
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");

    // Unknown environment is a 404 before any token check.
    let (status, body) = server.check_in("env-missing", &session.jwt).await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "environment_not_found",
    );

    // None of that touched the session.
    assert_eq!(server.check(&session.jwt).await.0, StatusCode::OK);
    server.stop().await;
}

/// Changes the `sub` inside a base64url JSON payload.
fn tamper(payload: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sub"] = json!("someone-else");
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
}

#[tokio::test]
async fn session_check_reports_expiry() {
    let server = TestServer::start().await;
    let session = server.sign_in_to(ENV, "short-lived", 1).await;
    eventually("the one-second session to expire", || async {
        let (status, body) = server.check(&session.jwt).await;
        (status == StatusCode::UNAUTHORIZED).then_some(body)
    })
    .await;
    server.assert_ended(&session.jwt, "token_expired").await;

    // Logging out with an expired but genuine token is still allowed.
    let (status, _) = server
        .call(
            Method::POST,
            &format!("/api/v0/sdk/{ENV}/revoke"),
            Some(&session.jwt),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    server.assert_ended(&session.jwt, "session_revoked").await;
    server.stop().await;
}

#[tokio::test]
async fn cors_allows_any_origin_and_exposes_date() {
    let server = TestServer::start().await;
    let preflight = server
        .client
        .request(
            Method::OPTIONS,
            server.url(&format!("/api/v0/sdk/{ENV}/users")),
        )
        .header(header::ORIGIN, "http://elsewhere.test")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let headers = preflight.headers();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap()
        .to_ascii_uppercase();
    for method in ["GET", "POST", "PUT"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let session = server.sign_in("cors").await;
    let response = server
        .client
        .get(server.url(&format!("/api/v0/sdk/{ENV}/users")))
        .header(header::ORIGIN, "http://elsewhere.test")
        .bearer_auth(&session.jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let exposed = response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("date"), "{exposed}");
    assert!(response.headers().contains_key(header::DATE));

    // Errors carry Date too (the SDK reads it from 401s as well).
    let (status, _) = server
        .call(Method::GET, &format!("/api/v0/sdk/{ENV}/users"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = server
        .client
        .get(server.url(&format!("/api/v0/sdk/{ENV}/users")))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key(header::DATE));
    server.stop().await;
}
