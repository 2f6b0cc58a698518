//! What every handler shares: the store, the token cache and the limits a request is held to.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;

use super::error::ApiError;
use super::extract::bearer_token;
use super::tokens::TokenCache;
use crate::app::WriteRequest;
use crate::storage::Store;
use feedback_domain::ContractId;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Bearer token → user, looked up per request behind a short cache.
    pub tokens: Arc<TokenCache>,
    /// How long a stored idempotent result is replayed.
    pub idempotency_retention: Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// The moderation console's origins (`--moderation-origin`).
    pub moderation_origins: Arc<[String]>,
}

impl AppState {
    /// The user a request's `Authorization` header names (`None` without a known token).
    pub async fn user_for(&self, headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
        match bearer_token(headers) {
            Some(t) => self.tokens.user(&self.store, t).await,
            None => Ok(None),
        }
    }

    /// A write as the use cases see it.
    pub fn write(
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

/// Runs blocking work (the store is synchronous) on tokio's blocking pool inside the current
/// request's span, so what it logs carries the request id.
pub async fn in_request_span<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f)).await
}

/// [`in_request_span`] for work that answers with an `ApiError`.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    in_request_span(f).await?
}
