//! Reference backend for session-keeper.
//!
//! A small, in-memory look-alike of Dynamic's API v0: it signs RS256 session JWTs, publishes
//! the JWKS, answers session checks, revokes sessions (from the SDK, the admin API or the
//! dashboard) and delivers signed `user.session.revoked` webhooks with retries. It exists so
//! the demo page and the end-to-end tests run against something real.
//!
//! The binary is a thin wrapper over [`start`]; integration tests call [`start`] directly
//! with port 0:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use session_keeper_server::{start, Config};
//!
//! let server = start(Config { port: 0, ..Config::default() }).await?;
//! println!("listening on {}", server.base_url());
//! server.shutdown().await?;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs, missing_debug_implementations)]

mod app_state;
mod bearer;
pub mod claims;
pub mod cli;
mod config;
pub mod environment;
mod error;
mod json_body;
mod pagination;
mod path_param;
pub mod rate_limit;
mod routes;
mod server;
pub mod session;
mod session_store;
pub mod signing_key;
mod sync;
pub mod timestamp;
pub mod user;
pub mod webhook;

pub use config::{Config, ConfigError};
pub use error::{ApiError, TokenError};
pub use routes::DASHBOARD_SOURCE_HEADER;
pub use server::{start, RunningServer, StartError};
