//! SQLite's queries: migrations, a small connection pool, and the reads and inserts the store
//! runs (`mod.rs` puts them behind `Store` and `WriteTx`).
//!
//! Reads go through a pool of read-only connections (WAL lets them run beside the writer);
//! every write goes through the single writer connection inside `BEGIN IMMEDIATE`, so the
//! checks ("already responded?", "window open?") and the insert happen atomically.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use feedback_domain::{
    ContractDetails, ContractId, ContractPage, ContractStatus, ContractSummary, FeedbackResponse,
    FeedbackSummary, FreelancerId, GivenFeedback, HistoryQuery, ItemKind, QueueQuery,
    ReceivedFeedback, RemovalRequest, RemovalStatus, Report, ReportCategory, ReportStatus,
    WorkHistoryItem, WorkHistoryPage, WorkHistoryQuery,
};
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};

use super::numbered;
use crate::storage::sql::{
    count_open, history_sql, like_pattern, order_by, page_scan, queue_item, queue_page,
    search_text, title_key, work_history_count, work_history_page, Bound, HistorySql, Param,
    AFTER_SUMMARY, COUNT_BY_STATUS, ENSURE_FREELANCER, FREELANCER_BY_NAME, FREELANCER_NAME,
    GIVEN_DETAILS, RECEIVED_DETAILS, STATUS_HISTORY, SUMMARY_COLUMNS, SUMMARY_JOINS,
};
use crate::storage::{
    attach_histories, details, with_histories, CountRows, GivenRow, HistoryRow, NewContract,
    QueueColumns, QueueRow, ReceivedRow, StoredResult, Subject,
};

/// Schema migrations, applied in order at start; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_covering_indexes.sql"),
    include_str!("../../../migrations/sqlite/0003_contract_counts.sql"),
    include_str!("../../../migrations/sqlite/0004_idempotency_expiry.sql"),
    include_str!("../../../migrations/sqlite/0005_moderation_and_webhooks.sql"),
    include_str!("../../../migrations/sqlite/0006_freelancers.sql"),
    include_str!("../../../migrations/sqlite/0007_moderation_queue.sql"),
];

pub type DbResult<T> = Result<T, rusqlite::Error>;

/// A contract's `sort_end` while it is active: the largest integer (migration 0003's triggers
/// count active contracts by it), so active ones sort after every ended one.
pub const ACTIVE_SORT_END: i64 = i64::MAX;

/// The server's clock at the precision it stores (milliseconds), so a time returned by a POST,
/// its replay and a later GET are the same string.
pub fn now() -> DateTime<Utc> {
    crate::storage::to_stored_precision(Utc::now())
}

pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[derive(Clone)]
pub struct Db {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next: Arc<AtomicUsize>,
}

fn configure(conn: &Connection) -> DbResult<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // FULL: an acknowledged write survives power loss too, not just a process crash.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database file, switches it to WAL and runs migrations.
    pub fn open(path: &Path, readers: usize) -> DbResult<Self> {
        let writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        migrate(&writer)?;
        let mut pool = Vec::with_capacity(readers);
        for _ in 0..readers.max(1) {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&r)?;
            pool.push(Mutex::new(r));
        }
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(pool),
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `f` on a reader connection (call from a blocking thread).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i].lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction on the writer; commits only if `f`
    /// returns `Ok` — an error (or a crash) leaves nothing behind.
    pub fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

fn migrate(conn: &Connection) -> DbResult<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}\nPRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

pub struct User {
    pub id: i64,
}

pub fn user_by_token(conn: &Connection, token: &str) -> DbResult<Option<User>> {
    conn.query_row("SELECT id FROM users WHERE token = ?1", [token], |r| {
        Ok(User { id: r.get(0)? })
    })
    .optional()
}

fn summary_from_row(r: &rusqlite::Row) -> DbResult<ContractSummary> {
    let ended_at: Option<i64> = r.get(4)?;
    let rating: Option<f64> = r.get(5)?;
    let report_status: Option<String> = r.get(8)?;
    Ok(ContractSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        freelancer_id: r.get(9)?,
        freelancer_name: r.get(2)?,
        started_at: from_ms(r.get(3)?),
        ended_at: ended_at.map(from_ms),
        status: if ended_at.is_some() {
            ContractStatus::Ended
        } else {
            ContractStatus::Active
        },
        received: match rating {
            Some(rating) => Some(FeedbackSummary {
                rating: rating as f32,
                has_comment: r.get(6)?,
                responded: r.get(7)?,
                report_status: report_status.as_deref().and_then(ReportStatus::parse),
            }),
            None => None,
        },
    })
}

