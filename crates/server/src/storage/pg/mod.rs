//! The store on PostgreSQL, for several stateless instances on one database.
//!
//! Exactly once without a process-wide lock: the feedback being answered is locked with
//! `SELECT … FOR UPDATE` before anything is checked, the idempotency key is claimed with
//! `INSERT … ON CONFLICT DO NOTHING` in the same transaction (a concurrent request with the
//! same key waits for that row, then replays), and primary keys forbid a second response,
//! report or removal request. Every decision uses the database's clock. Serialization failures
//! and deadlocks are retried a few times, then reported as 503.

use std::time::Duration;

use chrono::{DateTime, Utc};
use feedback_domain::{
    ContractDetails, ContractId, ContractPage, ContractStatus, ContractSummary, FeedbackResponse,
    FeedbackSummary, FreelancerId, GivenFeedback, HistoryQuery, ItemKind, QueueQuery,
    ReceivedFeedback, RemovalRequest, RemovalStatus, Report, ReportCategory, ReportStatus,
    WorkHistoryItem, WorkHistoryPage, WorkHistoryQuery,
};
use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row, Statement, Transaction};

use super::sql::{
    count_open, history_sql, like_pattern, order_by, page_scan, queue_item, queue_page,
    search_text, title_key, work_history_count, work_history_page, Bound, HistorySql, Param,
    AFTER_SUMMARY, COUNT_BY_STATUS, ENSURE_FREELANCER, FREELANCER_BY_NAME, FREELANCER_NAME,
    GIVEN_DETAILS, RECEIVED_DETAILS, REMINDER_CANDIDATES, STATUS_HISTORY, SUMMARY_COLUMNS,
    SUMMARY_JOINS,
};
use super::{
    attach_histories, details, to_stored_precision, with_histories, Caller, CountRows, GivenRow,
    HistoryRow, ModerationRow, NewContract, OutboxEvent, QueueColumns, QueueRow, Rate, ReceivedRow,
    ReminderCandidate, Store, StoreError, StoreResult, StoredResult, Subject, TxBody, TxFailure,
    WriteTx, OUTBOX_KEEP_FOR, OUTBOX_RETRY_FOR,
};

/// A contract's `sort_end` while it is active, so active ones sort after every ended one.
const ACTIVE_SORT_END: &str = "'infinity'";

type Pool = r2d2::Pool<Manager>;
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A pooled connection with its prepared statements: each query is parsed and planned once
/// per connection, not on every request (planning cost more than running the history queries).
pub struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn sql(&mut self) -> Sql<'_, Client> {
        Sql {
            client: &mut self.client,
            statements: &mut self.statements,
        }
    }
}

/// Opens connections for the pool.
pub struct Manager(postgres::Config);

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            client: self.0.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// A client (or a transaction on one) that runs statements through the connection's cache.
struct Sql<'a, C: GenericClient> {
    client: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

impl<C: GenericClient> Sql<'_, C> {
    fn prepared(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &str, params: Params) -> Result<Vec<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query(&s, params)
    }

    fn query_one(&mut self, sql: &str, params: Params) -> Result<Row, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query_one(&s, params)
    }

    fn query_opt(&mut self, sql: &str, params: Params) -> Result<Option<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query_opt(&s, params)
    }

    fn execute(&mut self, sql: &str, params: Params) -> Result<u64, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.execute(&s, params)
    }
}

/// Schema migrations, applied in order under an advisory lock; `schema_migrations` records them.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_init.sql"),
    include_str!("../../../migrations/postgres/0002_trigram_search.sql"),
    include_str!("../../../migrations/postgres/0003_moderation_and_webhooks.sql"),
    include_str!("../../../migrations/postgres/0004_freelancers.sql"),
    include_str!("../../../migrations/postgres/0005_moderation_queue.sql"),
];

/// Advisory lock keys (arbitrary, fixed): one instance migrates or seeds at a time.
const MIGRATE_LOCK: i64 = 0x6677_6d69_6772; // "fwmigr"
const SEED_LOCK: i64 = 0x6677_7365_6564; // "fwseed"

/// How many times a transaction is run before a serialization failure becomes a 503.
const MAX_ATTEMPTS: u32 = 5;

/// The database's clock at the stored precision (milliseconds).
const NOW: &str = "date_trunc('milliseconds', now())";

