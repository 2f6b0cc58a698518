//! The store on one SQLite file (`queries.rs` holds its queries): the zero-setup default, for
//! one process. Every write runs on the single writer connection inside `BEGIN IMMEDIATE`, which
//! serializes writes — the exactly-once guarantee needs nothing more.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use feedback_domain::{
    ContractDetails, ContractId, ContractPage, FreelancerId, HistoryQuery, ItemKind, QueueQuery,
    RemovalStatus, Report, WorkHistoryPage, WorkHistoryQuery,
};
use rusqlite::{params, OptionalExtension, Transaction};

mod queries;

use super::{
    expiry_cutoff, Caller, CountRows, GivenRow, HistoryRow, ModerationRow, NewContract,
    OutboxEvent, QueueRow, Rate, ReceivedRow, ReminderCandidate, Store, StoreResult, StoredResult,
    Subject, TxBody, TxFailure, WriteTx, OUTBOX_KEEP_FOR, OUTBOX_RETRY_FOR,
};
use crate::storage::sql::REMINDER_CANDIDATES;
use queries::{self as db, Db};

/// Shared SQL (`sql.rs`, PostgreSQL's `$N`) as SQLite reads it: `?N`, bound by number.
/// (SQLite takes `$N` too, but as a name numbered by where it first appears.)
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let before_digit = chars.peek().is_some_and(char::is_ascii_digit);
        out.push(if c == '$' && before_digit { '?' } else { c });
    }
    out
}

pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    pub fn open(path: &Path, readers: usize) -> StoreResult<Self> {
        Ok(Self {
            db: Db::open(path, readers)?,
        })
    }
}

impl Store for SqliteStore {
    fn user_by_token(&self, token: &str) -> StoreResult<Option<i64>> {
        Ok(self.db.read(|c| db::user_by_token(c, token))?.map(|u| u.id))
    }

    fn history_page(&self, user: i64, q: &HistoryQuery) -> StoreResult<ContractPage> {
        Ok(self
            .db
            .read(|c| db::list_contracts(c, user, q, db::now()))?)
    }

    fn contract_details(&self, user: i64, id: ContractId) -> StoreResult<Option<ContractDetails>> {
        Ok(self
            .db
            .read(|c| db::contract_details(c, user, id, db::now()))?)
    }

    fn work_history(
        &self,
        freelancer: FreelancerId,
        q: &WorkHistoryQuery,
    ) -> StoreResult<Option<WorkHistoryPage>> {
        Ok(self.db.read(|c| db::work_history(c, freelancer, q))?)
    }

    fn transaction(&self, body: TxBody) -> Result<(), TxFailure> {
        self.db.write(|tx| body(&mut SqliteTx(tx)))
    }

    fn delete_expired_idempotency(&self, retention: Duration, batch: usize) -> StoreResult<usize> {
        let cutoff = expiry_cutoff(db::now(), retention);
        Ok(self
            .db
            .write(|tx| db::delete_expired_idempotency(tx, cutoff, batch))?)
    }