/// One page of a user's contracts, plus the total. Both queries are answered from a covering
/// index; the page's ids are picked first, so only the rows shown are joined with feedback.
pub fn list_contracts(
    conn: &Connection,
    user: i64,
    q: &HistoryQuery,
    now: DateTime<Utc>,
) -> DbResult<ContractPage> {
    let HistorySql {
        filter,
        searching,
        total_column,
    } = history_sql(q, &ACTIVE_SORT_END.to_string());
    let filter = numbered(&filter);
    let pattern = like_pattern(&q.q);
    let total: i64 = if searching {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM contracts WHERE {filter}"))?
            .query_row(params![user, pattern], |r| r.get(0))?
    } else {
        // Kept by triggers (migration 0003); no row yet means no contracts.
        conn.prepare_cached(&format!(
            "SELECT {total_column} FROM contract_counts WHERE client_id = ?1"
        ))?
        .query_row(params![user], |r| r.get(0))
        .optional()?
        .unwrap_or(0)
    };
    // The total and the page are two statements: a contract added between them shifts the
    // page by a row, as it would between two page loads.
    let scan = page_scan(total as u64, q.page, q.per_page);
    let page_sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM \
           (SELECT id FROM contracts WHERE {filter} ORDER BY {inner} LIMIT ?3 OFFSET ?4) page \
         JOIN contracts c ON c.id = page.id {SUMMARY_JOINS} ORDER BY {outer}",
        inner = order_by(q.sort, "", scan.reversed),
        outer = order_by(q.sort, "c.", false),
    );
    // Without a search, ?2 is unused; SQLite still numbers parameters up to ?4.
    let items = conn
        .prepare_cached(&page_sql)?
        .query_map(
            params![user, pattern, scan.limit, scan.offset],
            summary_from_row,
        )?
        .collect::<DbResult<Vec<_>>>()?;
    Ok(ContractPage {
        items,
        total: total as u64,
        page: q.page,
        per_page: q.per_page,
        server_now: now,
    })
}

/// A contract of `user`'s, with everything the details tab shows; `None` if it is not theirs.
pub fn contract_details(
    conn: &Connection,
    user: i64,
    id: ContractId,
    now: DateTime<Utc>,
) -> DbResult<Option<ContractDetails>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS}, c.description FROM contracts c {SUMMARY_JOINS} \
             WHERE c.id = ?1 AND c.client_id = ?2"
        ))?
        .query_row(params![id, user], |r| {
            Ok((summary_from_row(r)?, r.get::<_, String>(AFTER_SUMMARY)?))
        })
        .optional()?;
    let Some((contract, description)) = row else {
        return Ok(None);
    };
    let received = conn
        .prepare_cached(&format!("{RECEIVED_DETAILS} WHERE rf.contract_id = ?1"))?
        .query_row([id], |r| {
            let response_text: Option<String> = r.get(4)?;
            let category: Option<String> = r.get(6)?;
            let report = match category.as_deref().and_then(ReportCategory::parse) {
                Some(category) => Some(Report {
                    category,
                    description: r.get(7)?,
                    evidence: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                    status: ReportStatus::parse(&r.get::<_, String>(9)?)
                        .unwrap_or(ReportStatus::Submitted),
                    created_at: from_ms(r.get(10)?),
                    history: Vec::new(),
                }),
                None => None,
            };
            Ok(ReceivedFeedback {
                id: r.get(0)?,
                rating: r.get::<_, f64>(1)? as f32,
                comment: r.get(2)?,
                created_at: from_ms(r.get(3)?),
                response: match response_text {
                    Some(text) => Some(FeedbackResponse {
                        text,
                        created_at: from_ms(r.get(5)?),
                    }),
                    None => None,
                },
                report,
                removed_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
            })
        })
        .optional()?;
    let given = conn
        .prepare_cached(&format!("{GIVEN_DETAILS} WHERE gf.contract_id = ?1"))?
        .query_row([id], |r| {
            let status: Option<String> = r.get(4)?;
            Ok(GivenFeedback {
                id: r.get(0)?,
                rating: r.get::<_, f64>(1)? as f32,
                comment: r.get(2)?,
                created_at: from_ms(r.get(3)?),
                removal_request: match status.as_deref().and_then(RemovalStatus::parse) {
                    Some(status) => Some(RemovalRequest {
                        status,
                        created_at: from_ms(r.get(5)?),
                        history: Vec::new(),
                    }),
                    None => None,
                },
                removed_at: r.get::<_, Option<i64>>(6)?.map(from_ms),
            })
        })
        .optional()?;
    let (mut received, mut given) = (received, given);
    attach_histories(&mut received, &mut given, |subject, id| {
        history(conn, subject, id)
    })?;
    Ok(Some(details(contract, description, received, given, now)))
}

