//! The seam between the HTTP handlers and a database: `Store`, whose methods are the product's
//! operations, with a SQLite (`sqlite.rs`, one process) and a PostgreSQL (`pg.rs`, as many
//! instances as traffic needs) implementation.
//!
//! Each backend supplies its SQL as a `WriteTx` (the reads and inserts a write transaction
//! needs) and its reads; what a write *means* — idempotency, ownership, the domain's
//! decisions — is written once, below, and runs inside either backend's transaction.

pub mod pg;
pub mod sqlite;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use feedback_domain::{
    can_report, can_request_removal, can_respond, check_removal_transition,
    check_report_transition, due_reminder, ContractDetails, ContractId, ContractPage,
    ContractSummary, FeedbackResponse, GivenFeedback, HistoryQuery, ProblemKind, ReceivedFeedback,
    RemovalBlocked, RemovalRequest, RemovalStatus, RemovalStatusChange, Report, ReportCategory,
    ReportStatus, ReportStatusChange, RespondFacts, ResponseWindow, SortOrder, StatusFilter,
    REMINDER_DAYS_BEFORE,
};
use serde::Serialize;
use serde_json::json;

use crate::error::ApiError;
use crate::limits::{Caller, Rate};
use crate::seed::{self, Fixture};
use crate::Seed;

/// Where the data lives: `--db PATH`, `--db sqlite:PATH` or `--db postgres://…`.
#[derive(Clone, Debug, PartialEq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(s: &str) -> DbUrl {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            DbUrl::Postgres(s.to_string())
        } else {
            DbUrl::Sqlite(PathBuf::from(s.strip_prefix("sqlite:").unwrap_or(s)))
        }
    }

    /// For logs: the SQLite path, or the PostgreSQL URL without its password.
    pub fn display(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite:{}", p.display()),
            DbUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                    None => url.clone(),
                },
                _ => url.clone(),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("{0}")]
    Other(String),
}

/// postgres::Error's Display says only "db error"; the server's message is what a log needs.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {} ({})", db.severity(), db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl StoreError {
    /// A serialization failure or a deadlock: the transaction may simply be run again.
    pub fn is_retryable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            StoreError::Postgres(e) => e.code().is_some_and(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // The details stay in the server log; the client gets a plain message.
        tracing::error!(error = %e, "database error");
        ApiError::new(
            ProblemKind::Internal,
            "The request could not be completed. Nothing was saved; please try again.",
        )
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a write transaction did not commit: the request was refused (a problem for the client),
/// or the database failed (retried where that is safe, else a 5xx).
#[derive(Debug)]
pub enum Failure {
    Refused(ApiError),
    Store(StoreError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Refused(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Store(e.into())
    }
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Store(e.into())
    }
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Refused(e) => e,
            Failure::Store(e) => e.into(),
        }
    }
}

/// Times are kept to the millisecond, so a POST, its replay and a later GET show the same string.
pub fn to_stored_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(3)
}

/// `now` minus a retention period: records stored before it have expired.
pub fn expiry_cutoff(now: DateTime<Utc>, retention: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(retention)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A stored idempotent result: the request it answered and the response to replay.
pub struct StoredResult {
    pub request: String,
    pub status: u16,
    pub response: String,
}

/// The received feedback of a user's contract, as the write handlers need it.
pub struct ReceivedRow {
    pub feedback_id: i64,
    pub has_comment: bool,
    pub responded: bool,
    pub reported: bool,
    pub removed: bool,
    pub ended_at: Option<DateTime<Utc>>,
}

/// What a moderator acts on: a report (on received feedback) or a removal request (on given
/// feedback). Each has its own table and the feedback table it may remove from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Report,
    Removal,
}

