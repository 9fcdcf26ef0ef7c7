//! A model test of the cross-tab protocol: three tabs of one origin, the first holding two
//! keepers of the same environment (one document), driven through random interleavings of
//! sign-ins, refreshes, user updates, logouts, server revocations, expiry, a full storage,
//! storage cleared from outside, tabs whose view of storage lags (a busy main thread), and
//! pages frozen in the back-forward cache that get their missed `storage` events replayed
//! after they re-read storage on `pageshow`.
//!
//! Storage is modelled as a browser keeps it: one ordered log of writes (the storage
//! backend), and per tab a *view* (its cache) that may lag behind the log, plus the tab's
//! own writes, which it always sees. A tab gets a `storage` event for each write of another
//! tab, in order, carrying that write's value; keepers of one document tell each other what
//! they wrote (`Outcome::told`), since a browser tells a document nothing of its own writes.
//!
//! After every sequence, the world is brought to rest (the quota freed, frozen pages
//! restored, every event delivered, every keeper woken) and these must hold:
//! - no stored session is one that some keeper logged out or saw revoked (a copy of it with
//!   a token issued no later than the one that ended);
//! - every keeper agrees with storage (same token, or no session);
//! - each keeper's events alternate: a session ends only after it started, never twice.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::needless_range_loop)] // keepers and tabs are numbered: the model reads better by index

mod common;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use session_keeper::engine::{Engine, Outcome, Source};
use session_keeper::record::{self, Parsed, Record};
use session_keeper::storage::{Storage, StorageError};
use session_keeper::{jwt, Event};

const TABS: usize = 3;
/// Keepers: 0 and 1 share tab 0's document, 2 is tab 1, 3 is tab 2.
const KEEPER_TAB: [usize; 4] = [0, 0, 1, 2];
const EXTERNAL: usize = usize::MAX;

/// One write in the storage backend's order.
#[derive(Debug, Clone)]
struct Write {
    by: usize,
    /// `None`: removed; `cleared`: `localStorage.clear()` from outside (an event without a key).
    value: Option<String>,
    cleared: bool,
}

#[derive(Debug, Default)]
struct World {
    log: Vec<Write>,
    full: bool,
    /// Per tab: how much of the log its view has taken in.
    view: [usize; TABS],
    /// Per tab: how much of the log it has had `storage` events for.
    heard: [usize; TABS],
}

impl World {
    /// What tab `tab` reads: the newest write it has taken in or made itself.
    fn read(&self, tab: usize) -> Option<String> {
        let seen = self.view[tab];
        self.log.iter().enumerate().rev().find(|(i, w)| *i < seen || w.by == tab).and_then(|(_, w)| w.value.clone())
    }

    /// What the backend holds.
    fn stored(&self) -> Option<String> {
        self.log.last().and_then(|w| w.value.clone())
    }

    fn write(&mut self, tab: usize, value: Option<String>) {
        // As the Web Storage API: setting the same value, or removing a missing key, is no change.
        if self.read(tab) != value {
            self.log.push(Write { by: tab, value, cleared: false });
        }
    }

    /// The next write tab `tab` has not heard of, made by someone else.
    fn next_event(&mut self, tab: usize) -> Option<Write> {
        while self.heard[tab] < self.log.len() {
            let write = self.log[self.heard[tab]].clone();
            self.heard[tab] += 1;
            self.view[tab] = self.view[tab].max(self.heard[tab]);
            if write.by != tab {
                return Some(write);
            }
        }
        None
    }
}

/// A tab's `localStorage`, as its keepers see it.
struct TabStorage {
    world: Rc<RefCell<World>>,
    tab: usize,
}

impl Storage for TabStorage {
    fn get(&self, _key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.world.borrow().read(self.tab))
    }

    fn set(&self, _key: &str, value: &str) -> Result<(), StorageError> {
        let mut world = self.world.borrow_mut();
        if world.full {
            return Err(StorageError::Full);
        }
        world.write(self.tab, Some(value.to_owned()));
        Ok(())
    }

    fn remove(&self, _key: &str) -> Result<(), StorageError> {
        self.world.borrow_mut().write(self.tab, None);
        Ok(())
    }
}

