//! The session state machine: pure Rust, no browser. Every transition takes the current time
//! and returns the events it caused; the caller (the wasm layer, or a test) delivers them.

use crate::event::{Event, Notice, SessionEnd, SessionStart};
use crate::expiry::{skew_from_date, token_skew};
use crate::json;
use crate::record::{self, Ended, Parsed, Record, StoredSession};
use crate::storage::{Storage, StorageError};
use crate::jwt::{self, Claims};
use crate::session::fnv1a;
use crate::wallet::{MAX_FIELD_LEN, MAX_WALLETS};
use crate::{EndReason, Error, Result, Session, SessionInfo, Wallet};

/// How a keeper is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The Dynamic environment; tokens of other environments are refused.
    pub environment_id: String,
    /// The session ends this many milliseconds before the token's end.
    pub leeway_ms: i64,
    /// What the storage is: [`Persistence::Local`] or [`Persistence::Session`].
    pub persistence: Persistence,
}

/// Where the session is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// In `localStorage`: survives reloads, shared by every tab.
    Local,
    /// In `sessionStorage`: this tab only, survives its reloads, gone when it closes.
    Session,
    /// In memory only: this page, until it closes.
    Memory,
}

impl Persistence {
    /// `"local"` or `"memory"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Persistence::Local => "local",
            Persistence::Session => "session",
            Persistence::Memory => "memory",
        }
    }
}

/// The core of session-keeper: one environment's session, kept in step with storage.
///
/// ```
/// use session_keeper::{keeper::{Config, Keeper, Persistence}, storage::MemoryStorage, Event};
/// # use base64::Engine as _;
/// # let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
/// // A token issued at t = 1000 s that expires at t = 1060 s.
/// # let token = format!("{}.{}.{}", b64("{}"), b64(r#"{"sid":"s1","iat":1000,"exp":1060}"#), b64("x"));
/// let storage = MemoryStorage::default();
/// let config = Config { environment_id: "env".into(), leeway_ms: 0, persistence: Persistence::Local };
/// let mut keeper = Keeper::new(config, Some(Box::new(storage.clone())), 1_000_000);
/// let (_, events) = keeper.set_session(&token, None, None, 1_000_000).unwrap();
/// assert!(matches!(events.as_slice(), [Event::Start(_)]));
/// assert_eq!(keeper.next_wakeup(), Some(1_060_000));
/// let ended = keeper.check(1_060_000);
/// assert!(matches!(ended.as_slice(), [Event::End(e)] if e.reason.as_str() == "expired"));
/// assert!(storage.keys().is_empty());
/// ```
pub struct Keeper {
    config: Config,
    key: String,
    /// Kept for the keeper's whole life, even after a failure: a logout must still clear the
    /// record this keeper left behind when it fell back to memory.
    storage: Option<Box<dyn Storage>>,
    /// Why the session is not persisted right now (`None`: it is, or there is no storage).
    degraded: Option<StorageError>,
    session: Option<Session>,
    /// Whether some state of the current session is in storage (it was written, restored or
    /// adopted). A session that never landed (storage full) is not ended by an empty storage.
    landed: bool,
    /// The FNV-1a hash of the record this keeper last wrote (or found on loading): at expiry
    /// only the keeper whose record is stored removes it (see `clear_stored`).
    mine: Option<u64>,
    /// Sessions this keeper saw logged out or revoked, newest last: one of them found in
    /// storage again was written back by a tab that had not heard of the end, and is removed,
    /// never adopted. (A replaced session may come back: the newest write wins.)
    gone: Vec<Gone>,
    /// What the last calls wrote, for the keepers of this document: `Some("")` after a
    /// write, the tombstone's text after an end. Taken by [`take_told`](Self::take_told).
    told: Option<String>,
    notices: Vec<Notice>,
    /// Server clock minus device clock, from the last server `Date` header, if any.
    server_skew: Option<i64>,
}

/// A session that ended, as much of it as recognises a copy written back later.
#[derive(Debug, Clone)]
struct Gone {
    key: String,
    /// The token's FNV-1a hash (a token may be 64 KB; this list is kept for the page's life).
    token: u64,
    issued_at_ms: Option<i64>,
    reason: EndReason,
}

/// How many logged-out or revoked sessions a keeper remembers.
const MAX_GONE: usize = 32;