impl Subject {
    /// The `status_changes.subject` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Report => "report",
            Subject::Removal => "removal",
        }
    }

    pub fn status_table(self) -> &'static str {
        match self {
            Subject::Report => "reports",
            Subject::Removal => "removal_requests",
        }
    }

    pub fn feedback_table(self) -> &'static str {
        match self {
            Subject::Report => "received_feedback",
            Subject::Removal => "given_feedback",
        }
    }

    /// The webhook event a status change of this subject sends.
    pub fn event(self) -> EventType {
        match self {
            Subject::Report => EventType::ReportStatusChanged,
            Subject::Removal => EventType::RemovalStatusChanged,
        }
    }
}

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
}

/// A report or removal request as a moderator finds it, locked for the change.
pub struct ModerationRow {
    pub feedback_id: i64,
    pub client_id: i64,
    pub status: String,
}

/// One row of `status_changes`.
pub struct HistoryRow {
    pub status: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

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

    /// The domain's lifecycle decides; `removes` says whether the feedback goes with it.
    fn check(&self, current: &str) -> Result<(), ApiError> {
        let refused = match self {
            NextStatus::Report(next) => {
                ReportStatus::parse(current).map(|from| check_report_transition(from, *next).err())
            }
            NextStatus::Removal(next) => RemovalStatus::parse(current)
                .map(|from| check_removal_transition(from, *next).err()),
        };
        match refused {
            Some(None) => Ok(()),
            Some(Some(e)) => Err(ApiError::new(ProblemKind::StatusTransition, e.to_string())),
            None => Err(ApiError::new(
                ProblemKind::Internal,
                "The stored status is not one this server knows.",
            )),
        }
    }

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
    pub history: Vec<HistoryEntry>,
}

/// One status of a report or removal request, as the moderation API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub status: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// Received feedback that may be owed a reminder: written, unanswered, not removed.
pub struct ReminderCandidate {
    pub contract_id: i64,
    pub client_id: i64,
    pub feedback_id: i64,
    pub ended_at: DateTime<Utc>,
}

/// An outbox event leased for delivery.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub id: i64,
    pub kind: String,
    pub data: String,
    pub created_at: DateTime<Utc>,
    /// Delivery attempts so far, this one included.
    pub attempts: i32,
}

impl OutboxEvent {
    /// The id receivers de-duplicate by.
    pub fn event_id(&self) -> String {
        format!("evt_{}", self.id)
    }

    /// The JSON body sent: the envelope around the stored `data`.
    pub fn body(&self) -> String {
        let data: serde_json::Value =
            serde_json::from_str(&self.data).unwrap_or(serde_json::Value::Null);
        json!({
            "id": self.event_id(),
            "type": self.kind,
            "created_at": self.created_at,
            "data": data,
        })
        .to_string()
    }
}

/// How long undelivered events are retried, and how long any event is kept.
pub const OUTBOX_RETRY_FOR: Duration = Duration::from_secs(3 * 24 * 3600);
pub const OUTBOX_KEEP_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// The feedback a user gave on a contract, as the removal request needs it.
pub struct GivenRow {
    pub feedback_id: i64,
    pub author_id: i64,
    pub removal_requested: bool,
}

/// Fields for a new contract (seed data and test fixtures).
pub struct NewContract<'a> {
    pub client_id: i64,
    pub title: &'a str,
    pub freelancer_name: &'a str,
    pub description: &'a str,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub seed_key: Option<&'a str>,
}

