//! Every failure the API returns, as an RFC 9457 `application/problem+json` document: the use
//! cases' refusals and the store's failures are mapped to problems here, and only here.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use feedback_domain::{Problem, ProblemKind, RemovalBlocked};

use crate::app::{AppError, Refusal};
use crate::storage::StoreError;

#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self(Box::new(kind.problem(detail)))
    }

    /// A 422 with one message for one request field (code `invalid`).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::field_code(field, message, feedback_domain::FieldCode::new("invalid"))
    }

    /// A 422 with one message and its machine-readable code for one request field.
    pub fn field_code(
        field: &str,
        message: impl Into<String>,
        code: feedback_domain::FieldCode,
    ) -> Self {
        let message = message.into();
        let mut p = ProblemKind::Validation.problem(format!("{field}: {message}"));
        p.errors = BTreeMap::from([(field.to_string(), vec![message])]);
        p.error_codes = BTreeMap::from([(field.to_string(), vec![code])]);
        Self(Box::new(p))
    }

    pub fn not_found() -> Self {
        Self::new(
            ProblemKind::NotFound,
            "There is no such contract in your history.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if matches!(e, StoreError::Busy) {
            tracing::error!(error = %e, "transaction gave up");
            return Self::new(
                ProblemKind::Unavailable,
                "The database is busy; nothing was saved. Try again in a moment.",
            );
        }
        // The details stay in the server log; the client gets a plain message.
        tracing::error!(error = %e, "database error");
        Self::new(
            ProblemKind::Internal,
            "The request could not be completed. Nothing was saved; please try again.",
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Refused(r) => r.into(),
            AppError::Store(e) => e.into(),
        }
    }
}

/// Every refusal of a use case, as the problem the client gets: the one place that words them.
impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let no_feedback = "The freelancer has not left feedback on this contract.";
        match r {
            Refusal::NotYourContract => Self::not_found(),
            Refusal::NoFeedbackToAnswer => Self::new(ProblemKind::NoWrittenComment, no_feedback),
            Refusal::NoFeedbackToReport => Self::new(ProblemKind::NotFound, no_feedback),
            Refusal::Respond(b) => Self::new(b.problem_kind(), b.to_string()),
            Refusal::Report(b) => Self::new(ProblemKind::AlreadyReported, b.to_string()),
            Refusal::NoFeedbackGiven => Self::new(
                ProblemKind::NotFound,
                "You have not left feedback on this contract.",
            ),
            Refusal::Removal(b) => {
                let kind = match b {
                    RemovalBlocked::NotYourFeedback => ProblemKind::NotYourFeedback,
                    RemovalBlocked::AlreadyRequested => ProblemKind::RemovalAlreadyRequested,
                };
                Self::new(kind, b.to_string())
            }
            Refusal::KeyReused => Self::new(
                ProblemKind::IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different request; use a new key.",
            ),
            Refusal::NotReported => Self::new(
                ProblemKind::NotFound,
                "This contract's feedback has not been reported.",
            ),
            Refusal::NoRemovalRequested => Self::new(
                ProblemKind::NotFound,
                "No removal was requested on this contract.",
            ),
            Refusal::Transition(e, current) => {
                let mut p = ProblemKind::StatusTransition.problem(e.to_string());
                p.current = Some(current);
                Self(Box::new(p))
            }
            Refusal::UnknownStatus => Self::new(
                ProblemKind::Internal,
                "The stored status is not one this server knows.",
            ),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        tracing::error!(error = %e, "worker failed");
        Self::new(ProblemKind::Internal, "The request could not be completed.")
    }
}

/// A JSON body with its status: `application/json` for success, problem+json for errors.
pub fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let ct = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ct))],
        body,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&self.0).unwrap_or_default();
        let mut res = json_response(self.0.status, body);
        if self.0.status == 503 {
            // Every 503 says when to come back (the load shedder sets its own, longer value).
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if self.0.status == 401 {
            // RFC 9110 §11.6.1: a 401 names the scheme that would work.
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"contract-feedback\""),
            );
        }
        res
    }
}
