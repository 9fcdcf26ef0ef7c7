//! Timestamps in the shape Dynamic's API uses: ISO-8601 UTC with milliseconds
//! (`2024-05-01T12:00:00.000Z`, the same as JavaScript's `Date.prototype.toISOString`).

use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// Millisecond precision keeps the strings identical to what a browser produces, so the
/// admin page and tests can compare them with `Date` values without rounding surprises.
const ISO_MILLIS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Formats `at` as ISO-8601 UTC with milliseconds.
///
/// ```
/// use session_keeper_server::timestamp::to_iso;
/// let at = time::OffsetDateTime::from_unix_timestamp(0).unwrap();
/// assert_eq!(to_iso(at), "1970-01-01T00:00:00.000Z");
/// ```
pub fn to_iso(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    // Formatting with a fixed description into a String cannot fail for years 0..=9999;
    // fall back to RFC 3339-ish debug output rather than panicking on absurd dates.
    utc.format(ISO_MILLIS).unwrap_or_else(|_| utc.to_string())
}

/// Milliseconds since the Unix epoch, the unit the SDK stores absolute times in.
pub fn to_epoch_millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Serde helpers for `#[serde(with = ...)]` fields.
pub mod serde_iso {
    use serde::Serializer;
    use time::OffsetDateTime;

    /// Serializes a timestamp with [`to_iso`](super::to_iso).
    pub fn serialize<S: Serializer>(at: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::to_iso(*at))
    }

    /// Serde helpers for optional timestamps (`null` when absent).
    pub mod option {
        use serde::Serializer;
        use time::OffsetDateTime;

        /// Serializes `Some(t)` as an ISO string and `None` as `null`.
        pub fn serialize<S: Serializer>(
            at: &Option<OffsetDateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => serializer.serialize_str(&super::super::to_iso(*at)),
                None => serializer.serialize_none(),
            }
        }
    }
}
