//! Pages and static files: the demo page, the admin page, their assets and the wasm package.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app_state::AppState;
use crate::error::ApiError;

const PLACEHOLDER_INDEX: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>session-keeper demo</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>session-keeper demo server</h1>
<p>No <code>index.html</code> was found in the www directory yet.</p>
<p>The <a href="/admin">admin page</a> and the API are running.</p>
</body></html>
"#;

const PLACEHOLDER_ADMIN: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>session-keeper admin</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;">
<h1>session-keeper admin</h1>
<p>No <code>admin.html</code> was found in the www directory (start the server with
<code>--www</code> pointing at the repository's <code>www</code> folder).</p>
</body></html>
"#;

/// `GET /`: `www/index.html`, or a placeholder while it does not exist.
pub async fn index(State(state): State<Arc<AppState>>) -> Response {
    page(&state.www_dir.join("index.html"), PLACEHOLDER_INDEX).await
}

/// `GET /admin`: `www/admin.html`, or a placeholder.
pub async fn admin(State(state): State<Arc<AppState>>) -> Response {
    page(&state.www_dir.join("admin.html"), PLACEHOLDER_ADMIN).await
}

async fn page(path: &Path, placeholder: &'static str) -> Response {
    let html = match tokio::fs::read_to_string(path).await {
        Ok(html) => Html(html).into_response(),
        Err(_) => Html(placeholder).into_response(),
    };
    no_store(html)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A router serving files from `dir` with `Cache-Control: no-store` (files change during
/// development, and a stale wasm module next to fresh JS glue fails in confusing ways).
/// Missing files, and methods other than GET/HEAD, get the JSON 404.
pub fn directory(dir: &Path) -> Router {
    let files = ServeDir::new(dir)
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(not_found.into_service());
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}
