//! `SessionKeeper`, the class JavaScript uses. It converts values, owns the browser
//! resources (one timer, the page listeners, the JS listeners) and delivers the core's events;
//! every decision is the core's ([`Keeper`]).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use super::convert::{self, get, Api};
use super::http;
use super::local_storage::LocalStorage;
use super::log::Logger;
use super::types::*;
use crate::expiry::timer_delay;
use crate::revocation::{classify, CheckOutcome, RevocationSchedule};
use crate::storage::Storage;
use crate::{EndReason, Error, Event, Keeper, Notice, Result};

/// Keeps one environment's login session: persists it, ends it on logout and expiry, and
/// keeps every tab of the page's origin in step.
///
/// ```js
/// const keeper = new SessionKeeper({ environmentId: "env-123" });
/// const off = keeper.onSessionEnd((e) => console.log(e.reason));
/// keeper.setSession(jwt, { user });
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct SessionKeeper {
    inner: Rc<Inner>,
}

#[derive(Debug)]
struct Inner {
    core: RefCell<Keeper>,
    log: Logger,
    listeners: RefCell<Listeners>,
    /// Events waiting for delivery; a listener's own calls add to it while it runs.
    queue: RefCell<VecDeque<Event>>,
    dispatching: Cell<bool>,
    /// The one wake-up for the session's end; replaced, never added to.
    timer: RefCell<Option<Timeout>>,
    page: RefCell<Vec<EventListener>>,
    destroyed: Cell<bool>,
    api: Option<Api>,
    /// Revocation polling: present when `apiBaseUrl` is set and the interval is not 0.
    checks: RefCell<Option<RevocationSchedule>>,
    check_timer: RefCell<Option<Timeout>>,
    /// The session the schedule belongs to.
    checked_key: RefCell<Option<String>>,
}

#[derive(Debug, Default)]
struct Listeners {
    next_id: u32,
    end: Vec<(u32, Function)>,
    start: Vec<(u32, Function)>,
}

