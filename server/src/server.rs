//! Binding, serving and shutting down.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app_state::AppState;
use crate::config::{Config, ConfigError};
use crate::routes::router;
use crate::signing_key::{SigningKey, SigningKeyError, DEFAULT_KEY_BITS};
use crate::webhook::WebhookDispatcher;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// The signing key could not be generated.
    #[error(transparent)]
    SigningKey(#[from] SigningKeyError),
    /// The key generation thread panicked or was cancelled.
    #[error("signing key generation did not finish: {0}")]
    KeyTask(#[from] tokio::task::JoinError),
    /// The webhook HTTP client could not be built.
    #[error("could not build the webhook HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    /// Reading the bound address failed.
    #[error("could not read the bound address: {0}")]
    LocalAddr(io::Error),
}

/// A server running on a background task. Dropping it leaves the server running until the
/// runtime stops; call [`RunningServer::shutdown`] to stop it gracefully.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    base_url: String,
    admin_hint: Option<String>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

/// Binds, prepares the key and state, and starts serving in the background.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    config.validate()?;
    let requested = SocketAddr::new(config.host, config.port);
    let listener = TcpListener::bind(requested)
        .await
        .map_err(|source| StartError::Bind {
            addr: requested,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(StartError::LocalAddr)?;
    let base_url = format!("http://{}/", reachable(local_addr));

    let webhook_urls = if config.webhook_urls.is_empty() {
        vec![format!("{base_url}webhooks/receiver")]
    } else {
        config.webhook_urls.clone()
    };
    let signing_key = match config.signing_key.clone() {
        Some(key) => key,
        // RSA generation is CPU-bound for a noticeable time; keep it off the async workers.
        None => {
            Arc::new(tokio::task::spawn_blocking(|| SigningKey::generate(DEFAULT_KEY_BITS)).await??)
        }
    };
    let webhooks = WebhookDispatcher::new(&webhook_urls, &config.webhook_secret, config.retry)?;
    let admin_hint = config
        .environments
        .first()
        .map(|env| format!("admin token for {}: {}", env.id(), env.admin_token()));
    let state = Arc::new(AppState::new(config, signing_key, webhooks));

    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, shutdown_requested) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // A dropped sender also means "stop": nobody is left to ask for it.
                let _ = shutdown_requested.await;
            })
            .await
    });
    Ok(RunningServer {
        local_addr,
        base_url,
        admin_hint,
        shutdown,
        task,
    })
}

impl RunningServer {
    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://host:port/`, with a loopback host when bound to an unspecified address.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The one line printed at start-up.
    pub fn banner(&self) -> String {
        let mut line = format!(
            "session-keeper demo: {base}  (admin: {base}admin",
            base = self.base_url
        );
        if let Some(hint) = &self.admin_hint {
            line.push_str(", ");
            line.push_str(hint);
        }
        line.push(')');
        line
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for that.
    pub async fn shutdown(self) -> io::Result<()> {
        // Err means the server task already ended; its result is what we return next.
        let _ = self.shutdown.send(());
        match self.task.await {
            Ok(result) => result,
            Err(join_error) => Err(io::Error::other(join_error)),
        }
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> io::Result<()> {
        signal.await;
        self.shutdown().await
    }
}

/// Browsers cannot open `http://0.0.0.0/`, so advertise loopback for unspecified addresses.
fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}