/// What one write transaction can do, in either database. `Ok(None)` from the `…_for_write`
/// lookups: not the user's contract; `Ok(Some(None))`: theirs, but no such feedback.
pub trait WriteTx {
    /// The clock every decision in this transaction uses (on PostgreSQL the database's, so
    /// every instance decides the 28-day window on the same clock).
    fn now(&mut self) -> StoreResult<DateTime<Utc>>;
    /// The result stored for `key` (stored at or after `fresh_since`), or `None` after claiming
    /// the key for this transaction: a concurrent request with the same key waits for it.
    fn claim_key(
        &mut self,
        user: i64,
        key: &str,
        request: &str,
        fresh_since: DateTime<Utc>,
    ) -> StoreResult<Option<StoredResult>>;
    /// Stores the result for a key claimed in this transaction.
    fn store_result(
        &mut self,
        user: i64,
        key: &str,
        stored: &StoredResult,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The received feedback, locked against concurrent writes until the transaction ends.
    fn received_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<ReceivedRow>>>;
    fn given_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<GivenRow>>>;
    fn insert_response(
        &mut self,
        feedback_id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    fn insert_report(&mut self, feedback_id: i64, report: &Report) -> StoreResult<()>;
    fn insert_removal(
        &mut self,
        feedback_id: i64,
        status: RemovalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Appends to a report's or removal request's status history.
    fn insert_status_change(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        status: &str,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    fn status_history(
        &mut self,
        subject: Subject,
        feedback_id: i64,
    ) -> StoreResult<Vec<HistoryRow>>;
    /// The report or removal request on a contract, locked until the transaction ends.
    fn for_moderation(
        &mut self,
        subject: Subject,
        contract: ContractId,
    ) -> StoreResult<Option<ModerationRow>>;
    fn set_status(&mut self, subject: Subject, feedback_id: i64, status: &str) -> StoreResult<()>;
    /// Marks the feedback a report or removal request is about as removed.
    fn mark_removed(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Writes a webhook event into the outbox, in this transaction.
    fn enqueue_event(&mut self, kind: EventType, data: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Written, unanswered, not removed feedback on contracts that ended in `[from, to)`.
    fn reminder_candidates(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ReminderCandidate>>;
    /// Records that a reminder is being sent; `false` if it already was (by any instance).
    fn claim_reminder(
        &mut self,
        feedback_id: i64,
        days_before: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    // Seeding and fixtures.
    fn ensure_moderator(&mut self, name: &str, token: &str) -> StoreResult<()>;
    /// Held until the transaction ends, so instances that start at once seed one after
    /// another (the second finds every seed key present). One writer needs no lock.
    fn lock_for_seeding(&mut self) -> StoreResult<()> {
        Ok(())
    }
    fn ensure_user(&mut self, name: &str, token: &str) -> StoreResult<i64>;
    fn is_seeded(&mut self, seed_key: &str) -> StoreResult<bool>;
    fn count_contracts(&mut self, client: i64) -> StoreResult<i64>;
    fn insert_contract(&mut self, c: &NewContract) -> StoreResult<i64>;
    fn insert_received(
        &mut self,
        contract: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    fn insert_given(
        &mut self,
        contract: i64,
        author: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64>;
}

/// A transaction body. Backends may run it more than once (a serialization failure is retried),
/// so it must only act through the `WriteTx`.
pub type TxBody<'a> = &'a mut dyn FnMut(&mut dyn WriteTx) -> Result<(), Failure>;

/// The effect of one write, given the transaction and its clock; returns the JSON to send.
pub type WriteOp<'a> =
    &'a mut dyn FnMut(&mut dyn WriteTx, DateTime<Utc>) -> Result<String, Failure>;

/// One POST as the store sees it: who, which contract, the idempotency key and the request in
/// canonical form (a replay must match it exactly).
pub struct WriteRequest {
    pub user: i64,
    pub contract: ContractId,
    pub key: Option<String>,
    pub request: String,
    pub retention: Duration,
}

/// The outcome of a POST: created now, or the stored result of an earlier request replayed.
#[derive(Debug)]
pub enum Written {
    Created(String),
    Replayed { status: u16, body: String },
}

/// A report that passed validation.
pub struct ValidReport {
    pub category: ReportCategory,
    pub description: String,
    pub evidence: Vec<String>,
}

/// The store: every product operation, on one database.
pub trait Store: Send + Sync + 'static {
    /// The user a bearer token belongs to.
    fn user_by_token(&self, token: &str) -> StoreResult<Option<i64>>;
    /// One page of a user's contract history, with the total and the store's clock.
    fn history_page(&self, user: i64, q: &HistoryQuery) -> StoreResult<ContractPage>;
    /// A contract of `user`'s with its feedback; `None` if it is not theirs.
    fn contract_details(&self, user: i64, id: ContractId) -> StoreResult<Option<ContractDetails>>;
    /// Runs `body` in one write transaction that commits only if it returns `Ok`.
    fn transaction(&self, body: TxBody) -> Result<(), Failure>;
    /// Deletes idempotency records older than `retention`, at most `batch`; how many went.
    fn delete_expired_idempotency(&self, retention: Duration, batch: usize) -> StoreResult<usize>;
    /// The database answers.
    fn ping(&self) -> StoreResult<()>;
    /// Counts a write against a caller's budget where every instance sees it (`None`: this
    /// store is one process, and the in-memory limiter is exact). `Err(wait)` when over.
    fn take_shared_write(
        &self,
        caller: Caller,
        rate: Rate,
    ) -> Option<StoreResult<Result<(), Duration>>>;

    /// The moderator a bearer token belongs to.
    fn moderator_by_token(&self, token: &str) -> StoreResult<Option<i64>>;
    /// The id of a demo contract (for the hints printed at start).
    fn contract_by_seed_key(&self, key: &str) -> StoreResult<Option<i64>>;
    /// Leases up to `limit` due events (retried for [`OUTBOX_RETRY_FOR`]) for `lease`: no
    /// other worker, in this process or another, takes them until the lease runs out.
    fn lease_events(&self, limit: usize, lease: Duration) -> StoreResult<Vec<OutboxEvent>>;
    /// Marks an event delivered, or records the failure and when to try again.
    fn finish_event(&self, id: i64, outcome: Result<(), (String, Duration)>) -> StoreResult<()>;
    /// Deletes events older than [`OUTBOX_KEEP_FOR`], at most `batch`; how many went.
    fn delete_old_events(&self, batch: usize) -> StoreResult<usize>;

    /// Post the one public response to the freelancer's written feedback.
    fn post_response(&self, w: &WriteRequest, text: &str) -> Result<Written, ApiError> {
        self.write_once(w, &mut |tx, now| {
            let row = received_feedback(tx, w, ProblemKind::NoWrittenComment)?;
            let facts = RespondFacts {
                has_comment: row.has_comment,
                already_responded: row.responded,
                removed: row.removed,
            };
            can_respond(facts, row.ended_at, now)
                .map_err(|b| ApiError::new(b.problem_kind(), b.to_string()))?;
            tx.insert_response(row.feedback_id, text, now)?;
            let response = FeedbackResponse {
                text: text.to_string(),
                created_at: now,
            };
            let about = About::new(w.contract, w.user, row.feedback_id);
            let fields = json!({ "response": response });
            enqueue(tx, EventType::ResponseCreated, about, fields, now)?;
            json(&response)
        })
    }

    /// Report the freelancer's feedback (once per feedback).
    fn post_report(&self, w: &WriteRequest, r: &ValidReport) -> Result<Written, ApiError> {
        self.write_once(w, &mut |tx, now| {
            let row = received_feedback(tx, w, ProblemKind::NotFound)?;
            can_report(row.reported)
                .map_err(|b| ApiError::new(ProblemKind::AlreadyReported, b.to_string()))?;
            let report = insert_report(tx, row.feedback_id, r, ReportStatus::Submitted, now)?;
            let about = About::new(w.contract, w.user, row.feedback_id);
            enqueue(
                tx,
                EventType::ReportSubmitted,
                about,
                json!({ "report": report }),
                now,
            )?;
            json(&report)
        })
    }

    /// Ask for feedback the client gave to be removed (once).
    fn request_removal(&self, w: &WriteRequest) -> Result<Written, ApiError> {
        self.write_once(w, &mut |tx, now| {
            let row = tx
                .given_for_write(w.user, w.contract)?
                .ok_or_else(ApiError::not_found)?
                .ok_or_else(|| {
                    ApiError::new(
                        ProblemKind::NotFound,
                        "You have not left feedback on this contract.",
                    )
                })?;
            can_request_removal(row.author_id == w.user, row.removal_requested).map_err(|b| {
                let kind = match b {
                    RemovalBlocked::NotYourFeedback => ProblemKind::NotYourFeedback,
                    RemovalBlocked::AlreadyRequested => ProblemKind::RemovalAlreadyRequested,
                };
                ApiError::new(kind, b.to_string())
            })?;
            let request = insert_removal(tx, row.feedback_id, RemovalStatus::Requested, now)?;
            let about = About::new(w.contract, w.user, row.feedback_id);
            let fields = json!({
                "previous": null,
                "status": RemovalStatus::Requested,
                "reason": null,
                "at": now,
            });
            enqueue(tx, EventType::RemovalStatusChanged, about, fields, now)?;
            json(&request)
        })
    }

    /// A moderator moves a report or a removal request on, with a reason: the lifecycle is
    /// checked on the locked row, and the status, its history entry, the removal of the
    /// feedback and the webhook event commit together.
    fn moderate(
        &self,
        contract: ContractId,
        next: &NextStatus,
        reason: &str,
    ) -> Result<ModerationOutcome, ApiError> {
        let subject = next.subject();
        let mut out = None;
        self.transaction(&mut |tx| {
            let now = tx.now()?;
            let row = tx.for_moderation(subject, contract)?.ok_or_else(|| {
                ApiError::new(
                    ProblemKind::NotFound,
                    match subject {
                        Subject::Report => "This contract's feedback has not been reported.",
                        Subject::Removal => "No removal was requested on this contract.",
                    },
                )
            })?;
            next.check(&row.status)?;
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
            enqueue(tx, subject.event(), about, fields, now)?;
            let history = tx.status_history(subject, row.feedback_id)?;
            out = Some(ModerationOutcome {
                contract_id: contract,
                subject: subject.as_str().into(),
                previous: row.status.clone(),
                status: next.as_str().into(),
                history: history
                    .into_iter()
                    .map(|h| HistoryEntry {
                        status: h.status,
                        at: h.at,
                        reason: h.reason,
                    })
                    .collect(),
            });
            Ok(())
        })?;
        out.ok_or_else(|| ApiError::new(ProblemKind::Internal, "The change produced no result."))
    }

    /// Writes a `response_window.closing` event for every unanswered written feedback whose
    /// reminder (7 days, then 1 day before the deadline) is due and not yet sent. The claim
    /// and the event commit together; an instance that finds a reminder claimed skips it, so
    /// each is sent once however many instances scan. Returns how many were written.
    fn send_due_reminders(&self) -> StoreResult<usize> {
        let mut sent = 0;
        self.transaction(&mut |tx| {
            sent = 0;
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
            Ok(())
        })
        .map_err(into_store_error)?;
        Ok(sent)
    }

    /// Runs a write once per Idempotency-Key: a repeat with the same request replays the
    /// stored result; with a different request it is refused. The effect and the stored
    /// result commit in the same transaction, so there is never one without the other.
    fn write_once(&self, w: &WriteRequest, op: WriteOp) -> Result<Written, ApiError> {
        let mut out = None;
        self.transaction(&mut |tx| {
            let now = tx.now()?;
            if let Some(key) = &w.key {
                let fresh_since = expiry_cutoff(now, w.retention);
                if let Some(stored) = tx.claim_key(w.user, key, &w.request, fresh_since)? {
                    if stored.request != w.request {
                        return Err(ApiError::new(
                            ProblemKind::IdempotencyKeyReused,
                            "This Idempotency-Key was already used for a different request; use a new key.",
                        )
                        .into());
                    }
                    out = Some(Written::Replayed {
                        status: stored.status,
                        body: stored.response,
                    });
                    return Ok(());
                }
            }
            let body = op(tx, now)?;
            if let Some(key) = &w.key {
                let stored = StoredResult {
                    request: w.request.clone(),
                    status: 201,
                    response: body.clone(),
                };
                tx.store_result(w.user, key, &stored, now)?;
            }
            out = Some(Written::Created(body));
            Ok(())
        })?;
        out.ok_or_else(|| ApiError::new(ProblemKind::Internal, "The write produced no result."))
    }

    /// After many rows were added at once: let the database catch up on its statistics.
    fn after_bulk_seed(&self) -> StoreResult<()> {
        Ok(())
    }

    /// Loads the seed data; safe when several instances start at once.
    fn seed(&self, seed: &Seed) -> StoreResult<()> {
        let now = Utc::now();
        self.transaction(&mut |tx| seed::run(tx, seed, now).map_err(Failure::Store))
            .map_err(into_store_error)?;
        if let Seed::Bulk(n) = seed {
            let mut more = true;
            while more {
                self.transaction(&mut |tx| {
                    more = seed::bulk_batch(tx, *n, now)?;
                    Ok(())
                })
                .map_err(into_store_error)?;
            }
            self.after_bulk_seed()?;
        }
        Ok(())
    }

    /// Test fixtures (`--test-fixtures`): a contract for `user` in a given state.
    fn create_fixture(&self, user: i64, f: &Fixture) -> StoreResult<i64> {
        let mut id = 0;
        self.transaction(&mut |tx| {
            id = seed::insert_fixture(tx, user, f)?;
            Ok(())
        })
        .map_err(into_store_error)?;
        Ok(id)
    }
}

fn into_store_error(f: Failure) -> StoreError {
    match f {
        Failure::Store(e) => e,
        Failure::Refused(e) => StoreError::Other(e.0.detail),
    }
}

/// A report and the first entry of its history, in the caller's transaction.
pub fn insert_report(
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

/// A removal request and the first entry of its history, in the caller's transaction.
pub fn insert_removal(
    tx: &mut dyn WriteTx,
    feedback_id: i64,
    status: RemovalStatus,
    now: DateTime<Utc>,
) -> StoreResult<RemovalRequest> {
    tx.insert_removal(feedback_id, status, now)?;
    tx.insert_status_change(Subject::Removal, feedback_id, status.as_str(), None, now)?;
    Ok(RemovalRequest {
        status,
        created_at: now,
        history: vec![RemovalStatusChange {
            status,
            at: now,
            reason: None,
        }],
    })
}

/// Fills in the status histories of a contract's report and removal request, each read with
/// `history` (both databases).
pub fn attach_histories<E>(
    received: &mut Option<ReceivedFeedback>,
    given: &mut Option<GivenFeedback>,
    mut history: impl FnMut(Subject, i64) -> Result<Vec<HistoryRow>, E>,
) -> Result<(), E> {
    if let Some(f) = received.as_mut() {
        if let Some(report) = f.report.as_mut() {
            report.history = report_history(history(Subject::Report, f.id)?);
        }
    }
    if let Some(g) = given.as_mut() {
        if let Some(request) = g.removal_request.as_mut() {
            request.history = removal_history(history(Subject::Removal, g.id)?);
        }
    }
    Ok(())
}

/// The status history of a report, as the details show it (unknown statuses are skipped).
fn report_history(rows: Vec<HistoryRow>) -> Vec<ReportStatusChange> {
    rows.into_iter()
        .filter_map(|h| {
            Some(ReportStatusChange {
                status: ReportStatus::parse(&h.status)?,
                at: h.at,
                reason: h.reason,
            })
        })
        .collect()
}

fn removal_history(rows: Vec<HistoryRow>) -> Vec<RemovalStatusChange> {
    rows.into_iter()
        .filter_map(|h| {
            Some(RemovalStatusChange {
                status: RemovalStatus::parse(&h.status)?,
                at: h.at,
                reason: h.reason,
            })
        })
        .collect()
}

/// A status history's query, in a database's dialect (`?` or `$`).
pub fn history_query(placeholder: char) -> String {
    format!(
        "SELECT status, at, reason FROM status_changes          WHERE subject = {placeholder}1 AND feedback_id = {placeholder}2 ORDER BY id"
    )
}

/// When a failed delivery is tried again: 1 s after the first failure, doubling, at most an
/// hour apart.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 13) as u32 - 1;
    Duration::from_secs(1u64 << doublings).min(Duration::from_secs(3600))
}

/// Whom an event is about: every event's `data` names the contract, its client and the feedback.
struct About {
    contract: ContractId,
    client: i64,
    feedback: i64,
}

impl About {
    fn new(contract: ContractId, client: i64, feedback: i64) -> Self {
        Self {
            contract,
            client,
            feedback,
        }
    }
}

/// Writes a webhook event into the outbox, in `tx`: its `data` is `about` and `fields`.
fn enqueue(
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
    tx.enqueue_event(kind, &data.to_string(), now)
}

fn json<T: Serialize>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string(value).expect("API types serialize"))
}

/// The received feedback on a contract of the caller's: 404 if the contract is not theirs,
/// `missing` if the freelancer left no feedback.
fn received_feedback(
    tx: &mut dyn WriteTx,
    w: &WriteRequest,
    missing: ProblemKind,
) -> Result<ReceivedRow, Failure> {
    let row = tx
        .received_for_write(w.user, w.contract)?
        .ok_or_else(ApiError::not_found)?
        .ok_or_else(|| {
            ApiError::new(
                missing,
                "The freelancer has not left feedback on this contract.",
            )
        })?;
    Ok(row)
}

/// A contract's details as both databases return them: the response window is derived here,
/// from the domain's rule, on the store's clock.
pub fn details(
    contract: ContractSummary,
    description: String,
    received: Option<ReceivedFeedback>,
    given: Option<GivenFeedback>,
    now: DateTime<Utc>,
) -> ContractDetails {
    let response_window = contract.ended_at.map(|end| ResponseWindow {
        closes_at: feedback_domain::window_closes_at(end),
        open: feedback_domain::is_window_open(Some(end), now),
    });
    ContractDetails {
        contract,
        description,
        received,
        given,
        response_window,
        server_now: now,
    }
}

/// Escapes LIKE wildcards so a search for "50%" means the text "50%" (both databases use `\`).
pub fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for ch in q.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// How a history page is read from its index: with `OFFSET` from the nearer end of the
/// ordered list. A page past the middle is read in the reverse order from the end (the outer
/// query puts its rows back in order), so the last pages cost what the first ones do and the
/// deepest read is half the list, not all of it.
#[derive(Debug, PartialEq)]
pub struct PageScan {
    pub reversed: bool,
    pub offset: i64,
    pub limit: i64,
}

pub fn page_scan(total: u64, page: u32, per_page: u32) -> PageScan {
    let (total, limit) = (total as i64, i64::from(per_page));
    let offset = i64::from(page.max(1) - 1) * limit;
    if offset >= total || offset <= total / 2 {
        return PageScan {
            reversed: false,
            offset,
            limit,
        };
    }
    let limit = limit.min(total - offset);
    PageScan {
        reversed: true,
        offset: total - offset - limit,
        limit,
    }
}

/// The history query's `WHERE` clause in a database's dialect (`placeholder` `?` or `$`; the
/// client is parameter 1, the search pattern parameter 2), and the `contract_counts` column
/// that holds its total when there is no search. `active_end` is the `sort_end` an active
/// contract has (the largest value of the column's type).
pub struct HistorySql {
    pub filter: String,
    pub searching: bool,
    pub total_column: &'static str,
}

pub fn history_sql(q: &HistoryQuery, placeholder: char, active_end: &str) -> HistorySql {
    let mut filter = format!("client_id = {placeholder}1");
    let total_column = match q.status {
        StatusFilter::All => "active + ended",
        StatusFilter::Active => {
            filter.push_str(&format!(" AND sort_end = {active_end}"));
            "active"
        }
        StatusFilter::Ended => {
            filter.push_str(&format!(" AND sort_end < {active_end}"));
            "ended"
        }
    };
    let searching = !q.q.is_empty();
    if searching {
        filter.push_str(&format!(" AND search_text LIKE {placeholder}2 ESCAPE '\\'"));
    }
    HistorySql {
        filter,
        searching,
        total_column,
    }
}

/// The history's `ORDER BY` over columns of table alias `t` ("" or "c."), maybe reversed.
/// Every order ends with the id, so it is total and a page is well defined.
pub fn order_by(sort: SortOrder, t: &str, reversed: bool) -> String {
    let (key, ascending) = match sort {
        SortOrder::EndedDesc => ("sort_end", false),
        SortOrder::EndedAsc => ("sort_end", true),
        SortOrder::TitleAsc => ("title_key", true),
        SortOrder::TitleDesc => ("title_key", false),
    };
    let dir = if ascending != reversed { "ASC" } else { "DESC" };
    format!("{t}{key} {dir}, {t}id {dir}")
}

/// The derived columns a contract row carries for sorting and search (both databases).
pub fn title_key(title: &str) -> String {
    title.to_lowercase()
}

pub fn search_text(title: &str, freelancer: &str) -> String {
    format!("{title} {freelancer}").to_lowercase()
}

/// Opens the store a `--db` value names, runs its migrations, and loads the seed.
pub fn open(url: &DbUrl, seed: &Seed) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    let store: std::sync::Arc<dyn Store> = match url {
        DbUrl::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(e.to_string()))?;
            }
            let readers = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
            std::sync::Arc::new(sqlite::SqliteStore::open(path, readers)?)
        }
        DbUrl::Postgres(url) => std::sync::Arc::new(pg::PgStore::open(url)?),
    };
    store.seed(seed)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_pages_are_read_from_the_nearer_end() {
        let first = page_scan(100_000, 1, 20);
        assert_eq!((first.reversed, first.offset, first.limit), (false, 0, 20));
        // Page 4,000 of 5,000: 20,000 rows from the end instead of 79,980 from the start.
        assert_eq!(
            page_scan(100_000, 4_000, 20),
            PageScan {
                reversed: true,
                offset: 20_000,
                limit: 20
            }
        );
        // The last, partial page: its rows only.
        assert_eq!(
            page_scan(95, 5, 20),
            PageScan {
                reversed: true,
                offset: 0,
                limit: 15
            }
        );
        // Past the end: nothing to read, as before.
        assert_eq!(page_scan(95, 6, 20).offset, 100);
        assert!(!page_scan(95, 6, 20).reversed);
        assert_eq!(
            order_by(SortOrder::EndedDesc, "c.", false),
            "c.sort_end DESC, c.id DESC"
        );
        assert_eq!(
            order_by(SortOrder::EndedDesc, "", true),
            "sort_end ASC, id ASC"
        );
        assert_eq!(
            order_by(SortOrder::TitleAsc, "", true),
            "title_key DESC, id DESC"
        );
    }

    #[test]
    fn db_urls_pick_the_backend_and_hide_passwords() {
        assert_eq!(DbUrl::parse("x.db"), DbUrl::Sqlite("x.db".into()));
        assert_eq!(
            DbUrl::parse("sqlite:/tmp/x.db"),
            DbUrl::Sqlite("/tmp/x.db".into())
        );
        let pg = DbUrl::parse("postgres://app:secret@db:5432/feedback");
        assert!(matches!(pg, DbUrl::Postgres(_)));
        assert_eq!(pg.display(), "postgres://app:***@db:5432/feedback");
        assert!(matches!(
            DbUrl::parse("postgresql://h/db"),
            DbUrl::Postgres(_)
        ));
    }
}
