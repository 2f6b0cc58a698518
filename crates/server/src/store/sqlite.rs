//! The store on one SQLite file (`db.rs` holds the queries): the zero-setup default, for one
//! process. Every write runs on the single writer connection inside `BEGIN IMMEDIATE`, which
//! serializes writes — the exactly-once guarantee needs nothing more.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use feedback_domain::{
    ContractDetails, ContractId, ContractPage, HistoryQuery, RemovalStatus, Report,
};
use rusqlite::{params, OptionalExtension, Transaction};

use super::{
    expiry_cutoff, Failure, GivenRow, NewContract, ReceivedRow, Store, StoreResult, StoredResult,
    TxBody, WriteTx,
};
use crate::db::{self, Db};
use crate::limits::{Caller, Rate};

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

    fn transaction(&self, body: TxBody) -> Result<(), Failure> {
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
