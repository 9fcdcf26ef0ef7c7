//! Everything the server needs to start, independent of where it came from (CLI or tests).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::environment::Environment;
use crate::rate_limit::RateLimitPolicy;
use crate::session_store::DEFAULT_RETENTION;
use crate::signing_key::SigningKey;
use crate::webhook::RetryPolicy;

/// Server configuration. `Config::default()` is the demo setup.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub host: IpAddr,
    /// Port; 0 picks a free one (see [`RunningServer::local_addr`](crate::RunningServer::local_addr)).
    pub port: u16,
    /// Environments and their admin tokens.
    pub environments: Vec<Environment>,
    /// Webhook URLs. Empty means the server's own receiver, `http://HOST:PORT/webhooks/receiver`.
    pub webhook_urls: Vec<String>,
    /// HMAC secret for `x-dynamic-signature-256`; the built-in receiver verifies with it too.
    pub webhook_secret: String,
    /// Directory served at `/` (index.html, admin.html and their assets).
    pub www_dir: PathBuf,
    /// Directory served at `/pkg` (the wasm-pack output).
    pub pkg_dir: PathBuf,
    /// Webhook retry behaviour.
    pub retry: RetryPolicy,
    /// How long a session is kept after it expired or was revoked; then it is evicted.
    pub session_retention: Duration,
    /// Token bucket for the demo sign-in, per client address.
    pub sign_in_rate_limit: RateLimitPolicy,
    /// A key to sign with instead of generating one at startup. Tests share one key because
    /// RSA generation is the slowest part of starting the server.
    pub signing_key: Option<Arc<SigningKey>>,
}

/// The demo environment id.
pub const DEMO_ENVIRONMENT_ID: &str = "env-demo";
/// The demo environment's admin token.
pub const DEMO_ADMIN_TOKEN: &str = "admin-demo";
/// The demo webhook secret.
pub const DEMO_WEBHOOK_SECRET: &str = "whsec-demo";

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            environments: vec![demo_environment()],
            webhook_urls: Vec::new(),
            webhook_secret: DEMO_WEBHOOK_SECRET.to_owned(),
            www_dir: PathBuf::from("www"),
            pkg_dir: PathBuf::from("pkg"),
            retry: RetryPolicy::default(),
            session_retention: DEFAULT_RETENTION,
            sign_in_rate_limit: RateLimitPolicy::default(),
            signing_key: None,
        }
    }
}

/// The `env-demo` / `admin-demo` environment.
pub fn demo_environment() -> Environment {
    // Both literals satisfy Environment::new's rules; a failure here is a typo caught by tests.
    Environment::new(DEMO_ENVIRONMENT_ID, DEMO_ADMIN_TOKEN).expect("demo environment is valid")
}

/// Why a configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No environments.
    #[error("at least one environment is required")]
    NoEnvironments,
    /// Two environments share an id.
    #[error("environment `{0}` is configured twice")]
    DuplicateEnvironment(String),
    /// Two environments share an admin token, which would make it ambiguous.
    #[error("environments `{0}` and `{1}` have the same admin token")]
    SharedAdminToken(String, String),
    /// A webhook URL is not an absolute `http://` URL (the server has no TLS client).
    #[error("webhook URL `{0}` must be an absolute http:// URL")]
    BadWebhookUrl(String),
    /// The webhook secret is empty.
    #[error("the webhook secret must not be empty")]
    EmptyWebhookSecret,
    /// The sign-in rate limit has a burst but no usable refill rate.
    #[error("the sign-in refill rate must be a positive number of tokens per second")]
    BadRateLimit,
}

impl Config {
    /// Checks the configuration before anything is bound or generated.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.environments.is_empty() {
            return Err(ConfigError::NoEnvironments);
        }
        for (i, env) in self.environments.iter().enumerate() {
            for earlier in &self.environments[..i] {
                if earlier.id() == env.id() {
                    return Err(ConfigError::DuplicateEnvironment(env.id().to_owned()));
                }
                if earlier.admin_token_matches(env.admin_token()) {
                    return Err(ConfigError::SharedAdminToken(
                        earlier.id().to_owned(),
                        env.id().to_owned(),
                    ));
                }
            }
        }
        for url in &self.webhook_urls {
            let parsed =
                reqwest::Url::parse(url).map_err(|_| ConfigError::BadWebhookUrl(url.clone()))?;
            if parsed.scheme() != "http" || parsed.host().is_none() {
                return Err(ConfigError::BadWebhookUrl(url.clone()));
            }
        }
        if self.webhook_secret.is_empty() {
            return Err(ConfigError::EmptyWebhookSecret);
        }
        if !self.sign_in_rate_limit.is_valid() {
            return Err(ConfigError::BadRateLimit);
        }
        Ok(())
    }
}

// Hand-written so the webhook secret and admin tokens stay out of logs.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("environments", &self.environments)
            .field("webhook_urls", &self.webhook_urls)
            .field("www_dir", &self.www_dir)
            .field("pkg_dir", &self.pkg_dir)
            .field("retry", &self.retry)
            .field("session_retention", &self.session_retention)
            .field("sign_in_rate_limit", &self.sign_in_rate_limit)
            .finish_non_exhaustive()
    }
}
