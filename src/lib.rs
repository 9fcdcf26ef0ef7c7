//! # session-keeper
//!
//! Keeps a JWT login session correct in the browser: it ends exactly when it should — on
//! logout, on expiry, on server-side revocation, in every open tab — and never by mistake.
//!
//! The crate has three layers, each depending only on the ones before it:
//! - a pure core ([`jwt`], [`json`], [`expiry`], [`session`], [`record`], [`keeper`], [`revocation`],
//!   [`engine`], [`wire`]) that knows nothing
//!   of the browser and is tested with plain `cargo test`;
//! - small platform seams ([`storage`]) with in-memory twins;
//! - on `wasm32`, the boundary: one `#[wasm_bindgen]` class, `Core`, that the JavaScript shell
//!   (`pkg-template/src/`, the public `SessionKeeper`) drives with strings and
//!   numbers, and the storage adapter. The shell owns the page's timers, listeners and `fetch`;
//!   every decision is made here ([`engine`]).
#![deny(missing_docs, missing_debug_implementations)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

pub mod engine;
mod error;
pub mod event;
pub mod expiry;
pub mod json;
pub mod jwt;
pub mod keeper;
pub mod record;
pub mod revocation;
pub mod session;
pub mod storage;
pub mod wallet;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod browser;

// The SDK is single-threaded (no wasm atomics), so talc's unsynchronised wasm allocator is sound.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub use error::{Error, Result};
pub use event::{EndReason, Event, Notice, SessionEnd, SessionStart};
pub use keeper::{Config, Keeper, Persistence};
pub use session::{Session, SessionInfo};
pub use wallet::Wallet;

#[cfg(target_arch = "wasm32")]
pub use browser::{Core, StorageArea};
