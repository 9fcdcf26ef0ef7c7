//! Webhooks: the events, their signature, at-least-once delivery with retries, the delivery
//! log, and the demo receiver's record of what it verified.

pub mod delivery_log;
pub mod dispatcher;
pub mod event;
pub mod received_events;
pub mod signature;

pub use delivery_log::{DeliveryAttempt, DeliveryLog, DeliveryOutcome};
pub use dispatcher::{RetryPolicy, WebhookDispatcher, WebhookTarget};
pub use event::{EventName, WebhookEnvelope, WebhookEvent};
pub use received_events::{ReceivedEvent, ReceivedEvents};
pub use signature::{sign, verify, SignatureError, SIGNATURE_HEADER};
