//! Webhooks from the transactional outbox. Every change that has an event writes it into
//! `outbox` in its own transaction; here each instance's worker leases due events (other
//! workers skip leased rows), POSTs them signed, and marks them delivered — or records the
//! failure and retries with backoff. Delivery is at least once: a worker that dies after the
//! receiver got an event but before marking it sends it again once the lease runs out, under
//! the same event id. The same worker writes the reminders before a response window closes.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use serde_json::json;

use crate::storage::{OutboxEvent, Store};

/// Headers of a delivery (the Standard Webhooks names).
pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// Events leased per round.
const BATCH: usize = 20;

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: String,
    /// Per delivery: connect, send and read the answer.
    pub timeout: Duration,
    /// How often due events are looked for.
    pub poll: Duration,
    /// How often the reminders are looked for.
    pub reminder_every: Duration,
}

impl WebhookConfig {
    /// A leased event is not taken by another worker until the delivery has surely ended.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }
}

/// `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the receiver recomputes it with the shared
/// secret, compares in constant time, and refuses old timestamps (replays).
pub fn signature(secret: &str, timestamp: u64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("v1={hex}")
}

/// The id receivers de-duplicate by.
fn event_id(event: &OutboxEvent) -> String {
    format!("evt_{}", event.id)
}

/// The JSON body sent: the envelope around the stored `data`.
fn body(event: &OutboxEvent) -> String {
    let data: serde_json::Value =
        serde_json::from_str(&event.data).unwrap_or(serde_json::Value::Null);
    json!({
        "id": event_id(event),
        "type": event.kind,
        "created_at": event.created_at,
        "data": data,
    })
    .to_string()
}

/// When a failed delivery is tried again: 1 s after the first failure, doubling, at most an
/// hour apart.
fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 13) as u32 - 1;
    Duration::from_secs(1u64 << doublings).min(Duration::from_secs(3600))
}

/// Sends one event; `Err` says why it was not accepted (a non-2xx answer counts).
fn deliver(agent: &ureq::Agent, config: &WebhookConfig, event: &OutboxEvent) -> Result<(), String> {
    let body = body(event);
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let result = agent
        .post(&config.url)
        .set("content-type", "application/json")
        .set("user-agent", "feedback-server-webhooks/1")
        .set(ID_HEADER, &event_id(event))
        .set(TIMESTAMP_HEADER, &timestamp.to_string())
        .set(
            SIGNATURE_HEADER,
            &signature(&config.secret, timestamp, &body),
        )
        .send_string(&body);
    match result {
        Ok(_) => Ok(()),
        Err(ureq::Error::Status(code, _)) => Err(format!("the receiver answered {code}")),
        Err(e) => Err(e.to_string()),
    }
}

/// One round: write due reminders (when `reminders`), then deliver every due event.
fn round(store: &dyn Store, agent: &ureq::Agent, config: &WebhookConfig, reminders: bool) {
    if reminders {
        match super::reminders::send_due(store) {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminders = n, "response window reminders queued"),
            Err(e) => tracing::error!(error = %e, "reminder scan failed"),
        }
    }
    loop {
        let events = match store.lease_events(BATCH, config.lease()) {
            Ok(events) => events,
            Err(e) => {
                tracing::error!(error = %e, "outbox lease failed");
                return;
            }
        };
        if events.is_empty() {
            return;
        }
        for event in &events {
            let outcome = deliver(agent, config, event).map_err(|error| {
                let retry_in = retry_delay(event.attempts);
                tracing::warn!(event = %event_id(event), kind = %event.kind,
                    attempts = event.attempts, retry_in_ms = retry_in.as_millis() as u64,
                    %error, "webhook delivery failed");
                (error, retry_in)
            });
            if outcome.is_ok() {
                tracing::info!(event = %event_id(event), kind = %event.kind, "webhook delivered");
            }
            if let Err(e) = store.finish_event(event.id, outcome) {
                // The lease runs out and the event is sent again: at least once.
                tracing::error!(error = %e, event = %event_id(event), "outbox update failed");
            }
        }
    }
}

/// Starts this instance's delivery worker (every instance runs one; leases keep them apart).
pub fn start(store: Arc<dyn Store>, config: WebhookConfig) {
    let agent = ureq::AgentBuilder::new()
        .timeout(config.timeout)
        .redirects(0)
        .build();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_reminders: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            let reminders = last_reminders.is_none_or(|t| t.elapsed() >= config.reminder_every);
            if reminders {
                last_reminders = Some(tokio::time::Instant::now());
            }
            let (store, agent, config) = (store.clone(), agent.clone(), config.clone());
            let _ = tokio::task::spawn_blocking(move || round(&*store, &agent, &config, reminders))
                .await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_over_timestamp_dot_body() {
        // Expected value from Python's hmac module, an independent implementation:
        // hmac.new(b"Jefe", b"1700000000.what do ya want for nothing?", sha256).hexdigest()
        let body = "what do ya want for nothing?";
        assert_eq!(
            signature("Jefe", 1_700_000_000, body),
            "v1=1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e"
        );
        assert_ne!(
            signature("other", 1_700_000_000, body),
            signature("Jefe", 1_700_000_000, body)
        );
        assert_ne!(
            signature("Jefe", 1_700_000_001, body),
            signature("Jefe", 1_700_000_000, body)
        );
    }

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(1));
        assert_eq!(retry_delay(2), Duration::from_secs(2));
        assert_eq!(retry_delay(5), Duration::from_secs(16));
        assert_eq!(retry_delay(40), Duration::from_secs(3600));
    }
}
