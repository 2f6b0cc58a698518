//! The HTTP handlers of `/api/v1`. Each one checks the caller, validates with the domain rules,
//! and does its work in one database call; writes decide on the server's clock inside the
//! write transaction.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use feedback_domain::{
    is_valid_idempotency_key, parse_contract_id, validate_evidence_links,
    validate_report_description, validate_response, ContractDetails, ContractId, ContractPage,
    FeedbackResponse, HistoryQuery, NewRemovalRequest, NewReport, NewResponse, Problem,
    ProblemKind, RemovalRequest, Report, IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LEN,
};
use serde::de::DeserializeOwned;

use crate::error::{json_response, ApiError};
use crate::store::{Store, ValidReport, WriteRequest, Written};
use crate::tokens::TokenCache;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Bearer token → user, looked up per request behind a short cache.
    pub tokens: Arc<TokenCache>,
    /// How long a stored idempotent result is replayed.
    pub idempotency_retention: Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
}

impl AppState {
    /// The user a request's `Authorization` header names (`None` without a known token).
    pub async fn user_for(&self, headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
        match bearer_token(headers) {
            Some(t) => self.tokens.user(&self.store, t).await,
            None => Ok(None),
        }
    }

    /// A write as the store sees it.
    fn write(
        &self,
        user: i64,
        contract: ContractId,
        key: Option<String>,
        request: String,
    ) -> WriteRequest {
        WriteRequest {
            user,
            contract,
            key,
            request,
            retention: self.idempotency_retention,
        }
    }
}

/// The token of `Authorization: Bearer <token>`. The scheme is case-insensitive (RFC 9110).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once([' ', '\t'])?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The signed-in user, from `Authorization: Bearer <token>`.
pub struct AuthUser(pub i64);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match state.user_for(&parts.headers).await? {
            Some(id) => Ok(AuthUser(id)),
            None => Err(ApiError::new(
                ProblemKind::Unauthorized,
                "Sign in to see your contracts: the request had no valid access token.",
            )),
        }
    }
}

/// JSON body whose every rejection is a problem document naming the field at fault. Exactly one
/// JSON object is accepted: not an array (serde would read one into a struct), not an object
/// followed by anything but whitespace.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = is_json(req.headers());
        let bytes = read_body(req, state).await?;
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::Validation,
                "Send a JSON body with Content-Type: application/json.",
            ));
        }
        parse_object(&bytes).map(ApiJson)
    }
}

/// An optional JSON body: empty means `T::default()`; anything else is read like [`ApiJson`].
pub struct OptionalApiJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = is_json(req.headers());
        let bytes = read_body(req, state).await?;
        if bytes.is_empty() {
            return Ok(Self(T::default()));
        }
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::Validation,
                "Send no body, or a JSON body with Content-Type: application/json.",
            ));
        }
        parse_object(&bytes).map(OptionalApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The whole body, within the size limit and the body timeout (a client that stalls mid-body
/// holds a connection for at most that long).
async fn read_body(req: Request, state: &AppState) -> Result<axum::body::Bytes, ApiError> {
    match tokio::time::timeout(state.body_timeout, collect_limited(req.into_body())).await {
        Err(_) => Err(ApiError::new(
            ProblemKind::RequestTimeout,
            "The request body did not arrive in time.",
        )),
        Ok(Err(BodyError::TooLarge)) => Err(ApiError::new(
            ProblemKind::PayloadTooLarge,
            format!("Request bodies are limited to {} bytes.", crate::BODY_LIMIT),
        )),
        Ok(Err(BodyError::Broken(message))) => Err(ApiError::new(ProblemKind::Validation, message)),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// How much of an oversized body is read and thrown away before the `413` is sent. A server
/// that answers while the client is still sending closes a socket with unread data, which
/// resets the connection: the client sees a broken pipe instead of the answer.
const DRAIN_LIMIT: usize = 2 << 20;

enum BodyError {
    TooLarge,
    Broken(String),
}

/// Up to `BODY_LIMIT` bytes; beyond it the rest is drained (up to `DRAIN_LIMIT`) and refused.
async fn collect_limited(mut body: axum::body::Body) -> Result<axum::body::Bytes, BodyError> {
    use http_body_util::BodyExt;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen += data.len();
        if seen <= crate::BODY_LIMIT {
            kept.extend_from_slice(&data);
        } else if seen > crate::BODY_LIMIT + DRAIN_LIMIT {
            break;
        }
    }
    match seen > crate::BODY_LIMIT {
        true => Err(BodyError::TooLarge),
        false => Ok(kept.into()),
    }
}

fn parse_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::field("body", "expected a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
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
    })?;
    de.end()
        .map_err(|_| ApiError::field("body", "nothing may follow the JSON object"))?;
    Ok(value)
}

pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    crate::limits::in_request_span(f).await?
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
    let page = blocking(move || Ok(state.store.history_page(user.0, &query)?)).await?;
    Ok(Json(page))
}

/// The `{id}` of a path: its canonical decimal spelling only (`01` and `+3` are refused rather
/// than reaching contract 3 by another path).
pub fn contract_id(raw: &str) -> Result<ContractId, ApiError> {
    parse_contract_id(raw)
        .ok_or_else(|| ApiError::field("id", "a contract id: decimal digits, no leading zero"))
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
    if !is_valid_idempotency_key(key) {
        return Err(ApiError::new(
            ProblemKind::Validation,
            format!(
                "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LEN} visible ASCII characters."
            ),
        ));
    }
    Ok(Some(key.to_string()))
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
        .map_err(|e| ApiError::field_code("text", e.to_string(), e.code()))?
        .to_string();
    let request = format!(
        "response {id} {}",
        serde_json::to_string(&body.text).unwrap_or_default()
    );
    let w = state.write(user.0, id, key, request);
    blocking(move || state.store.post_response(&w, &text).map(written)).await
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
        .map_err(|e| ApiError::field_code("description", e.to_string(), e.code()))?
        .to_string();
    let evidence = validate_evidence_links(&body.evidence)
        .map_err(|e| ApiError::field_code("evidence", e.to_string(), e.code()))?;
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
    blocking(move || state.store.post_report(&w, &report).map(written)).await
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
    blocking(move || state.store.request_removal(&w).map(written)).await
}

/// `/readyz`: 200 when the database answers, else 503 problem+json (take this instance out of
/// the balancer). `/healthz` only says the process is up.
pub async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    blocking(move || {
        state.store.ping().map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::new(ProblemKind::Unavailable, "The database is not reachable.")
        })
    })
    .await?;
    Ok("ready")
}

/// A known path with a method it does not take.
pub async fn method_not_allowed() -> impl IntoResponse {
    ApiError::new(
        ProblemKind::MethodNotAllowed,
        "This endpoint does not take that method; see the Allow header.",
    )
}

/// Unknown `/api` paths get a problem document too, not the app's HTML.
pub async fn api_not_found() -> impl IntoResponse {
    ApiError::new(ProblemKind::NotFound, "There is no such API endpoint.")
}