#[derive(Debug, Clone)]
enum Step {
    SignIn(usize),
    Refresh(usize),
    SetUser(usize),
    Logout(usize),
    /// The server answers a session check of the keeper's current token with a 401.
    Revoke(usize),
    Check(usize),
    /// One `storage` event for a tab.
    Deliver(usize),
    /// A tab's view catches up with the backend before its events are dispatched.
    CatchUp(usize),
    /// The tab goes into the back-forward cache: nothing runs there until `Restore`.
    Freeze(usize),
    /// `pageshow`: its view is current again, then its missed events are replayed.
    Restore(usize),
    Full(bool),
    /// `localStorage.clear()` from outside the SDK (DevTools).
    Clear,
    /// Time passes (tokens live an hour).
    Tick(i64),
}

fn step() -> impl Strategy<Value = Step> {
    let keeper = 0..4_usize;
    let tab = 0..TABS;
    prop_oneof![
        3 => keeper.clone().prop_map(Step::SignIn),
        2 => keeper.clone().prop_map(Step::Refresh),
        3 => keeper.clone().prop_map(Step::SetUser),
        2 => keeper.clone().prop_map(Step::Logout),
        1 => keeper.clone().prop_map(Step::Revoke),
        2 => keeper.prop_map(Step::Check),
        6 => tab.clone().prop_map(Step::Deliver),
        1 => tab.clone().prop_map(Step::CatchUp),
        1 => tab.clone().prop_map(Step::Freeze),
        1 => tab.prop_map(Step::Restore),
        1 => any::<bool>().prop_map(Step::Full),
        1 => Just(Step::Clear),
        1 => (0..40 * MINUTE).prop_map(Step::Tick),
    ]
}

/// An ended session as the property sees it: its key and the `iat` of the token that ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Ended {
    sid: String,
    iat: i64,
}

fn ended_of(token: &str) -> Option<Ended> {
    let claims = jwt::decode(token).ok()?;
    Some(Ended { sid: claims.session_id?, iat: claims.issued_at_ms? })
}

struct Model {
    world: Rc<RefCell<World>>,
    keepers: Vec<Engine>,
    frozen: [bool; TABS],
    now: i64,
    next_sid: u32,
    /// Sessions logged out or revoked (the server refuses to refresh them).
    ended: BTreeSet<Ended>,
    /// Per keeper: the sessions it holds as far as its events told (sid → started).
    heard: Vec<Option<String>>,
    trace: Vec<String>,
    told_depth: u32,
}

impl Model {
    fn new() -> Self {
        let world = Rc::new(RefCell::new(World::default()));
        let keepers = KEEPER_TAB
            .iter()
            .map(|&tab| {
                let storage = TabStorage { world: world.clone(), tab };
                Engine::new(config(), Some(Box::new(storage)), 60 * SECOND, T0)
            })
            .collect();
        Model {
            world,
            keepers,
            frozen: [false; TABS],
            now: T0,
            next_sid: 0,
            ended: BTreeSet::new(),
            heard: vec![None; 4],
            trace: Vec::new(),
            told_depth: 0,
        }
    }

    /// Applies an outcome of keeper `k`: checks its events against what the keeper told so
    /// far, and passes what it wrote to the other keeper of its document.
    fn outcome(&mut self, k: usize, outcome: Outcome) -> Result<(), String> {
        self.told_depth += 1;
        let result = self.apply(k, outcome);
        self.told_depth -= 1;
        result
    }

    fn apply(&mut self, k: usize, outcome: Outcome) -> Result<(), String> {
        if self.told_depth > 8 {
            return Err("the keepers of one document keep telling each other (an echo loop)".into());
        }
        for event in &outcome.events {
            match event {
                Event::Start(s) => {
                    if let Some(held) = &self.heard[k] {
                        return Err(format!("keeper {k} started {:?} while holding {held}", s.session.session_id));
                    }
                    self.heard[k] = Some(s.session.session_id.clone().unwrap_or_default());
                }
                Event::End(e) => {
                    let sid = e.session_id.clone().unwrap_or_default();
                    if self.heard[k].as_deref() != Some(sid.as_str()) {
                        return Err(format!("keeper {k} ended {sid} ({:?}) while holding {:?}", e.reason, self.heard[k]));
                    }
                    self.heard[k] = None;
                }
            }
        }
        let held = self.keepers[k].keeper().session().and_then(|s| s.info().session_id);
        if held != self.heard[k] {
            return Err(format!("keeper {k} holds {held:?} but its events told {:?}", self.heard[k]));
        }
        if let Some(told) = outcome.told {
            for peer in 0..self.keepers.len() {
                if peer != k && KEEPER_TAB[peer] == KEEPER_TAB[k] {
                    let out = self.keepers[peer].storage_changed(None, Some(&told), self.now);
                    self.outcome(peer, out)?;
                }
            }
        }
        Ok(())
    }