impl std::fmt::Debug for Keeper {
    // Hand-written so that a debug print can never show the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper")
            .field("config", &self.config)
            .field("persistence", &self.persistence())
            .field("session", &self.session.as_ref().map(Session::info))
            .finish_non_exhaustive()
    }
}

/// What a stored value means for this keeper.
#[allow(clippy::large_enum_variant)] // short-lived, never stored
enum Loaded {
    Nothing,
    Newer,
    Ended(Ended),
    Session(Session),
}

impl Keeper {
    /// Creates a keeper and restores the stored session, if one is usable. `storage: None`
    /// keeps everything in memory. An expired, corrupt or old-version record is removed.
    pub fn new(config: Config, storage: Option<Box<dyn Storage>>, now: i64) -> Self {
        let key = record::storage_key(&config.environment_id);
        let mut keeper = Keeper {
            config,
            key,
            storage,
            degraded: None,
            session: None,
            landed: false,
            mine: None,
            gone: Vec::new(),
            told: None,
            notices: Vec::new(),
            server_skew: None,
        };
        let value = keeper.read().unwrap_or_default();
        keeper.mine = value_hash(value.as_deref());
        match keeper.load(value.as_deref()) {
            Loaded::Session(s) if s.ends_at > now => {
                keeper.session = Some(s);
                keeper.landed = true;
            }
            Loaded::Session(s) => keeper.clear_stored(&s.key, EndReason::Expired, now),
            // A tombstone is only meant to live for one synchronous write-remove pair; one
            // left behind (the tab died in between) is garbage.
            Loaded::Ended(_) => keeper.remove_stored(),
            Loaded::Nothing | Loaded::Newer => {}
        }
        keeper.told = None;
        keeper
    }

    /// The current session.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Where the session is kept now.
    pub fn persistence(&self) -> Persistence {
        if self.storage.is_some() && self.degraded.is_none() {
            self.config.persistence
        } else {
            Persistence::Memory
        }
    }

    /// The storage key of this keeper's record.
    pub fn storage_key(&self) -> &str {
        &self.key
    }

    /// Notices gathered since the last call, for the log.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// What this keeper wrote to storage since the last call, for the other keepers of the
    /// same document (a browser tells a document nothing of its own writes): `None` when
    /// nothing, `Some("")` after a write, the tombstone's text after an end.
    pub fn take_told(&mut self) -> Option<String> {
        self.told.take()
    }

    /// When the next wake-up is due (local epoch ms): the session's end, if there is one.
    pub fn next_wakeup(&self) -> Option<i64> {
        self.session.as_ref().map(|s| s.ends_at)
    }

    /// Starts a session from a token (or refreshes the current one when the token has the
    /// same `sid`). `user` is the user object as JSON text and `wallets` the connected
    /// wallets; `None` keeps what the same session already had.
    ///
    /// A different current session ends with `"replaced"`. Call [`check`](Self::check)
    /// first (the [`Engine`](crate::engine::Engine) does), so that what another tab did
    /// meanwhile is applied before, and the write is conditional on what storage holds.
    pub fn set_session(
        &mut self,
        token: &str,
        user: Option<String>,
        wallets: Option<Vec<Wallet>>,
        now: i64,
    ) -> Result<(SessionInfo, Vec<Event>)> {
        let claims = jwt::decode(token)?;
        self.check_environment(&claims)?;
        let user = user.map(parse_user).transpose()?;
        if wallets.as_ref().is_some_and(|w| w.len() > MAX_WALLETS) {
            return Err(Error::InvalidArgument("too many wallets (at most 10000)".into()));
        }
        // Setting the very token we already hold (an app re-setting it on every page load)
        // must not re-estimate the skew from an `iat` that is no longer fresh.
        let (skew, anchor) = match self.session.as_ref().filter(|s| s.token == token) {
            Some(current) => (current.skew_ms, current.anchor_ms),
            None => {
                let skew = token_skew(self.server_skew, claims.issued_at_ms, now);
                (skew, claims.issued_at_ms.unwrap_or(now.saturating_add(skew)))
            }
        };
        let mut session = Session::new(token.to_owned(), claims, skew, anchor, self.config.leeway_ms);
        if session.ends_at <= now {
            return Err(Error::TokenExpired);
        }
        let mut events = Vec::new();
        // The app signs this session in: it is no longer one that ended.
        self.gone.retain(|g| g.key != session.key);
        let previous = self.session.take();
        let same = previous.as_ref().filter(|p| p.key == session.key);
        session.user = match user {
            Some(user) => user,
            None => same.and_then(|p| p.user.clone()),
        };
        let wallets = wallets.unwrap_or_else(|| same.map(|p| p.connected.clone()).unwrap_or_default());
        session.connect_all(wallets);
        if same.is_none() {
            self.landed = false;
            if let Some(previous) = previous {
                events.push(self.ended(previous, EndReason::Replaced, false, now));
            }
            events.push(Event::Start(SessionStart { session: session.info(), remote: false, at: now }));
        }
        let info = session.info();
        self.session = Some(session);
        self.persist();
        Ok((info, events))
    }