#[wasm_bindgen]
extern "C" {
    /// The standard way to surface an exception without throwing it (like an event
    /// listener's): console and `window.onerror`.
    #[wasm_bindgen(js_name = reportError, catch)]
    fn report_error(error: &JsValue) -> core::result::Result<(), JsValue>;
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

fn js<T>(result: Result<T>) -> core::result::Result<T, JsValue> {
    result.map_err(|e| convert::error(&e))
}

#[wasm_bindgen]
impl SessionKeeper {
    /// Creates a keeper for `options.environmentId` and restores a stored session.
    /// Throws `invalid_options`. Storage that cannot be used is not an error: the keeper
    /// keeps the session in memory (see `persistence`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: OptionsArg) -> core::result::Result<SessionKeeper, JsValue> {
        let options = js(convert::options(&options))?;
        let log = Logger(options.log_level);
        let local = if options.use_local_storage {
            let opened = LocalStorage::open();
            if opened.is_err() {
                log.warn(Notice::StorageUnavailable.message());
            }
            opened.ok()
        } else {
            None
        };
        let storage = local.clone().map(|s| Box::new(s) as Box<dyn Storage>);
        let core = Keeper::new(options.config, storage, now());
        let restored = core.session().is_some();
        let checks = options
            .api
            .as_ref()
            .filter(|api| api.check_interval_ms > 0)
            .map(|api| RevocationSchedule::new(api.check_interval_ms));
        let inner = Rc::new(Inner {
            core: RefCell::new(core),
            log,
            listeners: RefCell::default(),
            queue: RefCell::default(),
            dispatching: Cell::new(false),
            timer: RefCell::new(None),
            page: RefCell::new(Vec::new()),
            destroyed: Cell::new(false),
            api: options.api,
            checks: RefCell::new(checks),
            check_timer: RefCell::new(None),
            checked_key: RefCell::new(None),
        });
        inner.listen_to_page(local);
        // Restoring may have produced notices and a wake-up; no events (no listeners yet).
        js(inner.run(|_, _| Ok(((), Vec::new()))))?;
        if restored && page_visible() {
            // It may have been revoked while no page was open.
            inner.check_revocation();
        }
        Ok(SessionKeeper { inner })
    }

    /// Starts a session from a JWT, with an optional `{ user, wallets }`. Returns the
    /// session info. A different current session ends with `"replaced"`; the new one is
    /// announced to `onSessionStart`. Throws `invalid_token`, `token_expired`,
    /// `environment_mismatch` or `invalid_argument`.
    #[wasm_bindgen(js_name = setSession)]
    pub fn set_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        extras: Option<ExtrasArg>,
    ) -> core::result::Result<SessionInfoValue, JsValue> {
        let token = js(token.as_string().ok_or(Error::InvalidToken("the token must be a string")))?;
        let extras: JsValue = extras.map_or(JsValue::UNDEFINED, Into::into);
        let (user, wallets) = if extras.is_object() {
            (js(convert::user_json(&get(&extras, "user")))?, js(convert::wallet_inputs(&get(&extras, "wallets")))?)
        } else {
            (None, None)
        };
        let info = js(self.inner.run(|core, now| core.set_session(&token, user, wallets, now)))?;
        Ok(convert::session_info(&info).unchecked_into())
    }

    /// The current session, or `null`.
    #[wasm_bindgen(getter)]
    pub fn session(&self) -> MaybeSessionInfo {
        self.read(|core| core.session().map_or(JsValue::NULL, |s| convert::session_info(&s.info())))
            .unchecked_into()
    }

    /// The current JWT, or `null`.
    #[wasm_bindgen(getter)]
    pub fn token(&self) -> MaybeString {
        self.read(|core| core.session().map_or(JsValue::NULL, |s| JsValue::from_str(s.token())))
            .unchecked_into()
    }

    /// The user object given to `setSession` or `setUser` (a fresh copy), or `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "unknown")]
    pub fn user(&self) -> JsValue {
        let json = self.read_with(|core| core.session().and_then(|s| s.user_json()));
        convert::user_value(json.flatten().as_deref())
    }

    /// Replaces the user object. Throws `no_session` or `invalid_argument`.
    #[wasm_bindgen(js_name = setUser)]
    pub fn set_user(&self, #[wasm_bindgen(unchecked_param_type = "unknown")] user: JsValue) -> core::result::Result<(), JsValue> {
        let json = js(convert::user_json(&user))?.unwrap_or_else(|| "null".into());
        js(self.inner.run(|core, _| core.set_user(json).map(|()| ((), Vec::new()))))
    }

    /// Verified wallets (from the token) and connected ones.
    #[wasm_bindgen(getter)]
    pub fn wallets(&self) -> WalletList {
        self.read(|core| convert::wallets(&core.session().map(|s| s.wallets()).unwrap_or_default()))
            .unchecked_into()
    }

    /// Connects a non-verified wallet; it is persisted and cleared on logout.
    /// Throws `no_session` or `invalid_argument`.
    #[wasm_bindgen(js_name = connectWallet)]
    pub fn connect_wallet(&self, wallet: WalletArg) -> core::result::Result<(), JsValue> {
        let wallet = js(convert::wallet_input(&wallet))?;
        js(self.inner.run(|core, _| core.connect_wallet(wallet).map(|()| ((), Vec::new()))))
    }

    /// Disconnects a connected wallet; returns whether one was removed. Verified wallets
    /// belong to the token and stay. Throws `no_session`.
    #[wasm_bindgen(js_name = disconnectWallet)]
    pub fn disconnect_wallet(&self, #[wasm_bindgen(unchecked_param_type = "string")] address: JsValue) -> core::result::Result<bool, JsValue> {
        let address = address.as_string().unwrap_or_default();
        js(self.inner.run(|core, _| core.disconnect_wallet(&address).map(|r| (r, Vec::new()))))
    }

    /// Whether a session is active.
    #[wasm_bindgen(getter, js_name = isActive)]
    pub fn is_active(&self) -> bool {
        self.read_with(|core| core.session().is_some()).unwrap_or(false)
    }

    /// `"local"` while the session is kept in localStorage, `"memory"` when it is not
    /// (by option, or because storage failed).
    #[wasm_bindgen(getter)]
    pub fn persistence(&self) -> PersistenceValue {
        let p = self.read_with(|core| core.persistence().as_str()).unwrap_or("memory");
        JsValue::from_str(p).unchecked_into()
    }

    /// Ends the session: token, user and connected wallets are cleared from memory and
    /// storage before this returns, every tab is told, and `onSessionEnd` fires once with
    /// `"logout"`. Without a session it resolves quietly.
    ///
    /// With `apiBaseUrl`, it then asks the backend to revoke the session and resolves when
    /// that request has settled; offline or a server error does not make it reject — the
    /// local logout has already happened.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn logout(&self) -> Promise {
        let token = self.inner.core.try_borrow().ok().and_then(|c| c.session().map(|s| s.token().to_owned()));
        let ended = self.inner.run(|core, now| Ok(((), core.end(EndReason::Logout, now).into_iter().collect())));
        match (ended, &self.inner.api, token) {
            (Err(e), _, _) => Promise::reject(&convert::error(&e)),
            (Ok(()), Some(api), Some(token)) => {
                let url = format!("{}/revoke", api.sdk_url);
                future_to_promise(async move {
                    http::send("POST", &url, &token).await;
                    Ok(JsValue::UNDEFINED)
                })
            }
            (Ok(()), _, _) => Promise::resolve(&JsValue::UNDEFINED),
        }
    }

    /// `fetch(input, init)` with `Authorization: Bearer <token>` added while there is a
    /// session. A 401 from a URL under `apiBaseUrl` ends the session with `"revoked"` (in
    /// every tab). Send it only to your own backend and the auth API: the token is a credential.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(&self, input: FetchInput, init: Option<FetchInit>) -> Promise {
        let (input, init): (JsValue, JsValue) = (input.into(), init.map_or(JsValue::UNDEFINED, Into::into));
        let current = self.read_with(|core| core.session().map(|s| (s.key().to_owned(), s.token().to_owned()))).flatten();
        let token = current.as_ref().map(|(_, token)| token.as_str());
        let sent = match http::fetch_with_token(&input, &init, token) {
            Ok(promise) => promise,
            Err(error) => return Promise::reject(&error),
        };
        let weak = Rc::downgrade(&self.inner);
        future_to_promise(async move {
            let response = JsFuture::from(sent).await?;
            let inner = weak.upgrade();
            let from_api = response.dyn_ref::<web_sys::Response>().is_some_and(|r| {
                inner.as_ref().and_then(|i| i.api.as_ref()).is_some_and(|api| api.covers(&r.url()))
            });
            if let (Some(inner), Some((key, _)), true) = (inner, current, from_api) {
                let answer = http::answer(Some(response.clone()));
                let outcome = match answer.status {
                    Some(401) => CheckOutcome::Revoked,
                    Some(200..=299) => CheckOutcome::Valid,
                    _ => CheckOutcome::Failed,
                };
                inner.on_answer(&key, outcome, answer.server_date);
            }
            Ok(response)
        })
    }

    /// Calls `listener(event)` each time a session ends. Returns a function that removes it.
    #[wasm_bindgen(js_name = onSessionEnd)]
    pub fn on_session_end(&self, listener: EndListener) -> core::result::Result<Unsubscribe, JsValue> {
        self.subscribe(true, listener.into())
    }

    /// Calls `listener(event)` each time a session starts here or arrives from another tab.
    /// Returns a function that removes it.
    #[wasm_bindgen(js_name = onSessionStart)]
    pub fn on_session_start(&self, listener: StartListener) -> core::result::Result<Unsubscribe, JsValue> {
        self.subscribe(false, listener.into())
    }

    /// Releases the timer, the page listeners and the session listeners. Storage is kept, so
    /// a new keeper restores the session. Other calls then throw `destroyed`, and the
    /// properties read as empty (`null`, `false`, `[]`).
    pub fn destroy(&self) {
        let inner = &self.inner;
        inner.destroyed.set(true);
        if let Ok(mut timer) = inner.timer.try_borrow_mut() {
            timer.take();
        }
        if let Ok(mut timer) = inner.check_timer.try_borrow_mut() {
            timer.take();
        }
        if let Ok(mut page) = inner.page.try_borrow_mut() {
            page.clear();
        }
        if let Ok(mut listeners) = inner.listeners.try_borrow_mut() {
            *listeners = Listeners::default();
        }
        if let Ok(mut queue) = inner.queue.try_borrow_mut() {
            queue.clear();
        }
    }
}