    fn deliver(&mut self, tab: usize) -> Result<bool, String> {
        let Some(write) = self.world.borrow_mut().next_event(tab) else { return Ok(false) };
        let key = storage_key();
        for k in 0..self.keepers.len() {
            if KEEPER_TAB[k] == tab {
                let event_key = if write.cleared { None } else { Some(key.as_str()) };
                let out = self.keepers[k].storage_changed(event_key, write.value.as_deref(), self.now);
                self.outcome(k, out)?;
            }
        }
        Ok(true)
    }

    fn run(&mut self, step: &Step) -> Result<(), String> {
        self.now += SECOND; // every step takes a second: refreshed tokens get a newer iat
        self.trace.push(format!("{step:?}"));
        let frozen = |k: usize| self.frozen[KEEPER_TAB[k]];
        match *step {
            Step::SignIn(k) | Step::Refresh(k) | Step::SetUser(k) | Step::Logout(k) | Step::Revoke(k) | Step::Check(k)
                if frozen(k) => {}
            Step::SignIn(k) => {
                self.next_sid += 1;
                let token = token(&format!("s{}", self.next_sid), self.now, HOUR);
                let out = self.keepers[k].set_session(&token, None, None, self.now);
                self.outcome(k, out)?;
            }
            Step::Refresh(k) => {
                let Some(session) = self.keepers[k].keeper().session() else { return Ok(()) };
                let sid = session.info().session_id.unwrap_or_default();
                // The server refreshes only a session it has not ended.
                if self.ended.iter().any(|e| e.sid == sid) {
                    return Ok(());
                }
                let out = self.keepers[k].set_session(&token(&sid, self.now, HOUR), None, None, self.now);
                self.outcome(k, out)?;
            }
            Step::SetUser(k) => {
                let out = self.keepers[k].set_user(format!("{{\"at\":{}}}", self.now), self.now);
                self.outcome(k, out)?;
            }
            Step::Logout(k) => {
                let out = self.keepers[k].logout(self.now);
                if let Some(token) = out.value.as_deref().and_then(|v| serde_json::from_str::<String>(v).ok()) {
                    self.ended.extend(ended_of(&token));
                }
                self.outcome(k, out)?;
            }
            Step::Revoke(k) => {
                let Some(token) = self.keepers[k].keeper().session().map(|s| s.token().to_owned()) else { return Ok(()) };
                self.ended.extend(ended_of(&token));
                let out = self.keepers[k].answer(&token, Some(401), None, false, Source::Check, self.now);
                self.outcome(k, out)?;
            }
            Step::Check(k) => {
                let out = self.keepers[k].check(self.now);
                self.outcome(k, out)?;
            }
            Step::Deliver(tab) if !self.frozen[tab] => {
                self.deliver(tab)?;
            }
            Step::CatchUp(tab) => {
                let mut world = self.world.borrow_mut();
                world.view[tab] = world.log.len();
            }
            Step::Freeze(tab) => self.frozen[tab] = true,
            Step::Restore(tab) if self.frozen[tab] => {
                self.frozen[tab] = false;
                {
                    let mut world = self.world.borrow_mut();
                    world.view[tab] = world.log.len();
                }
                for k in 0..self.keepers.len() {
                    if KEEPER_TAB[k] == tab {
                        let out = self.keepers[k].wake(false, self.now);
                        self.outcome(k, out)?;
                    }
                }
                // The missed events, replayed with their old values.
                while self.deliver(tab)? {}
            }
            Step::Full(full) => self.world.borrow_mut().full = full,
            Step::Clear => {
                let mut world = self.world.borrow_mut();
                if world.stored().is_some() {
                    world.log.push(Write { by: EXTERNAL, value: None, cleared: true });
                }
            }
            Step::Tick(ms) => self.now += ms,
            Step::Deliver(_) | Step::Restore(_) => {}
        }
        Ok(())
    }