    /// Replaces the user object (JSON text).
    pub fn set_user(&mut self, user: String) -> Result<()> {
        let user = parse_user(user)?;
        self.session.as_mut().ok_or(Error::NoSession)?.user = user;
        self.persist();
        Ok(())
    }

    /// Adds a connected (non-verified) wallet; a wallet already present is left as it is.
    pub fn connect_wallet(&mut self, wallet: Wallet) -> Result<()> {
        if wallet.address.is_empty() {
            return Err(Error::InvalidArgument("a wallet needs an address".into()));
        }
        if [&wallet.address, &wallet.chain, &wallet.connector].iter().any(|f| f.len() > MAX_FIELD_LEN) {
            return Err(Error::InvalidArgument("a wallet's address, chain and connector are at most 1024 bytes".into()));
        }
        let session = self.session.as_mut().ok_or(Error::NoSession)?;
        if session.connected.len() >= MAX_WALLETS {
            return Err(Error::InvalidArgument("too many wallets (at most 10000)".into()));
        }
        if session.connect(wallet) {
            self.persist();
        }
        Ok(())
    }

    /// Removes a connected wallet. Returns whether one was removed; verified wallets
    /// belong to the token and cannot be disconnected.
    pub fn disconnect_wallet(&mut self, address: &str) -> Result<bool> {
        let removed = self.session.as_mut().ok_or(Error::NoSession)?.disconnect(address);
        if removed {
            self.persist();
        }
        Ok(removed)
    }

    /// Ends the session here (logout, revocation): memory and storage are cleared together
    /// and other tabs are told through a tombstone. `None` when there was no session.
    pub fn end(&mut self, reason: EndReason, now: i64) -> Option<Event> {
        let session = self.session.take()?;
        self.clear_stored(&session.key, reason, now);
        Some(self.ended(session, reason, false, now))
    }

    /// Ends the session with `reason` only if it still holds `token` — the answer to a
    /// request made with another token (an older session's, or this session's before a
    /// refresh) is not about the current one.
    pub fn end_token(&mut self, token: &str, reason: EndReason, now: i64) -> Option<Event> {
        if self.session.as_ref()?.token != token {
            return None;
        }
        self.end(reason, now)
    }

    /// Brings the keeper up to date: re-reads storage (another tab, or DevTools, may have
    /// changed it while this page slept or was frozen) and ends the session if its end
    /// time has passed. Call it on every wake-up: timer, visibility, focus, online, pageshow.
    pub fn check(&mut self, now: i64) -> Vec<Event> {
        self.storage_changed(None, now)
    }

    /// Follows what storage holds now, without ending an overdue session (see
    /// [`expire`](Self::expire)): for a caller that learns the server's clock in between.
    pub fn read_storage(&mut self, now: i64) -> Vec<Event> {
        self.sync(None, now)
    }

    /// Ends the session if its end time has passed at `now`.
    pub fn expire(&mut self, now: i64) -> Option<Event> {
        if self.session.as_ref()?.ends_at > now {
            return None;
        }
        self.end(EndReason::Expired, now)
    }

    /// Storage changed (a `storage` event, or another keeper of this document wrote): reads
    /// what storage holds *now* and follows it. `hint` is the value the event carried; it is
    /// only used to learn why a session ended (a tombstone), never as the stored state — a
    /// page back from the back-forward cache gets its missed events late, with old values.
    pub fn storage_changed(&mut self, hint: Option<&str>, now: i64) -> Vec<Event> {
        let mut events = self.sync(hint, now);
        // Another tab may hand over a session whose end this tab's clock has already passed.
        events.extend(self.expire(now));
        events
    }

