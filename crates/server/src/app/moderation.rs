//! A moderator's decision on a report or a removal request, with a reason the client sees.

use feedback_domain::{
    check_removal_transition, check_report_transition, ContractId, RemovalStatus, ReportStatus,
    StatusChange, TransitionRefused,
};
use serde::Serialize;
use serde_json::json;

use super::outbox::{enqueue, About, EventType};
use super::{in_transaction, AppResult, Refusal};
use crate::storage::{Store, Subject};

/// A moderator's decision, validated.
pub enum NextStatus {
    Report(ReportStatus),
    Removal(RemovalStatus),
}

impl NextStatus {
    fn subject(&self) -> Subject {
        match self {
            NextStatus::Report(_) => Subject::Report,
            NextStatus::Removal(_) => Subject::Removal,
        }
    }

    fn as_str(&self) -> &'static str {
        match self {
            NextStatus::Report(s) => s.as_str(),
            NextStatus::Removal(s) => s.as_str(),
        }
    }

    /// The domain's lifecycle decides whether `current` may become this: `Ok(Some(refusal))`
    /// when it may not, `Err` when `current` is no status this build knows.
    fn check(&self, current: &str) -> Result<Option<TransitionRefused>, Refusal> {
        let refused = match self {
            NextStatus::Report(next) => {
                ReportStatus::parse(current).map(|from| check_report_transition(from, *next).err())
            }
            NextStatus::Removal(next) => RemovalStatus::parse(current)
                .map(|from| check_removal_transition(from, *next).err()),
        };
        refused.ok_or(Refusal::UnknownStatus)
    }

    /// Whether the feedback goes with this decision.
    fn removes(&self) -> bool {
        matches!(
            self,
            NextStatus::Report(ReportStatus::Removed) | NextStatus::Removal(RemovalStatus::Removed)
        )
    }
}

/// What a moderator's change returns: where the report or request stands now, and its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModerationOutcome {
    pub contract_id: i64,
    /// `report` or `removal`.
    pub subject: String,
    pub previous: String,
    pub status: String,
    pub history: Vec<StatusChange>,
}

fn changes(rows: Vec<crate::storage::HistoryRow>) -> Vec<StatusChange> {
    rows.into_iter()
        .map(|h| StatusChange {
            status: h.status,
            at: h.at,
            reason: h.reason,
        })
        .collect()
}

/// Moves a report or a removal request on, with a reason: the lifecycle is checked on the
/// locked row, and the status, its history entry, the removal of the feedback and the webhook
/// event commit together.
pub fn decide(
    store: &dyn Store,
    contract: ContractId,
    next: &NextStatus,
    reason: &str,
) -> AppResult<ModerationOutcome> {
    let subject = next.subject();
    in_transaction(store, |tx| {
        let now = tx.now()?;
        let row = tx.for_moderation(subject, contract)?.ok_or(match subject {
            Subject::Report => Refusal::NotReported,
            Subject::Removal => Refusal::NoRemovalRequested,
        })?;
        if let Some(refused) = next.check(&row.status)? {
            // Another moderator decided first (the row was locked until they committed):
            // say where it stands now.
            let current = changes(tx.status_history(subject, row.feedback_id)?);
            return Err(Refusal::Transition(refused, current).into());
        }
        tx.set_status(subject, row.feedback_id, next.as_str())?;
        tx.insert_status_change(subject, row.feedback_id, next.as_str(), Some(reason), now)?;
        if next.removes() {
            tx.mark_removed(subject, row.feedback_id, now)?;
        }
        let about = About::new(contract, row.client_id, row.feedback_id);
        let fields = json!({
            "previous": row.status,
            "status": next.as_str(),
            "reason": reason,
            "at": now,
        });
        enqueue(tx, EventType::status_changed(subject), about, fields, now)?;
        let history = tx.status_history(subject, row.feedback_id)?;
        Ok(ModerationOutcome {
            contract_id: contract,
            subject: subject.as_str().into(),
            previous: row.status.clone(),
            status: next.as_str().into(),
            history: changes(history),
        })
    })
}