impl SessionKeeper {
    fn subscribe(&self, end: bool, listener: JsValue) -> core::result::Result<Unsubscribe, JsValue> {
        let listener: Function = listener
            .dyn_into()
            .map_err(|_| convert::error(&Error::InvalidArgument("a listener must be a function".into())))?;
        if self.inner.destroyed.get() {
            return Err(convert::error(&Error::Destroyed));
        }
        let mut listeners = js(self.inner.listeners.try_borrow_mut().map_err(|_| Error::Busy))?;
        listeners.next_id = listeners.next_id.wrapping_add(1);
        let id = listeners.next_id;
        if end { &mut listeners.end } else { &mut listeners.start }.push((id, listener));
        drop(listeners);
        let weak = Rc::downgrade(&self.inner);
        let unsubscribe = Closure::<dyn Fn()>::new(move || {
            let Some(inner) = weak.upgrade() else { return };
            if let Ok(mut listeners) = inner.listeners.try_borrow_mut() {
                listeners.end.retain(|(i, _)| *i != id);
                listeners.start.retain(|(i, _)| *i != id);
            };
        });
        // Freed by the JS garbage collector when the app drops the function.
        Ok(unsubscribe.into_js_value().unchecked_into())
    }

    /// Reads the core, first ending a session whose time is up, so that what a getter
    /// shows never disagrees with the events (a throttled tab may not have woken yet).
    /// After `destroy()` there is nothing to read: the keeper no longer hears other tabs, so
    /// what it holds may be stale.
    fn read_with<T>(&self, f: impl FnOnce(&Keeper) -> T) -> Option<T> {
        if self.inner.destroyed.get() {
            return None;
        }
        let due = self.inner.core.try_borrow().ok()?.next_wakeup().is_some_and(|at| at <= now());
        if due {
            let _ = self.inner.run(|core, now| Ok(((), core.check(now))));
        }
        let core = self.inner.core.try_borrow().ok()?;
        Some(f(&core))
    }