    /// Learns the server's clock from a `Date` header (whole seconds, server epoch ms) seen at
    /// `now`: later sessions are timed with it, and the current one's end moves with it.
    /// Returns whether the session's end time moved.
    pub fn observe_server_time(&mut self, server_date_ms: i64, now: i64) -> bool {
        let leeway = self.config.leeway_ms;
        self.server_skew = Some(skew_from_date(server_date_ms, now));
        let Some(session) = self.session.as_mut() else { return false };
        let skew = token_skew(self.server_skew, session.claims.issued_at_ms, now);
        // The header has one-second resolution: smaller differences are noise.
        if (skew - session.skew_ms).abs() <= 1_000 {
            return false;
        }
        session.set_skew(skew, leeway);
        self.persist();
        true
    }

    /// Reads the stored record and follows it: the rule is that storage holds the truth and
    /// this keeper's memory is a copy. A tombstone in `hint` naming the current session ends
    /// it with the tombstone's reason (and its record, if one was written back).
    fn sync(&mut self, hint: Option<&str>, now: i64) -> Vec<Event> {
        let mut events = Vec::new();
        if self.storage.is_none() {
            return events;
        }
        if let Some(Parsed::Record(Record::Ended(ended))) = hint.map(record::parse) {
            events.extend(self.follow(&ended, now));
        }
        // Storage that cannot be read is not an empty storage: keep the session.
        if let Some(value) = self.read() {
            events.extend(self.apply_stored(value.as_deref(), now));
        }
        events
    }

    /// Another keeper ended session `ended.key`: end it here too, with its reason.
    fn follow(&mut self, ended: &Ended, now: i64) -> Option<Event> {
        let session = self.session.take_if(|s| s.key == ended.key)?;
        if self.stored_session_is(&session.key) == Some(true) {
            self.remove_stored();
        }
        Some(self.ended(session, ended.reason, true, now))
    }

    fn apply_stored(&mut self, value: Option<&str>, now: i64) -> Vec<Event> {
        let mut events = Vec::new();
        match self.load(value) {
            Loaded::Nothing if !self.landed => {
                // This session never reached storage (it was full): nothing was removed.
                self.persist();
            }
            Loaded::Nothing => {
                if let Some(session) = self.session.take() {
                    // Gone from storage without a tombstone: removed outside the SDK (or the
                    // tombstone was missed). If its time was up anyway, that is the reason.
                    let expired = session.ends_at <= now;
                    let reason = if expired { EndReason::Expired } else { EndReason::Logout };
                    events.push(self.ended(session, reason, !expired, now));
                }
            }
            Loaded::Newer => {
                if let Some(session) = self.session.take() {
                    events.push(self.ended(session, EndReason::Replaced, true, now));
                }
            }
            Loaded::Ended(ended) => events.extend(self.follow(&ended, now)),
            Loaded::Session(stored) => {
                if let Some(gone) = self.gone_copy(&stored) {
                    // Written back by a tab that had not heard of the end. If this keeper's
                    // session was signed in after it, that session is what was overwritten:
                    // store it again. Otherwise the end is repeated for the others (and this
                    // keeper's own session follows the emptied storage). Comparing the two
                    // keeps two keepers from each rewriting their own in turn.
                    let reason = gone.reason;
                    let newer = |s: &Session| match (s.claims.issued_at_ms, stored.claims.issued_at_ms) {
                        (Some(ours), Some(theirs)) => ours > theirs,
                        _ => false,
                    };
                    if self.session.as_ref().is_some_and(newer) {
                        self.persist();
                        return events;
                    }
                    self.clear_stored(&stored.key, reason, now);
                    self.landed = true; // this keeper's session was stored, then overwritten
                    return self.apply_stored(None, now);
                }
                match self.session.as_mut() {
                    // Storage is full and this keeper holds a newer state of the same session
                    // than the one stored: keep it, and try to store it again.
                    Some(current) if current.key == stored.key && self.degraded == Some(StorageError::Full) => {
                        self.persist();
                    }
                    // The same session, updated elsewhere (user, wallets, refreshed token).
                    Some(current) if current.key == stored.key => {
                        *current = stored;
                        self.landed = true;
                    }
                    _ => {
                        if let Some(previous) = self.session.take() {
                            events.push(self.ended(previous, EndReason::Replaced, true, now));
                        }
                        if stored.ends_at > now {
                            events.push(Event::Start(SessionStart { session: stored.info(), remote: true, at: now }));
                            self.session = Some(stored);
                            self.landed = true;
                        }
                    }
                }
            }
        }
        events
    }

