//! Admin routes: authorization, the three kinds of revocation, listings, and the dashboard
//! event name.

mod common;

use common::{events_for, TestServer, ADMIN, ENV, OTHER_ADMIN, OTHER_ENV};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use session_keeper_server::DASHBOARD_SOURCE_HEADER;

fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
}

fn user_revoke_path(env: &str, user: &str) -> String {
    format!("/api/v0/environments/{env}/users/{user}/sessions/revoke")
}

fn env_revoke_path(env: &str) -> String {
    format!("/api/v0/environments/{env}/users/sessions/revoke")
}

#[tokio::test]
async fn admin_routes_need_the_environments_admin_token() {
    let server = TestServer::start().await;
    let session = server.sign_in("guarded").await;
    let session_route = format!("/api/v0/sessions/{}/revoke", session.session_id);
    let routes = [
        (Method::PUT, session_route.clone()),
        (Method::POST, user_revoke_path(ENV, "guarded")),
        (Method::POST, env_revoke_path(ENV)),
        (
            Method::GET,
            format!("/api/v0/environments/{ENV}/users/guarded/sessions"),
        ),
        (Method::GET, format!("/api/v0/environments/{ENV}/sessions")),
        (
            Method::GET,
            format!("/api/v0/environments/{ENV}/webhooks/deliveries"),
        ),
        (Method::GET, "/webhooks/receiver/events".to_owned()),
    ];
    for (method, path) in &routes {
        let (status, body) = server.call(method.clone(), path, None).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_admin_token",
        );
        let (status, body) = server.call(method.clone(), path, Some("admin-wrong")).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_admin_token",
        );
        // A session JWT is not an admin token.
        let (status, body) = server.call(method.clone(), path, Some(&session.jwt)).await;
        assert_error(
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_admin_token",
        );
        let (status, body) = server.call(method.clone(), path, Some(OTHER_ADMIN)).await;
        if *path == session_route {
            // No environment in the path: another environment's session is simply not found.
            assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
        } else if path.starts_with("/webhooks/") {
            // Scoped to the token's environment rather than refused.
            assert_eq!(status, StatusCode::OK, "body: {body}");
        } else {
            assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        }
    }
    // An unknown environment is 403 too: a token cannot probe for other environments.
    let (status, body) = server
        .call(
            Method::GET,
            "/api/v0/environments/env-missing/sessions",
            Some(ADMIN),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // All those rejected calls left the session alive and sent nothing.
    assert_eq!(server.check(&session.jwt).await.0, StatusCode::OK);
    assert!(server.deliveries().await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn revoking_one_session_returns_it_and_ends_it() {
    let server = TestServer::start().await;
    let target = server.sign_in("alice").await;
    let bystander = server.sign_in("alice").await;
    assert_eq!(server.check(&target.jwt).await.0, StatusCode::OK);

    let path = format!("/api/v0/sessions/{}/revoke", target.session_id);
    let (status, session) = server.call(Method::PUT, &path, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["id"], target.session_id.as_str());
    assert_eq!(session["userId"], "alice");
    assert_eq!(session["environmentId"], ENV);
    let revoked_at = session["revokedAt"]
        .as_str()
        .expect("revokedAt is set")
        .to_owned();

    server.assert_ended(&target.jwt, "session_revoked").await;
    assert_eq!(
        server.check(&bystander.jwt).await.0,
        StatusCode::OK,
        "other sessions untouched"
    );

    // Again: same session, same revokedAt, no second webhook.
    let (status, again) = server.call(Method::PUT, &path, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["revokedAt"], revoked_at.as_str());

    let events = server
        .wait_for_received("webhook", |e| !events_for(e, &target.session_id).is_empty())
        .await;
    let event = &events_for(&events, &target.session_id)[0]["payload"];
    assert_eq!(event["eventName"], "user.session.revoked");
    assert_eq!(event["data"]["revokedAt"], revoked_at.as_str());

    // Unknown ids.
    let (status, body) = server
        .call(
            Method::PUT,
            "/api/v0/sessions/00000000-0000-4000-8000-000000000000/revoke",
            Some(ADMIN),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
    let (status, body) = server
        .call(
            Method::PUT,
            "/api/v0/sessions/not-a-uuid/revoke",
            Some(ADMIN),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");

    // Another environment's session: the token does not reach it, and it stays alive.
    let foreign = server.sign_in_to(OTHER_ENV, "alice", 3600).await;
    let (status, body) = server
        .call(
            Method::PUT,
            &format!("/api/v0/sessions/{}/revoke", foreign.session_id),
            Some(ADMIN),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
    assert_eq!(
        server.check_in(OTHER_ENV, &foreign.jwt).await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn revoking_a_users_sessions_ends_all_of_them_and_only_them() {
    let server = TestServer::start().await;
    let first = server.sign_in("bob").await;
    let second = server.sign_in("bob").await;
    let other_user = server.sign_in("carol").await;
    let same_user_other_env = server.sign_in_to(OTHER_ENV, "bob", 3600).await;

    let (status, _) = server
        .call(Method::POST, &user_revoke_path(ENV, "bob"), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    server.assert_ended(&first.jwt, "session_revoked").await;
    server.assert_ended(&second.jwt, "session_revoked").await;
    assert_eq!(server.check(&other_user.jwt).await.0, StatusCode::OK);
    assert_eq!(
        server.check_in(OTHER_ENV, &same_user_other_env.jwt).await.0,
        StatusCode::OK
    );

    // One webhook per session.
    let events = server
        .wait_for_received("both webhooks", |e| {
            !events_for(e, &first.session_id).is_empty()
                && !events_for(e, &second.session_id).is_empty()
        })
        .await;
    for session in [&first, &second] {
        let mine = events_for(&events, &session.session_id);
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["payload"]["eventName"], "user.session.revoked");
        assert_eq!(mine[0]["payload"]["userId"], "bob");
    }

    // Listing shows both revoked, newest first.
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/users/bob/sessions"),
            Some(ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let sessions = body["sessions"].as_array().unwrap();
    let ids: Vec<_> = sessions.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.session_id.as_str(), first.session_id.as_str()]);
    assert!(sessions.iter().all(|s| s["revokedAt"].is_string()));

    // Unknown user.
    let (status, body) = server
        .call(Method::POST, &user_revoke_path(ENV, "nobody"), Some(ADMIN))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/users/nobody/sessions"),
            Some(ADMIN),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");

    // Revoking again is fine and sends nothing new (no active sessions left).
    let (status, _) = server
        .call(Method::POST, &user_revoke_path(ENV, "bob"), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    server.stop().await;
}

#[tokio::test]
async fn revoking_an_environment_ends_every_session_in_it() {
    let server = TestServer::start().await;
    let sessions = [
        server.sign_in("dave").await,
        server.sign_in("erin").await,
        server.sign_in("erin").await,
    ];
    let elsewhere = server.sign_in_to(OTHER_ENV, "dave", 3600).await;

    let (status, body) = server
        .call(Method::POST, &env_revoke_path(ENV), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
    assert_eq!(body["revokedCount"], 3);
    for session in &sessions {
        server.assert_ended(&session.jwt, "session_revoked").await;
    }
    assert_eq!(
        server.check_in(OTHER_ENV, &elsewhere.jwt).await.0,
        StatusCode::OK
    );

    server
        .wait_for_received("three webhooks", |e| {
            sessions
                .iter()
                .all(|s| events_for(e, &s.session_id).len() == 1)
        })
        .await;

    // The environment listing has them all, newest first, all revoked.
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/sessions"),
            Some(ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<_> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<_> = sessions
        .iter()
        .rev()
        .map(|s| s.session_id.clone())
        .collect();
    assert_eq!(ids, expected);

    let (status, body) = server
        .call(Method::POST, &env_revoke_path(ENV), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["revokedCount"], 0);
    server.stop().await;
}

#[tokio::test]
async fn dashboard_revocations_fire_the_admin_event() {
    let server = TestServer::start().await;
    let single = server.sign_in("frank").await;
    let by_user = server.sign_in("grace").await;
    let by_env = server.sign_in("heidi").await;

    let dashboard = |method: Method, path: String| {
        server
            .client
            .request(method, server.url(&path))
            .bearer_auth(ADMIN)
            .header(DASHBOARD_SOURCE_HEADER, "dashboard")
    };
    let responses = [
        dashboard(
            Method::PUT,
            format!("/api/v0/sessions/{}/revoke", single.session_id),
        )
        .send()
        .await
        .unwrap(),
        dashboard(Method::POST, user_revoke_path(ENV, "grace"))
            .send()
            .await
            .unwrap(),
        dashboard(Method::POST, env_revoke_path(ENV))
            .send()
            .await
            .unwrap(),
    ];
    let statuses: Vec<_> = responses.iter().map(|r| r.status()).collect();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::NO_CONTENT, StatusCode::ACCEPTED]
    );

    let events = server
        .wait_for_received("three dashboard webhooks", |e| {
            [&single, &by_user, &by_env]
                .iter()
                .all(|s| !events_for(e, &s.session_id).is_empty())
        })
        .await;
    for session in [&single, &by_user, &by_env] {
        let mine = events_for(&events, &session.session_id);
        assert_eq!(mine.len(), 1);
        assert_eq!(
            mine[0]["payload"]["eventName"],
            "admin.user.session.revoked"
        );
        server.assert_ended(&session.jwt, "session_revoked").await;
    }

    // The SDK's own logout never claims to be the dashboard, whatever the header says.
    let sdk = server.sign_in("ivan").await;
    let response = server
        .client
        .post(server.url(&format!("/api/v0/sdk/{ENV}/revoke")))
        .bearer_auth(&sdk.jwt)
        .header(DASHBOARD_SOURCE_HEADER, "dashboard")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let events = server
        .wait_for_received("sdk webhook", |e| {
            !events_for(e, &sdk.session_id).is_empty()
        })
        .await;
    assert_eq!(
        events_for(&events, &sdk.session_id)[0]["payload"]["eventName"],
        "user.session.revoked"
    );
    server.stop().await;
}

#[tokio::test]
async fn delivery_log_lists_attempts_for_the_environment() {
    let server = TestServer::start().await;
    server.sign_in("judy").await;
    let (status, _) = server
        .call(Method::POST, &user_revoke_path(ENV, "judy"), Some(ADMIN))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let deliveries = common::eventually("a delivered entry", || async {
        let log = server.deliveries().await;
        log.iter()
            .any(|d| d["outcome"] == "delivered")
            .then_some(log)
    })
    .await;
    let entry = &deliveries[0];
    assert_eq!(entry["eventName"], "user.session.revoked");
    assert_eq!(entry["environmentId"], ENV);
    assert_eq!(entry["attempt"], 1);
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["url"], server.url("/webhooks/receiver"));
    assert!(
        entry["eventId"].is_string() && entry["messageId"].is_string() && entry["at"].is_string()
    );

    // The other environment's log does not show it.
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{OTHER_ENV}/webhooks/deliveries"),
            Some(OTHER_ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["deliveries"].as_array().unwrap().is_empty());
    server.stop().await;
}

/// Issue 10: the token's environment is checked before any lookup, so another environment's
/// token cannot tell an existing session (or user) from a missing one.
#[tokio::test]
async fn another_environments_session_is_indistinguishable_from_a_missing_one() {
    let server = TestServer::start().await;
    let foreign = server.sign_in_to(OTHER_ENV, "victim", 3600).await;

    // Status, content type and the exact body bytes.
    let raw = |method: Method, path: String| {
        let request = server
            .client
            .request(method, server.url(&path))
            .bearer_auth(ADMIN)
            .header(DASHBOARD_SOURCE_HEADER, "dashboard");
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
            (status, content_type, response.bytes().await.unwrap())
        }
    };
    let revoke = |id: &str| raw(Method::PUT, format!("/api/v0/sessions/{id}/revoke"));

    let existing_elsewhere = revoke(&foreign.session_id).await;
    let missing = revoke("00000000-0000-4000-8000-000000000000").await;
    let not_an_id = revoke("not-a-uuid").await;
    assert_eq!(existing_elsewhere.0, StatusCode::NOT_FOUND);
    assert_eq!(existing_elsewhere, missing, "same answer as an unknown id");
    assert_eq!(missing, not_an_id, "same answer as a malformed id");
    let body: Value = serde_json::from_slice(&existing_elsewhere.2).unwrap();
    assert_eq!(body["error"]["code"], "session_not_found");

    // The user routes check the path's environment first: a user who exists there and one who
    // does not get the same answer.
    for suffix in ["sessions/revoke", "sessions"] {
        let method = if suffix == "sessions" {
            Method::GET
        } else {
            Method::POST
        };
        let existing = raw(
            method.clone(),
            format!("/api/v0/environments/{OTHER_ENV}/users/victim/{suffix}"),
        )
        .await;
        let absent = raw(
            method,
            format!("/api/v0/environments/{OTHER_ENV}/users/nobody-at-all/{suffix}"),
        )
        .await;
        assert_eq!(existing.0, StatusCode::FORBIDDEN);
        assert_eq!(
            (existing.0, existing.2.clone()),
            (absent.0, absent.2),
            "{suffix}"
        );
    }

    // Nothing happened to the session, and nothing was sent.
    assert_eq!(
        server.check_in(OTHER_ENV, &foreign.jwt).await.0,
        StatusCode::OK
    );
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{OTHER_ENV}/webhooks/deliveries"),
            Some(OTHER_ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["deliveries"].as_array().unwrap().is_empty());
    server.stop().await;
}
