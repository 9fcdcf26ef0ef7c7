//! `Core`: the [`Engine`] as a wasm-bindgen class. JavaScript reaches it through one method,
//! [`Core::call`], with an operation number and a few strings and numbers: one export, one
//! wrapper on each side of the boundary, where a method per operation cost ≈ 2 KB gzip of
//! generated wrappers. Each call returns the [`Outcome`](crate::engine::Outcome) as JSON text
//! (or the snapshot); nothing is decided here.

use wasm_bindgen::prelude::*;

use super::storage_area::StorageArea;
use crate::engine::{Engine, Source};
use crate::keeper::{Config, Persistence};
use crate::storage::Storage;
use crate::{wire, Wallet};

/// The session engine for one environment, driven by the JavaScript shell. Times are the
/// shell's `Date.now()`, so that a faked clock (tests) is the one clock.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Core(Engine);

/// The operations of [`Core::call`], numbered as the shell's constants of the same names
/// (`pkg-template/src/ops.js`; `make pkg` checks that the two agree with
/// `scripts/check_ops.mjs`) number them. Arguments: `a`, `b`, `c` strings, `x`, `y` numbers.
mod op {
    /// → the snapshot.
    pub const SNAPSHOT: u8 = 0;
    /// `a` token, `b` user JSON, `c` wallets JSON.
    pub const SET_SESSION: u8 = 1;
    /// `a` user JSON.
    pub const SET_USER: u8 = 2;
    /// `a` address, `b` chain, `c` connector.
    pub const CONNECT_WALLET: u8 = 3;
    /// `a` address.
    pub const DISCONNECT_WALLET: u8 = 4;
    /// → the value is the ended token.
    pub const LOGOUT: u8 = 5;
    /// Also what an unknown number does.
    pub const CHECK: u8 = 6;
    /// `a` key (absent: storage cleared), `b` new value (absent: removed).
    pub const STORAGE_CHANGED: u8 = 7;
    /// `x` 1 when the network came back.
    pub const WAKE: u8 = 8;
    pub const POLL: u8 = 9;
    /// `a` the token the request carried, `b` `"expired"` when a 401 said so, `x` status (0: no
    /// answer), `y` the `Date` header in epoch ms (NaN: none). A session check's answer...
    pub const ANSWER_CHECK: u8 = 10;
    /// ... and a `keeper.fetch` answer from under `apiBaseUrl`.
    pub const ANSWER_FETCH: u8 = 11;
    /// `x` a server `Date` (epoch ms).
    pub const SERVER_TIME: u8 = 12;
}

/// JavaScript numbers to epoch milliseconds (NaN and infinities to 0).
fn ms(n: f64) -> i64 {
    if n.is_finite() {
        n as i64
    } else {
        0
    }
}

#[wasm_bindgen]
impl Core {
    /// A keeper for `environment_id` on `storage` (absent: memory; `session_storage` says which
    /// Web Storage it is). Restores a stored session; call `CHECK` or `POLL` next.
    #[wasm_bindgen(constructor)]
    pub fn new(environment_id: String, leeway_ms: f64, check_interval_ms: f64, storage: Option<StorageArea>, session_storage: bool, now: f64) -> Core {
        let persistence = if session_storage { Persistence::Session } else { Persistence::Local };
        let config = Config { environment_id, leeway_ms: ms(leeway_ms), persistence };
        let storage = storage.map(|s| Box::new(s) as Box<dyn Storage>);
        Core(Engine::new(config, storage, ms(check_interval_ms), ms(now)))
    }

    /// Performs operation `op` (see the `op` numbers) at `now`.
    #[allow(clippy::too_many_arguments)] // the boundary's one entry point
    pub fn call(&mut self, op: u8, a: Option<String>, b: Option<String>, c: Option<String>, x: f64, y: f64, now: f64) -> String {
        let e = &mut self.0;
        let now = ms(now);
        let text = |s: Option<String>| s.unwrap_or_default();
        let outcome = match op {
            op::SNAPSHOT => return e.snapshot().to_owned(),
            op::SET_SESSION => e.set_session(&text(a), b, c.as_deref(), now),
            op::SET_USER => e.set_user(text(a), now),
            op::CONNECT_WALLET => e.connect_wallet(Wallet::connected(&text(a), &text(b), &text(c)), now),
            op::DISCONNECT_WALLET => e.disconnect_wallet(&text(a), now),
            op::LOGOUT => e.logout(now),
            op::STORAGE_CHANGED => e.storage_changed(a.as_deref(), b.as_deref(), now),
            op::WAKE => e.wake(x == 1.0, now),
            op::POLL => e.poll(now),
            op::ANSWER_CHECK | op::ANSWER_FETCH => {
                let status = (1.0..=999.0).contains(&x).then_some(x as u16);
                let date = y.is_finite().then(|| ms(y));
                let source = if op == op::ANSWER_FETCH { Source::Fetch } else { Source::Check };
                e.answer(&text(a), status, date, b.as_deref() == Some("expired"), source, now)
            }
            op::SERVER_TIME => e.server_time(ms(x), now),
            op::CHECK => e.check(now),
            _ => e.check(now),
        };
        wire::outcome(&outcome)
    }
}

/// The same operations by name, for Rust callers (the browser tests of the boundary).
impl Core {
    /// The snapshot as JSON text.
    pub fn snapshot(&mut self) -> String {
        self.call(op::SNAPSHOT, None, None, None, 0.0, 0.0, 0.0)
    }

    /// `setSession`: the user as JSON text and the wallets as a JSON array, when given.
    pub fn set_session(&mut self, token: &str, user: Option<String>, wallets: Option<String>, now: f64) -> String {
        self.call(op::SET_SESSION, Some(token.to_owned()), user, wallets, 0.0, 0.0, now)
    }

    /// `setUser`, the user as JSON text.
    pub fn set_user(&mut self, user: String, now: f64) -> String {
        self.call(op::SET_USER, Some(user), None, None, 0.0, 0.0, now)
    }

    /// `logout`: the value is the ended token.
    pub fn logout(&mut self, now: f64) -> String {
        self.call(op::LOGOUT, None, None, None, 0.0, 0.0, now)
    }

    /// A `storage` event (`key` and `value` as the event has them).
    pub fn storage_changed(&mut self, key: Option<String>, value: Option<String>, now: f64) -> String {
        self.call(op::STORAGE_CHANGED, key, value, None, 0.0, 0.0, now)
    }
}
