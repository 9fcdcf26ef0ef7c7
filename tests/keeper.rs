//! The session state machine in one tab, on a fake clock and in-memory storage.

mod common;

use common::*;
use serde_json::json;
use session_keeper::expiry::MAX_TIMER_DELAY_MS;
use session_keeper::storage::{MemoryStorage, Storage, StorageError};
use session_keeper::{Config, EndReason, Event, Keeper, Notice, Persistence, Wallet};

const KEY: &str = "session-keeper:env-test";

fn stored(storage: &MemoryStorage) -> Option<serde_json::Value> {
    storage.get(KEY).unwrap().map(|text| serde_json::from_str(&text).unwrap())
}

#[test]
fn set_session_persists_one_versioned_record_and_a_reload_restores_it() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    let wallets = vec![Wallet::connected("So1anaAddr", "solana", "phantom")];
    let (info, events) = keeper
        .set_session(&token("s-1", T0, HOUR), Some(r#"{"name":"Ada"}"#.into()), Some(wallets), T0)
        .unwrap();
    assert_eq!(info.session_id.as_deref(), Some("s-1"));
    assert_eq!(info.expires_at, T0 + HOUR);
    assert_eq!(starts(&events), vec![(Some("s-1".into()), false)]);

    let record = stored(&storage).expect("a record");
    assert_eq!(record["v"], 1);
    assert_eq!(record["session"]["token"], token("s-1", T0, HOUR));
    assert_eq!(record["session"]["user"], json!({"name": "Ada"}));
    assert_eq!(record["session"]["wallets"][0]["address"], "So1anaAddr");
    assert_eq!(storage.keys(), vec![KEY.to_string()], "exactly one key");

    let reloaded = tab(&storage, T0 + MINUTE);
    let session = reloaded.session().expect("restored");
    assert_eq!(session.info(), info);
    assert_eq!(session.user_json(), Some(r#"{"name":"Ada"}"#));
    let addresses: Vec<_> = session.wallets().into_iter().map(|w| (w.address, w.verified)).collect();
    assert_eq!(
        addresses,
        vec![("0xAbC0000000000000000000000000000000000001".into(), true), ("So1anaAddr".into(), false)]
    );
}

#[test]
fn memory_persistence_writes_nothing() {
    let mut keeper = Keeper::new(config(), None, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    assert_eq!(keeper.persistence(), Persistence::Memory);
    assert!(keeper.session().is_some());
}

#[test]
fn tokens_of_another_environment_or_already_expired_are_refused() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let mut other = claims("s-1", T0, HOUR);
    other["environment_id"] = json!("env-other");
    let err = keeper.set_session(&jwt(&other), None, None, T0).unwrap_err();
    assert_eq!(err.code(), "environment_mismatch");

    // Three days old and expired two days ago: beyond any believable clock error.
    let err = keeper.set_session(&token("s-2", T0 - 3 * DAY, DAY), None, None, T0).unwrap_err();
    assert_eq!(err.code(), "token_expired");

    // Leeway larger than the remaining life also means expired.
    let mut strict = Keeper::new(Config { leeway_ms: 2 * MINUTE, ..config() }, None, T0);
    let err = strict.set_session(&token("s-3", T0, MINUTE), None, None, T0).unwrap_err();
    assert_eq!(err.code(), "token_expired");
    assert!(keeper.session().is_none() && strict.session().is_none());
}

#[test]
fn a_token_without_environment_id_is_accepted() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let mut claims = claims("s-1", T0, HOUR);
    claims.as_object_mut().unwrap().remove("environment_id");
    assert!(keeper.set_session(&jwt(&claims), None, None, T0).is_ok());
}

#[test]
fn edge_18_lifetime_over_30_days_is_clamped_to_iat_plus_30_days() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let (info, _) = keeper.set_session(&token("s-1", T0, 90 * DAY), None, None, T0).unwrap();
    assert_eq!(info.expires_at, T0 + 30 * DAY);
    assert!(keeper.check(T0 + 30 * DAY - 1).is_empty());
    assert_eq!(ends(&keeper.check(T0 + 30 * DAY)), vec![(EndReason::Expired, false)]);
}

#[test]
fn leeway_ends_the_session_earlier() {
    let mut keeper = Keeper::new(Config { leeway_ms: 10 * SECOND, ..config() }, None, T0);
    let (info, _) = keeper.set_session(&token("s-1", T0, MINUTE), None, None, T0).unwrap();
    assert_eq!(info.expires_at, T0 + 50 * SECOND);
}

#[test]
fn expiry_fires_at_the_end_time_never_before_and_clears_storage() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, 30 * SECOND), None, None, T0).unwrap();
    assert_eq!(keeper.next_wakeup(), Some(T0 + 30 * SECOND));
    assert!(keeper.check(T0 + 30 * SECOND - 1).is_empty(), "never before the end");
    assert!(keeper.session().is_some());
    let events = keeper.check(T0 + 30 * SECOND);
    assert!(matches!(events.as_slice(), [Event::End(e)] if e.reason == EndReason::Expired
        && e.session_id.as_deref() == Some("s-1") && e.user_id.as_deref() == Some("user-1") && !e.remote));
    assert!(storage.keys().is_empty(), "storage is cleared at that moment");
    assert!(keeper.session().is_none() && keeper.next_wakeup().is_none());
    assert!(keeper.check(T0 + HOUR).is_empty(), "ends once");
}

