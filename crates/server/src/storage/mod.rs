//! Storage: the seam between the product's use cases (`crate::app`) and a database. `Store`
//! holds the reads and runs a write transaction; `WriteTx` is what one write transaction can do.
//! Each backend lives in its own folder (`sqlite/`, one process; `pg/`, as many instances as
//! traffic needs); the SQL they share is in `sql.rs`. Nothing here knows HTTP or decides what a
//! write means: a use case runs inside `transaction` and may abort it.

mod budget;
pub mod pg;
pub mod sql;
pub mod sqlite;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use feedback_domain::{
    AuthorRole, ContractDetails, ContractId, ContractPage, ContractSummary, FreelancerId,
    GivenFeedback, HistoryQuery, ItemKind, QueueFeedback, QueueQuery, QueueReport,
    ReceivedFeedback, RemovalStatus, RemovalStatusChange, Report, ReportCategory, ReportStatus,
    ReportStatusChange, ResponseWindow, StatusChange, WorkHistoryPage, WorkHistoryQuery,
};

pub use budget::{Caller, Rate};

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
    /// Serialization failures kept coming back: nothing was saved; the caller may try again.
    #[error("the database stayed busy")]
    Busy,
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

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a write transaction did not commit: its body aborted it (a use case refused the
/// request; it keeps the reason), or the database failed.
#[derive(Debug)]
pub enum TxFailure {
    Aborted,
    Store(StoreError),
}

impl From<StoreError> for TxFailure {
    fn from(e: StoreError) -> Self {
        TxFailure::Store(e)
    }
}

impl From<rusqlite::Error> for TxFailure {
    fn from(e: rusqlite::Error) -> Self {
        TxFailure::Store(e.into())
    }
}

impl From<postgres::Error> for TxFailure {
    fn from(e: postgres::Error) -> Self {
        TxFailure::Store(e.into())
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
}

impl From<ItemKind> for Subject {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::Report => Subject::Report,
            ItemKind::Removal => Subject::Removal,
        }
    }
}

/// A queue item as stored (the use case adds its age against the review target).
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub kind: ItemKind,
    pub contract_id: i64,
    pub contract_title: String,
    pub client_name: String,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub feedback_id: i64,
    pub feedback: QueueFeedback,
    pub report: Option<QueueReport>,
    pub history: Vec<StatusChange>,
}

/// The columns of `sql::queue_page`'s rows, as each backend reads them.
pub struct QueueColumns {
    pub kind_rank: i64,
    pub contract_id: i64,
    pub title: String,
    pub client_name: String,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub feedback_id: i64,
    pub rating: f64,
    pub comment: Option<String>,
    pub author_name: String,
    pub feedback_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub evidence: Option<String>,
}

impl QueueColumns {
    /// The row, its history still to be read (`history` is empty).
    pub fn into_row(self) -> QueueRow {
        let kind = ItemKind::ALL
            .get(self.kind_rank as usize)
            .copied()
            .unwrap_or(ItemKind::Report);
        let report = match (
            kind,
            self.category.as_deref().and_then(ReportCategory::parse),
        ) {
            (ItemKind::Report, Some(category)) => Some(QueueReport {
                category,
                description: self.description.unwrap_or_default(),
                evidence: self
                    .evidence
                    .and_then(|e| serde_json::from_str(&e).ok())
                    .unwrap_or_default(),
            }),
            _ => None,
        };
        QueueRow {
            kind,
            contract_id: self.contract_id,
            contract_title: self.title,
            client_name: self.client_name,
            status: self.status,
            submitted_at: self.submitted_at,
            feedback_id: self.feedback_id,
            feedback: QueueFeedback {
                rating: self.rating as f32,
                comment: self.comment,
                author_name: self.author_name,
                author_role: match kind {
                    ItemKind::Report => AuthorRole::Freelancer,
                    ItemKind::Removal => AuthorRole::Client,
                },
                created_at: self.feedback_at,
                removed_at: self.removed_at,
            },
            report,
            history: Vec::new(),
        }
    }
}

