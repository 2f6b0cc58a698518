//! Webhook events written into the outbox inside the transaction of the change they announce
//! (delivery is `webhooks.rs`'s).

use chrono::{DateTime, Utc};
use feedback_domain::ContractId;
use serde_json::json;

use crate::storage::{StoreResult, Subject, WriteTx};

/// The webhook events, as named on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ResponseCreated,
    ReportSubmitted,
    ReportStatusChanged,
    RemovalStatusChanged,
    ResponseWindowClosing,
}

impl EventType {
    pub const ALL: [EventType; 5] = [
        Self::ResponseCreated,
        Self::ReportSubmitted,
        Self::ReportStatusChanged,
        Self::RemovalStatusChanged,
        Self::ResponseWindowClosing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResponseCreated => "response.created",
            Self::ReportSubmitted => "report.submitted",
            Self::ReportStatusChanged => "report.status_changed",
            Self::RemovalStatusChanged => "removal.status_changed",
            Self::ResponseWindowClosing => "response_window.closing",
        }
    }

    /// The event a status change of a report or a removal request sends.
    pub fn status_changed(subject: Subject) -> Self {
        match subject {
            Subject::Report => Self::ReportStatusChanged,
            Subject::Removal => Self::RemovalStatusChanged,
        }
    }
}

/// Whom an event is about: every event's `data` names the contract, its client and the feedback.
pub struct About {
    pub contract: ContractId,
    pub client: i64,
    pub feedback: i64,
}

impl About {
    pub fn new(contract: ContractId, client: i64, feedback: i64) -> Self {
        Self {
            contract,
            client,
            feedback,
        }
    }
}

/// Writes a webhook event into the outbox, in `tx`: its `data` is `about` and `fields`.
pub fn enqueue(
    tx: &mut dyn WriteTx,
    kind: EventType,
    about: About,
    fields: serde_json::Value,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut data = json!({
        "contract_id": about.contract,
        "client_id": about.client,
        "feedback_id": about.feedback,
    });
    if let (serde_json::Value::Object(data), serde_json::Value::Object(fields)) =
        (&mut data, fields)
    {
        data.extend(fields);
    }
    tx.enqueue_event(kind.as_str(), &data.to_string(), now)
}
