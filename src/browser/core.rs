//! `Core`: the [`Engine`] as a wasm-bindgen class. Each method converts its arguments, calls the
//! engine and returns the [`Outcome`](crate::engine::Outcome) as JSON text; it decides nothing.

use wasm_bindgen::prelude::*;

use super::storage_area::StorageArea;
use crate::engine::{Engine, Outcome, Source};
use crate::keeper::{Config, Persistence};
use crate::storage::Storage;
use crate::{wire, Wallet};

/// The session engine for one environment, driven by the JavaScript shell. Times are the
/// shell's `Date.now()`, so that a faked clock (tests) is the one clock.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Core(Engine);

/// JavaScript numbers to epoch milliseconds (NaN and infinities to 0).
fn ms(n: f64) -> i64 {
    if n.is_finite() {
        n as i64
    } else {
        0
    }
}

fn text(outcome: &Outcome) -> String {
    wire::outcome(outcome)
}

#[wasm_bindgen]
impl Core {
    /// A keeper for `environment_id` on `storage` (absent: memory; `session_storage` says which
    /// Web Storage it is). Restores a stored session; call `check` or `poll` next.
    #[wasm_bindgen(constructor)]
    pub fn new(environment_id: String, leeway_ms: f64, check_interval_ms: f64, storage: Option<StorageArea>, session_storage: bool, now: f64) -> Core {
        let persistence = if session_storage { Persistence::Session } else { Persistence::Local };
        let config = Config { environment_id, leeway_ms: ms(leeway_ms), persistence };
        let storage = storage.map(|s| Box::new(s) as Box<dyn Storage>);
        Core(Engine::new(config, storage, ms(check_interval_ms), ms(now)))
    }

    /// The snapshot as JSON text.
    pub fn snapshot(&self) -> String {
        self.0.snapshot().to_owned()
    }

    /// `setSession`: the user as JSON text and the wallets as a JSON array, when given.
    #[wasm_bindgen(js_name = setSession)]
    pub fn set_session(&mut self, token: &str, user: Option<String>, wallets: Option<String>, now: f64) -> String {
        text(&self.0.set_session(token, user, wallets.as_deref(), ms(now)))
    }

    /// `setUser`, the user as JSON text.
    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&mut self, user: String, now: f64) -> String {
        text(&self.0.set_user(user, ms(now)))
    }

    /// `connectWallet`.
    #[wasm_bindgen(js_name = connectWallet)]
    pub fn connect_wallet(&mut self, address: &str, chain: &str, connector: &str, now: f64) -> String {
        text(&self.0.connect_wallet(Wallet::connected(address, chain, connector), ms(now)))
    }

    /// `disconnectWallet`.
    #[wasm_bindgen(js_name = disconnectWallet)]
    pub fn disconnect_wallet(&mut self, address: &str, now: f64) -> String {
        text(&self.0.disconnect_wallet(address, ms(now)))
    }

    /// `logout`: the value is the ended token, for the backend's revoke call.
    pub fn logout(&mut self, now: f64) -> String {
        text(&self.0.logout(ms(now)))
    }

    /// A timer fired or a read found the end time passed.
    pub fn check(&mut self, now: f64) -> String {
        text(&self.0.check(ms(now)))
    }

    /// A `storage` event of this keeper's storage area (`key` and `value` as the event has them).
    #[wasm_bindgen(js_name = storageChanged)]
    pub fn storage_changed(&mut self, key: Option<String>, value: Option<String>, now: f64) -> String {
        text(&self.0.storage_changed(key.as_deref(), value.as_deref(), ms(now)))
    }

    /// The page woke up and is visible.
    pub fn wake(&mut self, online: bool, now: f64) -> String {
        text(&self.0.wake(online, ms(now)))
    }

    /// The revocation timer fired, or a restored session wants its first check.
    pub fn poll(&mut self, now: f64) -> String {
        text(&self.0.poll(ms(now)))
    }

    /// The backend's answer to a request sent with `token`: `status` 0 for no answer, `date`
    /// NaN without a usable `Date` header; `expired` when a 401 said the token expired.
    pub fn answer(&mut self, token: &str, status: u16, date: f64, expired: bool, from_fetch: bool, now: f64) -> String {
        let status = (status != 0).then_some(status);
        let date = date.is_finite().then(|| ms(date));
        let source = if from_fetch { Source::Fetch } else { Source::Check };
        text(&self.0.answer(token, status, date, expired, source, ms(now)))
    }

    /// A server `Date` header (epoch ms) seen outside a session check.
    #[wasm_bindgen(js_name = serverTime)]
    pub fn server_time(&mut self, date: f64, now: f64) -> String {
        text(&self.0.server_time(ms(date), ms(now)))
    }
}