/// Fills in each row's status history, read with `history` (both databases).
pub fn with_histories<E>(
    mut rows: Vec<QueueRow>,
    mut history: impl FnMut(Subject, i64) -> Result<Vec<HistoryRow>, E>,
) -> Result<Vec<QueueRow>, E> {
    for row in &mut rows {
        row.history = history(row.kind.into(), row.feedback_id)?
            .into_iter()
            .map(|h| StatusChange {
                status: h.status,
                at: h.at,
                reason: h.reason,
            })
            .collect();
    }
    Ok(rows)
}

/// The dashboard's counts as read: (kind, status, n), (category, n) of open reports, and open
/// items past the review target.
pub struct CountRows {
    pub by_status: Vec<(String, String, i64)>,
    pub open_by_category: Vec<(String, i64)>,
    pub open_overdue: i64,
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
    fn enqueue_event(&mut self, kind: &str, data: &str, at: DateTime<Utc>) -> StoreResult<()>;
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
pub type TxBody<'a> = &'a mut dyn FnMut(&mut dyn WriteTx) -> Result<(), TxFailure>;

/// The store: the reads the API serves, one write transaction, and the outbox, on one database.
pub trait Store: Send + Sync + 'static {
    /// The user a bearer token belongs to.
    fn user_by_token(&self, token: &str) -> StoreResult<Option<i64>>;
    /// One page of a user's contract history, with the total and the store's clock.
    fn history_page(&self, user: i64, q: &HistoryQuery) -> StoreResult<ContractPage>;
    /// A contract of `user`'s with its feedback; `None` if it is not theirs.
    fn contract_details(&self, user: i64, id: ContractId) -> StoreResult<Option<ContractDetails>>;
    /// One page of a freelancer's public work history; `None` if there is no such freelancer.
    fn work_history(
        &self,
        freelancer: FreelancerId,
        q: &WorkHistoryQuery,
    ) -> StoreResult<Option<WorkHistoryPage>>;
    /// Runs `body` in one write transaction that commits only if it returns `Ok`.
    fn transaction(&self, body: TxBody) -> Result<(), TxFailure>;
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
    /// A page of the moderation queue (one row more than `q.limit` if there is more), oldest
    /// first, each with its history; `submitted_before` is `older_than` on the caller's clock.
    fn moderation_queue(
        &self,
        q: &QueueQuery,
        submitted_before: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<QueueRow>>;
    /// One report or removal request, whatever its status.
    fn moderation_item(
        &self,
        kind: ItemKind,
        contract: ContractId,
    ) -> StoreResult<Option<QueueRow>>;
    fn moderation_counts(&self, overdue_before: DateTime<Utc>) -> StoreResult<CountRows>;
    /// The id of a demo contract (for the hints printed at start).
    fn contract_by_seed_key(&self, key: &str) -> StoreResult<Option<i64>>;
    /// A freelancer's id by name (the hints printed at start).
    fn freelancer_by_name(&self, name: &str) -> StoreResult<Option<FreelancerId>>;
    /// Leases up to `limit` due events (retried for [`OUTBOX_RETRY_FOR`]) for `lease`: no
    /// other worker, in this process or another, takes them until the lease runs out.
    fn lease_events(&self, limit: usize, lease: Duration) -> StoreResult<Vec<OutboxEvent>>;
    /// Marks an event delivered, or records the failure and when to try again.
    fn finish_event(&self, id: i64, outcome: Result<(), (String, Duration)>) -> StoreResult<()>;
    /// Deletes events older than [`OUTBOX_KEEP_FOR`], at most `batch`; how many went.
    fn delete_old_events(&self, batch: usize) -> StoreResult<usize>;

    /// After many rows were added at once: let the database catch up on its statistics.
    fn after_bulk_seed(&self) -> StoreResult<()> {
        Ok(())
    }
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

/// Opens the store a `--db` value names and runs its migrations.
pub fn open(url: &DbUrl) -> Result<std::sync::Arc<dyn Store>, StoreError> {
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
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

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