pub struct PgStore {
    /// Always `Some` until dropped (see `Drop`).
    pool: Option<Pool>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // The synchronous client blocks on its own runtime when a connection closes, which
        // panics on an async runtime's thread (where the server drops its state at shutdown).
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl PgStore {
    fn pool(&self) -> &Pool {
        self.pool
            .as_ref()
            .expect("the pool lives until the store is dropped")
    }

    /// Connects (failing fast if the database can't be reached) and migrates.
    pub fn open(url: &str) -> StoreResult<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Other(format!("--db: {e}")))?;
        let pool = r2d2::Pool::builder()
            .max_size(16)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(Manager(config))?;
        let store = Self { pool: Some(pool) };
        store.migrate()?;
        Ok(store)
    }

    /// Applies the migrations not yet applied. Several instances may start at once: the
    /// advisory lock lets one migrate while the others wait, then find nothing left to do.
    pub fn migrate(&self) -> StoreResult<()> {
        let mut conn = self.pool().get()?;
        let c = &mut conn.client;
        c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK])?;
        let result = (|| -> StoreResult<()> {
            c.batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    INTEGER PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )?;
            let done: Option<i32> = c
                .query_one("SELECT max(version) FROM schema_migrations", &[])?
                .get(0);
            for (i, sql) in MIGRATIONS
                .iter()
                .enumerate()
                .skip(done.unwrap_or(0) as usize)
            {
                let mut tx = c.transaction()?;
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&(i as i32 + 1)],
                )?;
                tx.commit()?;
            }
            Ok(())
        })();
        c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK])?;
        result
    }
}

fn summary(r: &Row) -> ContractSummary {
    let ended_at: Option<DateTime<Utc>> = r.get(4);
    let rating: Option<f64> = r.get(5);
    let report_status: Option<String> = r.get(8);
    ContractSummary {
        id: r.get(0),
        title: r.get(1),
        freelancer_id: r.get(9),
        freelancer_name: r.get(2),
        started_at: r.get(3),
        ended_at,
        status: match ended_at {
            Some(_) => ContractStatus::Ended,
            None => ContractStatus::Active,
        },
        received: rating.map(|rating| FeedbackSummary {
            rating: rating as f32,
            has_comment: r.get(6),
            responded: r.get(7),
            report_status: report_status.as_deref().and_then(ReportStatus::parse),
        }),
    }
}

/// A report's or removal request's status history, oldest first.
fn history<C: GenericClient>(
    c: &mut Sql<C>,
    subject: Subject,
    feedback_id: i64,
) -> StoreResult<Vec<HistoryRow>> {
    Ok(c.query(STATUS_HISTORY, &[&subject.as_str(), &feedback_id])?
        .iter()
        .map(|r| HistoryRow {
            status: r.get(0),
            at: r.get(1),
            reason: r.get(2),
        })
        .collect())
}

/// A shared query's parameters as PostgreSQL binds them.
struct Bind(Vec<Box<dyn ToSql + Sync>>);

impl Bind {
    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0.iter().map(|b| b.as_ref()).collect()
    }
}

fn params(b: &Bound) -> Bind {
    Bind(
        b.params
            .iter()
            .map(|p| -> Box<dyn ToSql + Sync> {
                match p {
                    Param::Text(t) => Box::new(t.clone()),
                    Param::Time(t) => Box::new(*t),
                    Param::Int(n) => Box::new(*n),
                }
            })
            .collect(),
    )
}

impl PgStore {
    /// The rows of `sql::queue_page` or `sql::queue_item` with their histories, read in one
    /// snapshot (a decision committed meanwhile can't pair a status with another history).
    fn queue_rows(&self, b: &Bound) -> StoreResult<Vec<QueueRow>> {
        let mut conn = self.pool().get()?;
        let Conn { client, statements } = &mut *conn;
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let mut c = Sql {
            client: &mut tx,
            statements,
        };
        let rows = c
            .query(&b.sql, &params(b).refs())?
            .iter()
            .map(|r| {
                QueueColumns {
                    kind_rank: r.get(0),
                    contract_id: r.get(1),
                    title: r.get(2),
                    client_name: r.get(3),
                    status: r.get(4),
                    submitted_at: r.get(5),
                    feedback_id: r.get(6),
                    rating: r.get(7),
                    comment: r.get(8),
                    author_name: r.get(9),
                    feedback_at: r.get(10),
                    removed_at: r.get(11),
                    category: r.get(12),
                    description: r.get(13),
                    evidence: r.get(14),
                }
                .into_row()
            })
            .collect();
        let rows = with_histories(rows, |subject, id| history(&mut c, subject, id))?;
        tx.commit()?;
        Ok(rows)
    }
}