    fn read(&self, f: impl FnOnce(&Keeper) -> JsValue) -> JsValue {
        self.read_with(f).unwrap_or(JsValue::NULL)
    }
}

impl Inner {
    /// Applies one change to the core, then — with the core released — logs its notices,
    /// re-arms the timer and delivers its events. The only path by which state changes.
    fn run<R>(self: &Rc<Self>, change: impl FnOnce(&mut Keeper, i64) -> Result<(R, Vec<Event>)>) -> Result<R> {
        if self.destroyed.get() {
            return Err(Error::Destroyed);
        }
        let (result, notices, wakeup) = {
            let mut core = self.core.try_borrow_mut().map_err(|_| Error::Busy)?;
            let result = change(&mut core, now());
            (result, core.take_notices(), core.next_wakeup())
        };
        for notice in notices {
            self.log.warn(notice.message());
        }
        self.arm(wakeup);
        self.arm_check();
        let (value, events) = result?;
        self.deliver(events);
        Ok(value)
    }

    /// One timer for the session's end. A delay past `setTimeout`'s limit is clamped; the
    /// early wake-up finds the end not reached and arms the next leg.
    fn arm(self: &Rc<Self>, wakeup: Option<i64>) {
        let timeout = wakeup.map(|deadline| {
            let weak = Rc::downgrade(self);
            Timeout::new(timer_delay(deadline, now()), move || wake(&weak))
        });
        if let Ok(mut slot) = self.timer.try_borrow_mut() {
            *slot = timeout;
        }
    }

    /// Schedules the next revocation check: only with a session, while the page is visible
    /// (hidden pages check when they become visible again), one interval after the last.
    fn arm_check(self: &Rc<Self>) {
        let key = self.core.try_borrow().ok().and_then(|c| c.session().map(|s| s.key().to_owned()));
        let now = now();
        let due = {
            let (Ok(mut checks), Ok(mut checked_key)) = (self.checks.try_borrow_mut(), self.checked_key.try_borrow_mut())
            else {
                return;
            };
            let Some(schedule) = checks.as_mut() else { return };
            if *checked_key != key {
                schedule.restart(now);
                *checked_key = key.clone();
            }
            if key.is_some() && page_visible() { schedule.next_due() } else { None }
        };
        let timer = due.map(|due| {
            let weak = Rc::downgrade(self);
            Timeout::new(timer_delay(due, now), move || {
                if let Some(inner) = weak.upgrade() {
                    inner.check_revocation();
                }
            })
        });
        if let Ok(mut slot) = self.check_timer.try_borrow_mut() {
            *slot = timer;
        }
    }