    /// The remembered end of `stored`, if it is a copy of a session this keeper saw end: the
    /// same session with the very token that ended, or a token issued no later.
    fn gone_copy(&self, stored: &Session) -> Option<&Gone> {
        let iat = stored.claims.issued_at_ms;
        self.gone.iter().rev().find(|g| {
            g.key == stored.key
                && (g.token == fnv1a(&stored.token) || matches!((iat, g.issued_at_ms), (Some(s), Some(e)) if s <= e))
        })
    }

    /// Remembers `session` as ended (if logged out or revoked) and returns its end event.
    fn ended(&mut self, session: Session, reason: EndReason, remote: bool, at: i64) -> Event {
        let event = end_event(&session, reason, remote, at);
        if !matches!(reason, EndReason::Logout | EndReason::Revoked) {
            return event;
        }
        if self.gone.len() >= MAX_GONE {
            self.gone.remove(0);
        }
        let Session { key, token, claims, .. } = session;
        self.gone.push(Gone { key, token: fnv1a(&token), issued_at_ms: claims.issued_at_ms, reason });
        event
    }

    /// Interprets a stored value; removes what is unusable.
    fn load(&mut self, value: Option<&str>) -> Loaded {
        let Some(text) = value else { return Loaded::Nothing };
        match record::parse(text) {
            Parsed::Newer => {
                self.notices.push(Notice::RecordFromNewerVersion);
                Loaded::Newer
            }
            Parsed::Record(Record::Ended(ended)) => Loaded::Ended(ended),
            Parsed::Record(Record::Session(stored)) => match self.revive(stored) {
                Some(session) => Loaded::Session(session),
                None => self.discard(),
            },
            Parsed::Discard => self.discard(),
        }
    }

    fn discard(&mut self) -> Loaded {
        self.notices.push(Notice::RecordDiscarded);
        self.remove_stored();
        Loaded::Nothing
    }

    /// A stored session, if its token is still a valid token of this environment.
    fn revive(&self, stored: StoredSession) -> Option<Session> {
        let claims = jwt::decode(&stored.token).ok()?;
        self.check_environment(&claims).ok()?;
        let mut session = Session::new(stored.token, claims, stored.skew, stored.anchor, self.config.leeway_ms);
        session.user = stored.user.filter(|u| u.len() <= MAX_USER_JSON_LEN);
        session.connect_all(stored.wallets);
        Some(session)
    }

