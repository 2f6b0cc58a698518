//! The client's API under `/api/v1/contracts`: the history, a contract's details, and the three
//! writes. Each handler reads the request, validates with the domain's rules, and hands the
//! work to a use case on the blocking pool.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use feedback_domain::{
    field, validate_evidence_links, validate_report_description, validate_response,
    ContractDetails, ContractPage, FeedbackResponse, HistoryQuery, NewRemovalRequest, NewReport,
    NewResponse, Problem, RemovalRequest, Report,
};

use super::error::{json_response, ApiError};
use super::extract::{
    contract_id, idempotency_key, pairs, query_pairs, ApiJson, AuthUser, OptionalApiJson,
};
use super::state::{blocking, AppState};
use crate::app::reports::ValidReport;
use crate::app::{removal, reports, responses, Written};

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
    let query = HistoryQuery::parse_strict(pairs(&query_pairs(raw)))?;
    let page = blocking(move || Ok(state.store.history_page(user.0, &query)?)).await?;
    Ok(Json(page))
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
    let details = blocking(move || Ok(state.store.contract_details(user.0, id)?)).await?;
    details.map(Json).ok_or_else(ApiError::not_found)
}

/// The HTTP response for a write: 201 with the new resource, or the stored result replayed.
fn written(w: Written) -> Response {
    match w {
        Written::Created(body) => json_response(201, body),
        Written::Replayed { status, body } => {
            let mut res = json_response(status, body);
            res.headers_mut().insert(
                "idempotent-replayed",
                "true".parse().expect("static header"),
            );
            res
        }
    }
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
        .map_err(|e| ApiError::field_code(field::TEXT, e.to_string(), e.code()))?
        .to_string();
    let request = format!(
        "response {id} {}",
        serde_json::to_string(&body.text).unwrap_or_default()
    );
    let w = state.write(user.0, id, key, request);
    blocking(move || Ok(responses::post(&*state.store, &w, &text).map(written)?)).await
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
        .map_err(|e| ApiError::field_code(field::DESCRIPTION, e.to_string(), e.code()))?
        .to_string();
    let evidence = validate_evidence_links(&body.evidence)
        .map_err(|e| ApiError::field_code(field::EVIDENCE, e.to_string(), e.code()))?;
    let request = format!(
        "report {id} {}",
        serde_json::to_string(&body).unwrap_or_default()
    );
    let w = state.write(user.0, id, key, request);
    let report = ValidReport {
        category: body.category,
        description,
        evidence,
    };
    blocking(move || Ok(reports::post(&*state.store, &w, &report).map(written)?)).await
}

/// Ask for feedback the client posted to be removed (it can't be edited). Once.
#[utoipa::path(
    post, path = "/api/v1/contracts/{id}/given-feedback/removal-request", tag = "feedback",
    params(
        ("id" = i64, Path, description = "Contract id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; makes a retry safe"),
    ),
    request_body(content = Option<NewRemovalRequest>, description = "Empty, or `{}`: there is nothing else to send"),
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
    OptionalApiJson(NewRemovalRequest {}): OptionalApiJson<NewRemovalRequest>,
) -> Result<Response, ApiError> {
    let id = contract_id(&id)?;
    let key = idempotency_key(&headers, false)?;
    let request = format!("removal {id}");
    let w = state.write(user.0, id, key, request);
    blocking(move || Ok(removal::request(&*state.store, &w).map(written)?)).await
}
