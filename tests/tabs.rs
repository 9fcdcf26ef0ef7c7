//! Several tabs of one origin sharing storage (EDGE_CASES 4–7): each tab sees the others'
//! writes as `storage` events, delivered by the fake [`Browser`].

mod common;

use common::*;
use session_keeper::storage::{MemoryStorage, Storage, StorageError};
use session_keeper::Persistence;
use session_keeper::{EndReason, Event, Wallet};

#[test]
fn edge_05_logout_in_tab_a_ends_tab_b_once_with_remote_true() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    let events = browser.deliver(0, T0);
    assert_eq!(starts(&events[1]), vec![(Some("s-1".into()), true)], "tab B adopts the session");

    let logout = browser.tabs[0].end(EndReason::Logout, T0 + MINUTE);
    assert!(matches!(logout, Some(Event::End(ref e)) if !e.remote));
    let events = browser.deliver(0, T0 + MINUTE);
    assert_eq!(ends(&events[1]), vec![(EndReason::Logout, true)], "exactly one end in tab B");
    assert!(browser.tabs[1].session().is_none());
    assert!(browser.storage.keys().is_empty());
    assert!(browser.deliver(1, T0 + MINUTE).iter().all(Vec::is_empty), "tab B wrote nothing back");
}

#[test]
fn expiry_and_revocation_in_one_tab_carry_their_reason_to_the_others() {
    for reason in [EndReason::Expired, EndReason::Revoked] {
        let mut browser = Browser::new(3, T0);
        browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
        browser.deliver(0, T0);
        if reason == EndReason::Expired {
            // Tab A wakes at the end; B and C are throttled and have not.
            assert_eq!(ends(&browser.tabs[0].check(T0 + HOUR)), vec![(EndReason::Expired, false)]);
        } else {
            browser.tabs[0].end(EndReason::Revoked, T0 + MINUTE);
        }
        let events = browser.deliver(0, T0 + HOUR);
        // A revocation is news from another tab; an expiry is what every tab's own clock says
        // (the record vanished past its end time), so the other tabs report it as their own.
        let remote = reason != EndReason::Expired;
        for (tab, events) in events.iter().enumerate().skip(1) {
            assert_eq!(ends(events), vec![(reason, remote)], "tab {tab}");
        }
    }
}

#[test]
fn edge_04_two_tabs_reaching_the_end_together_each_fire_once_and_storage_is_cleared_once() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    let (removes_before, writes_before) = (browser.storage.removes(), browser.storage.writes());
    // Both timers fire before either tab has seen the other's storage event.
    let a = browser.tabs[0].check(T0 + HOUR);
    let b = browser.tabs[1].check(T0 + HOUR);
    let late = browser.deliver(0, T0 + HOUR);
    assert_eq!(ends(&a), vec![(EndReason::Expired, false)]);
    assert_eq!(ends(&b), vec![(EndReason::Expired, false)]);
    assert!(late.iter().all(Vec::is_empty), "the late storage event ends nothing twice");
    assert_eq!(browser.storage.removes() - removes_before, 1, "storage cleared once");
    assert_eq!(browser.storage.writes() - writes_before, 0, "expiry writes nothing (no tombstone)");
    assert!(browser.tabs.iter().all(|t| t.session().is_none()));
}