/// A 30-day token must not end early although `setTimeout` cannot wait that long: the
/// wake-ups are chained, each at most 2^31-1 ms, and only the last one ends the session.
#[test]
fn edge_01_timer_overflow_thirty_day_token_ends_at_its_real_expiry() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    keeper.set_session(&token("s-1", T0, 30 * DAY), None, None, T0).unwrap();
    let mut now = T0;
    let mut wakeups = 0;
    let ended_at = loop {
        let deadline = keeper.next_wakeup().expect("a wake-up is scheduled while the session lives");
        let delay = session_keeper::expiry::timer_delay(deadline, now);
        assert!(i64::from(delay) <= MAX_TIMER_DELAY_MS, "the delay is never past setTimeout's limit");
        now += i64::from(delay);
        wakeups += 1;
        if !keeper.check(now).is_empty() {
            break now;
        }
        assert!(wakeups < 5, "the session never ends");
    };
    assert_eq!(ended_at, T0 + 30 * DAY);
    assert_eq!(wakeups, 2, "24.8 days, then the remaining 5.2");
}

#[test]
fn logout_clears_token_user_and_connected_wallets_at_once_and_fires_once() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), Some("{}".into()), None, T0).unwrap();
    keeper.connect_wallet(Wallet::connected("0xdef", "eip155", "walletconnect")).unwrap();
    let event = keeper.end(EndReason::Logout, T0 + SECOND).expect("an end event");
    assert!(matches!(&event, Event::End(e) if e.reason == EndReason::Logout && !e.remote));
    assert!(keeper.session().is_none());
    assert!(storage.keys().is_empty());
    assert!(keeper.end(EndReason::Logout, T0 + 2 * SECOND).is_none(), "a second logout is quiet");
    assert_eq!(keeper.set_user("{}".into()).unwrap_err().code(), "no_session");
}

#[test]
fn logout_without_a_session_is_quiet() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    assert!(keeper.end(EndReason::Logout, T0).is_none());
    assert_eq!(storage.writes(), 0);
}

#[test]
fn a_different_session_replaces_the_current_one() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    let (_, events) = keeper.set_session(&token("s-2", T0, HOUR), None, None, T0).unwrap();
    assert_eq!(ends(&events), vec![(EndReason::Replaced, false)]);
    assert_eq!(starts(&events), vec![(Some("s-2".into()), false)]);
    assert!(matches!(&events[0], Event::End(e) if e.session_id.as_deref() == Some("s-1")), "old ends first");
}

