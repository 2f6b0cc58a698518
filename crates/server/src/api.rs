//! The HTTP handlers of `/api/v1`. Each one checks the caller, validates with the domain rules,
//! and does its work in one database call; writes decide on the server's clock inside the
//! write transaction.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use feedback_domain::{
    can_report, can_request_removal, can_respond, validate_evidence_links,
    validate_report_description, validate_response, ContractDetails, ContractId, ContractPage,
    FeedbackResponse, HistoryQuery, NewReport, NewResponse, Problem, ProblemKind, RemovalRequest,
    RemovalStatus, Report, ReportStatus, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LEN,
};
use rusqlite::Transaction;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::db::{self, Db, StoredResult};
use crate::error::{json_response, ApiError};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Bearer token → user id. Users only come from seeding, so this is loaded once at start.
    pub tokens: Arc<HashMap<String, i64>>,
}

/// The signed-in user, from `Authorization: Bearer <token>`.
pub struct AuthUser(pub i64);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token.and_then(|t| state.tokens.get(t)) {
            Some(id) => Ok(AuthUser(*id)),
            None => Err(ApiError::new(
                ProblemKind::Unauthorized,
                "Sign in to see your contracts: the request had no valid access token.",
            )),
        }
    }
}

/// JSON body whose every rejection is a problem document naming the field at fault.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        ProblemKind::PayloadTooLarge,
                        format!("Request bodies are limited to {} bytes.", crate::BODY_LIMIT),
                    )
                } else {
                    ApiError::new(ProblemKind::Validation, rejection.body_text())
                }
            })?;
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::Validation,
                "Send a JSON body with Content-Type: application/json.",
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    "body".to_string()
                } else {
                    path
                };
                let message = e.inner().to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                ApiError::field(&field, message)
            })
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await?
}