/// One page of a freelancer's public work history; `None` if there is no such freelancer.
pub fn work_history(
    conn: &Connection,
    freelancer: FreelancerId,
    q: &WorkHistoryQuery,
) -> DbResult<Option<WorkHistoryPage>> {
    let name: Option<String> = conn
        .prepare_cached(&numbered(FREELANCER_NAME))?
        .query_row([freelancer], |r| r.get(0))
        .optional()?;
    let Some(freelancer_name) = name else {
        return Ok(None);
    };
    let total: i64 = conn
        .prepare_cached(&numbered(&work_history_count()))?
        .query_row([freelancer], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&numbered(&work_history_page()))?
        .query_map(params![freelancer, q.per_page, q.offset() as i64], |r| {
            let response: Option<String> = r.get(5)?;
            Ok(WorkHistoryItem {
                title: r.get(0)?,
                ended_at: from_ms(r.get(1)?),
                client_name: r.get(2)?,
                rating: r.get::<_, Option<f64>>(3)?.map(|x| x as f32),
                comment: r.get(4)?,
                response: match response {
                    Some(text) => Some(FeedbackResponse {
                        text,
                        created_at: from_ms(r.get(6)?),
                    }),
                    None => None,
                },
            })
        })?
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(WorkHistoryPage {
        freelancer_id: freelancer,
        freelancer_name,
        items,
        total: total as u64,
        page: q.page,
        per_page: q.per_page,
    }))
}

/// A report's or removal request's status history, oldest first.
pub fn history(conn: &Connection, subject: Subject, feedback_id: i64) -> DbResult<Vec<HistoryRow>> {
    conn.prepare_cached(&numbered(STATUS_HISTORY))?
        .query_map(params![subject.as_str(), feedback_id], |r| {
            Ok(HistoryRow {
                status: r.get(0)?,
                at: from_ms(r.get(1)?),
                reason: r.get(2)?,
            })
        })?
        .collect()
}

