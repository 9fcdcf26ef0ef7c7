//! Replay protection for the receiver: a delivery must carry a `messageId` and a `timestamp`
//! within [`TIMESTAMP_TOLERANCE`] of the server clock. A signature only proves who made a body,
//! not when, so without this a captured delivery could be sent again at any later time and
//! would be accepted (the same rule Stripe and Svix apply to their webhooks).

use std::time::Duration;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// How far a delivery's `timestamp` may be from the receiver's clock, either way.
pub const TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Longest piece of a bad timestamp quoted back in an error message.
const MAX_QUOTED_CHARS: usize = 64;

/// Why a correctly signed delivery was refused anyway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryRejection {
    /// No `timestamp` string in the body.
    #[error("the delivery has no `timestamp` string")]
    MissingTimestamp,
    /// `timestamp` is not an RFC 3339 date-time.
    #[error("the delivery's `timestamp` is not an RFC 3339 date-time: `{0}`")]
    UnparseableTimestamp(String),
    /// `timestamp` is too far in the past or the future: a replay, or a badly set clock.
    #[error(
        "the delivery's timestamp {timestamp} is {off_by_seconds} s away from the server clock; \
         deliveries are accepted only within {} s of it",
        TIMESTAMP_TOLERANCE.as_secs()
    )]
    OutsideTolerance {
        /// The timestamp as sent.
        timestamp: String,
        /// How far off it is, in whole seconds (positive: in the past).
        off_by_seconds: i64,
    },
    /// No `messageId` string in the body, so a replay could not be recognised.
    #[error("the delivery has no `messageId` string")]
    MissingMessageId,
}

impl DeliveryRejection {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DeliveryRejection::OutsideTolerance { .. } => "timestamp_out_of_tolerance",
            DeliveryRejection::MissingTimestamp
            | DeliveryRejection::UnparseableTimestamp(_)
            | DeliveryRejection::MissingMessageId => "invalid_webhook",
        }
    }
}

/// What the receiver needs from a fresh delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshDelivery {
    /// New for every attempt; a second delivery with the same one is a replay.
    pub message_id: String,
    /// Shared by every attempt of one event, when present.
    pub event_id: Option<String>,
    /// The environment the event belongs to, when present.
    pub environment_id: Option<String>,
    /// When the event happened.
    pub timestamp: OffsetDateTime,
}

impl FreshDelivery {
    /// Until when a replay of this delivery could still pass the timestamp check, which is as
    /// long as its ids need remembering.
    pub fn replayable_until(&self) -> OffsetDateTime {
        self.timestamp
            .checked_add(tolerance())
            .unwrap_or(OffsetDateTime::now_utc())
    }
}

/// Checks `payload` (a verified envelope) at `now`.
pub fn check_freshness(
    payload: &Value,
    now: OffsetDateTime,
) -> Result<FreshDelivery, DeliveryRejection> {
    let text = |field: &str| {
        payload
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let raw = text("timestamp").ok_or(DeliveryRejection::MissingTimestamp)?;
    let timestamp = OffsetDateTime::parse(&raw, &Rfc3339)
        .map_err(|_| DeliveryRejection::UnparseableTimestamp(quoted(&raw)))?;
    let off_by = now - timestamp;
    if off_by.abs() > tolerance() {
        return Err(DeliveryRejection::OutsideTolerance {
            timestamp: quoted(&raw),
            off_by_seconds: off_by.whole_seconds(),
        });
    }
    let message_id = text("messageId").ok_or(DeliveryRejection::MissingMessageId)?;
    Ok(FreshDelivery {
        message_id,
        event_id: text("eventId"),
        environment_id: text("environmentId"),
        timestamp,
    })
}

fn tolerance() -> time::Duration {
    // 300 s always fits; the fallback only keeps this free of panics.
    time::Duration::try_from(TIMESTAMP_TOLERANCE).unwrap_or(time::Duration::minutes(5))
}

fn quoted(raw: &str) -> String {
    raw.chars().take(MAX_QUOTED_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::to_iso;
    use serde_json::json;

    fn envelope(timestamp: &str) -> Value {
        json!({ "eventId": "e", "messageId": "m", "environmentId": "env", "timestamp": timestamp })
    }

    #[test]
    fn accepts_timestamps_within_the_tolerance_either_way() {
        let now = OffsetDateTime::now_utc();
        for offset in [0, 299, -299] {
            let at = to_iso(now - time::Duration::seconds(offset));
            let fresh = check_freshness(&envelope(&at), now).unwrap();
            assert_eq!(fresh.message_id, "m");
            assert_eq!(fresh.event_id.as_deref(), Some("e"));
            assert_eq!(fresh.environment_id.as_deref(), Some("env"));
        }
    }

    #[test]
    fn refuses_old_and_future_timestamps() {
        let now = OffsetDateTime::now_utc();
        for offset in [301, -301, 24 * 3600] {
            let at = to_iso(now - time::Duration::seconds(offset));
            let error = check_freshness(&envelope(&at), now).unwrap_err();
            assert_eq!(error.code(), "timestamp_out_of_tolerance", "{error}");
        }
        let error = check_freshness(&envelope("2001-09-09T01:46:40.000Z"), now).unwrap_err();
        assert!(
            error.to_string().contains("2001-09-09T01:46:40.000Z"),
            "{error}"
        );
    }

    #[test]
    fn refuses_missing_or_unreadable_fields() {
        let now = OffsetDateTime::now_utc();
        let at = to_iso(now);
        assert_eq!(
            check_freshness(&json!({ "messageId": "m" }), now),
            Err(DeliveryRejection::MissingTimestamp)
        );
        assert_eq!(
            check_freshness(&json!({ "messageId": "m", "timestamp": 1_000_000 }), now),
            Err(DeliveryRejection::MissingTimestamp)
        );
        assert!(matches!(
            check_freshness(&envelope("yesterday"), now),
            Err(DeliveryRejection::UnparseableTimestamp(_))
        ));
        assert_eq!(
            check_freshness(&json!({ "timestamp": at }), now),
            Err(DeliveryRejection::MissingMessageId)
        );
    }
}