#[test]
fn a_refreshed_token_of_the_same_session_keeps_user_and_wallets_without_events() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    keeper.set_session(&token("s-1", T0, HOUR), Some(r#"{"n":1}"#.into()), None, T0).unwrap();
    keeper.connect_wallet(Wallet::connected("0xdef", "eip155", "walletconnect")).unwrap();
    let (info, events) = keeper.set_session(&token("s-1", T0 + MINUTE, 2 * HOUR), None, None, T0 + MINUTE).unwrap();
    assert!(events.is_empty());
    assert_eq!(info.expires_at, T0 + MINUTE + 2 * HOUR);
    let session = keeper.session().unwrap();
    assert_eq!(session.user_json(), Some(r#"{"n":1}"#));
    assert_eq!(session.wallets().len(), 2);
}

#[test]
fn wallets_connect_once_verified_ones_cannot_be_disconnected() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    assert_eq!(keeper.connect_wallet(Wallet::connected("0xdef", "eip155", "x")).unwrap_err().code(), "no_session");
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    keeper.connect_wallet(Wallet::connected("0xDEF", "eip155", "walletconnect")).unwrap();
    keeper.connect_wallet(Wallet::connected("0xdef", "eip155", "walletconnect")).unwrap();
    // The verified wallet from the token, in another spelling: not added twice.
    keeper.connect_wallet(Wallet::connected("0xabc0000000000000000000000000000000000001", "eip155", "x")).unwrap();
    assert_eq!(keeper.session().unwrap().wallets().len(), 2);
    assert_eq!(keeper.connect_wallet(Wallet::connected("", "eip155", "x")).unwrap_err().code(), "invalid_argument");
    assert!(!keeper.disconnect_wallet("0xAbC0000000000000000000000000000000000001").unwrap());
    assert!(keeper.disconnect_wallet("0xdef").unwrap());
    assert_eq!(keeper.session().unwrap().wallets().len(), 1);
    assert_eq!(stored(&storage).unwrap()["session"]["wallets"], json!([]));
}

#[test]
fn set_user_needs_json_and_persists() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    assert_eq!(keeper.set_user("{not json".into()).unwrap_err().code(), "invalid_argument");
    keeper.set_user(r#"{"email":"ada@example.com"}"#.into()).unwrap();
    assert_eq!(stored(&storage).unwrap()["session"]["user"]["email"], "ada@example.com");
}

#[test]
fn edge_11_corrupt_or_non_json_records_mean_no_session_and_are_removed() {
    let valid_token = token("s-1", T0, HOUR);
    for corrupt in [
        "not json".to_string(),
        "{".into(),
        "null".into(),
        "[1,2]".into(),
        r#"{"v":1}"#.into(),
        r#"{"v":"1","session":{}}"#.into(),
        r#"{"v":1,"session":{"token":42,"anchor":0}}"#.into(),
        r#"{"v":1,"session":{"token":"garbage","anchor":0}}"#.into(),
        format!(r#"{{"v":1,"session":{{"token":"{valid_token}"}}}}"#),
        format!(r#"{{"v":1,"session":{{"token":"{valid_token}","anchor":0}},"ended":{{"key":"k","reason":"logout","at":0}}}}"#),
    ] {
        let storage = MemoryStorage::default();
        storage.set(KEY, &corrupt).unwrap();
        let mut keeper = tab(&storage, T0);
        assert!(keeper.session().is_none(), "{corrupt}");
        assert!(storage.keys().is_empty(), "{corrupt} was not removed");
        assert_eq!(keeper.take_notices(), vec![Notice::RecordDiscarded], "{corrupt}");
    }
}

#[test]
fn a_record_whose_token_belongs_to_another_environment_is_removed() {
    let storage = MemoryStorage::default();
    let mut other = claims("s-1", T0, HOUR);
    other["environment_id"] = json!("env-other");
    storage.set(KEY, &format!(r#"{{"v":1,"session":{{"token":"{}","anchor":{T0}}}}}"#, jwt(&other))).unwrap();
    assert!(tab(&storage, T0).session().is_none());
    assert!(storage.keys().is_empty());
}

#[test]
fn an_expired_record_is_removed_on_restore() {
    let storage = MemoryStorage::default();
    tab(&storage, T0).set_session(&token("s-1", T0, MINUTE), None, None, T0).unwrap();
    assert!(tab(&storage, T0 + 2 * MINUTE).session().is_none());
    assert!(storage.keys().is_empty());
}

#[test]
fn edge_12_older_schema_versions_are_discarded_newer_ones_left_alone() {
    let valid = token("s-1", T0, HOUR);
    for old in [
        format!(r#"{{"token":"{valid}"}}"#),
        format!(r#"{{"v":0,"token":"{valid}","user":null}}"#),
    ] {
        let storage = MemoryStorage::default();
        storage.set(KEY, &old).unwrap();
        assert!(tab(&storage, T0).session().is_none());
        assert!(storage.keys().is_empty(), "{old} was not discarded");
    }
    // A newer SDK in another tab wrote this: this tab cannot read it, and must not destroy it.
    let storage = MemoryStorage::default();
    let newer = r#"{"v":2,"whatever":{"token":"x"}}"#;
    storage.set(KEY, newer).unwrap();
    let mut keeper = tab(&storage, T0);
    assert!(keeper.session().is_none());
    assert_eq!(storage.get(KEY).unwrap().as_deref(), Some(newer));
    assert_eq!(keeper.take_notices(), vec![Notice::RecordFromNewerVersion]);
}

#[test]
fn edge_16_one_wakeup_at_a_time_and_none_after_logout() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    assert_eq!(keeper.next_wakeup(), None, "idle: nothing scheduled");
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    keeper.set_session(&token("s-2", T0, 2 * HOUR), None, None, T0).unwrap();
    assert_eq!(keeper.next_wakeup(), Some(T0 + 2 * HOUR), "re-login replaces the wake-up");
    keeper.end(EndReason::Logout, T0);
    assert_eq!(keeper.next_wakeup(), None);
}

#[test]
fn edge_02_sleep_past_expiry_ends_the_session_on_the_first_check_after_wake() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, 5 * MINUTE), None, None, T0).unwrap();
    // The device sleeps for 3 hours; no timer fired. The first wake-up (visibility, focus or
    // the late timer) sees the clock past the end.
    let events = keeper.check(T0 + 3 * HOUR);
    assert_eq!(ends(&events), vec![(EndReason::Expired, false)]);
    assert!(storage.keys().is_empty());
}

#[test]
fn edge_08_clock_skew_device_slow_is_learned_from_a_future_iat() {
    // The server issues a 30 s token at server time T0; the device reads an hour earlier.
    let local_now = T0 - HOUR;
    let mut keeper = tab(&MemoryStorage::default(), local_now);
    let (info, _) = keeper.set_session(&token("s-1", T0, 30 * SECOND), None, None, local_now).unwrap();
    assert_eq!(keeper.session().unwrap().clock_skew_ms(), HOUR);
    assert!(keeper.check(local_now + SECOND).is_empty(), "not ended at once");
    assert_eq!(info.expires_at, local_now + 30 * SECOND);
    assert_eq!(ends(&keeper.check(local_now + 30 * SECOND)), vec![(EndReason::Expired, false)]);
}

#[test]
fn edge_08_device_fast_needs_the_servers_date_and_then_signs_in_with_a_short_token() {
    // The device is an hour fast. Without evidence a fresh 30 s token looks expired: refused.
    let local_now = T0 + HOUR;
    let mut keeper = tab(&MemoryStorage::default(), local_now);
    let err = keeper.set_session(&token("s-1", T0, 30 * SECOND), None, None, local_now).unwrap_err();
    assert_eq!(err.code(), "token_expired");
    // A server Date header (as the keeper fetches at construction with apiBaseUrl) fixes it.
    keeper.observe_server_time(T0, local_now);
    let (info, _) = keeper.set_session(&token("s-1", T0, 30 * SECOND), None, None, local_now).unwrap();
    assert!((info.expires_at - (local_now + 30 * SECOND)).abs() <= SECOND, "ends 30 s from now on the device");
    assert!(keeper.check(local_now + 28 * SECOND).is_empty());
    assert_eq!(ends(&keeper.check(local_now + 31 * SECOND)), vec![(EndReason::Expired, false)]);
}

#[test]
fn expired_tokens_are_never_revived_by_an_old_iat() {
    // Expired 257 s ago, and 22 h ago: both refused, neither gets its lifetime again.
    for (iat, life) in [(T0 - HOUR - 257 * SECOND, HOUR), (T0 - 23 * HOUR, HOUR)] {
        let mut keeper = tab(&MemoryStorage::default(), T0);
        let err = keeper.set_session(&token("s-1", iat, life), None, None, T0).unwrap_err();
        assert_eq!(err.code(), "token_expired");
        assert!(keeper.session().is_none());
    }
}

#[test]
fn edge_08_backdated_iat_is_not_taken_for_skew_and_never_extends_the_session() {
    // The issuer backdates iat by 5 minutes; device and server clocks agree.
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let iat = T0 - 5 * MINUTE;
    let (info, _) = keeper.set_session(&token("s-1", iat, 10 * MINUTE), None, None, T0).unwrap();
    assert_eq!(info.expires_at, iat + 10 * MINUTE, "the token's own exp, nothing more");
    assert_eq!(keeper.session().unwrap().clock_skew_ms(), 0);

    // A 30 s token from a backdating issuer on a correct clock lives its remaining 25 s.
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let (info, _) = keeper.set_session(&token("s-1", T0 - 5 * SECOND, 30 * SECOND), None, None, T0).unwrap();
    assert_eq!(info.expires_at, T0 + 25 * SECOND);
}

#[test]
fn edge_08_skew_is_kept_with_the_stored_session_and_not_re_estimated() {
    let storage = MemoryStorage::default();
    let device_fast = HOUR;
    let mut first = tab(&storage, T0 + device_fast);
    let t = token("s-1", T0, 2 * HOUR);
    let (info, _) = first.set_session(&t, None, None, T0 + device_fast).unwrap();
    // Reload 30 minutes later: the stored skew is used, the session keeps its end time.
    let mut reloaded = tab(&storage, T0 + device_fast + 30 * MINUTE);
    assert_eq!(reloaded.session().unwrap().info().expires_at, info.expires_at);
    // The app sets the same token again on page load: still the same end time.
    let (again, _) = reloaded.set_session(&t, None, None, T0 + device_fast + 30 * MINUTE).unwrap();
    assert_eq!(again.expires_at, info.expires_at);
}

#[test]
fn a_server_date_header_refines_the_skew() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    // The token's iat is 3 minutes old: within tolerance, so no skew is assumed...
    keeper.set_session(&token("s-1", T0 - 3 * MINUTE, HOUR), None, None, T0).unwrap();
    let before = keeper.session().unwrap().ends_at();
    // ...but the server's Date header says its clock is 3 minutes ahead of the device.
    assert!(keeper.observe_server_time(T0 + 3 * MINUTE, T0));
    let after = keeper.session().unwrap().ends_at();
    assert_eq!(before - after, 3 * MINUTE + 500, "ends 3 min (and half the header's resolution) earlier");
    assert_eq!(tab(&storage, T0).session().unwrap().ends_at(), after, "the new skew is stored");
    assert!(!keeper.observe_server_time(T0 + 3 * MINUTE + 400, T0), "sub-second differences are noise");
}

#[test]
fn edge_09_storage_that_cannot_be_read_falls_back_to_memory_and_keeps_working() {
    let storage = MemoryStorage::default();
    storage.fail_reads(true);
    let mut keeper = tab(&storage, T0);
    assert_eq!(keeper.persistence(), Persistence::Memory);
    assert_eq!(keeper.take_notices(), vec![Notice::StorageUnavailable]);
    keeper.set_session(&token("s-1", T0, MINUTE), None, None, T0).unwrap();
    assert!(storage.keys().is_empty());
    assert_eq!(ends(&keeper.check(T0 + MINUTE)), vec![(EndReason::Expired, false)], "expiry still works");
    assert!(keeper.take_notices().is_empty(), "reported once");
}

#[test]
fn edge_09_storage_failing_mid_session_degrades_without_losing_the_session() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    storage.fail_reads(true);
    assert!(keeper.check(T0 + MINUTE).is_empty());
    assert!(keeper.session().is_some());
    assert_eq!(keeper.persistence(), Persistence::Memory);
    assert_eq!(keeper.take_notices(), vec![Notice::StorageUnavailable]);
}

#[test]
fn edge_10_quota_exceeded_degrades_to_memory_reports_once_and_keeps_the_session() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    storage.fail_writes(Some(StorageError::Full));
    // A new session cannot be written: the old record must not survive to be restored.
    let (_, events) = keeper.set_session(&token("s-2", T0, HOUR), None, None, T0).unwrap();
    assert_eq!(starts(&events).len(), 1);
    assert_eq!(keeper.persistence(), Persistence::Memory);
    assert_eq!(keeper.take_notices(), vec![Notice::StorageFull]);
    assert!(storage.keys().is_empty(), "the stale record of s-1 was removed");
    keeper.set_user("{}".into()).unwrap();
    assert!(keeper.take_notices().is_empty(), "reported once");
    assert_eq!(keeper.session().unwrap().info().session_id.as_deref(), Some("s-2"));
}

#[test]
fn edge_10_quota_on_an_update_of_the_same_session_keeps_its_record() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    storage.fail_writes(Some(StorageError::Full));
    keeper.set_user(r#"{"big":"..."}"#.into()).unwrap();
    assert_eq!(keeper.persistence(), Persistence::Memory);
    assert_eq!(storage.keys(), vec![KEY.to_string()], "other tabs keep the session");
}

#[test]
fn debug_output_never_contains_the_token() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let t = token("s-1", T0, HOUR);
    keeper.set_session(&t, None, None, T0).unwrap();
    let printed = format!("{keeper:?} {:?}", keeper.session().unwrap().info());
    let signature = t.rsplit('.').next().unwrap();
    assert!(!printed.contains(signature) && !printed.contains(&t), "{printed}");
}