#[test]
fn a_new_session_in_one_tab_replaces_the_old_one_everywhere() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.tabs[0].set_session(&token("s-2", T0, HOUR), Some(r#"{"n":2}"#.into()), None, T0).unwrap();
    let events = browser.deliver(0, T0);
    assert_eq!(ends(&events[1]), vec![(EndReason::Replaced, true)]);
    assert_eq!(starts(&events[1]), vec![(Some("s-2".into()), true)]);
    let b = browser.tabs[1].session().unwrap();
    assert_eq!(b.user_json(), Some(r#"{"n":2}"#));
}

#[test]
fn edge_06_a_late_end_of_session_x_never_ends_session_y() {
    let mut browser = Browser::new(3, T0);
    browser.tabs[0].set_session(&token("x", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    // Tab C is frozen (back-forward cache, or simply behind): it holds X and misses Y, so
    // Y's storage event goes to tab B only.
    browser.tabs[0].set_session(&token("y", T0, 2 * HOUR), None, None, T0).unwrap();
    let changes = browser.storage.take_changes();
    for (_, value) in &changes {
        browser.tabs[1].storage_changed(value.as_deref(), T0);
    }
    assert_eq!(browser.tabs[1].session().unwrap().info().session_id.as_deref(), Some("y"));
    assert_eq!(browser.tabs[2].session().unwrap().info().session_id.as_deref(), Some("x"), "C is stale");

    // C's timer for X fires: C ends X for itself but must not touch Y in storage.
    assert_eq!(ends(&browser.tabs[2].check(T0 + HOUR)), vec![(EndReason::Replaced, true)],
        "C re-reads storage, finds Y, and learns X was replaced");
    let events = browser.deliver(2, T0 + HOUR);
    assert!(events.iter().all(Vec::is_empty));
    assert!(browser.storage.get("session-keeper:env-test").unwrap().unwrap().contains(&token("y", T0, 2 * HOUR)));

    // And a tombstone for X arriving late in a tab on Y is ignored.
    let late = r#"{"v":1,"ended":{"key":"sid:x","reason":"logout","at":0}}"#;
    assert!(browser.tabs[1].storage_changed(Some(late), T0 + HOUR).is_empty());
    assert_eq!(browser.tabs[1].session().unwrap().info().session_id.as_deref(), Some("y"));
}

#[test]
fn edge_07_record_removed_outside_the_sdk_ends_the_session_in_every_tab() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    // DevTools deletes the key (or the app calls localStorage.clear()): every tab gets a
    // storage event with no new value, and a tab that was hidden re-reads on wake.
    browser.storage.remove("session-keeper:env-test").unwrap();
    browser.storage.take_changes();
    assert_eq!(ends(&browser.tabs[1].storage_changed(None, T0 + MINUTE)), vec![(EndReason::Logout, true)]);
    assert_eq!(ends(&browser.tabs[0].check(T0 + MINUTE)), vec![(EndReason::Logout, true)]);
    assert!(browser.storage.keys().is_empty(), "nothing re-written");
}

#[test]
fn corrupt_value_written_by_someone_else_ends_the_session_and_is_removed() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.storage.set("session-keeper:env-test", "{garbage").unwrap();
    browser.storage.take_changes();
    assert_eq!(ends(&browser.tabs[1].storage_changed(Some("{garbage"), T0)), vec![(EndReason::Logout, true)]);
    assert!(browser.storage.keys().is_empty(), "the garbage was removed");
}

#[test]
fn an_event_is_a_hint_what_storage_holds_now_decides() {
    // An old value arriving late (a page back from the back-forward cache gets its missed
    // events after it re-read storage) changes nothing: storage still holds the session.
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    assert!(browser.tabs[1].storage_changed(None, T0).is_empty(), "a stale removal");
    assert!(browser.tabs[1].storage_changed(Some("{garbage"), T0).is_empty(), "a stale corrupt value");
    let other = record_of(&token("s-0", T0, HOUR));
    assert!(browser.tabs[1].storage_changed(Some(&other), T0).is_empty(), "a stale other session");
    assert_eq!(browser.tabs[1].session().unwrap().info().session_id.as_deref(), Some("s-1"));
}

#[test]
fn user_and_wallet_changes_reach_other_tabs_without_events() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.tabs[0].connect_wallet(Wallet::connected("0xdef", "eip155", "walletconnect")).unwrap();
    browser.tabs[0].set_user(r#"{"name":"Ada"}"#.into()).unwrap();
    let events = browser.deliver(0, T0);
    assert!(events.iter().all(Vec::is_empty));
    let b = browser.tabs[1].session().unwrap();
    assert_eq!(b.wallets().len(), 2);
    assert_eq!(b.user_json(), Some(r#"{"name":"Ada"}"#));
}

#[test]
fn a_refreshed_token_in_one_tab_moves_the_end_time_in_the_others() {
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.tabs[0].set_session(&token("s-1", T0 + MINUTE, 2 * HOUR), None, None, T0 + MINUTE).unwrap();
    assert!(browser.deliver(0, T0 + MINUTE).iter().all(Vec::is_empty));
    assert_eq!(browser.tabs[1].next_wakeup(), Some(T0 + MINUTE + 2 * HOUR));
    assert!(browser.tabs[1].check(T0 + HOUR).is_empty(), "the old end time no longer applies");
}

#[test]
fn a_tab_on_memory_persistence_ignores_storage_events() {
    let mut memory = session_keeper::Keeper::new(config(), None, T0);
    memory.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    assert!(memory.storage_changed(None, T0).is_empty());
    assert!(memory.session().is_some());
}

#[test]
fn a_session_handed_over_past_its_end_here_ends_as_expired_at_once() {
    // Tab B's clock is ahead: the record tab A writes for the same session is already over there.
    let mut browser = Browser::new(2, T0);
    browser.tabs[0].set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.tabs[0].set_user(r#"{"n":1}"#.into()).unwrap();
    let events = browser.deliver(0, T0 + 2 * HOUR);
    assert_eq!(ends(&events[1]), vec![(EndReason::Expired, false)]);
    assert!(browser.tabs[1].session().is_none());
}

// ---- storage holds the truth (issue 16) ----------------------------------------------------

#[test]
fn logout_after_a_full_storage_still_removes_the_stored_session() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    storage.fail_writes(Some(StorageError::Full));
    keeper.set_user(r#"{"big":"..."}"#.into()).unwrap();
    assert_eq!(keeper.persistence(), Persistence::Memory, "degraded");
    assert_eq!(ends(&keeper.end(EndReason::Logout, T0).into_iter().collect::<Vec<_>>()), vec![(EndReason::Logout, false)]);
    assert!(storage.keys().is_empty(), "the record left behind is gone: a reload restores nothing");
    assert!(tab(&storage, T0).session().is_none());
}

#[test]
fn a_full_storage_keeps_the_newer_state_in_memory_and_stores_it_once_there_is_room() {
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    storage.fail_writes(Some(StorageError::Full));
    keeper.set_user(r#"{"n":2}"#.into()).unwrap();
    assert!(keeper.check(T0 + SECOND).is_empty(), "the older stored state of the same session is not adopted");
    assert_eq!(keeper.session().unwrap().user_json(), Some(r#"{"n":2}"#));
    storage.fail_writes(None);
    assert!(keeper.check(T0 + 2 * SECOND).is_empty());
    assert_eq!(keeper.persistence(), Persistence::Local, "stored again");
    assert_eq!(tab(&storage, T0).session().unwrap().user_json(), Some(r#"{"n":2}"#));
}

#[test]
fn a_session_that_never_reached_a_full_storage_is_not_ended_by_the_empty_storage() {
    let storage = MemoryStorage::default();
    storage.fail_writes(Some(StorageError::Full));
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    assert!(keeper.check(T0 + SECOND).is_empty());
    assert!(keeper.session().is_some());
}

#[test]
fn a_busy_tab_writing_back_a_logged_out_session_is_undone_by_the_tab_that_logged_out() {
    // Tab A missed B's logout (its storage view lagged) and wrote its record again: B, which
    // saw the session end, removes it again and says why; A follows. Nothing is restored.
    let mut browser = Browser::new(2, T0);
    let t1 = token("s-1", T0, HOUR);
    browser.tabs[0].set_session(&t1, None, None, T0).unwrap();
    browser.deliver(0, T0);
    browser.tabs[1].end(EndReason::Logout, T0 + SECOND);
    browser.storage.take_changes(); // A has not heard of it yet
    browser.storage.set("session-keeper:env-test", &record_of(&t1)).unwrap(); // A's stale write
    let events = browser.deliver(0, T0 + 2 * SECOND);
    assert!(events[1].is_empty(), "B announces nothing twice and adopts nothing");
    assert_eq!(ends(&events[0]), vec![(EndReason::Logout, true)], "A learns of the logout from B's tombstone");
    assert!(browser.storage.keys().is_empty());
    assert!(tab(&browser.storage, T0).session().is_none(), "a reload restores nothing");
}

#[test]
fn a_tombstone_told_by_another_keeper_ends_the_session_with_its_reason() {
    // Two keepers of one document: a browser tells a document nothing of its own writes, so
    // the keepers tell each other what they wrote (`take_told`).
    let storage = MemoryStorage::default();
    let (mut a, mut b) = (tab(&storage, T0), tab(&storage, T0));
    a.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    let told = a.take_told().unwrap();
    assert_eq!(starts(&b.storage_changed(Some(&told), T0)), vec![(Some("s-1".into()), true)]);
    a.end(EndReason::Revoked, T0 + SECOND);
    let told = a.take_told().unwrap();
    assert!(told.contains("revoked"), "the tombstone: {told}");
    assert_eq!(ends(&b.storage_changed(Some(&told), T0 + SECOND)), vec![(EndReason::Revoked, true)]);
    assert_eq!(b.set_user("{}".into()).unwrap_err().code(), "no_session", "B cannot write it back");
    assert!(storage.keys().is_empty());
}

#[test]
fn a_tombstone_ends_a_copy_of_the_session_in_another_storage() {
    // sessionStorage is copied into a tab opened with window.open: the copy follows the
    // opener's logout when the opener's keeper tells it.
    let (opener, copy) = (MemoryStorage::default(), MemoryStorage::default());
    let t1 = token("s-1", T0, HOUR);
    let mut a = tab(&opener, T0);
    a.set_session(&t1, None, None, T0).unwrap();
    copy.set("session-keeper:env-test", &record_of(&t1)).unwrap();
    let mut b = tab(&copy, T0);
    assert!(b.session().is_some());
    a.take_told();
    a.end(EndReason::Logout, T0 + SECOND);
    let told = a.take_told().unwrap();
    assert_eq!(ends(&b.storage_changed(Some(&told), T0 + SECOND)), vec![(EndReason::Logout, true)]);
    assert!(copy.keys().is_empty(), "the copy's record is removed too");
}
