//! Test harness: starts the real app in-process on port 0 and talks to it over HTTP.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod capture;

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use session_keeper_server::environment::Environment;
use session_keeper_server::signing_key::SigningKey;
use session_keeper_server::webhook::RetryPolicy;
use session_keeper_server::{start, Config, RunningServer};

/// Generous: the machine may be busy compiling other crates while the tests run.
pub const DEADLINE: Duration = Duration::from_secs(30);

pub const ENV: &str = "env-demo";
pub const ADMIN: &str = "admin-demo";
pub const OTHER_ENV: &str = "env-other";
pub const OTHER_ADMIN: &str = "admin-other";
pub const SECRET: &str = "whsec-test";

/// One 2048-bit key per test binary: generating it is the slowest part of a start.
pub fn shared_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(SigningKey::generate(2048).expect("key generation")))
        .clone()
}

/// Retries fast enough that failure-path tests finish in well under a second of backoff.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(50),
        request_timeout: Duration::from_secs(10),
    }
}

pub struct TestServer {
    server: Option<RunningServer>,
    pub base: String,
    pub client: reqwest::Client,
    pub www: tempfile::TempDir,
    pub pkg: tempfile::TempDir,
}

pub struct SignedIn {
    pub jwt: String,
    pub session_id: String,
    pub body: Value,
}

impl TestServer {
    /// Two environments, the built-in receiver as the only webhook, test secret.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let www = tempfile::tempdir().expect("tempdir");
        let pkg = tempfile::tempdir().expect("tempdir");
        let mut config = Config {
            port: 0,
            environments: vec![
                Environment::new(ENV, ADMIN).unwrap(),
                Environment::new(OTHER_ENV, OTHER_ADMIN).unwrap(),
            ],
            webhook_secret: SECRET.to_owned(),
            www_dir: www.path().to_owned(),
            pkg_dir: pkg.path().to_owned(),
            retry: fast_retry(4),
            signing_key: Some(shared_key()),
            ..Config::default()
        };
        adjust(&mut config);
        let server = start(config).await.expect("server starts");
        let base = server.base_url().trim_end_matches('/').to_owned();
        Self {
            server: Some(server),
            base,
            client: reqwest::Client::new(),
            www,
            pkg,
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn sign_in_to(&self, env: &str, user: &str, lifetime_seconds: u64) -> SignedIn {
        let response = self
            .client
            .post(self.url(&format!("/api/v0/sdk/{env}/demo/sign-in")))
            .json(&json!({ "userId": user, "lifetimeSeconds": lifetime_seconds }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        SignedIn {
            jwt: body["jwt"].as_str().unwrap().to_owned(),
            session_id: body["user"]["sessionId"].as_str().unwrap().to_owned(),
            body,
        }
    }

    pub async fn sign_in(&self, user: &str) -> SignedIn {
        self.sign_in_to(ENV, user, 3600).await
    }

    /// `GET /users` with the token; returns status and JSON body.
    pub async fn check_in(&self, env: &str, jwt: &str) -> (StatusCode, Value) {
        self.call(
            reqwest::Method::GET,
            &format!("/api/v0/sdk/{env}/users"),
            Some(jwt),
        )
        .await
    }

    pub async fn check(&self, jwt: &str) -> (StatusCode, Value) {
        self.check_in(ENV, jwt).await
    }

    pub async fn assert_ended(&self, jwt: &str, code: &str) {
        let (status, body) = self.check(jwt).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "body: {body}");
        assert_eq!(body["error"]["code"], code, "body: {body}");
    }

    /// Sends a request with a JSON body and optional bearer token, returns status + JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        status_and_json(request.send().await.unwrap()).await
    }

    /// The built-in receiver's verified events for `ENV`, newest first.
    pub async fn received(&self) -> Vec<Value> {
        self.received_with(ADMIN).await
    }

    /// The built-in receiver's verified events for the environment of `admin_token`.
    pub async fn received_with(&self, admin_token: &str) -> Vec<Value> {
        let (status, body) = self
            .call(
                reqwest::Method::GET,
                "/webhooks/receiver/events",
                Some(admin_token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "body: {body}");
        body["events"].as_array().unwrap().clone()
    }

    /// Polls the receiver until `done` holds for its events (or the deadline passes).
    pub async fn wait_for_received(
        &self,
        what: &str,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let (server, done) = (self, &done);
        eventually(what, || async move {
            let events = server.received().await;
            done(&events).then_some(events)
        })
        .await
    }

    /// The admin delivery log for `ENV`, newest first.
    pub async fn deliveries(&self) -> Vec<Value> {
        let (status, body) = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v0/environments/{ENV}/webhooks/deliveries"),
                Some(ADMIN),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        body["deliveries"].as_array().unwrap().clone()
    }
}

/// A response's status and JSON body (`null` when the body is not JSON).
pub async fn status_and_json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls `probe` every 50 ms until it returns `Some`, panicking after [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Received events concerning one session, oldest first.
pub fn events_for(events: &[Value], session_id: &str) -> Vec<Value> {
    events
        .iter()
        .rev()
        .filter(|e| e["payload"]["data"]["id"] == session_id)
        .cloned()
        .collect()
}
