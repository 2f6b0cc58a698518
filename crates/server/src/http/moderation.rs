//! The moderator API: the queue of what waits, one item, the dashboard's counts, and moving a
//! report or a removal request through its lifecycle with a reason. It has its own tokens (the
//! `moderators` table; a client's token is not accepted, nor a moderator's on the client API).
//! A request a browser page sends (it carries `Origin`) is refused unless that origin is the
//! moderation console's (`--moderation-origin`; none by default), so the widget's origins can
//! never use it; its routes have their own CORS layer, which offers only those origins.

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::Json;
use feedback_domain::{
    field, validate_moderation_reason, ItemKind, ModerationCounts, NewRemovalStatus,
    NewReportStatus, Problem, ProblemKind, QueueItem, QueuePage, QueueQuery,
};

use super::error::ApiError;
use super::extract::{bearer_token, contract_id, pairs, query_pairs, ApiJson};
use super::state::{blocking, AppState};
use crate::app::moderation::{self as decisions, ModerationOutcome, NextStatus};
use crate::app::queue;

/// A moderator, from `Authorization: Bearer <moderator token>`, on a request no browser sent
/// or one from the moderation console's origin.
pub struct Moderator;

impl FromRequestParts<AppState> for Moderator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(origin) = parts.headers.get(ORIGIN) {
            let console = state.moderation_origins.iter();
            if !console.clone().any(|o| o.as_bytes() == origin.as_bytes()) {
                return Err(ApiError::new(
                    ProblemKind::Forbidden,
                    "The moderation API answers server-side tools and the moderation console's \
                     own origin only; requests from other web pages are refused.",
                ));
            }
        }
        let token = bearer_token(&parts.headers).map(str::to_string);
        let store = state.store.clone();
        let found = match token {
            Some(t) => blocking(move || Ok(store.moderator_by_token(&t)?)).await?,
            None => None,
        };
        found.map(|_| Moderator).ok_or_else(|| {
            ApiError::new(
                ProblemKind::Unauthorized,
                "The request had no valid moderator token.",
            )
        })
    }
}

/// What both handlers do once the body is read: check the id and the reason, then change.
async fn moderate(
    state: AppState,
    id: &str,
    next: NextStatus,
    reason: &str,
) -> Result<Json<ModerationOutcome>, ApiError> {
    let id = contract_id(id)?;
    let reason = validate_moderation_reason(reason)
        .map(str::to_string)
        .map_err(|e| ApiError::field_code(field::REASON, e.to_string(), e.code()))?;
    blocking(move || Ok(decisions::decide(&*state.store, id, &next, &reason)?))
        .await
        .map(Json)
}

/// Move a report on: `submitted → under_review → removed | kept`. `removed` removes the feedback.
#[utoipa::path(
    post, path = "/api/v1/moderation/contracts/{id}/report/status", tag = "moderation",
    params(("id" = i64, Path, description = "Contract id")),
    request_body = NewReportStatus,
    responses(
        (status = 200, body = ModerationOutcome),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent by a web page other than the moderation console", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contract, or its feedback was not reported", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lifecycle does not allow that change", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("moderator" = []))
)]
pub async fn report_status(
    State(state): State<AppState>,
    _: Moderator,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewReportStatus>,
) -> Result<Json<ModerationOutcome>, ApiError> {
    moderate(state, &id, NextStatus::Report(body.status), &body.reason).await
}

/// Decide a removal request: `requested → removed | declined`. `removed` removes the feedback.
#[utoipa::path(
    post, path = "/api/v1/moderation/contracts/{id}/removal-request/status", tag = "moderation",
    params(("id" = i64, Path, description = "Contract id")),
    request_body = NewRemovalStatus,
    responses(
        (status = 200, body = ModerationOutcome),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent by a web page other than the moderation console", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contract, or no removal was requested", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lifecycle does not allow that change", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("moderator" = []))
)]
pub async fn removal_status(
    State(state): State<AppState>,
    _: Moderator,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewRemovalStatus>,
) -> Result<Json<ModerationOutcome>, ApiError> {
    moderate(state, &id, NextStatus::Removal(body.status), &body.reason).await
}

/// The queue: open reports and removal requests, oldest first, a page at a time.
#[utoipa::path(
    get, path = "/api/v1/moderation/queue", tag = "moderation",
    params(
        ("kind" = Option<String>, Query, description = "report or removal; both by default (a category implies report)"),
        ("status" = Option<String>, Query, description = "one status of the kind's lifecycle; the open ones (submitted, under_review, requested) by default"),
        ("category" = Option<String>, Query, description = "a report category: manipulation, inappropriate, irrelevant, conflict_of_interest or fraud"),
        ("older_than" = Option<u32>, Query, description = "only items submitted at least this many days ago, 0 to 3650"),
        ("cursor" = Option<String>, Query, description = "the previous page's next_cursor"),
        ("limit" = Option<u32>, Query, description = "1 to 100, default 20"),
    ),
    responses(
        (status = 200, body = QueuePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent by a web page other than the moderation console", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("moderator" = []))
)]
pub async fn queue(
    State(state): State<AppState>,
    _: Moderator,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueuePage>, ApiError> {
    let q = QueueQuery::parse_strict(pairs(&query_pairs(raw)))?;
    blocking(move || Ok(queue::page(&*state.store, &q, queue::now())?))
        .await
        .map(Json)
}

/// One report or removal request, whatever its status.
#[utoipa::path(
    get, path = "/api/v1/moderation/items/{kind}/{id}", tag = "moderation",
    params(
        ("kind" = String, Path, description = "report or removal"),
        ("id" = i64, Path, description = "Contract id"),
    ),
    responses(
        (status = 200, body = QueueItem),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent by a web page other than the moderation console", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report or removal request", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("moderator" = []))
)]
pub async fn item(
    State(state): State<AppState>,
    _: Moderator,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<QueueItem>, ApiError> {
    let kind =
        ItemKind::parse(&kind).ok_or_else(|| ApiError::field("kind", "report or removal"))?;
    let id = contract_id(&id)?;
    let found = blocking(move || Ok(queue::one(&*state.store, kind, id, queue::now())?)).await?;
    found.map(Json).ok_or_else(|| {
        ApiError::new(
            ProblemKind::NotFound,
            match kind {
                ItemKind::Report => "This contract's feedback has not been reported.",
                ItemKind::Removal => "No removal was requested on this contract.",
            },
        )
    })
}

/// The dashboard line: items by status, open reports by category, open items past the
/// review target.
#[utoipa::path(
    get, path = "/api/v1/moderation/counts", tag = "moderation",
    responses(
        (status = 200, body = ModerationCounts),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Sent by a web page other than the moderation console", body = Problem, content_type = "application/problem+json"),
    ),
    security(("moderator" = []))
)]
pub async fn counts(
    State(state): State<AppState>,
    _: Moderator,
) -> Result<Json<ModerationCounts>, ApiError> {
    blocking(move || Ok(queue::counts(&*state.store, queue::now())?))
        .await
        .map(Json)
}
