//! The stored record: one versioned JSON value under `session-keeper:<environmentId>`.
//!
//! ```json
//! {"v":1,"session":{"token":"…","user":{…},"wallets":[…],"skew":0,"anchor":1700000000000},"ended":null}
//! {"v":1,"session":null,"ended":{"key":"sid:…","reason":"logout","at":1700000000000}}
//! ```
//!
//! The `ended` form is a tombstone: the tab that ends a session writes it and removes it at
//! once, so other tabs learn from the `storage` event *which* session ended and *why*,
//! and storage is empty afterwards.

use miniserde::json::{self, Value};
use miniserde::{Deserialize, Serialize};

use crate::{EndReason, Wallet};

/// The schema version this SDK writes.
pub const VERSION: u32 = 1;

/// The storage key for an environment's record.
pub fn storage_key(environment_id: &str) -> String {
    format!("session-keeper:{environment_id}")
}

/// A stored session.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredSession {
    /// The JWT.
    pub token: String,
    /// The app's user object.
    pub user: Option<Value>,
    /// Connected (non-verified) wallets.
    pub wallets: Vec<Wallet>,
    /// Server clock minus device clock, in milliseconds.
    pub skew: i64,
    /// Start of the 30-day cap, server epoch milliseconds.
    pub anchor: i64,
}

/// A tombstone: the session with this key ended for this reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ended {
    /// The ended session's key.
    pub key: String,
    /// Why it ended.
    pub reason: EndReason,
    /// When (local epoch milliseconds of the tab that ended it).
    pub at: i64,
}

/// A record of the current version.
#[derive(Debug)]
pub enum Record {
    /// A live session.
    Session(StoredSession),
    /// A session just ended.
    Ended(Ended),
}

/// What a stored value turned out to be.
#[derive(Debug)]
pub enum Parsed {
    /// A record this SDK understands.
    Record(Record),
    /// Corrupt, not JSON, or an older schema version: remove it.
    Discard,
    /// Written by a newer SDK (another tab on a newer release): leave it alone.
    Newer,
}

#[derive(Deserialize)]
struct Version {
    v: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u32,
    session: Option<StoredSession>,
    ended: Option<Ended>,
}

/// Parses a stored value. Never fails: anything unusable is [`Parsed::Discard`].
pub fn parse(text: &str) -> Parsed {
    let Ok(Version { v: Some(version) }) = json::from_str::<Version>(text) else {
        return Parsed::Discard;
    };
    if version > VERSION {
        return Parsed::Newer;
    }
    if version < VERSION {
        // No older schema was ever released, so there is nothing to migrate from.
        return Parsed::Discard;
    }
    match json::from_str::<Envelope>(text) {
        Ok(Envelope { session: Some(s), ended: None, .. }) => Parsed::Record(Record::Session(s)),
        Ok(Envelope { session: None, ended: Some(e), .. }) => Parsed::Record(Record::Ended(e)),
        _ => Parsed::Discard,
    }
}

/// Serialises a record.
pub fn encode(record: Record) -> String {
    let envelope = match record {
        Record::Session(s) => Envelope { v: VERSION, session: Some(s), ended: None },
        Record::Ended(e) => Envelope { v: VERSION, session: None, ended: Some(e) },
    };
    json::to_string(&envelope)
}
