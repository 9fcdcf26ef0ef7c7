//! The storage-event path: two tabs (two `Engine`s on one `MemoryStorage`) driven through a
//! sequence of calls decoded from the input — storage events carrying anything another tab or
//! a hostile script could write, direct writes to storage, checks, `setSession`, logout,
//! backend answers, server clock readings, storage failures — with the invariants below checked
//! after every call:
//!
//! - nothing panics;
//! - the snapshot and the call's outcome (`wire::outcome`) are valid JSON (`json::is_valid` and
//!   serde_json), and the snapshot shows exactly the keeper's session;
//! - a refused call (`error`) changed nothing: no events, same snapshot and revision, same storage;
//! - the revision changes exactly when the snapshot text does; `wakeAt` is the session's end;
//! - events describe the transitions: an end only while a session is active, a start only when
//!   none is, and afterwards "active" is exactly whether the keeper has a session;
//! - a session's token decodes, belongs to this environment, and the session never outlives it:
//!   `ends_at <= exp - leeway - skew` (local ms; `expiry::server_end` also caps at 30 days);
//! - after a check (`check`, `wake`) the session, if any, has not reached its end, and after a
//!   successful `setSession` there is a session that has not.
#![no_main]

use std::collections::VecDeque;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use session_keeper::engine::{Engine, Outcome, Source};
use session_keeper::record::{self, Ended, Record, StoredSession};
use session_keeper::storage::{MemoryStorage, Storage, StorageError};
use session_keeper::{jwt, wire, Config, EndReason, Event, Persistence, Wallet};
use session_keeper_fuzz::{assert_json, jwt as make_jwt, serde_accepts, ENV, MAX_JS_TIME, T0};

const SIDS: [&str; 4] = ["s-0", "s-1", "s-2", "s-3"];

/// A token: built from claims (most of the time), or any text.
#[derive(Arbitrary, Debug)]
enum TokenSpec {
    Built {
        /// `sid`: one of four, or none.
        sid: u8,
        /// `iat`, seconds from T0.
        iat: Option<i32>,
        /// `exp - iat` (or `exp - T0` without `iat`), seconds; may be zero or negative.
        life: i32,
        /// 0: this environment; 1: none; else another one.
        env: u8,
        /// A verified wallet in `verified_credentials`.
        wallet: bool,
    },
    Raw(String),
}

impl TokenSpec {
    fn text(&self) -> String {
        match self {
            TokenSpec::Raw(text) => text.clone(),
            TokenSpec::Built { sid, iat, life, env, wallet } => {
                let t0 = T0 / 1000;
                let mut claims = String::from("{\"sub\":\"user-1\"");
                if let Some(sid) = SIDS.get(usize::from(*sid)) {
                    claims.push_str(&format!(",\"sid\":\"{sid}\""));
                }
                match env {
                    0 => claims.push_str(&format!(",\"environment_id\":\"{ENV}\"")),
                    1 => {}
                    _ => claims.push_str(",\"environment_id\":\"another-env\""),
                }
                let start = t0 + i64::from(iat.unwrap_or(0));
                if iat.is_some() {
                    claims.push_str(&format!(",\"iat\":{start}"));
                }
                claims.push_str(&format!(",\"exp\":{}", start + i64::from(*life)));
                if *wallet {
                    claims.push_str(
                        ",\"verified_credentials\":[{\"format\":\"blockchain\",\"address\":\"0xAbC1\",\"chain\":\"eip155\",\"wallet_name\":\"metamask\"}]",
                    );
                }
                claims.push('}');
                make_jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", &claims)
            }
        }
    }
}

/// A user object as the app passes it (JSON text).
#[derive(Arbitrary, Debug)]
enum UserSpec {
    Null,
    Named(String),
    Raw(String),
}

