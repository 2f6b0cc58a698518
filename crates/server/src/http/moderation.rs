//! The moderator API: moving a report or a removal request through its lifecycle, with a
//! reason. It has its own tokens (the `moderators` table; a client's token is not accepted,
//! nor a moderator's on the client API), and it is for server-side tools only: any request a
//! browser page sends (it carries `Origin`) is refused, so the widget's origins can never use
//! it, and its routes sit outside the CORS layer.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::ORIGIN;
use axum::http::request::Parts;
use axum::Json;
use feedback_domain::{
    field, validate_moderation_reason, NewRemovalStatus, NewReportStatus, Problem, ProblemKind,
};

use super::error::ApiError;
use super::extract::{bearer_token, contract_id, ApiJson};
use super::state::{blocking, AppState};
use crate::app::moderation::{self as decisions, ModerationOutcome, NextStatus};

/// A moderator, from `Authorization: Bearer <moderator token>`, on a request no browser sent.
pub struct Moderator;

impl FromRequestParts<AppState> for Moderator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(ORIGIN) {
            return Err(ApiError::new(
                ProblemKind::Forbidden,
                "The moderation API is for server-side tools; requests from web pages are refused.",
            ));
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
        (status = 403, description = "Sent by a web page", body = Problem, content_type = "application/problem+json"),
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
        (status = 403, description = "Sent by a web page", body = Problem, content_type = "application/problem+json"),
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
