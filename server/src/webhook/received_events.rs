//! What the built-in demo receiver (`POST /webhooks/receiver`) has verified and accepted.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;

use crate::sync::lock;
use crate::timestamp::serde_iso;
use crate::webhook::freshness::FreshDelivery;
use crate::webhook::recent_ids::RecentIds;

/// Oldest entries are dropped past this.
const CAPACITY: usize = 1000;

/// At most this many message ids and this many event ids are remembered for deduplication.
/// Each is also forgotten once its delivery's timestamp leaves the tolerance window, so under
/// normal traffic the sets hold only the last few minutes of deliveries.
pub const MAX_REMEMBERED_IDS: usize = 10_000;

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
    /// The envelope's `environmentId`: only that environment's admin token may read the event.
    #[serde(skip)]
    pub environment_id: Option<String>,
}

/// What [`ReceivedEvents::record`] did with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordOutcome {
    /// The event (or this very message) was seen before.
    pub duplicate: bool,
    /// A new entry was added; `false` for a replayed `messageId`, which is acknowledged
    /// without being recorded a second time.
    pub recorded: bool,
}

#[derive(Debug)]
struct Inner {
    events: VecDeque<ReceivedEvent>,
    seen_message_ids: RecentIds,
    seen_event_ids: RecentIds,
}

/// The receiver's record, oldest first.
#[derive(Debug)]
pub struct ReceivedEvents {
    inner: Mutex<Inner>,
}

impl Default for ReceivedEvents {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                events: VecDeque::new(),
                seen_message_ids: RecentIds::new(MAX_REMEMBERED_IDS),
                seen_event_ids: RecentIds::new(MAX_REMEMBERED_IDS),
            }),
        }
    }
}

impl ReceivedEvents {
    /// Records a verified, fresh delivery at `now`. A `messageId` seen before is a replay: it
    /// is reported as a duplicate and not recorded again. A new `messageId` of a known
    /// `eventId` is a redelivery: recorded, flagged as a duplicate.
    pub fn record(
        &self,
        delivery: &FreshDelivery,
        payload: serde_json::Value,
        now: OffsetDateTime,
    ) -> RecordOutcome {
        let forget_at = delivery.replayable_until();
        let mut inner = lock(&self.inner);
        inner.seen_message_ids.forget_expired(now);
        inner.seen_event_ids.forget_expired(now);
        if !inner
            .seen_message_ids
            .insert(&delivery.message_id, forget_at)
        {
            return RecordOutcome {
                duplicate: true,
                recorded: false,
            };
        }
        let duplicate = match &delivery.event_id {
            Some(id) => !inner.seen_event_ids.insert(id, forget_at),
            None => false,
        };
        if inner.events.len() == CAPACITY {
            inner.events.pop_front();
        }
        inner.events.push_back(ReceivedEvent {
            received_at: now,
            duplicate,
            payload,
            environment_id: delivery.environment_id.clone(),
        });
        RecordOutcome {
            duplicate,
            recorded: true,
        }
    }

    /// The events of one environment, newest first.
    pub fn for_environment(&self, environment_id: &str) -> Vec<ReceivedEvent> {
        lock(&self.inner)
            .events
            .iter()
            .rev()
            .filter(|event| event.environment_id.as_deref() == Some(environment_id))
            .cloned()
            .collect()
    }

    /// How many message ids and event ids are remembered for deduplication.
    pub fn remembered_ids(&self) -> (usize, usize) {
        let inner = lock(&self.inner);
        (inner.seen_message_ids.len(), inner.seen_event_ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::Duration;

    fn delivery(message_id: &str, event_id: &str, timestamp: OffsetDateTime) -> FreshDelivery {
        FreshDelivery {
            message_id: message_id.to_owned(),
            event_id: Some(event_id.to_owned()),
            environment_id: Some("env".to_owned()),
            timestamp,
        }
    }

    #[test]
    fn replays_are_acknowledged_but_recorded_once_and_redeliveries_are_flagged() {
        let now = OffsetDateTime::now_utc();
        let events = ReceivedEvents::default();
        let first = delivery("m1", "e1", now);
        let ok = |duplicate, recorded| RecordOutcome {
            duplicate,
            recorded,
        };
        assert_eq!(events.record(&first, json!({}), now), ok(false, true));
        assert_eq!(events.record(&first, json!({}), now), ok(true, false));
        let retry = delivery("m2", "e1", now);
        assert_eq!(events.record(&retry, json!({}), now), ok(true, true));
        assert_eq!(events.for_environment("env").len(), 2);
        assert!(events.for_environment("other").is_empty());
    }

    #[test]
    fn ids_are_forgotten_once_their_delivery_could_no_longer_be_replayed() {
        let now = OffsetDateTime::now_utc();
        let events = ReceivedEvents::default();
        events.record(&delivery("m1", "e1", now), json!({}), now);
        assert_eq!(events.remembered_ids(), (1, 1));
        let later = now + Duration::minutes(6);
        events.record(&delivery("m2", "e2", later), json!({}), later);
        assert_eq!(events.remembered_ids(), (1, 1), "m1 and e1 were forgotten");
    }
}