    fn ping(&self) -> StoreResult<()> {
        self.db
            .read(|c| c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))?;
        Ok(())
    }

    fn take_shared_write(&self, _: Caller, _: Rate) -> Option<StoreResult<Result<(), Duration>>> {
        None
    }

    fn moderator_by_token(&self, token: &str) -> StoreResult<Option<i64>> {
        Ok(self.db.read(|c| {
            c.prepare_cached("SELECT id FROM moderators WHERE token = ?1")?
                .query_row([token], |r| r.get(0))
                .optional()
        })?)
    }

    fn moderation_queue(
        &self,
        q: &QueueQuery,
        submitted_before: Option<DateTime<Utc>>,
    ) -> StoreResult<Vec<QueueRow>> {
        Ok(self
            .db
            .read(|c| db::moderation_queue(c, q, submitted_before))?)
    }

    fn moderation_item(
        &self,
        kind: ItemKind,
        contract: ContractId,
    ) -> StoreResult<Option<QueueRow>> {
        Ok(self.db.read(|c| db::moderation_item(c, kind, contract))?)
    }

    fn moderation_counts(&self, overdue_before: DateTime<Utc>) -> StoreResult<CountRows> {
        Ok(self.db.read(|c| db::moderation_counts(c, overdue_before))?)
    }

    fn contract_by_seed_key(&self, key: &str) -> StoreResult<Option<i64>> {
        Ok(self.db.read(|c| {
            c.query_row("SELECT id FROM contracts WHERE seed_key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })?)
    }

    fn freelancer_by_name(&self, name: &str) -> StoreResult<Option<FreelancerId>> {
        Ok(self.db.read(|c| {
            c.query_row("SELECT id FROM freelancers WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
        })?)
    }

    fn lease_events(&self, limit: usize, lease: Duration) -> StoreResult<Vec<OutboxEvent>> {
        let now = db::now();
        let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
        let since = expiry_cutoff(now, OUTBOX_RETRY_FOR);
        Ok(self.db.write(|tx| {
            tx.prepare_cached(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?1 \
                 WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL \
                   AND next_attempt_at <= ?2 AND created_at >= ?3 ORDER BY id LIMIT ?4) \
                 RETURNING id, type, data, created_at, attempts",
            )?
            .query_map(
                params![
                    db::to_ms(until),
                    db::to_ms(now),
                    db::to_ms(since),
                    limit as i64
                ],
                |r| {
                    Ok(OutboxEvent {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        data: r.get(2)?,
                        created_at: db::from_ms(r.get(3)?),
                        attempts: r.get(4)?,
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()
        })?)
    }

    fn finish_event(&self, id: i64, outcome: Result<(), (String, Duration)>) -> StoreResult<()> {
        let now = db::now();
        self.db.write(|tx| match outcome {
            Ok(()) => tx.execute(
                "UPDATE outbox SET delivered_at = ?2, last_error = NULL WHERE id = ?1",
                params![id, db::to_ms(now)],
            ),
            Err((error, retry_in)) => tx.execute(
                "UPDATE outbox SET last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![
                    id,
                    error,
                    db::to_ms(now + chrono::Duration::from_std(retry_in).unwrap_or_default())
                ],
            ),
        })?;
        Ok(())
    }

    fn delete_old_events(&self, batch: usize) -> StoreResult<usize> {
        let cutoff = expiry_cutoff(db::now(), OUTBOX_KEEP_FOR);
        Ok(self.db.write(|tx| {
            tx.execute(
                "DELETE FROM outbox WHERE id IN \
                 (SELECT id FROM outbox WHERE created_at < ?1 LIMIT ?2)",
                params![db::to_ms(cutoff), batch as i64],
            )
        })?)
    }
}

struct SqliteTx<'a, 'c>(&'a Transaction<'c>);

impl WriteTx for SqliteTx<'_, '_> {
    fn now(&mut self) -> StoreResult<DateTime<Utc>> {
        Ok(db::now())
    }

    fn claim_key(
        &mut self,
        user: i64,
        key: &str,
        _request: &str,
        fresh_since: DateTime<Utc>,
    ) -> StoreResult<Option<StoredResult>> {
        // The writer connection is held for the whole transaction: nobody else can claim it.
        Ok(db::idempotent_result(self.0, user, key, fresh_since)?)
    }

    fn store_result(
        &mut self,
        user: i64,
        key: &str,
        stored: &StoredResult,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        Ok(db::store_idempotent_result(self.0, user, key, stored, now)?)
    }

    fn received_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<ReceivedRow>>> {
        Ok(db::received_for_write(self.0, user, contract)?)
    }

    fn given_for_write(
        &mut self,
        user: i64,
        contract: ContractId,
    ) -> StoreResult<Option<Option<GivenRow>>> {
        Ok(db::given_for_write(self.0, user, contract)?)
    }

    fn insert_response(
        &mut self,
        feedback_id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        Ok(db::insert_response(self.0, feedback_id, text, at)?)
    }

    fn insert_report(&mut self, feedback_id: i64, r: &Report) -> StoreResult<()> {
        Ok(db::insert_report(
            self.0,
            feedback_id,
            r.category,
            &r.description,
            &r.evidence,
            r.status,
            r.created_at,
        )?)
    }

    fn insert_removal(
        &mut self,
        feedback_id: i64,
        status: RemovalStatus,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        Ok(db::insert_removal(self.0, feedback_id, status, at)?)
    }

    fn insert_status_change(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        status: &str,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.0
            .prepare_cached(
                "INSERT INTO status_changes (subject, feedback_id, status, reason, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                subject.as_str(),
                feedback_id,
                status,
                reason,
                db::to_ms(at)
            ])?;
        Ok(())
    }

    fn status_history(
        &mut self,
        subject: Subject,
        feedback_id: i64,
    ) -> StoreResult<Vec<HistoryRow>> {
        Ok(db::history(self.0, subject, feedback_id)?)
    }

    fn for_moderation(
        &mut self,
        subject: Subject,
        contract: ContractId,
    ) -> StoreResult<Option<ModerationRow>> {
        // The writer is held for the whole transaction: the row can't change under us.
        let sql = format!(
            "SELECT s.feedback_id, c.client_id, s.status FROM {st} s \
             JOIN {ft} f ON f.id = s.feedback_id JOIN contracts c ON c.id = f.contract_id \
             WHERE c.id = ?1",
            st = subject.status_table(),
            ft = subject.feedback_table(),
        );
        Ok(self
            .0
            .prepare_cached(&sql)?
            .query_row([contract], |r| {
                Ok(ModerationRow {
                    feedback_id: r.get(0)?,
                    client_id: r.get(1)?,
                    status: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn set_status(&mut self, subject: Subject, feedback_id: i64, status: &str) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {} SET status = ?2 WHERE feedback_id = ?1",
            subject.status_table()
        );
        self.0
            .prepare_cached(&sql)?
            .execute(params![feedback_id, status])?;
        Ok(())
    }

    fn mark_removed(
        &mut self,
        subject: Subject,
        feedback_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {} SET removed_at = ?2 WHERE id = ?1",
            subject.feedback_table()
        );
        self.0
            .prepare_cached(&sql)?
            .execute(params![feedback_id, db::to_ms(at)])?;
        Ok(())
    }

    fn enqueue_event(&mut self, kind: &str, data: &str, at: DateTime<Utc>) -> StoreResult<()> {
        self.0
            .prepare_cached(
                "INSERT INTO outbox (type, data, created_at, next_attempt_at) \
                 VALUES (?1, ?2, ?3, ?3)",
            )?
            .execute(params![kind, data, db::to_ms(at)])?;
        Ok(())
    }

    fn reminder_candidates(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ReminderCandidate>> {
        Ok(self
            .0
            .prepare_cached(&numbered(REMINDER_CANDIDATES))?
            .query_map(params![db::to_ms(from), db::to_ms(to)], |r| {
                Ok(ReminderCandidate {
                    contract_id: r.get(0)?,
                    client_id: r.get(1)?,
                    feedback_id: r.get(2)?,
                    ended_at: db::from_ms(r.get(3)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?)
    }

    fn claim_reminder(
        &mut self,
        feedback_id: i64,
        days_before: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let inserted = self
            .0
            .prepare_cached(
                "INSERT INTO reminders (feedback_id, days_before, sent_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![feedback_id, days_before, db::to_ms(at)])?;
        Ok(inserted == 1)
    }

    fn ensure_moderator(&mut self, name: &str, token: &str) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO moderators (name, token) VALUES (?1, ?2) ON CONFLICT(token) DO NOTHING",
            params![name, token],
        )?;
        Ok(())
    }

    fn ensure_user(&mut self, name: &str, token: &str) -> StoreResult<i64> {
        self.0.execute(
            "INSERT INTO users (name, token) VALUES (?1, ?2) ON CONFLICT(token) DO NOTHING",
            params![name, token],
        )?;
        Ok(self
            .0
            .query_row("SELECT id FROM users WHERE token = ?1", [token], |r| {
                r.get(0)
            })?)
    }

    fn is_seeded(&mut self, seed_key: &str) -> StoreResult<bool> {
        Ok(self
            .0
            .query_row(
                "SELECT 1 FROM contracts WHERE seed_key = ?1",
                [seed_key],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some())
    }

    fn count_contracts(&mut self, client: i64) -> StoreResult<i64> {
        Ok(self.0.query_row(
            "SELECT COUNT(*) FROM contracts WHERE client_id = ?1",
            [client],
            |r| r.get(0),
        )?)
    }

    fn insert_contract(&mut self, c: &NewContract) -> StoreResult<i64> {
        Ok(db::insert_contract(self.0, c)?)
    }

    fn insert_received(
        &mut self,
        contract: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(db::insert_received(self.0, contract, rating, comment, at)?)
    }

    fn insert_given(
        &mut self,
        contract: i64,
        author: i64,
        rating: f32,
        comment: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        Ok(db::insert_given(
            self.0, contract, author, rating, comment, at,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn shared_placeholders_become_numbered_ones() {
        assert_eq!(
            numbered("a = $2 AND b = $1 AND c = $10 AND d = '$x'"),
            "a = ?2 AND b = ?1 AND c = ?10 AND d = '$x'"
        );
    }
}
