//! The in-memory log of webhook delivery attempts, for the admin page and tests.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::sync::lock;
use crate::timestamp::serde_iso;
use crate::webhook::EventName;

/// Oldest entries are dropped past this, so a long demo run cannot grow memory without bound.
const CAPACITY: usize = 1000;

/// What came of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// Failed; another attempt is scheduled.
    Retrying,
    /// Failed and no attempts are left.
    Failed,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// The event.
    pub event_id: Uuid,
    /// This attempt's message id.
    pub message_id: Uuid,
    /// The event name.
    pub event_name: EventName,
    /// The event's environment.
    pub environment_id: String,
    /// The session the event is about.
    pub session_id: Uuid,
    /// Where it was sent.
    pub url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The HTTP status, if the receiver answered.
    pub status: Option<u16>,
    /// The connection error, if it did not.
    pub error: Option<String>,
    /// Result of this attempt.
    pub outcome: DeliveryOutcome,
    /// When the attempt finished.
    #[serde(with = "serde_iso")]
    pub at: OffsetDateTime,
}

/// Delivery attempts, oldest first.
#[derive(Debug, Default)]
pub struct DeliveryLog {
    entries: Mutex<VecDeque<DeliveryAttempt>>,
}

impl DeliveryLog {
    /// Appends an attempt.
    pub fn record(&self, attempt: DeliveryAttempt) {
        let mut entries = lock(&self.entries);
        if entries.len() == CAPACITY {
            entries.pop_front();
        }
        entries.push_back(attempt);
    }

    /// Attempts for one environment, newest first.
    pub fn for_environment(&self, environment_id: &str) -> Vec<DeliveryAttempt> {
        lock(&self.entries)
            .iter()
            .rev()
            .filter(|a| a.environment_id == environment_id)
            .cloned()
            .collect()
    }
}
