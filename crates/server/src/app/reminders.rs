//! Reminders that a response window is closing (7 days, then 1 day before the deadline).

use feedback_domain::{due_reminder, REMINDER_DAYS_BEFORE};
use serde_json::json;

use super::in_store_transaction;
use super::outbox::{enqueue, About, EventType};
use crate::storage::{Store, StoreResult};

/// Writes a `response_window.closing` event for every unanswered written feedback whose
/// reminder is due and not yet sent. The claim and the event commit together; an instance
/// that finds a reminder claimed skips it, so each is sent once however many instances scan.
/// Returns how many were written.
pub fn send_due(store: &dyn Store) -> StoreResult<usize> {
    in_store_transaction(store, |tx| {
        let mut sent = 0;
        let now = tx.now()?;
        let window = feedback_domain::response_window();
        let earliest = chrono::Duration::days(REMINDER_DAYS_BEFORE[0]);
        // Ended within the last 28 days, and at least 21 days ago.
        let (from, to) = (now - window, now - window + earliest);
        for c in tx.reminder_candidates(from, to)? {
            let Some(days) = due_reminder(c.ended_at, now) else {
                continue;
            };
            if !tx.claim_reminder(c.feedback_id, days, now)? {
                continue;
            }
            let about = About::new(c.contract_id, c.client_id, c.feedback_id);
            let fields = json!({
                "closes_at": feedback_domain::window_closes_at(c.ended_at),
                "days_before": days,
            });
            enqueue(tx, EventType::ResponseWindowClosing, about, fields, now)?;
            sent += 1;
        }
        Ok(sent)
    })
}
