//! The real adapters in headless Chromium: localStorage, timers, page events, the
//! JavaScript-facing class. Run by `cargo test --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Object, Reflect, JSON};
use session_keeper::SessionKeeper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const realNow = Date.now;
export function set_clock_offset(ms) { Date.now = ms === 0 ? realNow : () => realNow() + ms; }
export function real_now() { return realNow(); }
export function fire(target, type, persisted) {
  const t = target === 'document' ? document : window;
  const e = type === 'pageshow' ? new PageTransitionEvent('pageshow', { persisted }) : new Event(type);
  t.dispatchEvent(e);
}
export function storage_event(key, newValue) {
  window.dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: localStorage }));
}
const realSetItem = Storage.prototype.setItem;
export function quota_exceeded(on) {
  Storage.prototype.setItem = on
    ? function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }
    : realSetItem;
}
const storageDescriptor = Object.getOwnPropertyDescriptor(window, 'localStorage');
export function local_storage_throws(on) {
  if (on) {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
    });
  } else {
    Object.defineProperty(window, 'localStorage', storageDescriptor);
  }
}
const realSetTimeout = globalThis.setTimeout;
let delays = null;
export function spy_timeouts(on) {
  delays = on ? [] : null;
  globalThis.setTimeout = on ? (f, ms, ...rest) => { delays.push(ms); return realSetTimeout(f, ms, ...rest); } : realSetTimeout;
}
export function timeout_delays() { return delays ? delays.slice() : []; }
const realFetch = globalThis.fetch;
let requests = [];
// statuses: a list consumed one per request; a number answers with that status (and a Date
// header), "offline" rejects like a network error. The last entry repeats.
export function mock_fetch(statuses, dateOffsetMs) {
  requests = [];
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push({ method: request.method, url: request.url, auth: request.headers.get('authorization') });
    const next = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (next === 'offline') throw new TypeError('Failed to fetch');
    const date = new Date(realNow() + (dateOffsetMs || 0)).toUTCString();
    const response = new Response(next === 204 ? null : '{}', { status: next, headers: { date } });
    Object.defineProperty(response, 'url', { value: request.url });
    return response;
  };
}
export function unmock_fetch() { globalThis.fetch = realFetch; }
export function fetch_requests() { return JSON.stringify(requests); }
"#)]
extern "C" {
    fn set_clock_offset(ms: f64);
    fn real_now() -> f64;
    fn fire(target: &str, kind: &str, persisted: bool);
    fn storage_event(key: &str, new_value: Option<String>);
    fn quota_exceeded(on: bool);
    fn local_storage_throws(on: bool);
    fn spy_timeouts(on: bool);
    fn timeout_delays() -> Vec<f64>;
    fn mock_fetch(statuses: JsValue, date_offset_ms: f64);
    fn unmock_fetch();
    fn fetch_requests() -> String;
}

const API: &str = "https://auth.example.test/api/v0";

