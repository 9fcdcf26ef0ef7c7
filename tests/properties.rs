//! Property tests: the short, stable version of the fuzz targets in `fuzz/` (run there with
//! `bash fuzz/run.sh` on nightly). The same four properties, on generated input:
//! - `jwt::decode` never panics, on any string and on mutations of valid tokens, and what it
//!   accepts is a plausible token;
//! - `record::parse` is total, and a record it reads survives `encode` → `parse` unchanged;
//! - an `Engine` (two tabs on one storage) driven through storage events, writes, checks,
//!   `setSession` and the rest keeps its invariants after every call;
//! - `json::is_valid` agrees with serde_json, including on deep nesting (built iteratively).
//!
//! 256 cases per property by default; `PROPTEST_CASES=N cargo test --test properties` runs more.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::VecDeque;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value;
use session_keeper::engine::{Engine, Outcome, Source};
use session_keeper::json::{self, Reader};
use session_keeper::jwt::{self, MAX_NUMERIC_DATE};
use session_keeper::record::{self, Ended, Parsed, Record, StoredSession};
use session_keeper::storage::{MemoryStorage, Storage, StorageError};
use session_keeper::{wire, EndReason, Event, Wallet};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256);
    // No regression files written into the source tree: a failure prints its input.
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Generators

/// Characters a mutation inserts: mostly ones that matter to a JWT, sometimes anything.
fn token_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select("ABCXYZabcxyz0189-_.=+/ {}\"".chars().collect::<Vec<_>>()),
        1 => any::<char>(),
    ]
}

/// Edits: (position seed, kind, character).
fn edits() -> impl Strategy<Value = Vec<(usize, u8, char)>> {
    prop::collection::vec((any::<usize>(), 0_u8..4, token_char()), 1..6)
}

/// Applies edits by character: insert, remove, replace, truncate.
fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(seed, kind, c) in edits {
        let i = seed % (chars.len() + 1);
        match kind {
            0 => chars.insert(i, c),
            1 if i < chars.len() => {
                chars.remove(i);
            }
            2 if i < chars.len() => chars[i] = c,
            3 => chars.truncate(i),
            _ => chars.push(c),
        }
    }
    chars.into_iter().collect()
}

/// Any JSON value, as serde_json builds it (so `to_string` is valid JSON by construction).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e300_f64..1e300).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Pieces of JSON-like text, valid and not, that concatenate into near-JSON.
const PIECES: &[&str] = &[
    "{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\"a\"", "\"\"", "\"é\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
    "\"\\n\\\"\\\\\\/\"", "\"\\x\"", "\"\u{1}\"", "\"\\u12\"", "\"", "\\", "0", "-1", "12.5", "1e5", "-0.0E-2",
    "01", "1.", ".5", "-", "+1", "e", "true", "false", "null", "tru", "nul", "nulll", "x", "\u{a0}",
];

fn json_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|pieces| pieces.concat())
}

/// Deepest nesting of `[`/`{` outside strings.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0_usize, 0_usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    max
}

/// serde_json's verdict on the JSON grammar, or `None` where it cannot give one: nesting near
/// its recursion limit (128), or text it refuses for what it is, not for its grammar (numbers
/// beyond f64, lone surrogate escapes, which RFC 8259's grammar allows).
fn serde_verdict(text: &str) -> Option<bool> {
    if nesting_depth(text) >= 100 {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(_) => Some(true),
        Err(e) => {
            let message = e.to_string();
            let not_grammar = ["number out of range", "surrogate", "end of hex escape"];
            (!not_grammar.iter().any(|m| message.contains(m))).then_some(false)
        }
    }
}

fn assert_json(what: &str, text: &str) {
    assert!(json::is_valid(text), "{what} is not valid JSON: {text:?}");
    assert_ne!(serde_verdict(text), Some(false), "serde_json rejects {what}: {text:?}");
}

/// What an accepted token must be: a plausible lifetime, verified wallets with addresses.
fn check_claims(token: &str) {
    let result = jwt::decode(token);
    assert_eq!(jwt::decode(token), result, "decode is deterministic");
    match result {
        Ok(claims) => {
            assert!(claims.expires_at_ms > 0 && claims.expires_at_ms <= (MAX_NUMERIC_DATE * 1000.0) as i64);
            if let Some(iat) = claims.issued_at_ms {
                assert!(iat > 0 && iat < claims.expires_at_ms, "{claims:?}");
            }
            assert!(claims.verified_wallets.iter().all(|w| w.verified && !w.address.is_empty()));
            assert_eq!(token.split('.').count(), 3);
        }
        Err(e) => assert_eq!(e.code(), "invalid_token"),
    }
}

