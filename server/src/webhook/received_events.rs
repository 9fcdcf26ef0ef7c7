//! What the built-in demo receiver (`POST /webhooks/receiver`) has verified and accepted.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;

use crate::sync::lock;
use crate::timestamp::serde_iso;

/// Oldest entries are dropped past this.
const CAPACITY: usize = 1000;

/// One verified delivery.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedEvent {
    /// When it arrived.
    #[serde(with = "serde_iso")]
    pub received_at: OffsetDateTime,
    /// `true` when an earlier delivery had the same `eventId` (at-least-once delivery makes
    /// this normal; a real receiver would skip it).
    pub duplicate: bool,
    /// The envelope exactly as received.
    pub payload: serde_json::Value,
}

#[derive(Debug, Default)]
struct Inner {
    events: VecDeque<ReceivedEvent>,
    seen_event_ids: HashSet<String>,
}

/// The receiver's record, oldest first.
#[derive(Debug, Default)]
pub struct ReceivedEvents {
    inner: Mutex<Inner>,
}

impl ReceivedEvents {
    /// Records a verified envelope; returns whether its `eventId` was seen before.
    pub fn record(&self, payload: serde_json::Value) -> bool {
        let event_id = payload
            .get("eventId")
            .and_then(|id| id.as_str())
            .map(str::to_owned);
        let mut inner = lock(&self.inner);
        let duplicate = match event_id {
            Some(id) => !inner.seen_event_ids.insert(id),
            None => false,
        };
        if inner.events.len() == CAPACITY {
            inner.events.pop_front();
        }
        inner.events.push_back(ReceivedEvent {
            received_at: OffsetDateTime::now_utc(),
            duplicate,
            payload,
        });
        duplicate
    }

    /// Everything received, newest first.
    pub fn newest_first(&self) -> Vec<ReceivedEvent> {
        lock(&self.inner).events.iter().rev().cloned().collect()
    }
}
