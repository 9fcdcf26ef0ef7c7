//! Bounded state (issue 8): the demo sign-in is rate-limited per client address, ended
//! sessions are evicted after the retention window, and the admin lists come in pages.

mod common;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use common::{status_and_json, TestServer, ADMIN, ENV, OTHER_ENV};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use session_keeper_server::rate_limit::RateLimitPolicy;

fn sign_in_url(server: &TestServer) -> String {
    server.url(&format!("/api/v0/sdk/{ENV}/demo/sign-in"))
}

async fn sign_in_with(
    client: &reqwest::Client,
    server: &TestServer,
    user: &str,
) -> reqwest::Response {
    client
        .post(sign_in_url(server))
        .json(&json!({ "userId": user, "lifetimeSeconds": 600 }))
        .send()
        .await
        .unwrap()
}

async fn list(server: &TestServer, query: &str) -> (StatusCode, Value) {
    server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/sessions{query}"),
            Some(ADMIN),
        )
        .await
}

fn ids(body: &Value) -> Vec<String> {
    body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn demo_sign_in_is_rate_limited_per_client_address() {
    let server = TestServer::start_with(|config| {
        config.sign_in_rate_limit = RateLimitPolicy {
            burst: 3,
            refill_per_second: 0.01,
        };
    })
    .await;
    for i in 0..3 {
        let response = sign_in_with(&server.client, &server, &format!("burst-{i}")).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    let refused = sign_in_with(&server.client, &server, "one-too-many").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=100).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    let (_, body) = status_and_json(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("retry"));

    // Refused before the body is even read: a malformed one is 429, not 400.
    let malformed = server
        .client
        .post(sign_in_url(&server))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::TOO_MANY_REQUESTS);

    // Another address has its own bucket (all of 127.0.0.0/8 is loopback on Linux).
    if cfg!(target_os = "linux") {
        let elsewhere = reqwest::Client::builder()
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
            .build()
            .unwrap();
        let response = sign_in_with(&elsewhere, &server, "neighbour").await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    // Only the allowed sign-ins created sessions; the rest of the API is not limited.
    let (status, body) = list(&server, "").await;
    assert_eq!(status, StatusCode::OK);
    let users: HashSet<_> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["userId"].as_str().unwrap().to_owned())
        .collect();
    assert!(!users.contains("one-too-many"));
    assert!(users.is_superset(&["burst-0", "burst-1", "burst-2"].map(String::from).into()));
    server.stop().await;
}

#[tokio::test]
async fn default_sign_in_limit_stops_a_script_but_not_a_person() {
    let server = TestServer::start().await;
    let started = Instant::now();
    let mut statuses = Vec::new();
    for i in 0..200 {
        let response = sign_in_with(&server.client, &server, &format!("script-{i}")).await;
        statuses.push(response.status());
    }
    let elapsed = started.elapsed().as_secs();
    let allowed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let default = RateLimitPolicy::default();
    let burst = usize::try_from(default.burst).unwrap();
    // Far more than a person (or the end-to-end suite, ~35 sign-ins per server) ever needs
    // back to back ...
    assert!(burst >= 40, "burst {burst}");
    assert!(
        statuses[..burst].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    // ... but a script sending 200 is stopped after the burst plus what refilled meanwhile.
    let refilled = usize::try_from(elapsed + 1).unwrap() * 2;
    assert!(
        allowed <= burst + refilled,
        "{allowed} allowed in {elapsed} s"
    );
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS));
    server.stop().await;
}

#[tokio::test]
async fn admin_session_list_is_paginated() {
    let server = TestServer::start().await;
    let mut created = Vec::new();
    for i in 0..7 {
        let user = if i % 2 == 0 { "pager" } else { "other" };
        created.push(server.sign_in(user).await.session_id);
        if i < 2 {
            server.sign_in_to(OTHER_ENV, "pager", 3600).await;
        }
    }
    let newest_first: Vec<_> = created.iter().rev().cloned().collect();

    // Without parameters: the first page of the default size, and the existing fields.
    let (status, body) = list(&server, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body), newest_first);
    assert_eq!(body["limit"], 100);
    assert_eq!(body["nextCursor"], Value::Null);
    assert_eq!(
        body["counts"],
        json!({ "total": 7, "active": 7, "revoked": 0, "expired": 0, "users": 2 })
    );

    // Pages of three, following nextCursor; a sign-in in between does not shift them.
    let (_, first) = list(&server, "?limit=3").await;
    assert_eq!(ids(&first), newest_first[..3]);
    assert_eq!(first["limit"], 3);
    let cursor = first["nextCursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let late = server.sign_in("late").await;
    let (_, second) = list(&server, &format!("?limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&second), newest_first[3..6]);
    let cursor = second["nextCursor"].as_str().unwrap().to_owned();
    let (_, last) = list(&server, &format!("?limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&last), newest_first[6..]);
    assert_eq!(last["nextCursor"], Value::Null);
    // Counts cover the whole environment, whatever the page.
    assert_eq!(last["counts"]["total"], 8);
    let (_, fresh) = list(&server, "?limit=1").await;
    assert_eq!(ids(&fresh), [late.session_id]);

    // Too large a page is lowered to the maximum; nonsense is refused.
    let (status, body) = list(&server, "?limit=100000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["limit"], 500);
    for query in [
        "?limit=0",
        "?limit=-1",
        "?limit=many",
        "?cursor=not-a-cursor",
    ] {
        let (status, body) = list(&server, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{query}");
    }

    // The per-user list pages the same way.
    let server_ref = &server;
    let user_list = |query: String| async move {
        server_ref
            .call(
                Method::GET,
                &format!("/api/v0/environments/{ENV}/users/pager/sessions{query}"),
                Some(ADMIN),
            )
            .await
    };
    let (status, page) = user_list("?limit=2".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["sessions"].as_array().unwrap().len(), 2);
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let (_, rest) = user_list(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(rest["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(rest["nextCursor"], Value::Null);
    let (_, all) = user_list(String::new()).await;
    assert_eq!(all["sessions"].as_array().unwrap().len(), 4);
    server.stop().await;
}

#[tokio::test]
async fn ended_sessions_are_evicted_after_the_retention_window() {
    let server =
        TestServer::start_with(|config| config.session_retention = Duration::from_secs(1)).await;
    let expiring = server.sign_in_to(ENV, "short-lived", 1).await;
    let revoked = server.sign_in("revoked").await;
    let active = server.sign_in("active").await;
    let (status, _) = server
        .call(
            Method::PUT,
            &format!("/api/v0/sessions/{}/revoke", revoked.session_id),
            Some(ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = list(&server, "").await;
    assert_eq!(body["counts"]["total"], 3, "nothing evicted yet: {body}");

    // Past the expiry (≤ 1 s) plus the retention (1 s), with margin.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    // Eviction is lazy: the next write does it.
    let trigger = server.sign_in("trigger").await;

    let (_, body) = list(&server, "").await;
    assert_eq!(ids(&body), [trigger.session_id, active.session_id.clone()]);
    assert_eq!(
        body["counts"],
        json!({ "total": 2, "active": 2, "revoked": 0, "expired": 0, "users": 2 })
    );
    // Their tokens are still refused (as unknown sessions), and the admin API no longer
    // knows them.
    server.assert_ended(&expiring.jwt, "invalid_token").await;
    server.assert_ended(&revoked.jwt, "invalid_token").await;
    let (status, _) = server
        .call(
            Method::GET,
            &format!("/api/v0/environments/{ENV}/users/short-lived/sessions"),
            Some(ADMIN),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.check(&active.jwt).await.0, StatusCode::OK);
    server.stop().await;
}
