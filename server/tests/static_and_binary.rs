//! Static files, the 404/405 shapes, and the real binary's start-up line and signal handling.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{eventually, TestServer};
use reqwest::{header, Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn serves_pages_assets_and_the_wasm_package() {
    let server = TestServer::start().await;

    // Before index.html exists, / is a placeholder that links to the admin page.
    let placeholder = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(placeholder.status(), StatusCode::OK);
    assert!(placeholder.text().await.unwrap().contains("/admin"));

    std::fs::write(server.www.path().join("index.html"), "<h1>demo page</h1>").unwrap();
    std::fs::write(server.www.path().join("admin.html"), "<h1>admin page</h1>").unwrap();
    std::fs::write(server.www.path().join("demo.js"), "console.log('demo')").unwrap();
    std::fs::write(server.www.path().join("demo.css"), "body{}").unwrap();
    std::fs::write(
        server.pkg.path().join("session_keeper_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(server.pkg.path().join("session_keeper.js"), "export {}").unwrap();

    let get = |path: &str| server.client.get(server.url(path)).send();

    let index = get("/").await.unwrap();
    assert_eq!(index.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(index.text().await.unwrap(), "<h1>demo page</h1>");
    assert_eq!(
        get("/admin").await.unwrap().text().await.unwrap(),
        "<h1>admin page</h1>"
    );

    let script = get("/demo.js").await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let style = get("/www/demo.css").await.unwrap();
    assert_eq!(style.status(), StatusCode::OK);
    assert!(style.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));

    let wasm = get("/pkg/session_keeper_bg.wasm").await.unwrap();
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(wasm.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");
    let glue = get("/pkg/session_keeper.js").await.unwrap();
    assert!(glue.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("javascript"));

    // Path traversal out of pkg/ into the sibling www/ temp dir must not work.
    let www_name = server
        .www
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let traversal = format!("/pkg/..%2f{www_name}%2findex.html");
    for missing in [
        "/missing.js",
        "/pkg/missing.wasm",
        "/api/v0/unknown",
        traversal.as_str(),
    ] {
        let (status, body) = server.call(Method::GET, missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(body["error"]["code"], "not_found", "{missing}");
    }
    let (status, body) = server.call(Method::GET, "/webhooks/receiver", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
    server.stop().await;
}

/// Kills the child on drop so a failing assertion does not leak a server process.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_its_url_serves_and_stops_on_sigterm() {
    let www = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_session-keeper-server"))
            .args(["--port", "0", "--environment", "env-cli:admin-cli", "--www"])
            .arg(www.path())
            .env_remove("PORT")
            .env_remove("SK_ENVIRONMENTS")
            .env_remove("SK_WEBHOOK_URLS")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();

    assert!(
        line.starts_with("session-keeper demo: http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.contains("admin token for env-cli: admin-cli"),
        "{line}"
    );
    let base = line
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    assert!(!base.ends_with(":0"), "prints the real port: {line}");

    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/api/v0/sdk/env-cli/demo/sign-in"))
        .json(&serde_json::json!({ "userId": "cli", "lifetimeSeconds": 60 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let jwt = response.json::<Value>().await.unwrap()["jwt"]
        .as_str()
        .unwrap()
        .to_owned();

    // The default webhook URL is the server's own receiver.
    let revoke = client
        .post(format!("{base}/api/v0/sdk/env-cli/revoke"))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    eventually("the self-delivered webhook", || async {
        let events: Value = client
            .get(format!("{base}/webhooks/receiver/events"))
            .bearer_auth("admin-cli")
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (!events["events"].as_array()?.is_empty()).then_some(())
    })
    .await;

    let pid = child.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < common::DEADLINE,
            "process did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "graceful exit, got {status:?}");
}
