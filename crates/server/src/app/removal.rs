//! A request to remove feedback the client posted (once; feedback is removed, never edited).

use feedback_domain::{can_request_removal, RemovalRequest, RemovalStatus, RemovalStatusChange};
use serde_json::json;

use super::outbox::{enqueue, About, EventType};
use super::{json, write_once, AppResult, Refusal, WriteRequest, Written};
use crate::storage::{Store, Subject};

pub fn request(store: &dyn Store, w: &WriteRequest) -> AppResult<Written> {
    write_once(store, w, |tx, now| {
        let row = tx
            .given_for_write(w.user, w.contract)?
            .ok_or(Refusal::NotYourContract)?
            .ok_or(Refusal::NoFeedbackGiven)?;
        can_request_removal(row.author_id == w.user, row.removal_requested)
            .map_err(Refusal::Removal)?;
        let status = RemovalStatus::Requested;
        tx.insert_removal(row.feedback_id, status, now)?;
        tx.insert_status_change(
            Subject::Removal,
            row.feedback_id,
            status.as_str(),
            None,
            now,
        )?;
        let request = RemovalRequest {
            status,
            created_at: now,
            history: vec![RemovalStatusChange {
                status,
                at: now,
                reason: None,
            }],
        };
        let about = About::new(w.contract, w.user, row.feedback_id);
        let fields = json!({
            "previous": null,
            "status": status,
            "reason": null,
            "at": now,
        });
        enqueue(tx, EventType::RemovalStatusChanged, about, fields, now)?;
        Ok(json(&request))
    })
}
