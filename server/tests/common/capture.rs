//! A stand-in for a customer's webhook endpoint: records every request's headers and raw body,
//! can fail the first N requests, and can hold requests until released.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct Captured {
    pub signature: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

#[derive(Default)]
struct Inner {
    fail_first: usize,
    calls: AtomicUsize,
    captured: Mutex<Vec<Captured>>,
    /// When set, each request waits for a permit before answering.
    gate: Option<Arc<Semaphore>>,
}

#[derive(Clone)]
pub struct CaptureEndpoint {
    inner: Arc<Inner>,
    pub url: String,
}

impl CaptureEndpoint {
    pub async fn start(fail_first: usize) -> Self {
        Self::start_inner(Inner {
            fail_first,
            ..Inner::default()
        })
        .await
    }

    /// Requests are held until [`CaptureEndpoint::release`] is called.
    pub async fn start_gated() -> Self {
        Self::start_inner(Inner {
            gate: Some(Arc::new(Semaphore::new(0))),
            ..Inner::default()
        })
        .await
    }

    async fn start_inner(inner: Inner) -> Self {
        let inner = Arc::new(inner);
        let app = Router::new()
            .route("/hook", post(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { inner, url }
    }

    pub fn calls(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }

    pub fn captured(&self) -> Vec<Captured> {
        self.inner.captured.lock().unwrap().clone()
    }

    pub fn release(&self, permits: usize) {
        if let Some(gate) = &self.inner.gate {
            gate.add_permits(permits);
        }
    }
}

async fn handle(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let call = inner.calls.fetch_add(1, Ordering::SeqCst);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    inner.captured.lock().unwrap().push(Captured {
        signature: header("x-dynamic-signature-256"),
        content_type: header("content-type"),
        body,
    });
    if let Some(gate) = &inner.gate {
        if let Ok(permit) = gate.acquire().await {
            permit.forget();
        }
    }
    if call < inner.fail_first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}