// ---------------------------------------------------------------------------------------------
// jwt::decode

proptest! {
    #![proptest_config(config())]

    #[test]
    fn jwt_decode_never_panics_on_any_string(text in any::<String>()) {
        check_claims(&text);
    }

    #[test]
    fn jwt_decode_never_panics_on_three_part_strings(parts in prop::collection::vec("[A-Za-z0-9_=+/-]{0,40}", 3)) {
        check_claims(&parts.join("."));
    }

    #[test]
    fn jwt_decode_reads_valid_tokens_and_survives_their_mutations(
        sid in "[a-z0-9-]{1,12}",
        iat_s in 1_i64..4_000_000_000,
        life_s in 1_i64..(400 * 86_400),
        edits in edits(),
    ) {
        let token = token(&sid, iat_s * 1000, life_s * 1000);
        let claims = jwt::decode(&token).expect("a valid token decodes");
        prop_assert_eq!(claims.session_id.as_deref(), Some(sid.as_str()));
        prop_assert_eq!(claims.issued_at_ms, Some(iat_s * 1000));
        prop_assert_eq!(claims.expires_at_ms, (iat_s + life_s) * 1000);
        check_claims(&mutate(&token, &edits));
    }

    #[test]
    fn jwt_decode_survives_mutated_claims(
        iat_s in 1_i64..4_000_000_000,
        life_s in 1_i64..(400 * 86_400),
        edits in edits(),
        header_edits in prop::option::of(edits()),
    ) {
        // The claims JSON itself mutated, then encoded: reaches the claim reader.
        let payload = claims("s-1", iat_s * 1000, life_s * 1000).to_string();
        let header = r#"{"alg":"RS256","typ":"JWT"}"#;
        let header = header_edits.map_or(header.to_owned(), |e| mutate(header, &e));
        check_claims(&raw_jwt(&header, &mutate(&payload, &edits)));
    }

    #[test]
    fn jwt_decode_survives_any_json_payload(payload in json_value(), like in json_like()) {
        check_claims(&raw_jwt("{}", &payload.to_string()));
        check_claims(&raw_jwt("{}", &like));
        check_claims(&raw_jwt(&like, r#"{"exp":2000000000}"#));
    }
}

// ---------------------------------------------------------------------------------------------
// record::parse

fn wallet() -> impl Strategy<Value = Wallet> {
    ("[^\u{0}]{1,20}", any::<String>(), "[a-z]{0,8}", any::<bool>())
        .prop_map(|(address, chain, connector, verified)| Wallet { address, chain, connector, verified })
}

const LIMIT: i64 = 1 << 53;

fn stored_session() -> impl Strategy<Value = StoredSession> {
    let token = prop_oneof![any::<String>(), ("[a-z0-9]{1,8}", 1_i64..4_000_000_000).prop_map(|(sid, iat)| token(&sid, iat * 1000, HOUR))];
    // A user object `null` is stored as no user: generate others.
    let user = prop::option::of(json_value().prop_filter("not null", |v| !v.is_null()).prop_map(|v| v.to_string()));
    (token, user, prop::collection::vec(wallet(), 0..4), -LIMIT..=LIMIT, -LIMIT..=LIMIT)
        .prop_map(|(token, user, wallets, skew, anchor)| StoredSession { token, user, wallets, skew, anchor })
}

fn end_reason() -> impl Strategy<Value = EndReason> {
    prop::sample::select(vec![EndReason::Logout, EndReason::Expired, EndReason::Revoked, EndReason::Replaced])
}

fn a_record() -> impl Strategy<Value = Record> {
    prop_oneof![
        stored_session().prop_map(Record::Session),
        (any::<String>(), end_reason(), -LIMIT..=LIMIT).prop_map(|(key, reason, at)| Record::Ended(Ended { key, reason, at })),
    ]
}

/// If `text` parses as a record, that record survives encode → parse, as valid JSON.
fn check_round_trip(text: &str) {
    let Parsed::Record(first) = record::parse(text) else { return };
    let encoded = record::encode(&first);
    assert_json("an encoded record", &encoded);
    match (&first, record::parse(&encoded)) {
        (Record::Session(a), Parsed::Record(Record::Session(b))) => assert_eq!(a, &b),
        (Record::Ended(a), Parsed::Record(Record::Ended(b))) => assert_eq!(a, &b),
        (_, again) => panic!("{text:?} parsed as {first:?}, its encoding {encoded:?} as {again:?}"),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn record_parse_is_total(text in any::<String>(), like in json_like()) {
        check_round_trip(&text);
        check_round_trip(&like);
    }

    #[test]
    fn records_round_trip(record in a_record()) {
        let encoded = record::encode(&record);
        assert_json("an encoded record", &encoded);
        match (&record, record::parse(&encoded)) {
            (Record::Session(a), Parsed::Record(Record::Session(b))) => prop_assert_eq!(a, &b),
            (Record::Ended(a), Parsed::Record(Record::Ended(b))) => prop_assert_eq!(a, &b),
            (_, again) => prop_assert!(false, "{:?} came back as {:?}", record, again),
        }
    }

    #[test]
    fn mutated_records_parse_and_round_trip(record in a_record(), edits in edits()) {
        check_round_trip(&mutate(&record::encode(&record), &edits));
    }
}

// ---------------------------------------------------------------------------------------------
// The storage-event path: two tabs on one storage

#[derive(Debug, Clone)]
enum Tok {
    /// `token(sid, iat, life)` of this environment (`sid` one of four).
    Good { sid: u8, iat: i64, life: i64 },
    /// Without `iat`, without `sid`, or of another environment.
    Odd { kind: u8, exp: i64 },
    Raw(String),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Good { sid, iat, life } => token(&format!("s-{sid}"), T0 + iat, *life),
            Tok::Odd { kind, exp } => {
                let exp = (T0 + exp) / 1000;
                let payload = match kind {
                    0 => format!(r#"{{"sid":"s-1","exp":{exp}}}"#),
                    1 => format!(r#"{{"sub":"u","exp":{exp},"environment_id":"{ENV}"}}"#),
                    _ => format!(r#"{{"sid":"s-2","exp":{exp},"environment_id":"another"}}"#),
                };
                raw_jwt("{}", &payload)
            }
            Tok::Raw(text) => text.clone(),
        }
    }
}

fn tok() -> impl Strategy<Value = Tok> {
    prop_oneof![
        6 => (0_u8..4, -2 * DAY..HOUR, -HOUR..40 * DAY).prop_map(|(sid, iat, life)| Tok::Good { sid, iat, life }),
        2 => (0_u8..3, -HOUR..2 * DAY).prop_map(|(kind, exp)| Tok::Odd { kind, exp }),
        1 => "[a-zA-Z0-9._-]{0,30}".prop_map(Tok::Raw),
    ]
}

#[derive(Debug, Clone)]
enum Stored {
    Session { token: Tok, skew: i64, user: bool },
    Ended { sid: u8, reason: EndReason },
    Newer,
    Raw(String),
}

impl Stored {
    fn text(&self) -> String {
        match self {
            Stored::Session { token, skew, user } => record::encode(&Record::Session(StoredSession {
                token: token.text(),
                user: user.then(|| r#"{"name":"Ada"}"#.to_owned()),
                wallets: vec![Wallet::connected("0xDeF2", "eip155", "metamask")],
                skew: *skew,
                anchor: T0,
            })),
            Stored::Ended { sid, reason } => {
                record::encode(&Record::Ended(Ended { key: format!("sid:s-{sid}"), reason: *reason, at: T0 }))
            }
            Stored::Newer => r#"{"v":2,"session":"whatever"}"#.to_owned(),
            Stored::Raw(text) => text.clone(),
        }
    }
}

fn stored() -> impl Strategy<Value = Stored> {
    prop_oneof![
        5 => (tok(), prop_oneof![Just(0), -DAY..DAY, -LIMIT..=LIMIT], any::<bool>())
            .prop_map(|(token, skew, user)| Stored::Session { token, skew, user }),
        2 => (0_u8..5, end_reason()).prop_map(|(sid, reason)| Stored::Ended { sid, reason }),
        1 => Just(Stored::Newer),
        1 => json_like().prop_map(Stored::Raw),
    ]
}

#[derive(Debug, Clone)]
enum Call {
    /// A `storage` event for this keeper's key (`None`: removed), whatever storage holds.
    Event(Option<Stored>),
    /// A `storage` event for another key, or for `storage.clear()`.
    OtherKey,
    Cleared,
    /// Someone writes (or removes) the record; the event comes with it or not.
    Write(Option<Stored>, bool),
    /// The oldest change the other tab made arrives.
    Deliver,
    Check,
    Set(Tok, Option<String>),
    SetSame,
    SetUser(String),
    Logout,
    Wake(bool),
    Poll,
    Answer { current: bool, status: Option<u16>, date: Option<i64>, expired: bool, fetch: bool },
    ServerTime(i64),
    FailReads(bool),
    FailWrites(Option<StorageError>),
}

fn call() -> impl Strategy<Value = Call> {
    let user = prop_oneof![Just("null".to_owned()), Just(r#"{"a":[1,2]}"#.to_owned()), json_like()];
    prop_oneof![
        6 => prop::option::of(stored()).prop_map(Call::Event),
        1 => Just(Call::OtherKey),
        1 => Just(Call::Cleared),
        3 => (prop::option::of(stored()), any::<bool>()).prop_map(|(v, notify)| Call::Write(v, notify)),
        4 => Just(Call::Deliver),
        3 => Just(Call::Check),
        5 => (tok(), prop::option::of(user.clone())).prop_map(|(t, u)| Call::Set(t, u)),
        1 => Just(Call::SetSame),
        1 => user.prop_map(Call::SetUser),
        1 => Just(Call::Logout),
        1 => any::<bool>().prop_map(Call::Wake),
        1 => Just(Call::Poll),
        2 => (any::<bool>(), prop::option::of(prop::sample::select(vec![200_u16, 401, 403, 500])), prop::option::of(-2 * DAY..2 * DAY), any::<bool>(), any::<bool>())
            .prop_map(|(current, status, date, expired, fetch)| Call::Answer { current, status, date, expired, fetch }),
        1 => (-2 * DAY..2 * DAY).prop_map(Call::ServerTime),
        1 => any::<bool>().prop_map(Call::FailReads),
        1 => prop::option::of(prop::sample::select(vec![StorageError::Full, StorageError::Unavailable])).prop_map(Call::FailWrites),
    ]
}

/// (tab, clock step in ms, call)
fn steps() -> impl Strategy<Value = Vec<(bool, i64, Call)>> {
    prop::collection::vec((any::<bool>(), prop_oneof![0_i64..MINUTE, -HOUR..2 * HOUR, 0..30 * DAY], call()), 1..24)
}

struct Tab {
    engine: Engine,
    revision: u32,
    /// Changes this tab made that the other has not heard of yet.
    sent: VecDeque<(String, Option<String>)>,
}

/// Drives two tabs through `steps` and checks every outcome; `Err` names what broke where.
fn drive(initial: Option<&Stored>, leeway: i64, interval: i64, steps: &[(bool, i64, Call)]) -> Result<(), TestCaseError> {
    let storage = MemoryStorage::default();
    let key = record::storage_key(ENV);
    if let Some(value) = initial {
        storage.set(&key, &value.text()).unwrap();
    }
    let config = session_keeper::Config { leeway_ms: leeway, ..common::config() };
    let mut now = T0;
    let mut tabs: Vec<Tab> = (0..2)
        .map(|_| Tab {
            engine: Engine::new(config.clone(), Some(Box::new(storage.clone())), interval, now),
            revision: 1,
            sent: VecDeque::new(),
        })
        .collect();
    storage.take_changes();
    for tab in &tabs {
        check_session(&tab.engine, leeway)?;
        assert_json("a snapshot", tab.engine.snapshot());
    }
    for (i, (second, dt, call)) in steps.iter().enumerate() {
        now += dt;
        let (me, other) = if *second { (1, 0) } else { (0, 1) };
        let delivery = match call {
            Call::Deliver => match tabs[other].sent.pop_front() {
                Some(change) => Some(change),
                None => continue,
            },
            _ => None,
        };
        let tab = &mut tabs[me];
        if matches!(call, Call::Set(..) | Call::SetSame | Call::SetUser(_) | Call::Logout | Call::Answer { .. } | Call::ServerTime(_)) {
            // Every call reads storage first and follows it (a check), then acts: check first
            // here, so that what follows is the call's own doing.
            let pre = tab.engine.check(now);
            let at = format!("step {i} (tab {me}, the check before {call:?})");
            check_outcome(&tab.engine, &pre, &at)?;
            tab.revision = pre.revision;
        }
        let before_snapshot = tab.engine.snapshot().to_owned();
        let before_active = tab.engine.keeper().session().is_some();
        let before_stored = storage.get(&key);
        let engine = &mut tab.engine;
        let at = format!("step {i} (tab {me}, {call:?}, now T0{:+})", now - T0);
        let outcome = match call {
            Call::Event(value) => engine.storage_changed(Some(&key), value.as_ref().map(Stored::text).as_deref(), now),
            Call::OtherKey => engine.storage_changed(Some("another-key"), Some("{}"), now),
            Call::Cleared => engine.storage_changed(None, None, now),
            Call::Write(value, notify) => {
                let value = value.as_ref().map(Stored::text);
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
                let (changed, value) = delivery.unwrap();
                engine.storage_changed(Some(&changed), value.as_deref(), now)
            }
            Call::Check => engine.check(now),
            Call::Set(token, user) => engine.set_session(&token.text(), user.clone(), None, now),
            Call::SetSame => {
                let Some(token) = engine.keeper().session().map(|s| s.token().to_owned()) else { continue };
                engine.set_session(&token, None, None, now)
            }
            Call::SetUser(user) => engine.set_user(user.clone(), now),
            Call::Logout => engine.logout(now),
            Call::Wake(online) => engine.wake(*online, now),
            Call::Poll => engine.poll(now),
            Call::Answer { current, status, date, expired, fetch } => {
                let token = match engine.keeper().session() {
                    Some(s) if *current => s.token().to_owned(),
                    _ => token("s-0", T0, HOUR),
                };
                let source = if *fetch { Source::Fetch } else { Source::Check };
                engine.answer(&token, *status, date.map(|d| now + d), *expired, source, now)
            }
            Call::ServerTime(offset) => engine.server_time(now + offset, now),
            Call::FailReads(fail) => {
                storage.fail_reads(*fail);
                continue;
            }
            Call::FailWrites(error) => {
                storage.fail_writes(*error);
                continue;
            }
        };
        let engine = &tab.engine;
        check_outcome(engine, &outcome, &at)?;
        check_session(engine, leeway).map_err(|e| TestCaseError::fail(format!("{e} at {at}")))?;
        let snapshot = engine.snapshot();
        prop_assert_eq!(snapshot != before_snapshot, outcome.revision != tab.revision, "revision vs snapshot at {}", at);
        tab.revision = outcome.revision;
        if outcome.error.is_some() || matches!(call, Call::OtherKey) {
            prop_assert!(outcome.events.is_empty(), "a refused or ignored call raised events at {}", at);
            prop_assert_eq!(snapshot, before_snapshot.as_str(), "a refused or ignored call changed the snapshot at {}", at);
            prop_assert_eq!(storage.get(&key), before_stored, "a refused or ignored call changed storage at {}", at);
        }
        // The events are the transitions, in order.
        let mut active = before_active;
        for event in &outcome.events {
            match event {
                Event::End(_) => prop_assert!(active, "an end without a session at {}: {:?}", at, outcome.events),
                Event::Start(_) => prop_assert!(!active, "a start over a session at {}: {:?}", at, outcome.events),
            }
            active = matches!(event, Event::Start(_));
        }
        let session = engine.keeper().session();
        prop_assert_eq!(active, session.is_some(), "events {:?} do not lead to the session at {}", outcome.events, at);
        if matches!(call, Call::Check | Call::Wake(_)) {
            if let Some(s) = session {
                prop_assert!(s.ends_at() > now, "a checked session is past its end at {}", at);
            }
        }
        if matches!(call, Call::Set(..) | Call::SetSame) && outcome.error.is_none() {
            prop_assert!(session.is_some_and(|s| s.ends_at() > now), "setSession left no live session at {}", at);
        }
        tab.sent.extend(storage.take_changes());
        while tab.sent.len() > 16 {
            tab.sent.pop_front();
        }
    }
    Ok(())
}

fn check_outcome(engine: &Engine, outcome: &Outcome, at: &str) -> Result<(), TestCaseError> {
    assert_json("an outcome", &wire::outcome(outcome));
    assert_json("a snapshot", engine.snapshot());
    let session = engine.keeper().session();
    prop_assert_eq!(outcome.wake_at, session.map(|s| s.ends_at()), "wakeAt at {}", at);
    if let Ok(snapshot) = serde_json::from_str::<Value>(engine.snapshot()) {
        prop_assert_eq!(&snapshot["isActive"], &Value::Bool(session.is_some()), "isActive at {}", at);
        prop_assert_eq!(snapshot["token"].as_str(), session.map(|s| s.token()), "token at {}", at);
        prop_assert_eq!(snapshot["session"]["expiresAt"].as_i64(), session.map(|s| s.ends_at()), "expiresAt at {}", at);
    }
    Ok(())
}

/// A session holds a token of this environment, and never outlives it:
/// `ends_at <= exp - leeway - skew` (local clock; the 30-day cap can only end it sooner).
fn check_session(engine: &Engine, leeway: i64) -> Result<(), TestCaseError> {
    let Some(s) = engine.keeper().session() else { return Ok(()) };
    let claims = jwt::decode(s.token()).map_err(|e| TestCaseError::fail(format!("a session's token fails to decode: {e}")))?;
    prop_assert!(claims.environment_id.as_deref().is_none_or(|e| e == ENV), "{:?}", claims);
    let latest = claims.expires_at_ms.saturating_sub(leeway).saturating_sub(s.clock_skew_ms());
    prop_assert!(
        s.ends_at() <= latest,
        "the session ends at {}, after its token: exp {} - leeway {} - skew {} = {}",
        s.ends_at(),
        claims.expires_at_ms,
        leeway,
        s.clock_skew_ms(),
        latest
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn storage_event_sequences_keep_the_engine_invariants(
        initial in prop::option::of(stored()),
        leeway in prop_oneof![Just(0_i64), 0..MINUTE, any::<i64>()],
        interval in prop_oneof![Just(0_i64), Just(MINUTE)],
        steps in steps(),
    ) {
        drive(initial.as_ref(), leeway, interval, &steps)?;
    }
}

// ---------------------------------------------------------------------------------------------
// json::is_valid against serde_json

proptest! {
    #![proptest_config(config())]

    #[test]
    fn is_valid_accepts_what_serde_json_writes(value in json_value()) {
        for text in [value.to_string(), serde_json::to_string_pretty(&value).unwrap()] {
            prop_assert!(json::is_valid(&text), "{:?}", text);
            let mut reader = Reader::new(&text);
            prop_assert_eq!(reader.value(), Some(text.as_str()));
        }
    }

    #[test]
    fn is_valid_agrees_with_serde_json_on_json_like_text(text in json_like()) {
        if let Some(theirs) = serde_verdict(&text) {
            prop_assert_eq!(json::is_valid(&text), theirs, "{:?}", text);
        }
    }

    #[test]
    fn is_valid_agrees_with_serde_json_on_damaged_json(value in json_value(), edits in edits()) {
        let text = mutate(&value.to_string(), &edits);
        if let Some(theirs) = serde_verdict(&text) {
            prop_assert_eq!(json::is_valid(&text), theirs, "{:?}", text);
        }
    }

    #[test]
    fn strings_and_integers_read_as_serde_json_reads_them(s in any::<String>(), n in -LIMIT..=LIMIT) {
        let text = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(Reader::new(&text).string(), Some(s));
        prop_assert_eq!(Reader::new(&n.to_string()).number(), Some(n as f64));
    }

    /// Nesting far beyond any recursion limit, built iteratively; the verdict is known by
    /// construction (serde_json cannot be asked at this depth).
    #[test]
    fn deep_nesting_is_validated_without_recursion(
        openers in prop::collection::vec(any::<bool>(), 1..8_000),
        leaf in prop::sample::select(vec!["1", "\"x\"", "[]", "{}", "null"]),
        damage in 0_u8..5,
        at in any::<usize>(),
    ) {
        let mut text = String::new();
        for &object in &openers {
            text.push_str(if object { "{\"k\":" } else { "[" });
        }
        text.push_str(leaf);
        let closers: Vec<&str> = openers.iter().rev().map(|&object| if object { "}" } else { "]" }).collect();
        let i = at % closers.len();
        let (valid, text) = match damage {
            0 => (true, text + &closers.concat()),
            // One closer missing.
            1 => (false, text + &closers[..i].concat() + &closers[i + 1..].concat()),
            // One closer of the wrong kind.
            2 => {
                let wrong = if closers[i] == "}" { "]" } else { "}" };
                (false, text + &closers[..i].concat() + wrong + &closers[i + 1..].concat())
            }
            // A trailing comma somewhere inside.
            3 => (false, text + &closers[..i].concat() + "," + &closers[i..].concat()),
            // One closer too many.
            _ => (false, text + &closers.concat() + closers[i]),
        };
        prop_assert_eq!(json::is_valid(&text), valid, "depth {}, damage {}", openers.len(), damage);
    }
}
