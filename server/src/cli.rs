//! Command-line flags (with environment-variable fallbacks) for the server binary.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::config::{demo_environment, Config, DEMO_WEBHOOK_SECRET};
use crate::environment::Environment;

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