fn api_keeper(env: &str, interval_s: f64) -> SessionKeeper {
    let extra = format!(r#","apiBaseUrl":"{API}/","revocationCheckIntervalSeconds":{interval_s}"#);
    SessionKeeper::new(options(env, &extra).unchecked_into()).unwrap()
}

fn requests() -> Vec<serde_json::Value> {
    serde_json::from_str(&fetch_requests()).unwrap()
}

async fn wait_until(mut done: impl FnMut() -> bool, max_ms: u32) -> bool {
    let start = real_now();
    while !done() {
        if real_now() - start > f64::from(max_ms) {
            return false;
        }
        TimeoutFuture::new(10).await;
    }
    true
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A fresh environment per test: tests share one page and one localStorage.
fn env(name: &str) -> String {
    format!("{ENV}-{name}")
}

fn key(env: &str) -> String {
    format!("session-keeper:{env}")
}

fn options(env: &str, extra: &str) -> JsValue {
    JSON::parse(&format!(r#"{{"environmentId":"{env}"{extra}}}"#)).unwrap()
}

fn keeper(env: &str) -> SessionKeeper {
    SessionKeeper::new(options(env, "").unchecked_into()).unwrap()
}

/// A token of environment `env` issued now with this lifetime.
fn token_for(env: &str, sid: &str, life_ms: i64) -> String {
    let mut c = claims(sid, now(), life_ms);
    c["environment_id"] = env.into();
    jwt(&c)
}

fn set(keeper: &SessionKeeper, token: &str) -> Result<JsValue, JsValue> {
    keeper.set_session(JsValue::from_str(token), None).map(Into::into)
}

fn get(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

fn code(error: JsValue) -> String {
    assert!(error.is_instance_of::<js_sys::Error>(), "errors are Error objects");
    get(&error, "code").as_string().unwrap()
}

/// Records the events a listener receives.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<JsValue>>>);

impl Recorder {
    fn listener(&self) -> JsValue {
        let events = self.0.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e| events.borrow_mut().push(e)).into_js_value()
    }
    fn on_end(keeper: &SessionKeeper) -> Self {
        let r = Recorder::default();
        keeper.on_session_end(r.listener().unchecked_into()).unwrap();
        r
    }
    fn on_start(keeper: &SessionKeeper) -> Self {
        let r = Recorder::default();
        keeper.on_session_start(r.listener().unchecked_into()).unwrap();
        r
    }
    fn reasons(&self) -> Vec<(String, bool)> {
        self.0
            .borrow()
            .iter()
            .map(|e| (get(e, "reason").as_string().unwrap_or_default(), get(e, "remote").as_bool().unwrap()))
            .collect()
    }
    fn len(&self) -> usize {
        self.0.borrow().len()
    }
}

fn reason(r: &str, remote: bool) -> (String, bool) {
    (r.to_string(), remote)
}

#[wasm_bindgen_test]
fn storage_round_trip_and_restore() {
    let env = env("round-trip");
    let first = keeper(&env);
    let extras = JSON::parse(r#"{"user":{"name":"Ada","tags":["x"]},"wallets":[{"address":"So1","chain":"solana","connector":"phantom"}]}"#).unwrap();
    let t = token_for(&env, "s-1", 10 * MINUTE);
    let info = first.set_session(JsValue::from_str(&t), Some(extras.unchecked_into())).unwrap();
    let info: JsValue = info.into();
    assert_eq!(get(&info, "sessionId"), "s-1");
    assert_eq!(get(&info, "userId"), "user-1");
    let raw = storage().get_item(&key(&env)).unwrap().expect("persisted under session-keeper:<env>");
    assert!(raw.starts_with(r#"{"v":1,"#));

    let reloaded = keeper(&env);
    assert!(reloaded.is_active());
    assert_eq!(JsValue::from(reloaded.token()), t.as_str());
    assert_eq!(JSON::stringify(&reloaded.user()).unwrap(), r#"{"name":"Ada","tags":["x"]}"#);
    let wallets: Array = JsValue::from(reloaded.wallets()).unchecked_into();
    assert_eq!(wallets.length(), 2);
    assert_eq!(get(&wallets.get(0), "verified"), true);
    assert_eq!(get(&wallets.get(1), "address"), "So1");
    assert_eq!(get(&wallets.get(1), "verified"), false);
    let session: JsValue = reloaded.session().into();
    assert_eq!(get(&session, "expiresAt").as_f64(), get(&info, "expiresAt").as_f64());
    first.destroy();
    reloaded.destroy();
}

#[wasm_bindgen_test]
fn memory_storage_option_writes_nothing() {
    let env = env("memory");
    let keeper = SessionKeeper::new(options(&env, r#","storage":"memory""#).unchecked_into()).unwrap();
    set(&keeper, &token_for(&env, "s-1", MINUTE)).unwrap();
    assert!(keeper.is_active());
    assert_eq!(JsValue::from(keeper.persistence()), "memory");
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

#[wasm_bindgen_test]
fn errors_are_error_objects_with_stable_codes() {
    let bad_options = [JsValue::UNDEFINED, JSON::parse("{}").unwrap(), options("", ""), options("e", r#","storage":"disk""#),
        options("e", r#","leewaySeconds":-1"#), options("e", r#","logLevel":"loud""#)];
    for bad in bad_options {
        let err = SessionKeeper::new(bad.clone().unchecked_into()).unwrap_err();
        assert_eq!(code(err), "invalid_options", "{bad:?}");
    }
    let env = env("errors");
    let keeper = keeper(&env);
    assert_eq!(code(keeper.set_session(JsValue::from_f64(42.0), None).unwrap_err()), "invalid_token");
    assert_eq!(code(set(&keeper, "not.a.jwt").unwrap_err()), "invalid_token");
    assert_eq!(code(set(&keeper, &token("s-1", now(), HOUR)).unwrap_err()), "environment_mismatch");
    let mut old = claims("s-old", now() - 3 * DAY, DAY);
    old["environment_id"] = env.as_str().into();
    assert_eq!(code(set(&keeper, &jwt(&old)).unwrap_err()), "token_expired");
    assert_eq!(code(keeper.set_user(JsValue::NULL).unwrap_err()), "no_session");
    let err = keeper.on_session_end(JsValue::from_str("not a function").unchecked_into()).unwrap_err();
    assert_eq!(code(err), "invalid_argument");
    let name = get(&set(&keeper, "x").unwrap_err(), "name");
    assert_eq!(name, "SessionKeeperError");
    assert!(!keeper.is_active(), "nothing was half-set");
    keeper.destroy();
}

#[wasm_bindgen_test]
async fn a_short_token_expires_on_time_and_storage_is_cleared_at_that_moment() {
    let env = env("expiry");
    let keeper = keeper(&env);
    // exp has whole-second resolution: a token ending at the next whole second + 1.
    let exp_s = now() / 1000 + 2;
    let mut c = claims("s-1", now(), 0);
    c["environment_id"] = env.as_str().into();
    c["exp"] = exp_s.into();
    set(&keeper, &jwt(&c)).unwrap();
    let fired_at = Rc::new(RefCell::new(None));
    let storage_at_fire = Rc::new(RefCell::new(None));
    {
        let (fired_at, storage_at_fire, key) = (fired_at.clone(), storage_at_fire.clone(), key(&env));
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| {
            *fired_at.borrow_mut() = Some(real_now());
            *storage_at_fire.borrow_mut() = Some(storage().get_item(&key).unwrap());
        });
        keeper.on_session_end(listener.into_js_value().unchecked_into()).unwrap();
    }
    let end_ms = (exp_s * 1000) as f64;
    while fired_at.borrow().is_none() && real_now() < end_ms + 3_000.0 {
        TimeoutFuture::new(5).await;
    }
    let fired = fired_at.borrow().expect("the session ended");
    assert!(fired >= end_ms, "fired {} ms before the end", end_ms - fired);
    web_sys::console::log_1(&format!("expiry latency: {} ms after exp", fired - end_ms).into());
    assert_eq!(*storage_at_fire.borrow(), Some(None), "storage was already cleared when listeners ran");
    assert!(!keeper.is_active());
    keeper.destroy();
}

/// setTimeout fires at once for delays >= 2^31 ms; a 30-day token must not end early, and
/// must not spin on a timer that fires over and over either.
#[wasm_bindgen_test]
async fn edge_01_a_thirty_day_token_does_not_fire_early() {
    let env = env("thirty-days");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    spy_timeouts(true);
    set(&keeper, &token_for(&env, "s-1", 30 * DAY)).unwrap();
    TimeoutFuture::new(300).await;
    let delays = timeout_delays();
    spy_timeouts(false);
    assert_eq!(ends.len(), 0, "ended early");
    assert!(keeper.is_active());
    assert!(delays.iter().all(|&d| d <= 2_147_483_647.0), "a delay past setTimeout's limit: {delays:?}");
    let long: Vec<_> = delays.iter().filter(|&&d| d > 1_000_000.0).collect();
    assert_eq!(long, vec![&2_147_483_647.0], "one wake-up, clamped to 2^31-1 ms: {delays:?}");
    assert!(delays.len() <= 3, "timer storm: {} setTimeout calls in 300 ms", delays.len());
    keeper.destroy();
}

#[wasm_bindgen_test]
async fn logout_clears_memory_and_storage_before_it_resolves_and_fires_once() {
    let env = env("logout");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    let extras = JSON::parse(r#"{"user":{"id":1}}"#).unwrap();
    keeper.set_session(JsValue::from_str(&token_for(&env, "s-1", HOUR)), Some(extras.unchecked_into())).unwrap();
    keeper.connect_wallet(JSON::parse(r#"{"address":"0xdef","chain":"eip155","connector":"walletconnect"}"#).unwrap().unchecked_into()).unwrap();
    let promise = keeper.logout();
    // Synchronously, before the promise resolves:
    assert!(!keeper.is_active());
    assert!(JsValue::from(keeper.token()).is_null());
    assert!(keeper.user().is_null());
    assert_eq!(Array::from(&keeper.wallets().into()).length(), 0);
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    assert_eq!(ends.reasons(), vec![reason("logout", false)]);
    let ev = ends.0.borrow()[0].clone();
    assert_eq!(get(&ev, "sessionId"), "s-1");
    assert_eq!(get(&ev, "userId"), "user-1");
    assert!(get(&ev, "at").as_f64().unwrap() > 0.0);
    assert!(Object::is_frozen(ev.unchecked_ref::<Object>()), "events are frozen");
    // Logout without a session: resolves, no event.
    wasm_bindgen_futures::JsFuture::from(keeper.logout()).await.unwrap();
    assert_eq!(ends.len(), 1);
    keeper.destroy();
}

/// EDGE_CASES 14: listeners that call back into the SDK (logout, setSession, their own
/// unsubscribe) and a listener that throws: no "recursive use" error, nobody skipped.
#[wasm_bindgen_test]
fn edge_14_listeners_may_reenter_and_a_throwing_listener_does_not_stop_the_others() {
    let env = env("reentrancy");
    let keeper = Rc::new(keeper(&env));
    let log = Rc::new(RefCell::new(Vec::<String>::new()));

    // 1: throws.
    let thrower: Function = Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(|_e: JsValue| {
        Err(js_sys::Error::new("listener bug").into())
    })
    .into_js_value()
    .unchecked_into();
    keeper.on_session_end(thrower.unchecked_into()).unwrap();

    // 2: on "replaced", logs the new session out from inside the listener.
    {
        let (k, log) = (keeper.clone(), log.clone());
        let l = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let r = get(&e, "reason").as_string().unwrap();
            log.borrow_mut().push(format!("end:{r}:{}", get(&e, "sessionId").as_string().unwrap()));
            if r == "replaced" {
                let _ = k.logout();
                log.borrow_mut().push(format!("after-logout:active={}", k.is_active()));
            }
        });
        keeper.on_session_end(l.into_js_value().unchecked_into()).unwrap();
    }
    // 3: unsubscribes itself on its first call.
    let off: Rc<RefCell<Option<Function>>> = Rc::default();
    {
        let (off2, log) = (off.clone(), log.clone());
        let l = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| {
            log.borrow_mut().push("once".into());
            if let Some(f) = off2.borrow().as_ref() {
                f.call0(&JsValue::UNDEFINED).unwrap();
            }
        });
        let unsubscribe = keeper.on_session_end(l.into_js_value().unchecked_into()).unwrap();
        *off.borrow_mut() = Some(JsValue::from(unsubscribe).unchecked_into());
    }
    // 4: a start listener that records.
    {
        let log = log.clone();
        let l = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            log.borrow_mut().push(format!("start:{}", get(&get(&e, "session"), "sessionId").as_string().unwrap()));
        });
        keeper.on_session_start(l.into_js_value().unchecked_into()).unwrap();
    }

    set(&keeper, &token_for(&env, "a", HOUR)).unwrap();
    set(&keeper, &token_for(&env, "b", HOUR)).expect("no recursive-use error");
    assert_eq!(
        *log.borrow(),
        vec![
            "start:a",
            "end:replaced:a",
            "after-logout:active=false",
            "once",
            "start:b",
            "end:logout:b",
        ],
        "every listener ran, in order; the nested logout was delivered after the replace"
    );
    assert!(!keeper.is_active());
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);

    // A listener that starts a new session from inside onSessionEnd.
    {
        let (k, env2) = (keeper.clone(), env.clone());
        let l = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            if get(&e, "reason") == "logout" && get(&e, "sessionId") == "c" {
                set(&k, &token_for(&env2, "d", HOUR)).unwrap();
            }
        });
        keeper.on_session_end(l.into_js_value().unchecked_into()).unwrap();
    }
    set(&keeper, &token_for(&env, "c", HOUR)).unwrap();
    let _ = keeper.logout();
    assert!(!JsValue::from(keeper.session()).is_null());
    assert_eq!(get(&keeper.session().into(), "sessionId"), "d");
    keeper.destroy();
}

#[wasm_bindgen_test]
fn unsubscribe_stops_delivery_and_is_idempotent() {
    let env = env("unsubscribe");
    let keeper = keeper(&env);
    let r = Recorder::default();
    let off: Function = JsValue::from(keeper.on_session_end(r.listener().unchecked_into()).unwrap()).unchecked_into();
    off.call0(&JsValue::UNDEFINED).unwrap();
    off.call0(&JsValue::UNDEFINED).unwrap();
    set(&keeper, &token_for(&env, "s-1", HOUR)).unwrap();
    let _ = keeper.logout();
    assert_eq!(r.len(), 0);
    keeper.destroy();
}

#[wasm_bindgen_test]
async fn edge_16_destroy_releases_timers_and_listeners_and_keeps_storage() {
    let env = env("destroy");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    set(&keeper, &token_for(&env, "s-1", 1_500)).unwrap();
    keeper.destroy();
    TimeoutFuture::new(1_700).await;
    assert_eq!(ends.len(), 0, "no timer fired after destroy");
    storage_event(&key(&env), None);
    assert_eq!(ends.len(), 0, "no page listener after destroy");
    assert!(storage().get_item(&key(&env)).unwrap().is_some(), "storage kept");
    assert_eq!(code(set(&keeper, &token_for(&env, "s-2", HOUR)).unwrap_err()), "destroyed");
    assert!(JsValue::from(keeper.session()).is_null() && JsValue::from(keeper.token()).is_null());
    assert!(!keeper.is_active(), "a destroyed keeper shows nothing it can no longer keep current");
    storage().remove_item(&key(&env)).unwrap();
}

#[wasm_bindgen_test]
async fn edge_16_re_login_does_not_double_the_timers() {
    let env = env("relogin");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    // Same session id, refreshed twice: one session, one end, at the last token's time.
    set(&keeper, &token_for(&env, "s-1", 2_000)).unwrap();
    set(&keeper, &token_for(&env, "s-1", 2_000)).unwrap();
    set(&keeper, &token_for(&env, "s-1", 2_000)).unwrap();
    TimeoutFuture::new(3_300).await;
    assert_eq!(ends.reasons(), vec![reason("expired", false)]);
    keeper.destroy();
}

/// EDGE_CASES 2 and 3: the device sleeps (or the hidden tab's timers are throttled) past the
/// end; the session ends as soon as the page is visible / focused / online again, without
/// waiting for the late timer.
#[wasm_bindgen_test]
fn edge_02_03_wake_events_end_a_session_whose_time_passed_while_asleep() {
    for (target, event) in [("document", "visibilitychange"), ("window", "focus"), ("window", "online"), ("window", "pageshow")] {
        let env = env(&format!("wake-{event}"));
        let keeper = keeper(&env);
        let ends = Recorder::on_end(&keeper);
        set(&keeper, &token_for(&env, "s-1", 10 * MINUTE)).unwrap();
        set_clock_offset((11 * MINUTE) as f64); // the laptop slept 11 minutes
        fire(target, event, true);
        set_clock_offset(0.0);
        assert_eq!(ends.reasons(), vec![reason("expired", false)], "{event}");
        assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
        keeper.destroy();
    }
}

/// EDGE_CASES 15: a page restored from the back-forward cache missed the storage events of
/// a logout in another tab; `pageshow` with `persisted` re-reads storage.
#[wasm_bindgen_test]
fn edge_15_bfcache_restore_rechecks_storage() {
    let env = env("bfcache");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    set(&keeper, &token_for(&env, "s-1", HOUR)).unwrap();
    // Another tab logged out while this page was frozen: the record is gone, no event came.
    storage().remove_item(&key(&env)).unwrap();
    fire("window", "pageshow", true);
    assert_eq!(ends.reasons(), vec![reason("logout", true)]);
    keeper.destroy();
}

/// The storage-event adapter: only this environment's key (or `clear()`), tombstones carry
/// the reason, and a new session from another tab is adopted.
#[wasm_bindgen_test]
fn storage_events_from_other_tabs_are_applied() {
    let env = env("storage-events");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    let startsr = Recorder::on_start(&keeper);
    set(&keeper, &token_for(&env, "x", HOUR)).unwrap();

    storage_event("session-keeper:some-other-env", None);
    storage_event("unrelated", None);
    assert_eq!(ends.len(), 0, "other keys are ignored");

    // Another tab sets session y.
    let other = keeper_record(&token_for(&env, "y", HOUR));
    storage().set_item(&key(&env), &other).unwrap();
    storage_event(&key(&env), Some(other));
    assert_eq!(ends.reasons(), vec![reason("replaced", true)]);
    assert_eq!(startsr.len(), 2);
    assert_eq!(get(&get(&startsr.0.borrow()[1], "session"), "sessionId"), "y");
    assert_eq!(get(&startsr.0.borrow()[1], "remote"), true);

    // A late tombstone for x is ignored; one for y ends it with its reason.
    storage_event(&key(&env), Some(r#"{"v":1,"ended":{"key":"sid:x","reason":"revoked","at":1}}"#.into()));
    assert_eq!(ends.len(), 1);
    storage_event(&key(&env), Some(r#"{"v":1,"ended":{"key":"sid:y","reason":"revoked","at":1}}"#.into()));
    assert_eq!(ends.reasons(), vec![reason("replaced", true), reason("revoked", true)]);

    // localStorage.clear() in another tab (key null) ends a session too.
    set(&keeper, &token_for(&env, "z", HOUR)).unwrap();
    storage().remove_item(&key(&env)).unwrap();
    window_storage_clear_event();
    assert_eq!(ends.reasons().last().unwrap(), &reason("logout", true));
    keeper.destroy();
}

fn keeper_record(token: &str) -> String {
    format!(r#"{{"v":1,"session":{{"token":"{token}","user":null,"wallets":[],"skew":0,"anchor":{}}}}}"#, now())
}

fn window_storage_clear_event() {
    let init = web_sys::StorageEventInit::new();
    init.set_storage_area(Some(&storage()));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

/// EDGE_CASES 9: the localStorage getter throws (sandboxed iframe): memory, and it works.
#[wasm_bindgen_test]
async fn edge_09_throwing_local_storage_getter_falls_back_to_memory() {
    let env = env("getter-throws");
    local_storage_throws(true);
    let created = SessionKeeper::new(options(&env, "").unchecked_into());
    local_storage_throws(false);
    let keeper = created.expect("no exception for broken storage");
    assert_eq!(JsValue::from(keeper.persistence()), "memory");
    let ends = Recorder::on_end(&keeper);
    set(&keeper, &token_for(&env, "s-1", 1_000)).unwrap();
    assert!(keeper.is_active());
    TimeoutFuture::new(1_300).await;
    assert_eq!(ends.reasons(), vec![reason("expired", false)], "expiry works in memory");
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

/// EDGE_CASES 10: setItem throws QuotaExceededError: no exception, degraded persistence.
#[wasm_bindgen_test]
fn edge_10_quota_exceeded_degrades_persistence_without_an_exception() {
    let env = env("quota");
    let keeper = keeper(&env);
    assert_eq!(JsValue::from(keeper.persistence()), "local");
    quota_exceeded(true);
    let result = set(&keeper, &token_for(&env, "s-1", HOUR));
    quota_exceeded(false);
    result.expect("no exception for a full storage");
    assert!(keeper.is_active());
    assert_eq!(JsValue::from(keeper.persistence()), "memory");
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

/// EDGE_CASES 11 in the browser: a corrupt record is removed on construction.
#[wasm_bindgen_test]
fn edge_11_corrupt_stored_value_is_removed_on_construction() {
    let env = env("corrupt");
    storage().set_item(&key(&env), "{not json").unwrap();
    let keeper = keeper(&env);
    assert!(!keeper.is_active());
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

/// Getters never show a session whose time is up, even before the timer fires.
#[wasm_bindgen_test]
fn getters_end_an_overdue_session_first() {
    let env = env("getters");
    let keeper = keeper(&env);
    let ends = Recorder::on_end(&keeper);
    set(&keeper, &token_for(&env, "s-1", 10 * MINUTE)).unwrap();
    set_clock_offset((20 * MINUTE) as f64);
    let active = keeper.is_active();
    set_clock_offset(0.0);
    assert!(!active);
    assert_eq!(ends.reasons(), vec![reason("expired", false)]);
    keeper.destroy();
}


/// EDGE_CASES 13 with the real fetch adapter: 5xx and network errors never end the session,
/// 401 does, with "revoked", and storage is cleared.
#[wasm_bindgen_test]
async fn edge_13_session_checks_end_only_on_401_and_use_the_bearer_token() {
    let env = env("checks");
    mock_fetch(JSON::parse(r#"[200, 503, "offline", 401]"#).unwrap(), 0.0);
    let keeper = api_keeper(&env, 0.05);
    let ends = Recorder::on_end(&keeper);
    let t = token_for(&env, "s-1", HOUR);
    set(&keeper, &t).unwrap();
    let ended = wait_until(|| ends.len() > 0, 5_000).await;
    let seen = requests();
    unmock_fetch();
    assert!(ended, "a 401 must end the session; requests: {seen:?}");
    assert_eq!(ends.reasons(), vec![reason("revoked", false)]);
    assert_eq!(seen.len(), 4, "200, 503, offline, 401: {seen:?}");
    for r in &seen {
        assert_eq!(r["method"], "GET");
        assert_eq!(r["url"], format!("{API}/sdk/{env}/users"));
        assert_eq!(r["auth"], format!("Bearer {t}"));
    }
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

#[wasm_bindgen_test]
async fn edge_13_logout_offline_clears_local_state_and_resolves() {
    let env = env("logout-offline");
    mock_fetch(JSON::parse(r#"["offline"]"#).unwrap(), 0.0);
    let keeper = api_keeper(&env, 0.0);
    let t = token_for(&env, "s-1", HOUR);
    set(&keeper, &t).unwrap();
    let promise = keeper.logout();
    assert!(!keeper.is_active(), "cleared before the request");
    let result = wasm_bindgen_futures::JsFuture::from(promise).await;
    let seen = requests();
    unmock_fetch();
    assert!(result.is_ok(), "logout must not reject offline");
    assert_eq!(seen.len(), 1, "no checks with interval 0; one revoke: {seen:?}");
    assert_eq!(seen[0]["method"], "POST");
    assert_eq!(seen[0]["url"], format!("{API}/sdk/{env}/revoke"));
    assert_eq!(seen[0]["auth"], format!("Bearer {t}"));
    assert_eq!(storage().get_item(&key(&env)).unwrap(), None);
    keeper.destroy();
}

#[wasm_bindgen_test]
async fn keeper_fetch_adds_the_token_and_a_401_from_the_api_revokes() {
    let env = env("keeper-fetch");
    let keeper = api_keeper(&env, 0.0);
    let ends = Recorder::on_end(&keeper);
    let t = token_for(&env, "s-1", HOUR);
    set(&keeper, &t).unwrap();

    mock_fetch(JSON::parse("[401]").unwrap(), 0.0);
    // A 401 from another backend is that backend's business.
    let other = wasm_bindgen_futures::JsFuture::from(keeper.fetch(JsValue::from("https://shop.example.test/cart").unchecked_into(), None)).await;
    let response: web_sys::Response = other.unwrap().unchecked_into();
    assert_eq!(response.status(), 401);
    assert!(keeper.is_active());
    // Nor is one from a URL that merely starts with the same characters as apiBaseUrl.
    let lookalike = keeper.fetch(JsValue::from(format!("{API}1/users")).unchecked_into(), None);
    assert_eq!(wasm_bindgen_futures::JsFuture::from(lookalike).await.unwrap().unchecked_into::<web_sys::Response>().status(), 401);
    assert!(keeper.is_active(), "{API}1 is not under {API}");
    // From the auth API, it means the session is gone.
    let init = JSON::parse(r#"{"method":"POST","headers":{"x-extra":"1"}}"#).unwrap();
    let api = wasm_bindgen_futures::JsFuture::from(keeper.fetch(JsValue::from(format!("{API}/sdk/{env}/users")).unchecked_into(), Some(init.unchecked_into()))).await;
    let seen = requests();
    unmock_fetch();
    assert_eq!(api.unwrap().unchecked_into::<web_sys::Response>().status(), 401);
    assert_eq!(ends.reasons(), vec![reason("revoked", false)]);
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0]["auth"], format!("Bearer {t}"));
    assert_eq!(seen[2]["method"], "POST");
    assert_eq!(seen[2]["auth"], format!("Bearer {t}"));
    // Without a session, no Authorization header.
    mock_fetch(JSON::parse("[200]").unwrap(), 0.0);
    let _ = wasm_bindgen_futures::JsFuture::from(keeper.fetch(JsValue::from(format!("{API}/x")).unchecked_into(), None)).await;
    let seen = requests();
    unmock_fetch();
    assert!(seen[0]["auth"].is_null());
    keeper.destroy();
}

/// Issue 3 item 3 / issue 4: the server's Date header refines the skew estimate.
#[wasm_bindgen_test]
async fn a_server_date_header_corrects_the_clock_skew() {
    let env = env("date-header");
    // The server clock is 10 minutes ahead of this device; iat (fresh, 2 minutes old by the
    // device clock) says nothing about that.
    mock_fetch(JSON::parse("[200]").unwrap(), (10 * MINUTE) as f64);
    let keeper = api_keeper(&env, 0.05);
    let mut c = claims("s-1", now() - 2 * MINUTE, HOUR);
    c["environment_id"] = env.as_str().into();
    let info: JsValue = set(&keeper, &jwt(&c)).unwrap();
    let before = get(&info, "expiresAt").as_f64().unwrap();
    let moved = wait_until(|| get(&keeper.session().into(), "expiresAt").as_f64().unwrap() < before - 9.0 * 60_000.0, 5_000).await;
    unmock_fetch();
    assert!(moved, "expiresAt should move ~10 minutes earlier");
    keeper.destroy();
}