fn db_now<C: GenericClient>(c: &mut Sql<C>) -> StoreResult<DateTime<Utc>> {
    Ok(c.query_one(&format!("SELECT {NOW}"), &[])?.get(0))
}

impl Store for PgStore {
    fn user_by_token(&self, token: &str) -> StoreResult<Option<i64>> {
        let mut conn = self.pool().get()?;
        Ok(conn
            .sql()
            .query_opt("SELECT id FROM users WHERE token = $1", &[&token])?
            .map(|r| r.get(0)))
    }

    fn history_page(&self, user: i64, q: &HistoryQuery) -> StoreResult<ContractPage> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        let pattern = like_pattern(&q.q);
        let HistorySql {
            filter,
            searching,
            total_column,
        } = history_sql(q, ACTIVE_SORT_END);
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&user];
        if searching {
            params.push(&pattern);
        }
        let total: i64 = if searching {
            c.query_one(
                &format!("SELECT COUNT(*) FROM contracts WHERE {filter}"),
                &params,
            )?
            .get(0)
        } else {
            c.query_opt(
                &format!("SELECT {total_column} FROM contract_counts WHERE client_id = $1"),
                &[&user],
            )?
            .map_or(0, |r| r.get(0))
        };
        let scan = page_scan(total as u64, q.page, q.per_page);
        let n = params.len();
        params.push(&scan.limit);
        params.push(&scan.offset);
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, {NOW} FROM \
               (SELECT id FROM contracts WHERE {filter} ORDER BY {inner} LIMIT ${l} OFFSET ${o}) page \
             JOIN contracts c ON c.id = page.id {SUMMARY_JOINS} ORDER BY {outer}",
            inner = order_by(q.sort, "", scan.reversed),
            outer = order_by(q.sort, "c.", false),
            l = n + 1,
            o = n + 2,
        );
        let rows = c.query(&sql, &params)?;
        let server_now = match rows.first() {
            Some(r) => r.get(AFTER_SUMMARY),
            None => db_now(&mut c)?,
        };
        Ok(ContractPage {
            items: rows.iter().map(summary).collect(),
            total: total as u64,
            page: q.page,
            per_page: q.per_page,
            server_now,
        })
    }

    fn contract_details(&self, user: i64, id: ContractId) -> StoreResult<Option<ContractDetails>> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        let Some(row) = c.query_opt(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, c.description, {NOW} FROM contracts c {SUMMARY_JOINS} \
                 WHERE c.id = $1 AND c.client_id = $2"
            ),
            &[&id, &user],
        )?
        else {
            return Ok(None);
        };
        let (contract, description, now): (_, String, DateTime<Utc>) = (
            summary(&row),
            row.get(AFTER_SUMMARY),
            row.get(AFTER_SUMMARY + 1),
        );
        let received = c
            .query_opt(
                &format!("{RECEIVED_DETAILS} WHERE rf.contract_id = $1"),
                &[&id],
            )?
            .map(|r| {
                let response_text: Option<String> = r.get(4);
                let category: Option<String> = r.get(6);
                ReceivedFeedback {
                    id: r.get(0),
                    rating: r.get::<_, f64>(1) as f32,
                    comment: r.get(2),
                    created_at: r.get(3),
                    response: response_text.map(|text| FeedbackResponse {
                        text,
                        created_at: r.get(5),
                    }),
                    report: category
                        .as_deref()
                        .and_then(ReportCategory::parse)
                        .map(|category| Report {
                            category,
                            description: r.get(7),
                            evidence: serde_json::from_str(r.get(8)).unwrap_or_default(),
                            status: ReportStatus::parse(r.get(9))
                                .unwrap_or(ReportStatus::Submitted),
                            created_at: r.get(10),
                            history: Vec::new(),
                        }),
                    removed_at: r.get(11),
                }
            });
        let given = c
            .query_opt(
                &format!("{GIVEN_DETAILS} WHERE gf.contract_id = $1"),
                &[&id],
            )?
            .map(|r| {
                let status: Option<String> = r.get(4);
                GivenFeedback {
                    id: r.get(0),
                    rating: r.get::<_, f64>(1) as f32,
                    comment: r.get(2),
                    created_at: r.get(3),
                    removal_request: status.as_deref().and_then(RemovalStatus::parse).map(
                        |status| RemovalRequest {
                            status,
                            created_at: r.get(5),
                            history: Vec::new(),
                        },
                    ),
                    removed_at: r.get(6),
                }
            });
        let (mut received, mut given) = (received, given);
        attach_histories(&mut received, &mut given, |subject, id| {
            history(&mut c, subject, id)
        })?;
        Ok(Some(details(contract, description, received, given, now)))
    }

    fn work_history(
        &self,
        freelancer: FreelancerId,
        q: &WorkHistoryQuery,
    ) -> StoreResult<Option<WorkHistoryPage>> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        let Some(row) = c.query_opt(FREELANCER_NAME, &[&freelancer])? else {
            return Ok(None);
        };
        let total: i64 = c.query_one(&work_history_count(), &[&freelancer])?.get(0);
        let (limit, offset) = (i64::from(q.per_page), q.offset() as i64);
        let items = c
            .query(&work_history_page(), &[&freelancer, &limit, &offset])?
            .iter()
            .map(|r| WorkHistoryItem {
                title: r.get(0),
                ended_at: r.get(1),
                client_name: r.get(2),
                rating: r.get::<_, Option<f64>>(3).map(|x| x as f32),
                comment: r.get(4),
                response: r.get::<_, Option<String>>(5).map(|text| FeedbackResponse {
                    text,
                    created_at: r.get(6),
                }),
            })
            .collect();
        Ok(Some(WorkHistoryPage {
            freelancer_id: freelancer,
            freelancer_name: row.get(0),
            items,
            total: total as u64,
            page: q.page,
            per_page: q.per_page,
        }))
    }

    fn transaction(&self, body: TxBody) -> Result<(), TxFailure> {
        for attempt in 1..=MAX_ATTEMPTS {
            let mut conn = self.pool().get().map_err(StoreError::from)?;
            let Conn { client, statements } = &mut *conn;
            let mut tx = client.transaction()?;
            let outcome = match body(&mut PgTx(Sql {
                client: &mut tx,
                statements,
            })) {
                Ok(()) => tx.commit().map_err(|e| TxFailure::Store(e.into())),
                Err(e) => Err(e), // dropping `tx` rolls back
            };
            match outcome {
                Err(TxFailure::Store(e)) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                    tracing::warn!(attempt, error = %e, "transaction retried");
                    std::thread::sleep(Duration::from_millis(5 << attempt));
                }
                Err(TxFailure::Store(e)) if e.is_retryable() => {
                    tracing::error!(attempts = MAX_ATTEMPTS, error = %e, "transaction gave up");
                    return Err(TxFailure::Store(StoreError::Busy));
                }
                other => return other,
            }
        }
        unreachable!("the last attempt returns")
    }

    fn delete_expired_idempotency(&self, retention: Duration, batch: usize) -> StoreResult<usize> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        let micros = i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
        let deleted = c.execute(
            "DELETE FROM idempotency WHERE ctid IN (SELECT ctid FROM idempotency \
               WHERE created_at < now() - $1::bigint * interval '1 microsecond' LIMIT $2)",
            &[&micros, &(batch as i64)],
        )?;
        // Budgets untouched for an hour are full again: their rows carry nothing.
        c.execute(
            "DELETE FROM rate_limits WHERE tat < now() - interval '1 hour'",
            &[],
        )?;
        Ok(deleted as usize)
    }

    fn ping(&self) -> StoreResult<()> {
        // A balancer's probe wants a quick answer, not the pool's full connection timeout.
        self.pool()
            .get_timeout(Duration::from_secs(2))?
            .client
            .simple_query("SELECT 1")?;
        Ok(())
    }

    fn after_bulk_seed(&self) -> StoreResult<()> {
        // Fresh statistics and visibility map: plans and index-only scans as in steady state
        // (autovacuum would get there on its own, later).
        self.pool().get()?.client.batch_execute("VACUUM ANALYZE")?;
        Ok(())
    }

    fn take_shared_write(
        &self,
        caller: Caller,
        rate: Rate,
    ) -> Option<StoreResult<Result<(), Duration>>> {
        Some(self.take(caller, rate))
    }

    fn moderation_queue(
        &self,
        q: &QueueQuery,
        submitted_before: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<QueueRow>> {
        self.queue_rows(&queue_page(q, submitted_before))
    }

    fn moderation_item(
        &self,
        kind: ItemKind,
        contract: ContractId,
    ) -> StoreResult<Option<QueueRow>> {
        Ok(self.queue_rows(&queue_item(kind, contract))?.pop())
    }

    fn moderation_counts(&self, overdue_before: DateTime<Utc>) -> StoreResult<CountRows> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        let by_status = c
            .query(COUNT_BY_STATUS, &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let (by_category, overdue) = count_open(overdue_before);
        let open_by_category = c
            .query(&by_category.sql, &params(&by_category).refs())?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let open_overdue = c.query_one(&overdue.sql, &params(&overdue).refs())?.get(0);
        Ok(CountRows {
            by_status,
            open_by_category,
            open_overdue,
        })
    }

    fn moderator_by_token(&self, token: &str) -> StoreResult<Option<i64>> {
        let mut conn = self.pool().get()?;
        Ok(conn
            .sql()
            .query_opt("SELECT id FROM moderators WHERE token = $1", &[&token])?
            .map(|r| r.get(0)))
    }

    fn contract_by_seed_key(&self, key: &str) -> StoreResult<Option<i64>> {
        let mut conn = self.pool().get()?;
        Ok(conn
            .sql()
            .query_opt("SELECT id FROM contracts WHERE seed_key = $1", &[&key])?
            .map(|r| r.get(0)))
    }

    fn freelancer_by_name(&self, name: &str) -> StoreResult<Option<FreelancerId>> {
        let mut conn = self.pool().get()?;
        let row = conn
            .sql()
            .query_opt("SELECT id FROM freelancers WHERE name = $1", &[&name])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn lease_events(&self, limit: usize, lease: Duration) -> StoreResult<Vec<OutboxEvent>> {
        let mut conn = self.pool().get()?;
        // SKIP LOCKED: instances leasing at the same moment take different rows instead of
        // waiting for each other; the new `next_attempt_at` keeps them taken after commit.
        let rows = conn.sql().query(
            &format!(
                "UPDATE outbox SET attempts = attempts + 1, \
                   next_attempt_at = {NOW} + $1::bigint * interval '1 millisecond' \
                 WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL \
                   AND next_attempt_at <= now() \
                   AND created_at >= now() - $2::bigint * interval '1 millisecond' \
                   ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, type, data, created_at, attempts"
            ),
            &[&millis(lease), &millis(OUTBOX_RETRY_FOR), &(limit as i64)],
        )?;
        let mut events: Vec<_> = rows
            .iter()
            .map(|r| OutboxEvent {
                id: r.get(0),
                kind: r.get(1),
                data: r.get(2),
                created_at: r.get(3),
                attempts: r.get(4),
            })
            .collect();
        events.sort_by_key(|e| e.id);
        Ok(events)
    }

    fn finish_event(&self, id: i64, outcome: Result<(), (String, Duration)>) -> StoreResult<()> {
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        match outcome {
            Ok(()) => c.execute(
                &format!("UPDATE outbox SET delivered_at = {NOW}, last_error = NULL WHERE id = $1"),
                &[&id],
            )?,
            Err((error, retry_in)) => c.execute(
                &format!(
                    "UPDATE outbox SET last_error = $2, \
                     next_attempt_at = {NOW} + $3::bigint * interval '1 millisecond' WHERE id = $1"
                ),
                &[&id, &error, &millis(retry_in)],
            )?,
        };
        Ok(())
    }

    fn delete_old_events(&self, batch: usize) -> StoreResult<usize> {
        let mut conn = self.pool().get()?;
        let deleted = conn.sql().execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox \
               WHERE created_at < now() - $1::bigint * interval '1 millisecond' LIMIT $2)",
            &[&millis(OUTBOX_KEEP_FOR), &(batch as i64)],
        )?;
        Ok(deleted as usize)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl PgStore {
    /// GCRA on a row per caller, on the database's clock: one atomic statement, so every
    /// instance draws on the same budget.
    fn take(&self, caller: Caller, rate: Rate) -> StoreResult<Result<(), Duration>> {
        let key = match caller {
            Caller::User(id) => format!("user:{id}"),
            Caller::Addr(ip) => format!("addr:{ip}"),
        };
        let interval = (60_000_000 / i64::from(rate.per_minute.max(1))).max(1);
        let tolerance = interval * i64::from(rate.burst);
        let mut conn = self.pool().get()?;
        let mut c = conn.sql();
        // Every SET expression reads the row as it was; `taken` records this request's verdict.
        let row = c.query_one(
            "INSERT INTO rate_limits AS r (caller, tat, taken)
             VALUES ($1, statement_timestamp() + $2::bigint * interval '1 microsecond', true)
             ON CONFLICT (caller) DO UPDATE SET
                 taken = greatest(r.tat, statement_timestamp())
                         + ($2::bigint - $3::bigint) * interval '1 microsecond' <= statement_timestamp(),
                 tat = CASE
                     WHEN greatest(r.tat, statement_timestamp())
                          + ($2::bigint - $3::bigint) * interval '1 microsecond' <= statement_timestamp()
                     THEN greatest(r.tat, statement_timestamp()) + $2::bigint * interval '1 microsecond'
                     ELSE r.tat END
             RETURNING taken,
                 EXTRACT(EPOCH FROM tat + ($2::bigint - $3::bigint) * interval '1 microsecond'
                                    - statement_timestamp())::float8",
            &[&key, &interval, &tolerance],
        )?;
        let (taken, wait): (bool, f64) = (row.get(0), row.get(1));
        Ok(match taken {
            true => Ok(()),
            false => Err(Duration::from_secs_f64(wait.max(0.001))),
        })
    }
}

struct PgTx<'a, 'c>(Sql<'a, Transaction<'c>>);

impl PgTx<'_, '_> {
    /// `Some(ended_at)` when `contract` is `user`'s: the ownership check every write starts with.
    fn owned_contract_end(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<DateTime<Utc>>>> {
        Ok(self
            .0
            .query_opt(
                "SELECT ended_at FROM contracts WHERE id = $1 AND client_id = $2",
                &[&contract, &user],
            )?
            .map(|r| r.get(0)))
    }
}

impl WriteTx for PgTx<'_, '_> {
    fn now(&mut self) -> StoreResult<DateTime<Utc>> {
        db_now(&mut self.0)
    }

    fn claim_key(
        &mut self,
        user: i64,
        key: &str,
        request: &str,
        fresh_since: DateTime<Utc>,
    ) -> StoreResult<Option<StoredResult>> {
        // Inserting waits for a concurrent transaction holding the same key, then does nothing
        // if it committed: its result is read below and replayed.
        let claimed = self.0.execute(
            &format!(
                "INSERT INTO idempotency (user_id, key, request, status, response, created_at) \
                 VALUES ($1, $2, $3, 0, '', {NOW}) ON CONFLICT (user_id, key) DO NOTHING"
            ),
            &[&user, &key, &request],
        )?;
        if claimed == 1 {
            return Ok(None);
        }
        let row = self.0.query_one(
            "SELECT request, status, response, created_at FROM idempotency \
             WHERE user_id = $1 AND key = $2 FOR UPDATE",
            &[&user, &key],
        )?;
        let created_at: DateTime<Utc> = row.get(3);
        if created_at < fresh_since {
            // Expired but not swept yet: the key is free again.
            self.0.execute(
                &format!(
                    "UPDATE idempotency SET request = $3, status = 0, response = '', \
                     created_at = {NOW} WHERE user_id = $1 AND key = $2"
                ),
                &[&user, &key, &request],
            )?;
            return Ok(None);
        }
        Ok(Some(StoredResult {
            request: row.get(0),
            status: row.get::<_, i32>(1) as u16,
            response: row.get(2),
        }))
    }

    fn store_result(
        &mut self,
        user: i64,
        key: &str,
        stored: &StoredResult,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0.execute(
            "UPDATE idempotency SET request = $3, status = $4, response = $5, created_at = $6 \
             WHERE user_id = $1 AND key = $2",
            &[
                &user,
                &key,
                &stored.request,
                &i32::from(stored.status),
                &stored.response,
                &now,
            ],
        )?;
        Ok(())
    }

    fn received_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<ReceivedRow>>> {
        let Some(ended_at) = self.owned_contract_end(user, contract)? else {
            return Ok(None);
        };
        // Lock first, then look: after waiting for the lock this statement sees what the
        // transaction that held it committed (READ COMMITTED takes a new snapshot).
        let Some(locked) = self.0.query_opt(
            "SELECT id, comment IS NOT NULL FROM received_feedback WHERE contract_id = $1 FOR UPDATE",
            &[&contract],
        )?
        else {
            return Ok(Some(None));
        };
        let feedback_id: i64 = locked.get(0);
        let state = self.0.query_one(
            "SELECT EXISTS (SELECT 1 FROM responses WHERE feedback_id = $1), \
                    EXISTS (SELECT 1 FROM reports WHERE feedback_id = $1), \
                    (SELECT removed_at IS NOT NULL FROM received_feedback WHERE id = $1)",
            &[&feedback_id],
        )?;
        Ok(Some(Some(ReceivedRow {
            feedback_id,
            has_comment: locked.get(1),
            responded: state.get(0),
            reported: state.get(1),
            removed: state.get(2),
            ended_at,
        })))
    }

    fn given_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<GivenRow>>> {
        if self.owned_contract_end(user, contract)?.is_none() {
            return Ok(None);
        }
        let Some(locked) = self.0.query_opt(
            "SELECT id, author_id FROM given_feedback WHERE contract_id = $1 FOR UPDATE",
            &[&contract],
        )?
        else {
            return Ok(Some(None));
        };
        let feedback_id: i64 = locked.get(0);
        let requested = self.0.query_one(
            "SELECT EXISTS (SELECT 1 FROM removal_requests WHERE feedback_id = $1)",
            &[&feedback_id],
        )?;
        Ok(Some(Some(GivenRow {
            feedback_id,
            author_id: locked.get(1),
            removal_requested: requested.get(0),
        })))
    }

    fn insert_response(
        &mut self,
        feedback_id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO responses (feedback_id, text, created_at) VALUES ($1, $2, $3)",
            &[&feedback_id, &text, &to_stored_precision(at)],
        )?;
        Ok(())
    }

    fn insert_report(&mut self, feedback_id: i64, r: &Report) -> StoreResult<()> {
        let evidence = serde_json::to_string(&r.evidence).unwrap_or_else(|_| "[]".into());
        self.0.execute(
            "INSERT INTO reports (feedback_id, category, description, evidence, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &feedback_id,
                &r.category.as_str(),
                &r.description,
                &evidence,
                &r.status.as_str(),
                &to_stored_precision(r.created_at),
            ],
        )?;
        Ok(())
    }

    fn insert_removal(
        &mut self,
        feedback_id: i64,
        status: RemovalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO removal_requests (feedback_id, status, created_at) VALUES ($1, $2, $3)",
            &[&feedback_id, &status.as_str(), &to_stored_precision(at)],
        )?;
        Ok(())
    }

    fn insert_status_change(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        status: &str,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO status_changes (subject, feedback_id, status, reason, at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &subject.as_str(),
                &feedback_id,
                &status,
                &reason,
                &to_stored_precision(at),
            ],
        )?;
        Ok(())
    }

    fn status_history(
        &mut self,
        subject: Subject,
        feedback_id: i64,
    ) -> StoreResult<Vec<HistoryRow>> {
        history(&mut self.0, subject, feedback_id)
    }

    fn for_moderation(
        &mut self,
        subject: Subject,
        contract: ContractId,
    ) -> StoreResult<Option<ModerationRow>> {
        // Locked, then read: a concurrent moderator's change waits, and the lifecycle is
        // checked against what it committed.
        let sql = format!(
            "SELECT s.feedback_id, c.client_id, s.status FROM {st} s \
             JOIN {ft} f ON f.id = s.feedback_id JOIN contracts c ON c.id = f.contract_id \
             WHERE c.id = $1 FOR UPDATE OF s",
            st = subject.status_table(),
            ft = subject.feedback_table(),
        );
        Ok(self
            .0
            .query_opt(&sql, &[&contract])?
            .map(|r| ModerationRow {
                feedback_id: r.get(0),
                client_id: r.get(1),
                status: r.get(2),
            }))
    }

    fn set_status(&mut self, subject: Subject, feedback_id: i64, status: &str) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {} SET status = $2 WHERE feedback_id = $1",
            subject.status_table()
        );
        self.0.execute(&sql, &[&feedback_id, &status])?;
        Ok(())
    }

    fn mark_removed(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {} SET removed_at = $2 WHERE id = $1",
            subject.feedback_table()
        );
        self.0
            .execute(&sql, &[&feedback_id, &to_stored_precision(at)])?;
        Ok(())
    }

    fn enqueue_event(&mut self, kind: &str, data: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let at = to_stored_precision(at);
        self.0.execute(
            "INSERT INTO outbox (type, data, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)",
            &[&kind, &data, &at],
        )?;
        Ok(())
    }

    fn reminder_candidates(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ReminderCandidate>> {
        Ok(self
            .0
            .query(REMINDER_CANDIDATES, &[&from, &to])?
            .iter()
            .map(|r| ReminderCandidate {
                contract_id: r.get(0),
                client_id: r.get(1),
                feedback_id: r.get(2),
                ended_at: r.get(3),
            })
            .collect())
    }

    fn claim_reminder(
        &mut self,
        feedback_id: i64,
        days_before: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // A concurrent claim of the same reminder waits here, then finds the row and skips.
        let inserted = self.0.execute(
            "INSERT INTO reminders (feedback_id, days_before, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[
                &feedback_id,
                &(days_before as i32),
                &to_stored_precision(at),
            ],
        )?;
        Ok(inserted == 1)
    }

    fn ensure_moderator(&mut self, name: &str, token: &str) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO moderators (name, token) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING",
            &[&name, &token],
        )?;
        Ok(())
    }

    fn lock_for_seeding(&mut self) -> StoreResult<()> {
        self.0
            .execute("SELECT pg_advisory_xact_lock($1)", &[&SEED_LOCK])?;
        Ok(())
    }

    fn ensure_user(&mut self, name: &str, token: &str) -> StoreResult<i64> {
        self.0.execute(
            "INSERT INTO users (name, token) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING",
            &[&name, &token],
        )?;
        Ok(self
            .0
            .query_one("SELECT id FROM users WHERE token = $1", &[&token])?
            .get(0))
    }

    fn is_seeded(&mut self, seed_key: &str) -> StoreResult<bool> {
        Ok(self
            .0
            .query_opt("SELECT 1 FROM contracts WHERE seed_key = $1", &[&seed_key])?
            .is_some())
    }

    fn count_contracts(&mut self, client: i64) -> StoreResult<i64> {
        Ok(self
            .0
            .query_one(
                "SELECT COUNT(*) FROM contracts WHERE client_id = $1",
                &[&client],
            )?
            .get(0))
    }

    fn insert_contract(&mut self, c: &NewContract) -> StoreResult<i64> {
        let ended_at = c.ended_at.map(to_stored_precision);
        self.0.execute(ENSURE_FREELANCER, &[&c.freelancer_name])?;
        Ok(self
            .0
            .query_one(
                &format!("INSERT INTO contracts (client_id, title, freelancer_name, description, \
                   started_at, ended_at, sort_end, title_key, search_text, seed_key, freelancer_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, COALESCE($6::timestamptz, {ACTIVE_SORT_END}), \
                   $7, $8, $9, {FREELANCER_BY_NAME}) \
                 RETURNING id"),
                &[
                    &c.client_id,
                    &c.title,
                    &c.freelancer_name,
                    &c.description,
                    &to_stored_precision(c.started_at),
                    &ended_at,
                    &title_key(c.title),
                    &search_text(c.title, c.freelancer_name),
                    &c.seed_key,
                ],
            )?
            .get(0))
    }

    fn insert_received(
        &mut self,
        contract: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(self
            .0
            .query_one(
                "INSERT INTO received_feedback (contract_id, rating, comment, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[
                    &contract,
                    &f64::from(rating),
                    &comment,
                    &to_stored_precision(at),
                ],
            )?
            .get(0))
    }

    fn insert_given(
        &mut self,
        contract: i64,
        author: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(self
            .0
            .query_one(
                "INSERT INTO given_feedback (contract_id, author_id, rating, comment, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    &contract,
                    &author,
                    &f64::from(rating),
                    &comment,
                    &to_stored_precision(at),
                ],
            )?
            .get(0))
    }
}
