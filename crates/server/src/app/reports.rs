//! A report of the freelancer's feedback as breaking the terms (once per feedback).

use chrono::{DateTime, Utc};
use feedback_domain::{can_report, Report, ReportCategory, ReportStatus, ReportStatusChange};
use serde_json::json;

use super::outbox::{enqueue, About, EventType};
use super::{json, received_feedback, write_once, AppResult, Refusal, WriteRequest, Written};
use crate::storage::{Store, StoreResult, Subject, WriteTx};

/// A report that passed validation.
pub struct ValidReport {
    pub category: ReportCategory,
    pub description: String,
    pub evidence: Vec<String>,
}

pub fn post(store: &dyn Store, w: &WriteRequest, r: &ValidReport) -> AppResult<Written> {
    write_once(store, w, |tx, now| {
        let row = received_feedback(tx, w, Refusal::NoFeedbackToReport)?;
        can_report(row.reported).map_err(Refusal::Report)?;
        let report = insert(tx, row.feedback_id, r, ReportStatus::Submitted, now)?;
        let about = About::new(w.contract, w.user, row.feedback_id);
        let fields = json!({ "report": report });
        enqueue(tx, EventType::ReportSubmitted, about, fields, now)?;
        Ok(json(&report))
    })
}

/// A report and the first entry of its history, in the caller's transaction.
fn insert(
    tx: &mut dyn WriteTx,
    feedback_id: i64,
    r: &ValidReport,
    status: ReportStatus,
    now: DateTime<Utc>,
) -> StoreResult<Report> {
    let report = Report {
        category: r.category,
        description: r.description.clone(),
        evidence: r.evidence.clone(),
        status,
        created_at: now,
        history: vec![ReportStatusChange {
            status,
            at: now,
            reason: None,
        }],
    };
    tx.insert_report(feedback_id, &report)?;
    tx.insert_status_change(Subject::Report, feedback_id, status.as_str(), None, now)?;
    Ok(report)
}