/// The contract history: one page, the total, and the server's clock.
#[utoipa::path(
    get, path = "/api/v1/contracts", tag = "contracts",
    params(
        ("q" = Option<String>, Query, description = "Matches title or freelancer name (case-insensitive substring), at most 200 characters"),
        ("status" = Option<String>, Query, description = "all (default), active or ended"),
        ("sort" = Option<String>, Query, description = "ended_desc (default), ended_asc, title_asc or title_desc"),
        ("page" = Option<u32>, Query, description = "1-based page, 1 to 10000"),
        ("per_page" = Option<u32>, Query, description = "1 to 100, default 20"),
    ),
    responses(
        (status = 200, body = ContractPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_contracts(
    State(state): State<AppState>,
    user: AuthUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<ContractPage>, ApiError> {
    let raw = raw.unwrap_or_default();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let query = HistoryQuery::parse_strict(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| ApiError::field(e.field, e.message))?;
    let page = blocking(move || {
        Ok(state
            .db
            .read(|c| db::list_contracts(c, user.0, &query, Utc::now()))?)
    })
    .await?;
    Ok(Json(page))
}

fn contract_id(raw: &str) -> Result<ContractId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// One contract with its feedback, response window and the server's clock.
#[utoipa::path(
    get, path = "/api/v1/contracts/{id}", tag = "contracts",
    params(("id" = i64, Path, description = "Contract id")),
    responses(
        (status = 200, body = ContractDetails),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contract, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn contract_details(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ContractDetails>, ApiError> {
    let id = contract_id(&id)?;
    let details = blocking(move || {
        Ok(state
            .db
            .read(|c| db::contract_details(c, user.0, id, Utc::now()))?)
    })
    .await?;
    details.map(Json).ok_or_else(ApiError::not_found)
}

fn idempotency_key(headers: &HeaderMap, required: bool) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return if required {
            Err(ApiError::new(
                ProblemKind::IdempotencyKeyMissing,
                "Send an Idempotency-Key header (for example a UUID) so a retried request can't post twice.",
            ))
        } else {
            Ok(None)
        };
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty()
        || key.len() > IDEMPOTENCY_KEY_MAX_LEN
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::new(
            ProblemKind::Validation,
            format!(
                "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LEN} visible ASCII characters."
            ),
        ));
    }
    Ok(Some(key.to_string()))
}

/// Runs a write once per Idempotency-Key: a repeat with the same request replays the stored
/// result; with a different request it is refused. The effect and the stored result commit
/// in the same transaction, so there is never one without the other.
fn write_once<T: Serialize>(
    db: &Db,
    user: i64,
    key: Option<String>,
    request: String,
    op: impl FnOnce(&Transaction) -> Result<T, ApiError>,
) -> Result<Response, ApiError> {
    db.write(|tx| {
        if let Some(key) = &key {
            if let Some(stored) = db::idempotent_result(tx, user, key)? {
                if stored.request != request {
                    return Err(ApiError::new(
                        ProblemKind::IdempotencyKeyReused,
                        "This Idempotency-Key was already used for a different request; use a new key.",
                    ));
                }
                let mut res = json_response(stored.status, stored.response);
                res.headers_mut()
                    .insert("idempotent-replayed", "true".parse().expect("static header"));
                return Ok(res);
            }
        }
        let value = op(tx)?;
        let body = serde_json::to_string(&value).expect("API types serialize");
        if let Some(key) = &key {
            let stored = StoredResult {
                request,
                status: 201,
                response: body.clone(),
            };
            db::store_idempotent_result(tx, user, key, &stored, Utc::now())?;
        }
        Ok(json_response(201, body))
    })
}

/// The feedback received on a contract of `user`'s, for a write: 404 if the contract is not
/// theirs, `missing` if the freelancer left no feedback.
fn received_feedback(
    tx: &Transaction,
    user: i64,
    id: ContractId,
    missing: ProblemKind,
) -> Result<db::ReceivedRow, ApiError> {
    db::received_for_write(tx, user, id)?
        .ok_or_else(ApiError::not_found)?
        .ok_or_else(|| {
            ApiError::new(
                missing,
                "The freelancer has not left feedback on this contract.",
            )
        })
}

/// Post the one public response to the freelancer's written feedback.
#[utoipa::path(
    post, path = "/api/v1/contracts/{id}/feedback/response", tag = "feedback",
    params(
        ("id" = i64, Path, description = "Contract id"),
        ("Idempotency-Key" = String, Header, description = "Required. A retry with the same key and body replays the first result"),
    ),
    request_body = NewResponse,
    responses(
        (status = 201, body = FeedbackResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already responded, or the response window is not open", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Text breaks the rules, no written comment, or Idempotency-Key missing or reused", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn post_response(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewResponse>,
) -> Result<Response, ApiError> {
    let id = contract_id(&id)?;
    let key = idempotency_key(&headers, true)?;
    let text = validate_response(&body.text)
        .map_err(|e| ApiError::field("text", e.to_string()))?
        .to_string();
    let request = format!(
        "response {id} {}",
        serde_json::to_string(&body.text).unwrap_or_default()
    );
    blocking(move || {
        write_once(&state.db, user.0, key, request, |tx| {
            let now = Utc::now();
            let row = received_feedback(tx, user.0, id, ProblemKind::NoWrittenComment)?;
            can_respond(row.has_comment, row.responded, row.ended_at, now)
                .map_err(|b| ApiError::new(b.problem_kind(), b.to_string()))?;
            db::insert_response(tx, row.feedback_id, &text, now)?;
            Ok(FeedbackResponse {
                text,
                created_at: now,
            })
        })
    })
    .await
}

/// Report the freelancer's feedback as breaking the terms. Once per feedback.
#[utoipa::path(
    post, path = "/api/v1/contracts/{id}/feedback/report", tag = "feedback",
    params(
        ("id" = i64, Path, description = "Contract id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; makes a retry safe"),
    ),
    request_body = NewReport,
    responses(
        (status = 201, body = Report),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already reported", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn post_report(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewReport>,
) -> Result<Response, ApiError> {
    let id = contract_id(&id)?;
    let key = idempotency_key(&headers, false)?;
    let description = validate_report_description(&body.description)
        .map_err(|e| ApiError::field("description", e.to_string()))?
        .to_string();
    let evidence = validate_evidence_links(&body.evidence)
        .map_err(|e| ApiError::field("evidence", e.to_string()))?;
    let request = format!(
        "report {id} {}",
        serde_json::to_string(&body).unwrap_or_default()
    );
    blocking(move || {
        write_once(&state.db, user.0, key, request, |tx| {
            let now = Utc::now();
            let row = received_feedback(tx, user.0, id, ProblemKind::NotFound)?;
            can_report(row.reported)
                .map_err(|b| ApiError::new(ProblemKind::AlreadyReported, b.to_string()))?;
            let status = ReportStatus::Submitted;
            db::insert_report(
                tx,
                row.feedback_id,
                body.category,
                &description,
                &evidence,
                status,
                now,
            )?;
            Ok(Report {
                category: body.category,
                description,
                evidence,
                status,
                created_at: now,
            })
        })
    })
    .await
}

/// Ask for feedback the client posted to be removed (it can't be edited). Once.
#[utoipa::path(
    post, path = "/api/v1/contracts/{id}/given-feedback/removal-request", tag = "feedback",
    params(
        ("id" = i64, Path, description = "Contract id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; makes a retry safe"),
    ),
    responses(
        (status = 201, body = RemovalRequest),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already requested", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn post_removal_request(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = contract_id(&id)?;
    let key = idempotency_key(&headers, false)?;
    let request = format!("removal {id}");
    blocking(move || {
        write_once(&state.db, user.0, key, request, |tx| {
            let now = Utc::now();
            let row = db::given_for_write(tx, user.0, id)?
                .ok_or_else(ApiError::not_found)?
                .ok_or_else(|| {
                    ApiError::new(
                        ProblemKind::NotFound,
                        "You have not left feedback on this contract.",
                    )
                })?;
            can_request_removal(row.author_id == user.0, row.removal_requested).map_err(|b| {
                let kind = match b {
                    feedback_domain::RemovalBlocked::NotYourFeedback => {
                        ProblemKind::NotYourFeedback
                    }
                    feedback_domain::RemovalBlocked::AlreadyRequested => {
                        ProblemKind::RemovalAlreadyRequested
                    }
                };
                ApiError::new(kind, b.to_string())
            })?;
            db::insert_removal(tx, row.feedback_id, RemovalStatus::Requested, now)?;
            Ok(RemovalRequest {
                status: RemovalStatus::Requested,
                created_at: now,
            })
        })
    })
    .await
}

/// Unknown `/api` paths get a problem document too, not the app's HTML.
pub async fn api_not_found() -> impl IntoResponse {
    ApiError::new(ProblemKind::NotFound, "There is no such API endpoint.")
}
