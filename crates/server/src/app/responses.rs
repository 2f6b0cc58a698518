//! The one public response to the freelancer's written feedback.

use feedback_domain::{can_respond, FeedbackResponse, RespondFacts};
use serde_json::json;

use super::outbox::{enqueue, About, EventType};
use super::{json, received_feedback, write_once, AppResult, Refusal, WriteRequest, Written};
use crate::storage::Store;

/// Posts `text` (already validated) once: the domain decides on the transaction's clock, with
/// the feedback row locked, so two concurrent posts can't both pass the check.
pub fn post(store: &dyn Store, w: &WriteRequest, text: &str) -> AppResult<Written> {
    write_once(store, w, |tx, now| {
        let row = received_feedback(tx, w, Refusal::NoFeedbackToAnswer)?;
        let facts = RespondFacts {
            has_comment: row.has_comment,
            already_responded: row.responded,
            removed: row.removed,
        };
        can_respond(facts, row.ended_at, now).map_err(Refusal::Respond)?;
        tx.insert_response(row.feedback_id, text, now)?;
        let response = FeedbackResponse {
            text: text.to_string(),
            created_at: now,
        };
        let about = About::new(w.contract, w.user, row.feedback_id);
        let fields = json!({ "response": response });
        enqueue(tx, EventType::ResponseCreated, about, fields, now)?;
        Ok(json(&response))
    })
}