    /// Asks the backend whether the current session is still valid (one request at a time).
    fn check_revocation(self: &Rc<Self>) {
        let Some(api) = &self.api else { return };
        let url = format!("{}/users", api.sdk_url);
        let current = self.core.try_borrow().ok().and_then(|c| c.session().map(|s| (s.key().to_owned(), s.token().to_owned())));
        let Some((key, token)) = current else { return };
        let began = self.checks.try_borrow_mut().ok().and_then(|mut c| c.as_mut().map(|s| s.begin(now())));
        if began != Some(true) {
            return;
        }
        self.log.debug("checking the session with the backend");
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            let answer = http::send("GET", &url, &token).await;
            if let Some(inner) = weak.upgrade() {
                let outcome = classify(answer.status);
                if let Ok(mut checks) = inner.checks.try_borrow_mut() {
                    if let Some(schedule) = checks.as_mut() {
                        schedule.finish(outcome);
                    }
                }
                inner.on_answer(&key, outcome, answer.server_date);
            }
        });
    }

    /// Applies what the backend said about the session `key`: revoked ends it (if it is still
    /// the current one); a valid answer's `Date` header refines the clock skew.
    fn on_answer(self: &Rc<Self>, key: &str, outcome: CheckOutcome, server_date: Option<i64>) {
        let _ = self.run(|core, now| {
            let events = match outcome {
                CheckOutcome::Revoked => core.end_session(key, EndReason::Revoked, now).into_iter().collect(),
                CheckOutcome::Valid => {
                    if let (Some(date), true) = (server_date, core.session().is_some_and(|s| s.key() == key)) {
                        core.observe_server_time(date, now);
                    }
                    Vec::new()
                }
                CheckOutcome::Failed => Vec::new(),
            };
            Ok(((), events))
        });
    }

    /// A page event (visible, focus, online, pageshow): bring the session up to date and,
    /// when due, check with the backend at once.
    fn on_page_event(self: &Rc<Self>, online: bool) {
        let _ = self.run(|core, now| Ok(((), core.check(now))));
        if !page_visible() {
            return;
        }
        let due = self.checks.try_borrow_mut().ok().and_then(|mut checks| {
            let schedule = checks.as_mut()?;
            if online {
                schedule.forgive();
            }
            Some(schedule.due_on_wake(now()))
        });
        if due == Some(true) {
            self.check_revocation();
        }
    }

    fn listen_to_page(self: &Rc<Self>, local: Option<LocalStorage>) {
        let Some(window) = web_sys::window() else { return };
        let mut page = Vec::new();
        // Timers stall while the device sleeps and are throttled in hidden tabs, and a page
        // restored from the back-forward cache missed every storage event: re-check on each.
        for name in ["focus", "online", "pageshow"] {
            let weak = Rc::downgrade(self);
            page.push(EventListener::new(&window, name, move |_| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_page_event(name == "online");
                }
            }));
        }
        if let Some(document) = window.document() {
            let weak = Rc::downgrade(self);
            page.push(EventListener::new(&document, "visibilitychange", move |_| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_page_event(false);
                }
            }));
        }
        if let Some(LocalStorage(area)) = local {
            let weak = Rc::downgrade(self);
            let key = self.core.try_borrow().map(|c| c.storage_key().to_owned()).unwrap_or_default();
            page.push(EventListener::new(&window, "storage", move |event| {
                let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else { return };
                // Our record, or `clear()` (key null), in localStorage (not sessionStorage).
                let ours = event.key().is_none_or(|k| k == key);
                let same_area = event.storage_area().is_some_and(|a| JsValue::from(a) == JsValue::from(area.clone()));
                if !(ours && same_area) {
                    return;
                }
                let new_value = event.new_value();
                if let Some(inner) = weak.upgrade() {
                    let _ = inner.run(|core, now| Ok(((), core.storage_changed(new_value.as_deref(), now))));
                }
            }));
        }
        if let Ok(mut slot) = self.page.try_borrow_mut() {
            *slot = page;
        }
    }

    /// Calls the listeners for each queued event, over a snapshot of the list, catching each
    /// one's exception so the others still run. Re-entrant calls (a listener calling
    /// `logout()`) only queue their events; the outermost call delivers them, in order.
    fn deliver(&self, events: Vec<Event>) {
        if let Ok(mut queue) = self.queue.try_borrow_mut() {
            queue.extend(events);
        }
        if self.dispatching.replace(true) {
            return;
        }
        while !self.destroyed.get() {
            let next = self.queue.try_borrow_mut().ok().and_then(|mut q| q.pop_front());
            let Some(event) = next else { break };
            let (payload, end) = match &event {
                Event::End(e) => (convert::end_event(e), true),
                Event::Start(s) => (convert::start_event(s), false),
            };
            let snapshot: Vec<Function> = match self.listeners.try_borrow() {
                Ok(l) => if end { &l.end } else { &l.start }.iter().map(|(_, f)| f.clone()).collect(),
                Err(_) => Vec::new(),
            };
            for listener in snapshot {
                if let Err(error) = listener.call1(&JsValue::UNDEFINED, &payload) {
                    self.log.error("a session listener threw", &error);
                    if report_error(&error).is_err() {
                        // No reportError (older browsers): an unhandled rejection still
                        // reaches the console and `unhandledrejection`.
                        let _ = Promise::reject(&error);
                    }
                }
            }
        }
        self.dispatching.set(false);
    }
}

/// The expiry timer fired.
fn wake(weak: &Weak<Inner>) {
    if let Some(inner) = weak.upgrade() {
        inner.log.debug("checking the session");
        let _ = inner.run(|core, now| Ok(((), core.check(now))));
    }
}

/// Headless and visible pages report "visible"; a missing document counts as visible.
fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}