impl UserSpec {
    fn text(&self) -> String {
        match self {
            UserSpec::Null => "null".into(),
            UserSpec::Named(name) => format!("{{\"name\":{}}}", wire::string(name)),
            UserSpec::Raw(text) => text.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct WalletSpec {
    address: String,
    chain: String,
    verified: bool,
}

impl WalletSpec {
    fn wallet(&self) -> Wallet {
        Wallet { address: self.address.clone(), chain: self.chain.clone(), connector: "c".into(), verified: self.verified }
    }
}

#[derive(Arbitrary, Debug)]
enum Millis {
    /// Milliseconds.
    Small(i32),
    Any(i64),
}

impl Millis {
    fn ms(&self) -> i64 {
        match self {
            Millis::Small(n) => i64::from(*n),
            Millis::Any(n) => *n,
        }
    }
}

/// A value stored under this keeper's key.
#[derive(Arbitrary, Debug)]
enum ValueSpec {
    Session { token: TokenSpec, user: Option<UserSpec>, wallets: Vec<WalletSpec>, skew: Millis, anchor: Option<Millis> },
    Ended { sid: u8, reason: u8, at: Millis },
    /// A record of a newer schema version.
    Newer(String),
    Raw(String),
}

impl ValueSpec {
    fn text(&self) -> String {
        match self {
            ValueSpec::Session { token, user, wallets, skew, anchor } => record::encode(&Record::Session(StoredSession {
                token: token.text(),
                user: user.as_ref().map(UserSpec::text),
                wallets: wallets.iter().map(WalletSpec::wallet).collect(),
                skew: skew.ms(),
                anchor: anchor.as_ref().map_or(T0, |a| T0.saturating_add(a.ms())),
            })),
            ValueSpec::Ended { sid, reason, at } => record::encode(&Record::Ended(Ended {
                key: format!("sid:{}", SIDS.get(usize::from(*sid)).copied().unwrap_or("nope")),
                reason: [EndReason::Logout, EndReason::Expired, EndReason::Revoked, EndReason::Replaced]
                    [usize::from(*reason) % 4],
                at: T0.saturating_add(at.ms()),
            })),
            ValueSpec::Newer(rest) => format!("{{\"v\":2,{rest}"),
            ValueSpec::Raw(text) => text.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum EventKey {
    Ours,
    Other,
    /// `storage.clear()`: the event has no key.
    Cleared,
}

#[derive(Arbitrary, Debug)]
enum Call {
    /// A `storage` event that may or may not match what storage holds (events arrive late).
    StorageEvent { key: EventKey, value: Option<ValueSpec> },
    /// Another tab or a script writes (or removes) the record; the event comes with it or not.
    Write { value: Option<ValueSpec>, notify: bool },
    /// Delivers the oldest change the other tab made (as the browser queues `storage` events).
    Deliver,
    Check,
    SetSession { token: TokenSpec, user: Option<UserSpec>, wallets: Option<Vec<WalletSpec>> },
    /// `setSession` again with the token this tab already holds.
    SetSameToken,
    SetUser(UserSpec),
    Connect(WalletSpec),
    Disconnect(String),
    Logout,
    Wake { online: bool },
    Poll,
    Answer { current: bool, token: TokenSpec, status: Option<u16>, date: Option<Millis>, expired: bool, fetch: bool },
    ServerTime(Millis),
    FailReads(bool),
    FailWrites(u8),
}

#[derive(Arbitrary, Debug)]
struct Step {
    /// Which tab is called.
    tab: bool,
    /// How far the clock moves first (ms; may go back, as device clocks do).
    dt: i32,
    call: Call,
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// What storage holds when the tabs start.
    initial: Option<ValueSpec>,
    leeway: Millis,
    /// Seconds between revocation checks (0: none).
    interval: u8,
    steps: Vec<Step>,
}

struct Tab {
    engine: Engine,
    /// The revision of this tab's last outcome.
    revision: u32,
    /// Changes this tab made that the other tab has not been told about yet.
    sent: VecDeque<(String, Option<String>)>,
}

/// What a failed assertion names: the call, lazily formatted.
struct Ctx<'a> {
    tab: usize,
    call: &'a Call,
    now: i64,
}

impl std::fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tab {}, {:?} at {}", self.tab, self.call, self.now)
    }
}

fuzz_target!(|input: Input| run(input));

fn run(input: Input) {
    let storage = MemoryStorage::default();
    let key = record::storage_key(ENV);
    if let Some(value) = &input.initial {
        storage.set(&key, &value.text()).expect("memory storage writes");
    }
    let leeway = input.leeway.ms();
    let config = Config { environment_id: ENV.into(), leeway_ms: leeway, persistence: Persistence::Local };
    let interval = i64::from(input.interval) * 10_000;
    let mut now = T0;
    let mut tabs: Vec<Tab> = (0..2)
        .map(|_| {
            let engine = Engine::new(config.clone(), Some(Box::new(storage.clone())), interval, now);
            Tab { engine, revision: 1, sent: VecDeque::new() }
        })
        .collect();
    storage.take_changes();
    for tab in &tabs {
        check_session(&tab.engine, leeway);
        assert_json("a snapshot", tab.engine.snapshot());
    }

    for step in input.steps.iter().take(64) {
        now = now.saturating_add(i64::from(step.dt)).clamp(0, MAX_JS_TIME);
        let (me, other) = if step.tab { (1, 0) } else { (0, 1) };
        let ctx = Ctx { tab: me, call: &step.call, now };
        let delivery = match step.call {
            Call::Deliver => match tabs[other].sent.pop_front() {
                Some(change) => Some(change),
                None => continue,
            },
            _ => None,
        };
        let tab = &mut tabs[me];
        let before_snapshot = tab.engine.snapshot().to_owned();
        let before_active = tab.engine.keeper().session().is_some();
        let before_stored = storage.get(&key);
        let engine = &mut tab.engine;
        let mut checked = false;
        let mut ignored = false;
        let outcome = match &step.call {
            Call::StorageEvent { key: which, value } => {
                let value = value.as_ref().map(ValueSpec::text);
                let event_key = match which {
                    EventKey::Ours => Some(key.as_str()),
                    EventKey::Other => Some("another-key"),
                    EventKey::Cleared => None,
                };
                ignored = matches!(which, EventKey::Other);
                engine.storage_changed(event_key, value.as_deref(), now)
            }
            Call::Write { value, notify } => {
                let value = value.as_ref().map(ValueSpec::text);
                let written = match &value {
                    Some(text) => storage.set(&key, text),
                    None => storage.remove(&key),
                };
                storage.take_changes();
                if written.is_err() || !notify {
                    continue;
                }
                engine.storage_changed(Some(&key), value.as_deref(), now)
            }
            Call::Deliver => {
                let (changed, value) = delivery.expect("popped above");
                engine.storage_changed(Some(&changed), value.as_deref(), now)
            }
            Call::Check => {
                checked = true;
                engine.check(now)
            }
            Call::SetSession { token, user, wallets } => {
                let wallets = wallets.as_ref().map(|list| {
                    let mut text = String::new();
                    let list: Vec<Wallet> = list.iter().map(WalletSpec::wallet).collect();
                    session_keeper::wallet::push_list(&mut text, &list);
                    text
                });
                engine.set_session(&token.text(), user.as_ref().map(UserSpec::text), wallets.as_deref(), now)
            }
            Call::SetSameToken => {
                let Some(token) = engine.keeper().session().map(|s| s.token().to_owned()) else { continue };
                engine.set_session(&token, None, None, now)
            }
            Call::SetUser(user) => engine.set_user(user.text(), now),
            Call::Connect(wallet) => engine.connect_wallet(wallet.wallet(), now),
            Call::Disconnect(address) => engine.disconnect_wallet(address, now),
            Call::Logout => engine.logout(now),
            Call::Wake { online } => {
                checked = true;
                engine.wake(*online, now)
            }
            Call::Poll => engine.poll(now),
            Call::Answer { current, token, status, date, expired, fetch } => {
                let token = match engine.keeper().session() {
                    Some(s) if *current => s.token().to_owned(),
                    _ => token.text(),
                };
                let date = date.as_ref().map(|d| now.saturating_add(d.ms()));
                let source = if *fetch { Source::Fetch } else { Source::Check };
                engine.answer(&token, *status, date, *expired, source, now)
            }
            Call::ServerTime(offset) => engine.server_time(now.saturating_add(offset.ms()), now),
            Call::FailReads(fail) => {
                storage.fail_reads(*fail);
                continue;
            }
            Call::FailWrites(which) => {
                storage.fail_writes(match which % 3 {
                    0 => None,
                    1 => Some(StorageError::Full),
                    _ => Some(StorageError::Unavailable),
                });
                continue;
            }
        };
        let engine = &tab.engine;
        check_outcome(engine, &outcome, &ctx);
        check_session(engine, leeway);

        let snapshot = engine.snapshot();
        assert_eq!(snapshot != before_snapshot, outcome.revision != tab.revision, "revision vs snapshot: {ctx}");
        tab.revision = outcome.revision;
        if outcome.error.is_some() || ignored {
            assert!(outcome.events.is_empty(), "a refused or ignored call raised events: {ctx}");
            assert_eq!(snapshot, before_snapshot, "a refused or ignored call changed the snapshot: {ctx}");
            assert_eq!(storage.get(&key), before_stored, "a refused or ignored call changed storage: {ctx}");
        }
        // Events are the transitions.
        let mut active = before_active;
        for event in &outcome.events {
            match event {
                Event::End(_) => assert!(active, "an end without an active session: {ctx}: {:?}", outcome.events),
                Event::Start(_) => assert!(!active, "a start over an active session: {ctx}: {:?}", outcome.events),
            }
            active = matches!(event, Event::Start(_));
        }
        let session = engine.keeper().session();
        assert_eq!(active, session.is_some(), "events {:?} do not lead to the session: {ctx}", outcome.events);
        if checked {
            if let Some(s) = session {
                assert!(s.ends_at() > now, "a checked session is past its end ({}): {ctx}", s.ends_at());
            }
        }
        if matches!(step.call, Call::SetSession { .. } | Call::SetSameToken) && outcome.error.is_none() {
            let s = session.unwrap_or_else(|| panic!("setSession succeeded without a session: {ctx}"));
            assert!(s.ends_at() > now, "setSession kept a session past its end: {ctx}");
        }
        // What this tab wrote, the other one hears about (the browser queues the events).
        tab.sent.extend(storage.take_changes());
        while tab.sent.len() > 16 {
            tab.sent.pop_front();
        }
    }
}

fn check_outcome(engine: &Engine, outcome: &Outcome, ctx: &Ctx) {
    assert_json("an outcome", &wire::outcome(outcome));
    assert_json("a snapshot", engine.snapshot());
    let session = engine.keeper().session();
    assert_eq!(outcome.wake_at, session.map(|s| s.ends_at()), "wakeAt: {ctx}");
    if serde_accepts(engine.snapshot()) == Some(true) {
        let mut de = serde_json::Deserializer::from_str(engine.snapshot());
        de.disable_recursion_limit();
        let snapshot: serde_json::Value = match serde::Deserialize::deserialize(&mut de) {
            Ok(value) => value,
            // Numbers out of f64 range or lone surrogates in the user object: grammar-valid,
            // not representable as a `Value`.
            Err(_) => return,
        };
        assert_eq!(snapshot["isActive"], serde_json::json!(session.is_some()), "{ctx}");
        assert_eq!(snapshot["token"].as_str(), session.map(|s| s.token()), "{ctx}");
        assert_eq!(snapshot["session"]["expiresAt"].as_i64(), session.map(|s| s.ends_at()), "{ctx}");
    }
}

/// A session holds a token of this environment and ends no later than the token does.
fn check_session(engine: &Engine, leeway: i64) {
    let Some(s) = engine.keeper().session() else { return };
    let claims = jwt::decode(s.token()).expect("a session's token decodes");
    assert!(claims.environment_id.as_deref().is_none_or(|e| e == ENV), "{claims:?}");
    let latest = claims.expires_at_ms.saturating_sub(leeway).saturating_sub(s.clock_skew_ms());
    assert!(
        s.ends_at() <= latest,
        "the session ends at {} (local), after its token: exp {} - leeway {leeway} - skew {} = {latest}",
        s.ends_at(),
        claims.expires_at_ms,
        s.clock_skew_ms()
    );
}
