//! At-least-once webhook delivery: one background task per event and URL, retrying with
//! exponential backoff, so an API call never waits for a receiver.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::webhook::{
    sign, DeliveryAttempt, DeliveryLog, DeliveryOutcome, WebhookEvent, SIGNATURE_HEADER,
};

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, including the first.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles after each failure.
    pub initial_backoff: Duration,
    /// Per-attempt timeout, so a receiver that hangs counts as a failure.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, 250 ms doubling (0.25 + 0.5 + 1 + 2 + 4 s ≈ 8 s of retrying), 5 s timeout.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(250),
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// A configured webhook: a URL and the id Dynamic would give its configuration.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// Stable for the server's lifetime; sent as `webhookId`.
    pub webhook_id: Uuid,
    /// An `http://` URL.
    pub url: String,
}

/// Sends events to every target in the background and logs each attempt.
#[derive(Debug, Clone)]
pub struct WebhookDispatcher {
    client: reqwest::Client,
    targets: Arc<[WebhookTarget]>,
    secret: Arc<[u8]>,
    retry: RetryPolicy,
    log: Arc<DeliveryLog>,
}

impl WebhookDispatcher {
    /// A dispatcher for `urls`, signing with `secret`.
    pub fn new(urls: &[String], secret: &str, retry: RetryPolicy) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(retry.request_timeout)
            .build()?;
        let targets = urls
            .iter()
            .map(|url| WebhookTarget {
                webhook_id: Uuid::new_v4(),
                url: url.clone(),
            })
            .collect();
        Ok(Self {
            client,
            targets,
            secret: Arc::from(secret.as_bytes()),
            retry,
            log: Arc::new(DeliveryLog::default()),
        })
    }

    /// The delivery log.
    pub fn log(&self) -> &DeliveryLog {
        &self.log
    }

    /// The configured targets.
    pub fn targets(&self) -> &[WebhookTarget] {
        &self.targets
    }

    /// Starts delivering `event` to every target and returns at once. Must be called from
    /// inside a Tokio runtime (every request handler is).
    pub fn dispatch(&self, event: WebhookEvent) {
        let event = Arc::new(event);
        for target in self.targets.iter() {
            let (this, target) = (self.clone(), target.clone());
            let event = Arc::clone(&event);
            tokio::spawn(async move { this.deliver(&event, &target).await });
        }
    }

    async fn deliver(&self, event: &WebhookEvent, target: &WebhookTarget) {
        let mut backoff = self.retry.initial_backoff;
        for attempt in 1..=self.retry.max_attempts {
            let message_id = Uuid::new_v4();
            let (status, error) = self.send_once(event, target, message_id, attempt > 1).await;
            let delivered = status.is_some_and(|s| (200..300).contains(&s));
            let outcome = if delivered {
                DeliveryOutcome::Delivered
            } else if attempt < self.retry.max_attempts {
                DeliveryOutcome::Retrying
            } else {
                DeliveryOutcome::Failed
            };
            self.log.record(DeliveryAttempt {
                event_id: event.event_id,
                message_id,
                event_name: event.event_name,
                environment_id: event.session.environment_id.clone(),
                session_id: event.session.id,
                url: target.url.clone(),
                attempt,
                status,
                error,
                outcome,
                at: OffsetDateTime::now_utc(),
            });
            match outcome {
                DeliveryOutcome::Delivered => return,
                DeliveryOutcome::Failed => {
                    tracing::warn!(
                        event_id = %event.event_id,
                        url = %target.url,
                        "webhook delivery failed after {attempt} attempts"
                    );
                    return;
                }
                DeliveryOutcome::Retrying => {
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2);
                }
            }
        }
    }

    /// One POST. Returns the status if the receiver answered, or the error text if not.
    async fn send_once(
        &self,
        event: &WebhookEvent,
        target: &WebhookTarget,
        message_id: Uuid,
        redelivery: bool,
    ) -> (Option<u16>, Option<String>) {
        let envelope = event.envelope(target.webhook_id, message_id, redelivery);
        // Serialize once and sign exactly those bytes: the receiver checks the raw body.
        let body = match serde_json::to_vec(&envelope) {
            Ok(body) => body,
            Err(error) => return (None, Some(format!("could not serialize event: {error}"))),
        };
        let result = self
            .client
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(&self.secret, &body))
            .body(body)
            .send()
            .await;
        match result {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) => (None, Some(error.to_string())),
        }
    }
}