#[test]
fn a_refused_wallet_list_keeps_the_current_session() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    let too_many: Vec<Wallet> = (0..10_001).map(|i| Wallet::connected(&format!("w{i}"), "c", "x")).collect();
    let err = keeper.set_session(&token("s-2", T0, HOUR), None, Some(too_many), T0).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert_eq!(keeper.session().unwrap().info().session_id.as_deref(), Some("s-1"), "nothing changed");
    assert!(stored(&storage).is_some());
}

#[test]
fn a_record_with_text_after_it_is_discarded() {
    let storage = MemoryStorage::default();
    tab(&storage, T0).set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    let text = storage.get(KEY).unwrap().unwrap();
    storage.set(KEY, &(text + " ]]")).unwrap();
    assert!(tab(&storage, T0).session().is_none(), "not JSON, so not a record");
    assert!(storage.keys().is_empty(), "and removed");
}

#[test]
fn a_date_header_never_stretches_a_fresh_token_past_its_lifetime() {
    // The server's Date header is whole seconds: read as the middle of its second it can put the
    // server up to 500 ms behind the token's own iat. The iat wins: 60 s never becomes 60.4 s.
    let mut keeper = tab(&MemoryStorage::default(), T0);
    keeper.observe_server_time(T0 - 1_000, T0 + 100); // "the server is 600 ms behind"
    let (info, _) = keeper.set_session(&token("s-1", T0, MINUTE), None, None, T0 + 100).unwrap();
    assert!(info.expires_at - (T0 + 100) <= MINUTE, "{} ms left of a 60 s token", info.expires_at - (T0 + 100));
}