pub fn insert_contract(tx: &Connection, c: &NewContract) -> DbResult<i64> {
    tx.prepare_cached(&numbered(ENSURE_FREELANCER))?
        .execute([c.freelancer_name])?;
    tx.prepare_cached(&numbered(&format!(
        "INSERT INTO contracts (client_id, title, freelancer_name, description, started_at, \
         ended_at, sort_end, title_key, search_text, seed_key, freelancer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {FREELANCER_BY_NAME})"
    )))?
    .execute(params![
        c.client_id,
        c.title,
        c.freelancer_name,
        c.description,
        to_ms(c.started_at),
        c.ended_at.map(to_ms),
        c.ended_at.map(to_ms).unwrap_or(ACTIVE_SORT_END),
        title_key(c.title),
        search_text(c.title, c.freelancer_name),
        c.seed_key,
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn insert_received(
    tx: &Connection,
    contract_id: i64,
    rating: f32,
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> DbResult<i64> {
    tx.prepare_cached(
        "INSERT INTO received_feedback (contract_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![contract_id, f64::from(rating), comment, to_ms(at)])?;
    Ok(tx.last_insert_rowid())
}

pub fn insert_given(
    tx: &Connection,
    contract_id: i64,
    author_id: i64,
    rating: f32,
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> DbResult<i64> {
    tx.prepare_cached(
        "INSERT INTO given_feedback (contract_id, author_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![contract_id, author_id, f64::from(rating), comment, to_ms(at)])?;
    Ok(tx.last_insert_rowid())
}

pub fn insert_response(
    tx: &Connection,
    feedback_id: i64,
    text: &str,
    at: DateTime<Utc>,
) -> DbResult<()> {
    tx.prepare_cached("INSERT INTO responses (feedback_id, text, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![feedback_id, text, to_ms(at)])?;
    Ok(())
}

pub fn insert_report(
    tx: &Connection,
    feedback_id: i64,
    category: ReportCategory,
    description: &str,
    evidence: &[String],
    status: ReportStatus,
    at: DateTime<Utc>,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO reports (feedback_id, category, description, evidence, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        feedback_id,
        category.as_str(),
        description,
        serde_json::to_string(evidence).unwrap_or_else(|_| "[]".into()),
        status.as_str(),
        to_ms(at)
    ])?;
    Ok(())
}

pub fn insert_removal(
    tx: &Connection,
    feedback_id: i64,
    status: RemovalStatus,
    at: DateTime<Utc>,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO removal_requests (feedback_id, status, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![feedback_id, status.as_str(), to_ms(at)])?;
    Ok(())
}

/// `Ok(None)`: not the user's contract; `Ok(Some(None))`: theirs, but no feedback received.
/// `Some(ended_at)` when `contract` is `user`'s, `None` otherwise: the ownership check every
/// write starts with.
fn owned_contract_end(
    tx: &Connection,
    user: i64,
    contract: ContractId,
) -> DbResult<Option<Option<i64>>> {
    tx.query_row(
        "SELECT ended_at FROM contracts WHERE id = ?1 AND client_id = ?2",
        params![contract, user],
        |r| r.get(0),
    )
    .optional()
}

pub fn received_for_write(
    tx: &Connection,
    user: i64,
    contract: ContractId,
) -> DbResult<Option<Option<ReceivedRow>>> {
    let Some(ended) = owned_contract_end(tx, user, contract)? else {
        return Ok(None);
    };
    let row = tx
        .query_row(
            "SELECT rf.id, rf.comment IS NOT NULL, \
               EXISTS(SELECT 1 FROM responses WHERE feedback_id = rf.id), \
               EXISTS(SELECT 1 FROM reports WHERE feedback_id = rf.id), \
               rf.removed_at IS NOT NULL \
             FROM received_feedback rf WHERE rf.contract_id = ?1",
            [contract],
            |r| {
                Ok(ReceivedRow {
                    feedback_id: r.get(0)?,
                    has_comment: r.get(1)?,
                    responded: r.get(2)?,
                    reported: r.get(3)?,
                    removed: r.get(4)?,
                    ended_at: ended.map(from_ms),
                })
            },
        )
        .optional()?;
    Ok(Some(row))
}

pub fn given_for_write(
    tx: &Connection,
    user: i64,
    contract: ContractId,
) -> DbResult<Option<Option<GivenRow>>> {
    if owned_contract_end(tx, user, contract)?.is_none() {
        return Ok(None);
    }
    tx.query_row(
        "SELECT gf.id, gf.author_id, EXISTS(SELECT 1 FROM removal_requests WHERE feedback_id = gf.id) \
         FROM given_feedback gf WHERE gf.contract_id = ?1",
        [contract],
        |r| {
            Ok(GivenRow {
                feedback_id: r.get(0)?,
                author_id: r.get(1)?,
                removal_requested: r.get(2)?,
            })
        },
    )
    .optional()
    .map(Some)
}

/// The stored result for `key`, if it was stored at or after `fresh_since` (older ones have
/// expired, even if the sweep has not deleted them yet).
pub fn idempotent_result(
    tx: &Connection,
    user: i64,
    key: &str,
    fresh_since: DateTime<Utc>,
) -> DbResult<Option<StoredResult>> {
    tx.query_row(
        "SELECT request, status, response FROM idempotency \
         WHERE user_id = ?1 AND key = ?2 AND created_at >= ?3",
        params![user, key, to_ms(fresh_since)],
        |r| {
            Ok(StoredResult {
                request: r.get(0)?,
                status: r.get(1)?,
                response: r.get(2)?,
            })
        },
    )
    .optional()
}

pub fn store_idempotent_result(
    tx: &Connection,
    user: i64,
    key: &str,
    stored: &StoredResult,
    now: DateTime<Utc>,
) -> DbResult<()> {
    // REPLACE: an expired record for the same key may not have been swept yet.
    tx.execute(
        "INSERT OR REPLACE INTO idempotency (user_id, key, request, status, response, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            user,
            key,
            stored.request,
            stored.status,
            stored.response,
            to_ms(now)
        ],
    )?;
    Ok(())
}

/// Deletes idempotency records stored before `before`, at most `batch` of them (short write
/// transactions: the sweep never holds the writer for long). Returns how many it deleted.
pub fn delete_expired_idempotency(
    tx: &Connection,
    before: DateTime<Utc>,
    batch: usize,
) -> DbResult<usize> {
    tx.execute(
        "DELETE FROM idempotency WHERE rowid IN \
         (SELECT rowid FROM idempotency WHERE created_at < ?1 LIMIT ?2)",
        params![to_ms(before), batch as i64],
    )
}

/// A shared query's parameters as SQLite binds them (times as milliseconds).
fn values(b: &Bound) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    b.params
        .iter()
        .map(|p| match p {
            Param::Text(t) => Value::Text(t.clone()),
            Param::Time(t) => Value::Integer(to_ms(*t)),
            Param::Int(n) => Value::Integer(*n),
        })
        .collect()
}

/// The rows of `sql::queue_page` or `sql::queue_item`, with their histories.
fn queue_rows(conn: &Connection, b: &Bound) -> DbResult<Vec<QueueRow>> {
    // One snapshot: a decision committed meanwhile can't pair a status with another history.
    let tx = conn.unchecked_transaction()?;
    let rows = tx
        .prepare_cached(&numbered(&b.sql))?
        .query_map(rusqlite::params_from_iter(values(b)), |r| {
            Ok(QueueColumns {
                kind_rank: r.get(0)?,
                contract_id: r.get(1)?,
                title: r.get(2)?,
                client_name: r.get(3)?,
                status: r.get(4)?,
                submitted_at: from_ms(r.get(5)?),
                feedback_id: r.get(6)?,
                rating: r.get(7)?,
                comment: r.get(8)?,
                author_name: r.get(9)?,
                feedback_at: from_ms(r.get(10)?),
                removed_at: r.get::<_, Option<i64>>(11)?.map(from_ms),
                category: r.get(12)?,
                description: r.get(13)?,
                evidence: r.get(14)?,
            }
            .into_row())
        })?
        .collect::<DbResult<Vec<_>>>()?;
    let rows = with_histories(rows, |subject, id| history(&tx, subject, id))?;
    tx.commit()?;
    Ok(rows)
}

pub fn moderation_queue(
    conn: &Connection,
    q: &QueueQuery,
    submitted_before: Option<DateTime<Utc>>,
) -> DbResult<Vec<QueueRow>> {
    queue_rows(conn, &queue_page(q, submitted_before))
}

pub fn moderation_item(
    conn: &Connection,
    kind: ItemKind,
    contract: ContractId,
) -> DbResult<Option<QueueRow>> {
    Ok(queue_rows(conn, &queue_item(kind, contract))?.pop())
}

pub fn moderation_counts(conn: &Connection, overdue_before: DateTime<Utc>) -> DbResult<CountRows> {
    let by_status = conn
        .prepare_cached(COUNT_BY_STATUS)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<DbResult<Vec<_>>>()?;
    let (by_category, overdue) = count_open(overdue_before);
    let open_by_category = conn
        .prepare_cached(&numbered(&by_category.sql))?
        .query_map(rusqlite::params_from_iter(values(&by_category)), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<DbResult<Vec<_>>>()?;
    let open_overdue = conn
        .prepare_cached(&numbered(&overdue.sql))?
        .query_row(rusqlite::params_from_iter(values(&overdue)), |r| r.get(0))?;
    Ok(CountRows {
        by_status,
        open_by_category,
        open_overdue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_connection_syncs_fully() {
        let dir = std::env::temp_dir().join(format!("fw-sync-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&dir.join("t.db"), 2).unwrap();
        // 2 = FULL: an acknowledged write survives a power loss, not only a process crash.
        let full = |c: &Connection| c.query_row("PRAGMA synchronous", [], |r| r.get::<_, i64>(0));
        assert_eq!(db.write(|tx| full(tx)).unwrap(), 2);
        assert_eq!(db.read(full).unwrap(), 2);
        let journal: String = db
            .read(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(journal, "wal");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
