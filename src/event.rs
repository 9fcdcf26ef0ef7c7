//! What the keeper tells its listeners: sessions starting and ending, and why.

use crate::SessionInfo;

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// `logout()` was called (here or in another tab), or the stored session was removed.
    Logout,
    /// The token reached its end time.
    Expired,
    /// The backend revoked the session.
    Revoked,
    /// Another session took its place.
    Replaced,
}

impl EndReason {
    /// The reason as JavaScript sees it: `"logout"`, `"expired"`, `"revoked"`, `"replaced"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Logout => "logout",
            EndReason::Expired => "expired",
            EndReason::Revoked => "revoked",
            EndReason::Replaced => "replaced",
        }
    }

    /// The reason named by [`as_str`](Self::as_str)'s text.
    pub fn parse(text: &str) -> Option<EndReason> {
        [EndReason::Logout, EndReason::Expired, EndReason::Revoked, EndReason::Replaced]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    /// Why it ended.
    pub reason: EndReason,
    /// The session's `sid`.
    pub session_id: Option<String>,
    /// The session's `sub`.
    pub user_id: Option<String>,
    /// True when the end happened in another tab (or outside the SDK) and reached this one.
    pub remote: bool,
    /// When this tab ended it, in local epoch milliseconds.
    pub at: i64,
}

/// A session started: set here with `setSession`, or adopted from another tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStart {
    /// The new session.
    pub session: SessionInfo,
    /// True when it was set in another tab.
    pub remote: bool,
    /// When this tab adopted it, in local epoch milliseconds.
    pub at: i64,
}

/// An event for the listeners, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// For `onSessionStart` listeners.
    Start(SessionStart),
    /// For `onSessionEnd` listeners.
    End(SessionEnd),
}

/// Something worth a log line that is not an event: degraded storage, a record removed.
/// None of them carries a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Storage could not be read or written; the session now lives in memory only.
    StorageUnavailable,
    /// Storage is full; the session now lives in memory only.
    StorageFull,
    /// A stored record was corrupt, of an old version, or held an unusable token, and was removed.
    RecordDiscarded,
    /// A stored record of a newer schema version was left alone (a newer SDK wrote it).
    RecordFromNewerVersion,
}

impl Notice {
    /// A one-line description for the log.
    pub fn message(self) -> &'static str {
        match self {
            Notice::StorageUnavailable => {
                "localStorage is unavailable; the session is kept in memory only (no persistence, no cross-tab sync)"
            }
            Notice::StorageFull => {
                "localStorage is full; the session is kept in memory only (no persistence, no cross-tab sync)"
            }
            Notice::RecordDiscarded => "a stored session record was unusable and was removed",
            Notice::RecordFromNewerVersion => {
                "a stored session record has a newer schema version and was left alone"
            }
        }
    }
}