    /// Brings the world to rest: room in storage, every page restored, every event delivered
    /// and every keeper woken, until nothing changes.
    fn settle(&mut self) -> Result<(), String> {
        self.world.borrow_mut().full = false;
        for tab in 0..TABS {
            if self.frozen[tab] {
                self.run(&Step::Restore(tab))?;
            }
        }
        for _ in 0..12 {
            let before = self.world.borrow().log.len();
            for tab in 0..TABS {
                while self.deliver(tab)? {}
            }
            for k in 0..self.keepers.len() {
                let out = self.keepers[k].check(self.now);
                self.outcome(k, out)?;
            }
            let world = self.world.borrow();
            if world.log.len() == before && (0..TABS).all(|t| world.heard[t] == world.log.len()) {
                return Ok(());
            }
        }
        let world = self.world.borrow();
        let log: Vec<String> = world.log.iter().rev().take(12).map(|w| {
            let what = match w.value.as_deref().map(record::parse) {
                Some(Parsed::Record(Record::Session(s))) => format!("{:?}", ended_of(&s.token)),
                Some(Parsed::Record(Record::Ended(e))) => format!("ended {} {:?}", e.key, e.reason),
                Some(_) => "junk".into(),
                None => "removed".into(),
            };
            format!("tab {} {}", w.by, what)
        }).collect();
        Err(format!("the tabs never came to rest (an echo loop); last writes, newest first: {log:?}"))
    }

    fn check_at_rest(&self) -> Result<(), String> {
        let stored = self.world.borrow().stored();
        let token = match stored.as_deref().map(record::parse) {
            None => None,
            Some(Parsed::Record(Record::Session(s))) => Some(s.token),
            Some(other) => return Err(format!("at rest, storage holds {other:?}")),
        };
        if let Some(ended) = token.as_deref().and_then(ended_of) {
            if self.ended.iter().any(|e| e.sid == ended.sid && ended.iat <= e.iat) {
                return Err(format!("a logged-out or revoked session is stored again: {ended:?}"));
            }
        }
        for (k, keeper) in self.keepers.iter().enumerate() {
            let held = keeper.keeper().session().map(|s| s.token().to_owned());
            if held != token {
                let sid = |t: &Option<String>| t.as_deref().and_then(ended_of);
                return Err(format!("keeper {k} holds {:?}, storage {:?}", sid(&held), sid(&token)));
            }
        }
        Ok(())
    }
}

fn storage_key() -> String {
    record::storage_key(ENV)
}

fn drive(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut model = Model::new();
    let result = steps.iter().try_for_each(|s| model.run(s)).and_then(|()| model.settle()).and_then(|()| model.check_at_rest());
    result.map_err(|e| TestCaseError::fail(format!("{e}\nafter {}", model.trace.join(", "))))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn tabs_and_keepers_converge_on_storage_and_a_session_ends_once_and_stays_ended(
        steps in prop::collection::vec(step(), 1..60)
    ) {
        drive(&steps)?;
    }
}

#[test]
fn a_busy_tabs_write_after_a_logout_is_undone() {
    // Tab 1 logs out while tab 2 is behind; tab 2 then updates the user: its write puts the
    // session back, and tab 1, which saw it end, removes it again.
    let steps = [Step::SignIn(2), Step::Deliver(2), Step::Logout(2), Step::SetUser(3)];
    drive(&steps).unwrap();
}

#[test]
fn a_page_back_from_the_cache_is_not_ended_by_its_replayed_events() {
    let mut model = Model::new();
    for step in [Step::SignIn(2), Step::Deliver(2), Step::Freeze(2), Step::Logout(2), Step::SignIn(2)] {
        model.run(&step).unwrap();
    }
    let before = model.heard[3].clone();
    assert_eq!(before.as_deref(), Some("s1"));
    model.run(&Step::Restore(2)).unwrap();
    // Ended s1 (replaced) and started s2 at pageshow; the replayed logout of s1 and the old
    // values change nothing after that.
    assert_eq!(model.heard[3].as_deref(), Some("s2"));
    model.settle().unwrap();
    model.check_at_rest().unwrap();
}
