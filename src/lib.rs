//! # session-keeper
//!
//! Keeps a JWT login session correct in the browser: it ends exactly when it should — on
//! logout, on expiry, on server-side revocation, in every open tab — and never by mistake.
//!
//! The crate has three layers, each depending only on the ones before it:
//! - a pure core ([`jwt`], [`expiry`], [`session`], [`record`], [`keeper`], [`revocation`]) that knows nothing
//!   of the browser and is tested with plain `cargo test`;
//! - small platform seams ([`storage`]) with in-memory twins;
//! - on `wasm32`, the browser adapters and the `#[wasm_bindgen]` `SessionKeeper` class.
#![deny(missing_docs, missing_debug_implementations)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

mod error;
pub mod event;
pub mod expiry;
pub mod jwt;
pub mod keeper;
pub mod record;
pub mod revocation;
pub mod session;
pub mod storage;
mod wallet;

#[cfg(target_arch = "wasm32")]
mod browser;

pub use error::{Error, Result};
pub use event::{EndReason, Event, Notice, SessionEnd, SessionStart};
pub use keeper::{Config, Keeper, Persistence};
pub use session::{Session, SessionInfo};
pub use wallet::Wallet;

#[cfg(target_arch = "wasm32")]
pub use browser::SessionKeeper;
