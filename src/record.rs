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
//!
//! Another tab — or a hostile script on the origin — can write anything here, so parsing is
//! total: any text gives a [`Parsed`], in linear time, with no recursion over the user object
//! (it is validated and kept as text).

use crate::json::{self, Reader};
use crate::wallet::{self, Wallet};
use crate::EndReason;

/// The schema version this SDK writes.
pub const VERSION: u32 = 1;

/// The largest stored value read (a token, a user object and thousands of wallets fit easily).
pub const MAX_RECORD_LEN: usize = 4 * 1024 * 1024;

/// The storage key for an environment's record.
pub fn storage_key(environment_id: &str) -> String {
    let mut key = String::from("session-keeper:");
    key.push_str(environment_id);
    key
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The JWT.
    pub token: String,
    /// The app's user object, as JSON text.
    pub user: Option<String>,
    /// Connected (non-verified) wallets.
    pub wallets: Vec<Wallet>,
    /// Server clock minus device clock, in milliseconds.
    pub skew: i64,
    /// Start of the 30-day cap, server epoch milliseconds.
    pub anchor: i64,
}

/// A tombstone: the session with this key ended for this reason.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Corrupt, not JSON, too large, or an older schema version: remove it.
    Discard,
    /// Written by a newer SDK (another tab on a newer release): leave it alone.
    Newer,
}

/// Parses a stored value. Never fails: anything unusable is [`Parsed::Discard`].
///
/// ```
/// use session_keeper::record::{parse, Parsed};
/// assert!(matches!(parse("not json"), Parsed::Discard));
/// assert!(matches!(parse(r#"{"v":2,"anything":[]}"#), Parsed::Newer));
/// ```
pub fn parse(text: &str) -> Parsed {
    if text.len() > MAX_RECORD_LEN {
        return Parsed::Discard;
    }
    let mut version = None;
    let mut session = None;
    let mut ended = None;
    let mut reader = Reader::new(text);
    let read = reader.object(&mut |r, key| {
        match key.as_str() {
            "v" => version = Some(r.number()?),
            "session" if !r.null() => session = Some(stored_session(r)?),
            "ended" if !r.null() => ended = Some(tombstone(r)?),
            "session" | "ended" => {}
            _ => {
                r.value()?;
            }
        }
        Some(())
    });
    let Some(version) = version else { return Parsed::Discard };
    if version > f64::from(VERSION) {
        // A newer SDK may have changed anything but the version field: don't judge the rest.
        return Parsed::Newer;
    }
    if version != f64::from(VERSION) || read.is_none() || !reader.at_end() {
        // No older schema was ever released, so there is nothing to migrate from.
        return Parsed::Discard;
    }
    match (session, ended) {
        (Some(s), None) => Parsed::Record(Record::Session(s)),
        (None, Some(e)) => Parsed::Record(Record::Ended(e)),
        _ => Parsed::Discard,
    }
}

fn stored_session(r: &mut Reader) -> Option<StoredSession> {
    let (mut token, mut user, mut wallets, mut skew, mut anchor) = (None, None, None, None, None);
    r.object(&mut |r, key| {
        match key.as_str() {
            "token" => token = Some(r.string()?),
            "user" if r.null() => {}
            "user" => user = Some(r.value()?.to_owned()),
            "wallets" => wallets = Some(wallet::parse_list(r)?),
            "skew" => skew = Some(whole(r.number()?)?),
            "anchor" => anchor = Some(whole(r.number()?)?),
            _ => {
                r.value()?;
            }
        }
        Some(())
    })?;
    Some(StoredSession { token: token?, user, wallets: wallets?, skew: skew?, anchor: anchor? })
}

fn tombstone(r: &mut Reader) -> Option<Ended> {
    let (mut key, mut reason, mut at) = (None, None, None);
    r.object(&mut |r, name| {
        match name.as_str() {
            "key" => key = Some(r.string()?),
            "reason" => reason = Some(EndReason::parse(&r.string()?)?),
            "at" => at = Some(whole(r.number()?)?),
            _ => {
                r.value()?;
            }
        }
        Some(())
    })?;
    Some(Ended { key: key?, reason: reason?, at: at? })
}

/// A whole number of milliseconds in the range dates can have (±2^53).
fn whole(n: f64) -> Option<i64> {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    // In range by the check, so the cast is exact.
    (n.fract() == 0.0 && n.abs() <= LIMIT).then_some(n as i64)
}

/// Serialises a record.
pub fn encode(record: &Record) -> String {
    let mut out = String::from("{\"v\":1,");
    match record {
        Record::Session(s) => {
            out.push_str("\"session\":{\"token\":");
            json::push_string(&mut out, &s.token);
            out.push_str(",\"user\":");
            out.push_str(s.user.as_deref().unwrap_or("null"));
            out.push_str(",\"wallets\":");
            wallet::push_list(&mut out, &s.wallets);
            out.push_str(",\"skew\":");
            json::push_int(&mut out, s.skew);
            out.push_str(",\"anchor\":");
            json::push_int(&mut out, s.anchor);
            out.push_str("},\"ended\":null}");
        }
        Record::Ended(e) => {
            out.push_str("\"session\":null,\"ended\":{\"key\":");
            json::push_string(&mut out, &e.key);
            out.push_str(",\"reason\":\"");
            out.push_str(e.reason.as_str());
            out.push_str("\",\"at\":");
            json::push_int(&mut out, e.at);
            out.push_str("}}");
        }
    }
    out
}
