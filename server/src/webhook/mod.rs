//! Webhooks: the events, their signature, at-least-once delivery with retries, the delivery
//! log, and the demo receiver's replay checks and record of what it verified.

pub mod delivery_log;
pub mod dispatcher;
pub mod event;
pub mod freshness;
pub mod received_events;
pub mod recent_ids;
pub mod signature;

pub use delivery_log::{DeliveryAttempt, DeliveryLog, DeliveryOutcome};
pub use dispatcher::{RetryPolicy, WebhookDispatcher, WebhookTarget};
pub use event::{EventName, WebhookEnvelope, WebhookEvent};
pub use freshness::{check_freshness, DeliveryRejection, FreshDelivery, TIMESTAMP_TOLERANCE};
pub use received_events::{ReceivedEvent, ReceivedEvents, RecordOutcome};
pub use recent_ids::RecentIds;
pub use signature::{sign, verify, SignatureError, SIGNATURE_HEADER};
