//! The product's use cases: what a write means (the idempotent write, a response, a report, a
//! removal request, a moderator's decision), the reminders, the outbox and its delivery, and
//! the seed data. Each runs inside one storage transaction and decides with the domain's
//! rules; a refusal is a typed value (`Refusal`) that the HTTP layer words as a problem. Nothing
//! here knows HTTP.

pub mod moderation;
pub mod outbox;
pub mod queue;
pub mod reminders;
pub mod removal;
pub mod reports;
pub mod responses;
pub mod seed;
pub mod webhooks;
mod write_once;

use feedback_domain::{
    RemovalBlocked, ReportBlocked, RespondBlocked, StatusChange, TransitionRefused,
};

use crate::storage::{Store, StoreError, TxFailure, WriteTx};

pub use write_once::{write_once, WriteRequest, Written};

/// Why a use case refused a request. `http::error` gives each its problem document.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The contract is not the caller's (or does not exist).
    NotYourContract,
    /// A response was asked for, but the freelancer left no feedback.
    NoFeedbackToAnswer,
    /// A report was asked for, but the freelancer left no feedback.
    NoFeedbackToReport,
    Respond(RespondBlocked),
    Report(ReportBlocked),
    /// A removal was asked for, but the caller left no feedback.
    NoFeedbackGiven,
    Removal(RemovalBlocked),
    /// The Idempotency-Key was used before for a different request.
    KeyReused,
    /// A moderator acted on a report that does not exist.
    NotReported,
    /// A moderator acted on a removal request that does not exist.
    NoRemovalRequested,
    /// The lifecycle does not allow the change; the history as it stands now.
    Transition(TransitionRefused, Vec<StatusChange>),
    /// A stored status this build does not know (a newer instance wrote it).
    UnknownStatus,
}

/// A use case's failure: refused (the client's to fix), or the database failed.
#[derive(Debug)]
pub enum AppError {
    Refused(Refusal),
    Store(StoreError),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Runs `body` in one write transaction and returns what it produced. A refusal rolls the
/// transaction back and is returned as it is; the backend may run `body` again after a
/// serialization failure, so it only acts through the `WriteTx`.
pub fn in_transaction<T>(
    store: &dyn Store,
    mut body: impl FnMut(&mut dyn WriteTx) -> AppResult<T>,
) -> AppResult<T> {
    let (mut out, mut refused) = (None, None);
    let result = store.transaction(&mut |tx| {
        refused = None;
        match body(tx) {
            Ok(value) => {
                out = Some(value);
                Ok(())
            }
            Err(AppError::Refused(r)) => {
                refused = Some(r);
                Err(TxFailure::Aborted)
            }
            Err(AppError::Store(e)) => Err(TxFailure::Store(e)),
        }
    });
    let missing = || StoreError::Other("the transaction produced no result".into());
    match result {
        Ok(()) => out.ok_or_else(missing).map_err(AppError::Store),
        Err(TxFailure::Aborted) => Err(refused.map_or_else(|| missing().into(), AppError::Refused)),
        Err(TxFailure::Store(e)) => Err(e.into()),
    }
}

/// The same for work that can't be refused (seeding, fixtures, reminders).
pub fn in_store_transaction<T>(
    store: &dyn Store,
    mut body: impl FnMut(&mut dyn WriteTx) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    in_transaction(store, |tx| Ok(body(tx)?)).map_err(|e| match e {
        AppError::Store(e) => e,
        AppError::Refused(r) => StoreError::Other(format!("refused: {r:?}")),
    })
}

/// A response body as JSON (the API's types always serialize).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("API types serialize")
}

/// The received feedback on a contract of the caller's, locked for the write: refused as not
/// theirs, or with `missing` if the freelancer left no feedback.
fn received_feedback(
    tx: &mut dyn WriteTx,
    w: &WriteRequest,
    missing: Refusal,
) -> AppResult<crate::storage::ReceivedRow> {
    tx.received_for_write(w.user, w.contract)?
        .ok_or(Refusal::NotYourContract)?
        .ok_or_else(|| missing.into())
}
