//! The wasm boundary itself, in headless Chromium: `Core` driven through its exported methods
//! with hostile input, as the JavaScript shell (or a hostile page or tab) would drive it. No input
//! may trap the instance: after each, the same instance must still answer. Run by
//! `wasm-pack test --headless --chrome` (or `cargo test --target wasm32-unknown-unknown`).
//! The public JavaScript API is tested by the Playwright suite in `tests/browser/`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Reflect, JSON};
use session_keeper::{Core, StorageArea};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function memory_area(initial) {
  const data = new Map(initial === undefined ? [] : [["session-keeper:env-test", initial]]);
  return {
    data,
    get(k) { return data.has(k) ? data.get(k) : null; },
    set(k, v) { data.set(k, v); return 0; },
    remove(k) { data.delete(k); return 0; },
  };
}
export function broken_area() {
  return { get() { return false; }, set() { return 2; }, remove() { return 2; } };
}
export function put(area, v) { area.data.set("session-keeper:env-test", v); }
export function stored(area) { return area.data.get("session-keeper:env-test") ?? null; }
"#)]
extern "C" {
    fn memory_area(initial: Option<String>) -> StorageArea;
    fn broken_area() -> StorageArea;
    fn stored(area: &JsValue) -> Option<String>;
    fn put(area: &JsValue, v: &str);
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Parses an outcome with the browser's JSON, as the shell does.
fn parse(text: &str) -> JsValue {
    JSON::parse(text).expect("every outcome is JSON")
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

fn error_code(outcome: &JsValue) -> Option<String> {
    let error = field(outcome, "error");
    (!error.is_null()).then(|| Reflect::get(&error, &0.into()).unwrap().as_string().unwrap())
}

fn core_with(area: Option<StorageArea>) -> Core {
    Core::new(ENV.into(), 0.0, 0.0, area, false, now())
}

fn fresh_token(sid: &str) -> String {
    token(sid, now() as i64, HOUR)
}

fn is_active(core: &mut Core) -> bool {
    field(&parse(&core.snapshot()), "isActive").as_bool().unwrap()
}

#[wasm_bindgen_test]
fn a_user_nested_thousands_deep_is_kept_as_text_without_overflowing_the_stack() {
    let mut core = core_with(None);
    for user in ["[".repeat(7_000) + &"]".repeat(7_000), "{\"a\":".repeat(5_000) + "1" + &"}".repeat(5_000)] {
        let outcome = parse(&core.set_session(&fresh_token("s-1"), Some(user.clone()), None, now()));
        assert_eq!(error_code(&outcome), None);
        // Compared as the snapshot's text: Firefox's JSON.stringify recurses and gives up
        // ("too much recursion") at this depth; its JSON.parse, which the shell uses, does not.
        let text = core.snapshot();
        assert!(text.contains(&format!("\"user\":{user},")), "the user object is kept as it was given");
        let snapshot = parse(&text);
        assert!(field(&snapshot, "user").is_object(), "and the browser's JSON.parse reads it");
        // The instance still answers: a change and a logout go through.
        assert_eq!(error_code(&parse(&core.set_user("{\"name\":\"Ada\"}".into(), now()))), None);
    }
    parse(&core.logout(now()));
    assert!(!is_active(&mut core));
}

#[wasm_bindgen_test]
fn a_deep_record_written_by_another_tab_is_read_without_trapping() {
    let deep = "[".repeat(50_000) + &"]".repeat(50_000);
    let record = format!(
        r#"{{"v":1,"session":{{"token":"{}","user":{deep},"wallets":[],"skew":0,"anchor":{}}},"ended":null}}"#,
        fresh_token("s-2"),
        now() as i64
    );
    let area = memory_area(None);
    let handle: JsValue = area.clone();
    let mut core = core_with(Some(area));
    put(&handle, &record);
    parse(&core.storage_changed(Some("session-keeper:env-test".into()), Some(record), now()));
    assert!(is_active(&mut core), "a valid record is adopted, however deep its user object");
    // And malformed ones are not: unbalanced, truncated, not JSON.
    let broken = "{\"v\":1,\"session\":{\"user\":".to_owned() + &"[".repeat(50_000);
    put(&handle, &broken);
    parse(&core.storage_changed(Some("session-keeper:env-test".into()), Some(broken), now()));
    assert!(!is_active(&mut core), "garbage in place of the record ends the session");
}

#[wasm_bindgen_test]
fn malformed_tokens_give_invalid_token_and_never_trap() {
    let mut core = core_with(None);
    let b = |s: &str| b64(s.as_bytes());
    let cases = [
        String::new(),
        "a.b".into(),
        "a.b.c.d".into(),
        "!!!.###.$$$".into(),
        format!("{}.{}.{}", b("{}"), b("not json"), b("s")),
        format!("{}.{}.{}", b("{}"), b(r#"{"exp":"soon"}"#), b("s")),
        format!("{}.{}.{}", b("{}"), b(r#"{"exp":1e400}"#), b("s")),
        format!("{}.{}.{}", b("{}"), b(r#"{"iat":2000000000,"exp":1000000000}"#), b("s")),
        format!("{}.{}.{}", b("{}"), b(&("[".repeat(100_000) + &"]".repeat(100_000))), b("s")),
        format!("{}.{}.{}", b("{}"), b("{\"sub\":\"\u{1F600}\",\"exp\":"), b("s")),
    ];
    for token in cases {
        let outcome = parse(&core.set_session(&token, None, None, now()));
        assert_eq!(error_code(&outcome).as_deref(), Some("invalid_token"), "{token:.40}");
    }
    assert_eq!(error_code(&parse(&core.set_session(&fresh_token("s-3"), None, None, now()))), None);
    assert!(is_active(&mut core));
}

#[wasm_bindgen_test]
fn ten_thousand_wallets_are_accepted_in_linear_time_and_more_are_refused() {
    let mut core = core_with(None);
    let list = |n: usize| {
        let items: Vec<String> = (0..n).map(|i| format!(r#"{{"address":"w{i}","chain":"c","connector":"x"}}"#)).collect();
        format!("[{}]", items.join(","))
    };
    let started = now();
    let outcome = parse(&core.set_session(&fresh_token("s-4"), None, Some(list(10_000)), now()));
    assert_eq!(error_code(&outcome), None);
    let wallets: js_sys::Array = field(&parse(&core.snapshot()), "wallets").dyn_into().unwrap();
    assert_eq!(wallets.length(), 10_001, "10,000 connected and the token's verified one");
    // Not a timed assertion: a bound a quadratic algorithm (26 s at 20,000) cannot meet.
    assert!(now() - started < 5_000.0);
    let outcome = parse(&core.set_session(&fresh_token("s-5"), None, Some(list(10_001)), now()));
    assert_eq!(error_code(&outcome).as_deref(), Some("invalid_argument"));
}

#[wasm_bindgen_test]
fn logout_removes_the_record_even_when_storage_cannot_be_read() {
    // The record is there, but reading throws (the adapter answers false): the logout must
    // still remove it and fall back to memory.
    let area_js: JsValue = memory_area(None).into();
    let mut core = core_with(Some(area_js.clone().unchecked_into()));
    parse(&core.set_session(&fresh_token("s-6"), None, None, now()));
    assert!(stored(&area_js).is_some());
    let get = js_sys::Function::new_no_args("return false;");
    Reflect::set(&area_js, &"get".into(), &get).unwrap();
    let outcome = parse(&core.logout(now()));
    assert_eq!(field(&outcome, "events").dyn_into::<js_sys::Array>().unwrap().length(), 1);
    assert_eq!(stored(&area_js), None, "no token is left behind");
    assert_eq!(field(&parse(&core.snapshot()), "persistence").as_string().unwrap(), "memory");
}

#[wasm_bindgen_test]
fn storage_that_fails_everything_leaves_a_working_memory_keeper() {
    let mut core = core_with(Some(broken_area()));
    let outcome = parse(&core.set_session(&fresh_token("s-7"), None, None, now()));
    assert_eq!(error_code(&outcome), None);
    assert!(is_active(&mut core));
    assert_eq!(field(&parse(&core.snapshot()), "persistence").as_string().unwrap(), "memory");
    parse(&core.logout(now()));
    assert!(!is_active(&mut core));
}