    /// A token without `environment_id` is accepted; one naming another environment is not.
    fn check_environment(&self, claims: &Claims) -> Result<()> {
        match &claims.environment_id {
            Some(found) if *found != self.config.environment_id => Err(Error::EnvironmentMismatch {
                expected: self.config.environment_id.clone(),
                found: found.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// The stored value; `None` in memory mode or when reading failed (which degrades).
    fn read(&mut self) -> Option<Option<String>> {
        let result = self.storage.as_ref()?.get(&self.key);
        result.map_err(|e| self.degrade(e)).ok()
    }

    /// Writes the current session. Callers read storage first ([`sync`](Self::sync)), in the
    /// same synchronous call, so the write is conditional on what they read.
    fn persist(&mut self) {
        let (Some(storage), Some(session)) = (&self.storage, &self.session) else { return };
        // A write is conditional on a read: storage that cannot be read is not written either.
        if self.degraded == Some(StorageError::Unavailable) && storage.get(&self.key).is_err() {
            return;
        }
        let text = record::encode(&Record::Session(StoredSession {
            token: session.token.clone(),
            user: session.user.clone(),
            wallets: session.connected.clone(),
            skew: session.skew_ms,
            anchor: session.anchor_ms,
        }));
        match storage.set(&self.key, &text) {
            Ok(()) => {
                self.landed = true;
                self.mine = value_hash(Some(&text));
                self.degraded = None;
                self.told = Some(String::new());
            }
            Err(error) => {
                // What is stored now is another session, or an older state of this one. An
                // older state of the same session is harmless; another session must not be
                // resurrected by a reload or adopted by another tab.
                if error == StorageError::Full {
                    let stored = storage.get(&self.key);
                    let key = session.key.clone();
                    if matches!(stored, Ok(Some(_))) && self.stored_session_is(&key) != Some(true) {
                        self.remove_stored();
                    }
                }
                self.degrade(error);
            }
        }
    }

    /// Whether the stored record holds the session `key`; `None` when storage cannot be read.
    fn stored_session_is(&self, key: &str) -> Option<bool> {
        let storage = self.storage.as_ref()?;
        let text = match storage.get(&self.key) {
            Ok(Some(text)) => text,
            Ok(None) => return Some(false),
            Err(_) => return None,
        };
        let Parsed::Record(Record::Session(stored)) = record::parse(&text) else { return Some(false) };
        Some(self.revive(stored).is_some_and(|s| s.key == key))
    }

    /// Removes the stored record if (and only if) it still holds the session `key`, first
    /// writing a tombstone so that other tabs learn why. A record of a newer session, set
    /// by another tab meanwhile, is left alone. When storage cannot even be read, the record
    /// is removed anyway — a session that ended must never come back with a reload. This
    /// holds whatever happened to storage before (a keeper that fell back to memory still
    /// clears the record it left behind).
    fn clear_stored(&mut self, key: &str, reason: EndReason, now: i64) {
        self.landed = false;
        match self.stored_session_is(key) {
            Some(true) => {}
            Some(false) => return,
            None => {
                self.remove_stored();
                self.degrade(StorageError::Unavailable);
                return;
            }
        }
        // Expiry needs no tombstone: every tab reaches the same end time and reads a vanished
        // record past it as "expired". Skipping it matters because tabs expire together, and
        // localStorage's read-then-write is not atomic across tabs: two tombstones would be two
        // writes. For the same reason only the keeper whose record is stored removes it (in
        // Firefox and WebKit a second tab's removal of it is a storage event of its own).
        if reason == EndReason::Expired {
            let stored = self.storage.as_ref().and_then(|s| s.get(&self.key).ok().flatten());
            if value_hash(stored.as_deref()) != self.mine {
                return; // another tab wrote it, and removes it at the same moment
            }
        }
        let mut told = String::new();
        if reason != EndReason::Expired {
            if let Some(storage) = &self.storage {
                let tombstone = record::encode(&Record::Ended(Ended { key: key.to_owned(), reason, at: now }));
                // If the tombstone cannot be written, the plain removal still ends other tabs.
                let _ = storage.set(&self.key, &tombstone);
                told = tombstone;
            }
        }
        self.remove_stored();
        self.told = Some(told);
    }

    fn remove_stored(&mut self) {
        let result = match &self.storage {
            Some(storage) => storage.remove(&self.key),
            None => return,
        };
        match result {
            Ok(()) => self.told = Some(String::new()),
            Err(error) => self.degrade(error),
        }
    }

    fn degrade(&mut self, error: StorageError) {
        if self.storage.is_some() && self.degraded != Some(error) {
            if self.degraded.is_none() {
                self.notices.push(match error {
                    StorageError::Full => Notice::StorageFull,
                    StorageError::Unavailable => Notice::StorageUnavailable,
                });
            }
            self.degraded = Some(error);
        }
    }
}

/// The hash of a stored value, `None` for none.
fn value_hash(value: Option<&str>) -> Option<u64> {
    value.map(fnv1a)
}

/// The longest user object accepted, as JSON text.
pub const MAX_USER_JSON_LEN: usize = 256 * 1024;

/// Checks a user object's JSON text (as `JSON.stringify` wrote it); `"null"` means none.
fn parse_user(text: String) -> Result<Option<String>> {
    if text.len() > MAX_USER_JSON_LEN {
        return Err(Error::InvalidArgument("the user object is too large (over 256 KiB as JSON)".into()));
    }
    if !json::is_valid(&text) {
        return Err(Error::InvalidArgument("the user must be JSON".into()));
    }
    Ok((text != "null").then_some(text))
}

fn end_event(session: &Session, reason: EndReason, remote: bool, at: i64) -> Event {
    Event::End(SessionEnd {
        reason,
        session_id: session.claims.session_id.clone(),
        user_id: session.claims.user_id.clone(),
        remote,
        at,
    })
}
