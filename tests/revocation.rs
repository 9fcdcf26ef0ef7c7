//! Revocation checks: what an answer means (EDGE_CASES 13) and when to ask.

mod common;

use common::*;
use session_keeper::revocation::{classify, CheckOutcome, RevocationSchedule, MAX_BACKOFF_MS, WAKE_THROTTLE_MS};

const _: () = assert!(MAX_BACKOFF_MS == 300 * SECOND, "the expected delays below assume a 5-minute cap");
use session_keeper::storage::MemoryStorage;
use session_keeper::EndReason;

#[test]
fn edge_13_only_401_and_403_mean_revoked_network_errors_and_5xx_do_not() {
    assert_eq!(classify(Some(401)), CheckOutcome::Revoked);
    assert_eq!(classify(Some(403)), CheckOutcome::Revoked);
    for status in [None, Some(0), Some(404), Some(408), Some(429), Some(500), Some(502), Some(503), Some(504)] {
        assert_eq!(classify(status), CheckOutcome::Failed, "{status:?}");
    }
    for status in [200, 204, 299] {
        assert_eq!(classify(Some(status)), CheckOutcome::Valid);
    }
}

#[test]
fn checks_repeat_every_interval_one_at_a_time() {
    let mut s = RevocationSchedule::new(60 * SECOND);
    assert_eq!(s.next_due(), Some(i64::MIN), "due at once before any check");
    assert!(s.begin(T0));
    assert_eq!(s.next_due(), None, "nothing else while one is in flight");
    assert!(!s.begin(T0 + SECOND));
    assert!(!s.due_on_wake(T0 + 10 * SECOND));
    s.finish(CheckOutcome::Valid);
    assert_eq!(s.next_due(), Some(T0 + 60 * SECOND));
}

#[test]
fn edge_13_failures_back_off_exponentially_up_to_a_cap_and_success_resets() {
    let mut s = RevocationSchedule::new(60 * SECOND);
    let mut now = T0;
    let mut delays = Vec::new();
    for _ in 0..8 {
        assert!(s.begin(now));
        s.finish(CheckOutcome::Failed);
        let due = s.next_due().unwrap();
        delays.push((due - now) / SECOND);
        now = due;
    }
    assert_eq!(delays, vec![120, 240, 300, 300, 300, 300, 300, 300]);
    assert!(s.begin(now));
    s.finish(CheckOutcome::Valid);
    assert_eq!(s.next_due(), Some(now + 60 * SECOND), "back to the interval");
}

#[test]
fn wake_ups_check_at_once_but_throttled_and_respect_backoff_until_online() {
    let mut s = RevocationSchedule::new(60 * SECOND);
    assert!(s.due_on_wake(T0), "first wake-up checks");
    s.begin(T0);
    s.finish(CheckOutcome::Valid);
    assert!(!s.due_on_wake(T0 + WAKE_THROTTLE_MS - 1), "focus flapping is throttled");
    assert!(s.due_on_wake(T0 + WAKE_THROTTLE_MS));
    s.begin(T0 + WAKE_THROTTLE_MS);
    s.finish(CheckOutcome::Failed);
    assert!(!s.due_on_wake(T0 + WAKE_THROTTLE_MS + 30 * SECOND), "a failing backend is not hammered");
    s.forgive();
    assert!(s.due_on_wake(T0 + WAKE_THROTTLE_MS + 30 * SECOND), "back online: check now");
}

#[test]
fn short_intervals_throttle_wake_ups_to_the_interval() {
    let mut s = RevocationSchedule::new(SECOND);
    s.begin(T0);
    s.finish(CheckOutcome::Valid);
    assert!(s.due_on_wake(T0 + SECOND));
}

#[test]
fn a_new_session_waits_one_interval_before_its_first_check() {
    let mut s = RevocationSchedule::new(60 * SECOND);
    s.begin(T0);
    s.finish(CheckOutcome::Failed);
    s.restart(T0 + 5 * SECOND);
    assert_eq!(s.next_due(), Some(T0 + 65 * SECOND));
}

#[test]
fn a_revoked_answer_is_about_the_token_it_was_sent_with() {
    let mut keeper = tab(&MemoryStorage::default(), T0);
    let old = token("old", T0, HOUR);
    keeper.set_session(&old, None, None, T0).unwrap();
    let new = token("new", T0, HOUR);
    keeper.set_session(&new, None, None, T0).unwrap();
    assert!(keeper.end_token(&old, EndReason::Revoked, T0).is_none(), "an older session's answer");
    // A refresh of the same session: the old token's 401 is not about the new token.
    let refreshed = token("new", T0 + SECOND, HOUR);
    keeper.set_session(&refreshed, None, None, T0 + SECOND).unwrap();
    assert!(keeper.end_token(&new, EndReason::Expired, T0 + SECOND).is_none(), "the token before a refresh");
    assert!(keeper.session().is_some());
    let ended = keeper.end_token(&refreshed, EndReason::Revoked, T0 + SECOND).unwrap();
    assert!(matches!(ended, session_keeper::Event::End(e) if e.reason == EndReason::Revoked && !e.remote));
}

#[test]
fn edge_13_logout_clears_local_state_without_the_network() {
    // The core's logout is synchronous and touches no network: the revoke request is sent
    // afterwards, best effort, by the browser layer (tested in the browser suite offline).
    let storage = MemoryStorage::default();
    let mut keeper = tab(&storage, T0);
    keeper.set_session(&token("s-1", T0, HOUR), None, None, T0).unwrap();
    assert!(keeper.end(EndReason::Logout, T0).is_some());
    assert!(keeper.session().is_none() && storage.keys().is_empty());
}
