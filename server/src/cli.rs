//! Command-line flags (with environment-variable fallbacks) for the server binary.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::config::{demo_environment, Config, DEMO_WEBHOOK_SECRET};
use crate::environment::Environment;
use crate::rate_limit::RateLimitPolicy;

/// `session-keeper-server` flags. Every flag also reads an environment variable, so CI and
/// Playwright can configure the server without building a command line.
#[derive(Debug, Clone, Parser)]
#[command(name = "session-keeper-server", version, about)]
pub struct Cli {
    /// Port to listen on; 0 picks a free port (the start-up line prints the real one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, env = "SK_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// An environment and its admin token, `ID:ADMIN_TOKEN`; repeatable. Default:
    /// `env-demo:admin-demo`.
    #[arg(
        long = "environment",
        env = "SK_ENVIRONMENTS",
        value_name = "ID:ADMIN_TOKEN",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub environments: Vec<Environment>,

    /// Where to POST webhooks; repeatable. Default: this server's own
    /// `http://HOST:PORT/webhooks/receiver`.
    #[arg(
        long = "webhook-url",
        env = "SK_WEBHOOK_URLS",
        value_name = "URL",
        value_delimiter = ','
    )]
    pub webhook_urls: Vec<String>,

    /// HMAC secret for the `x-dynamic-signature-256` header.
    #[arg(long, env = "SK_WEBHOOK_SECRET", default_value = DEMO_WEBHOOK_SECRET, hide_env_values = true)]
    pub webhook_secret: String,

    /// Directory with index.html, admin.html and their assets.
    #[arg(
        long = "www",
        env = "SK_WWW_DIR",
        value_name = "DIR",
        default_value = "www"
    )]
    pub www_dir: PathBuf,

    /// Directory with the wasm-pack output, served at /pkg.
    #[arg(
        long = "pkg",
        env = "SK_PKG_DIR",
        value_name = "DIR",
        default_value = "pkg"
    )]
    pub pkg_dir: PathBuf,

    /// Seconds a session is kept after it expired or was revoked; then it is evicted and its
    /// token answers `invalid_token`.
    #[arg(
        long,
        env = "SK_SESSION_RETENTION_SECONDS",
        value_name = "SECONDS",
        default_value_t = 3600
    )]
    pub session_retention_seconds: u64,

    /// Demo sign-ins a client address may make back to back (token bucket size); 0 turns the
    /// limit off.
    #[arg(
        long,
        env = "SK_SIGN_IN_BURST",
        value_name = "N",
        default_value_t = RateLimitPolicy::default().burst
    )]
    pub sign_in_burst: u32,

    /// Demo sign-ins a client address earns back per second (may be fractional, e.g. 0.5).
    #[arg(
        long,
        env = "SK_SIGN_IN_REFILL_PER_SECOND",
        value_name = "RATE",
        default_value_t = RateLimitPolicy::default().refill_per_second
    )]
    pub sign_in_refill_per_second: f64,
}

impl Cli {
    /// The server configuration these flags describe.
    pub fn into_config(self) -> Config {
        let environments = if self.environments.is_empty() {
            vec![demo_environment()]
        } else {
            self.environments
        };
        Config {
            host: self.host,
            port: self.port,
            environments,
            webhook_urls: self.webhook_urls,
            webhook_secret: self.webhook_secret,
            www_dir: self.www_dir,
            pkg_dir: self.pkg_dir,
            session_retention: Duration::from_secs(self.session_retention_seconds),
            sign_in_rate_limit: RateLimitPolicy {
                burst: self.sign_in_burst,
                refill_per_second: self.sign_in_refill_per_second,
            },
            ..Config::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_demo_setup() {
        let config = Cli::try_parse_from(["server"]).unwrap().into_config();
        assert_eq!(config.environments.len(), 1);
        assert_eq!(config.environments[0].id(), "env-demo");
        assert!(config.environments[0].admin_token_matches("admin-demo"));
        assert_eq!(config.webhook_secret, "whsec-demo");
        assert!(config.webhook_urls.is_empty());
        assert_eq!(config.session_retention, Duration::from_secs(3600));
        assert_eq!(config.sign_in_rate_limit, RateLimitPolicy::default());
    }

    #[test]
    fn limits_are_configurable() {
        let config = Cli::try_parse_from([
            "server",
            "--session-retention-seconds",
            "5",
            "--sign-in-burst",
            "2",
            "--sign-in-refill-per-second",
            "0.5",
        ])
        .unwrap()
        .into_config();
        assert_eq!(config.session_retention, Duration::from_secs(5));
        assert_eq!(
            config.sign_in_rate_limit,
            RateLimitPolicy {
                burst: 2,
                refill_per_second: 0.5
            }
        );
        assert!(config.validate().is_ok());
        let bad = Cli::try_parse_from(["server", "--sign-in-refill-per-second", "0"])
            .unwrap()
            .into_config();
        assert!(bad.validate().is_err());
    }

    #[test]
    fn repeatable_flags_collect() {
        let cli = Cli::try_parse_from([
            "server",
            "--port",
            "0",
            "--environment",
            "a:ta",
            "--environment",
            "b:tb",
            "--webhook-url",
            "http://127.0.0.1:9/x",
            "--webhook-url",
            "http://127.0.0.1:9/y",
        ])
        .unwrap();
        assert_eq!(cli.port, 0);
        let ids: Vec<_> = cli.environments.iter().map(Environment::id).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(cli.webhook_urls.len(), 2);
    }

    #[test]
    fn bad_environment_spec_is_a_usage_error() {
        assert!(Cli::try_parse_from(["server", "--environment", "no-token"]).is_err());
    }
}
