//! Shared by the native and the browser tests: tokens made to order, and a fake browser of
//! tabs that share storage and see each other's `storage` events.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

pub const ENV: &str = "env-test";
pub const SECOND: i64 = 1_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;
/// A fixed "now" for native tests: 2026-11-27T00:00:00Z.
pub const T0: i64 = 1_795_737_600_000;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWT with these claims (the signature is not checked by the SDK).
pub fn jwt(claims: &Value) -> String {
    raw_jwt(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#, &claims.to_string())
}

pub fn raw_jwt(header: &str, payload: &str) -> String {
    format!("{}.{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()), b64(b"not-a-real-signature"))
}

/// Claims of a Dynamic-style token for session `sid`, issued at `iat_ms`, living `life_ms`.
pub fn claims(sid: &str, iat_ms: i64, life_ms: i64) -> Value {
    json!({
        "sub": "user-1",
        "sid": sid,
        "environment_id": ENV,
        "iss": "app.dynamicauth.com/env-test",
        "iat": iat_ms / 1000,
        "exp": (iat_ms + life_ms) / 1000,
        "verified_credentials": [
            { "format": "email", "email": "ada@example.com" },
            { "format": "blockchain", "address": "0xAbC0000000000000000000000000000000000001",
              "chain": "eip155", "wallet_name": "metamask" }
        ]
    })
}

/// A token for session `sid` issued at `iat_ms` and living `life_ms`.
pub fn token(sid: &str, iat_ms: i64, life_ms: i64) -> String {
    jwt(&claims(sid, iat_ms, life_ms))
}

use session_keeper::storage::{MemoryStorage, Storage};
use session_keeper::{Config, EndReason, Event, Keeper, Persistence};

pub fn config() -> Config {
    Config { environment_id: ENV.into(), leeway_ms: 0, persistence: Persistence::Local }
}

/// A keeper on this storage (a "tab").
pub fn tab(storage: &MemoryStorage, now: i64) -> Keeper {
    Keeper::new(config(), Some(Box::new(storage.clone()) as Box<dyn Storage>), now)
}

/// The end events among `events`, as (reason, remote).
pub fn ends(events: &[Event]) -> Vec<(EndReason, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::End(end) => Some((end.reason, end.remote)),
            Event::Start(_) => None,
        })
        .collect()
}

/// The start events among `events`, as (session id, remote).
pub fn starts(events: &[Event]) -> Vec<(Option<String>, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Start(s) => Some((s.session.session_id.clone(), s.remote)),
            Event::End(_) => None,
        })
        .collect()
}

/// Several tabs of one origin: they share storage, and each sees the others' changes as
/// `storage` events when [`Browser::deliver`] is called (as the browser queues them).
pub struct Browser {
    pub storage: MemoryStorage,
    pub tabs: Vec<Keeper>,
}

impl Browser {
    pub fn new(tabs: usize, now: i64) -> Self {
        let storage = MemoryStorage::default();
        let tabs = (0..tabs).map(|_| tab(&storage, now)).collect();
        Browser { storage, tabs }
    }

    /// Delivers the storage changes made so far by tab `from` to every other tab and
    /// returns the events each tab raised (the sender's entry is empty). Changes a
    /// receiving tab makes in turn are delivered too, until storage is quiet.
    pub fn deliver(&mut self, from: usize, now: i64) -> Vec<Vec<Event>> {
        let mut events = vec![Vec::new(); self.tabs.len()];
        let mut pending = vec![(from, self.storage.take_changes())];
        let mut rounds = 0;
        while let Some((sender, changes)) = pending.pop() {
            rounds += 1;
            assert!(rounds < 20, "tabs keep writing in response to each other: an echo loop");
            for (i, tab) in self.tabs.iter_mut().enumerate() {
                if i == sender {
                    continue;
                }
                for (key, value) in &changes {
                    if key == tab.storage_key() {
                        events[i].extend(tab.storage_changed(value.as_deref(), now));
                    }
                }
                let echoed = self.storage.take_changes();
                if !echoed.is_empty() {
                    pending.push((i, echoed));
                }
            }
        }
        events
    }
}

/// The stored record of a live session holding `token`, as a keeper writes it.
pub fn record_of(token: &str) -> String {
    use session_keeper::record::{encode, Record, StoredSession};
    encode(&Record::Session(StoredSession { token: token.into(), user: None, wallets: Vec::new(), skew: 0, anchor: T0 }))
}
