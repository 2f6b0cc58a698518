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

/// A signing secret as the Standard Webhooks specification has it: `whsec_` and the base64 of
/// 24 to 64 random bytes; the HMAC key is those bytes. (Debug never shows it.)
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// The key sizes the specification allows (bytes).
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

impl WebhookSecret {
    pub fn parse(text: &str) -> Result<Self, String> {
        use base64::Engine;
        let example = "(make one with `feedback-server webhook-secret`)";
        let b64 = text.trim().strip_prefix(SECRET_PREFIX).ok_or_else(|| {
            format!("a webhook secret starts with {SECRET_PREFIX} and base64 {example}")
        })?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| format!("the part after {SECRET_PREFIX} is not base64 {example}"))?;
        if !SECRET_BYTES.contains(&key.len()) {
            return Err(format!(
                "a webhook secret holds 24 to 64 bytes, this one {} {example}",
                key.len()
            ));
        }
        Ok(Self(key))
    }

    /// A new secret of 32 random bytes from the operating system.
    pub fn generate() -> std::io::Result<String> {
        use base64::Engine;
        use std::io::Read;
        let mut key = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
        Ok(format!(
            "{SECRET_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ))
    }
}

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub url: String,
    /// Every secret a delivery is signed with: one, or during a rotation the new and the old
    /// (each receiver verifies with the one it knows).
    pub secrets: Vec<WebhookSecret>,
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

/// The `webhook-signature` header of the Standard Webhooks specification: for each secret,
/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, separated by spaces. A receiver
/// verifies with its library (or recomputes it), compares in constant time and refuses old
/// timestamps (replays).
pub fn signature(secrets: &[WebhookSecret], id: &str, timestamp: u64, body: &str) -> String {
    use base64::Engine;
    secrets
        .iter()
        .map(|secret| {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(&secret.0).expect("HMAC takes a key of any length");
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body.as_bytes());
            let bytes = mac.finalize().into_bytes();
            format!(
                "v1,{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
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
    let (body, id) = (body(event), event_id(event));
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let result = agent
        .post(&config.url)
        .set("content-type", "application/json")
        .set("user-agent", "feedback-server-webhooks/1")
        .set(ID_HEADER, &id)
        .set(TIMESTAMP_HEADER, &timestamp.to_string())
        .set(
            SIGNATURE_HEADER,
            &signature(&config.secrets, &id, timestamp, &body),
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

    /// The specification's own example (standard-webhooks/standard-webhooks, the libraries'
    /// tests): this secret, id, timestamp and body sign to this value.
    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let (id, ts, body) = (
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature(std::slice::from_ref(&secret), id, ts, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        // During a rotation every secret signs, separated by a space.
        let other = WebhookSecret::parse(&WebhookSecret::generate().unwrap()).unwrap();
        let both = signature(&[secret.clone(), other], id, ts, body);
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn secrets_are_whsec_and_base64_of_24_to_64_bytes() {
        assert!(WebhookSecret::parse(&WebhookSecret::generate().unwrap()).is_ok());
        for bad in [
            "test-webhook-secret",
            "whsec_",
            "whsec_***",
            "whsec_AAAA",
            &format!("whsec_{}", "A".repeat(100)),
        ] {
            let e = WebhookSecret::parse(bad).unwrap_err();
            assert!(e.contains("feedback-server webhook-secret"), "{bad}: {e}");
        }
        assert_eq!(
            format!(
                "{:?}",
                WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
            ),
            "WebhookSecret(…)"
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
