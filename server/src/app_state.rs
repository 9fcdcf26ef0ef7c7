//! The state every handler shares.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::Config;
use crate::environment::{Environment, Environments};
use crate::error::ApiError;
use crate::rate_limit::RateLimiter;
use crate::session::Session;
use crate::session_store::SessionStore;
use crate::signing_key::SigningKey;
use crate::sync::lock;
use crate::webhook::{EventName, ReceivedEvents, WebhookDispatcher, WebhookEvent};

/// Shared state. Handlers get it as `State<Arc<AppState>>`.
#[derive(Debug)]
pub struct AppState {
    pub environments: Environments,
    pub signing_key: Arc<SigningKey>,
    pub webhooks: WebhookDispatcher,
    pub received: ReceivedEvents,
    pub webhook_secret: String,
    pub www_dir: PathBuf,
    pub pkg_dir: PathBuf,
    /// Per-address limit on the unauthenticated demo sign-in.
    pub sign_in_limiter: RateLimiter,
    sessions: Mutex<SessionStore>,
}

impl AppState {
    /// Assembles the state from a validated configuration, the key to sign with and the
    /// webhook dispatcher.
    pub fn new(config: Config, signing_key: Arc<SigningKey>, webhooks: WebhookDispatcher) -> Self {
        Self {
            environments: Environments::new(config.environments),
            signing_key,
            webhooks,
            received: ReceivedEvents::default(),
            webhook_secret: config.webhook_secret,
            www_dir: config.www_dir,
            pkg_dir: config.pkg_dir,
            sign_in_limiter: RateLimiter::new(config.sign_in_rate_limit),
            sessions: Mutex::new(SessionStore::new(config.session_retention)),
        }
    }

    /// The environment with this id, or 404.
    pub fn environment(&self, id: &str) -> Result<&Environment, ApiError> {
        self.environments
            .get(id)
            .ok_or_else(|| ApiError::EnvironmentNotFound(id.to_owned()))
    }

    /// The session store. Never hold the guard across an `.await`.
    pub fn sessions(&self) -> MutexGuard<'_, SessionStore> {
        lock(&self.sessions)
    }

    /// Sends `event_name` for each newly revoked session. Call after releasing the store lock.
    pub fn announce_revoked(
        &self,
        event_name: EventName,
        sessions: impl IntoIterator<Item = Session>,
    ) {
        for session in sessions {
            tracing::info!(session_id = %session.id, event = event_name.as_str(), "session revoked");
            self.webhooks
                .dispatch(WebhookEvent::new(event_name, session));
        }
    }
}
