//! The idempotent write: a POST runs once per Idempotency-Key. A repeat with the same request
//! replays the stored result; with a different request it is refused. The effect and the
//! stored result commit in the same transaction, so there is never one without the other.

use std::time::Duration;

use chrono::{DateTime, Utc};
use feedback_domain::ContractId;

use super::{in_transaction, AppResult, Refusal};
use crate::storage::{expiry_cutoff, Store, StoredResult, WriteTx};

/// One POST as a use case sees it: who, which contract, the idempotency key and the request in
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

/// The status a created resource is stored (and replayed) with.
const CREATED: u16 = 201;

/// Runs `op` (the effect, given the transaction and its clock; it returns the JSON to send)
/// once for `w`'s key.
pub fn write_once(
    store: &dyn Store,
    w: &WriteRequest,
    mut op: impl FnMut(&mut dyn WriteTx, DateTime<Utc>) -> AppResult<String>,
) -> AppResult<Written> {
    in_transaction(store, |tx| {
        let now = tx.now()?;
        if let Some(key) = &w.key {
            let fresh_since = expiry_cutoff(now, w.retention);
            if let Some(stored) = tx.claim_key(w.user, key, &w.request, fresh_since)? {
                if stored.request != w.request {
                    return Err(Refusal::KeyReused.into());
                }
                return Ok(Written::Replayed {
                    status: stored.status,
                    body: stored.response,
                });
            }
        }
        let body = op(tx, now)?;
        if let Some(key) = &w.key {
            let stored = StoredResult {
                request: w.request.clone(),
                status: CREATED,
                response: body.clone(),
            };
            tx.store_result(w.user, key, &stored, now)?;
        }
        Ok(Written::Created(body))
    })
}
