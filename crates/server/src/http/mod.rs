//! HTTP: the router, its middleware (limits, CORS, compression, request ids), the extractors,
//! the handlers, the mapping of every failure to a problem document, the OpenAPI document and
//! the static app. Handlers call the use cases (`crate::app`) and the store's reads; nothing
//! below this module knows axum.

pub mod contracts;
pub mod error;
pub mod extract;
mod fixtures;
pub mod limits;
pub mod moderation;
pub mod openapi;
pub mod serve;
pub mod state;
mod static_files;
pub mod tokens;
pub mod work_history;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use feedback_domain::ProblemKind;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{Config, BODY_LIMIT};
use error::ApiError;
use state::{blocking, AppState};

/// A route of the versioned API: path, method, handler. The router is built from these lists,
/// and the OpenAPI test reads them (`documented_routes`) to compare with the document.
type ApiRoute = (&'static str, Method, MethodRouter<AppState>);

fn client_routes() -> Vec<ApiRoute> {
    vec![
        (
            "/api/v1/contracts",
            Method::GET,
            get(contracts::list_contracts),
        ),
        (
            "/api/v1/contracts/{id}",
            Method::GET,
            get(contracts::contract_details),
        ),
        (
            "/api/v1/contracts/{id}/feedback/response",
            Method::POST,
            post(contracts::post_response),
        ),
        (
            "/api/v1/contracts/{id}/feedback/report",
            Method::POST,
            post(contracts::post_report),
        ),
        (
            "/api/v1/contracts/{id}/given-feedback/removal-request",
            Method::POST,
            post(contracts::post_removal_request),
        ),
    ]
}

fn moderation_routes() -> Vec<ApiRoute> {
    vec![
        (
            "/api/v1/moderation/queue",
            Method::GET,
            get(moderation::queue),
        ),
        (
            "/api/v1/moderation/items/{kind}/{id}",
            Method::GET,
            get(moderation::item),
        ),
        (
            "/api/v1/moderation/counts",
            Method::GET,
            get(moderation::counts),
        ),
        (
            "/api/v1/moderation/contracts/{id}/report/status",
            Method::POST,
            post(moderation::report_status),
        ),
        (
            "/api/v1/moderation/contracts/{id}/removal-request/status",
            Method::POST,
            post(moderation::removal_status),
        ),
    ]
}

fn with_routes(router: Router<AppState>, routes: Vec<ApiRoute>) -> Router<AppState> {
    routes
        .into_iter()
        .fold(router, |r, (path, _, handler)| r.route(path, handler))
}

/// Every `/api/v1` route the router serves, as (path, method): what OpenAPI must document.
pub fn documented_routes() -> Vec<(&'static str, Method)> {
    client_routes()
        .into_iter()
        .chain(moderation_routes())
        .map(|(path, method, _)| (path, method))
        .chain([(work_history::PATH, Method::GET)])
        .collect()
}

/// CORS for these origins only: GET and POST with a bearer token and a JSON body (so every
/// write is preflighted), and the headers a script may read.
fn cors_for(origins: &[String]) -> Result<CorsLayer, Box<dyn std::error::Error>> {
    let origins = origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // Scripts may read these: the widget waits out a 429/503 and tells a replay apart.
        .expose_headers([
            header::RETRY_AFTER,
            HeaderName::from_static("idempotent-replayed"),
            HeaderName::from_static(limits::REQUEST_ID),
        ])
        .max_age(std::time::Duration::from_secs(600)))
}

pub fn router(state: AppState, config: &Config) -> Result<Router, Box<dyn std::error::Error>> {
    let cors = cors_for(&config.cors_origins)?;
    let rates = Arc::new(limits::RateLimits {
        reads: limits::Limiter::new(config.limits.read_rate),
        writes: limits::Limiter::new(config.limits.write_rate),
    });

    let openapi_doc = openapi::document();
    let mut api = with_routes(Router::new(), client_routes())
        .route(
            "/api/openapi.json",
            get(move || std::future::ready(Json(openapi_doc.clone()))),
        )
        .route("/api/health", get(|| async { "ok" }));
    if config.test_fixtures {
        api = api.route("/api/test/contracts", post(fixtures::create_fixture));
    }
    // The moderator API: outside the widget's CORS layer; its own offers the moderation
    // console's origins only (none by default), rate limited like the rest.
    let moderation = with_routes(Router::new(), moderation_routes())
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), rates.clone()),
            limits::rate_limit,
        ))
        .layer(cors_for(&config.moderation_origins)?);
    let api = api
        .route("/api", axum::routing::any(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), rates),
            limits::rate_limit,
        ))
        .layer(cors)
        .merge(moderation)
        // Probes from a balancer are not rate limited (added after that layer).
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // The one public, cacheable read: its own CORS, Cache-Control and rate limit.
        .merge(work_history::router(config.limits.public_read_rate))
        // JSON compresses 4–5×: a page of contracts is 4.6 KB, 1 KB in gzip. Made per
        // response, so a fast level (brotli 11 is for the static files, compressed once at
        // build time). No cookies: a request is authorized by a header another site can't
        // make a browser send, so compressed sizes are no oracle for it (BREACH).
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(4)),
        )
        .with_state(state);

    let app = match &config.static_dir {
        Some(dir) => api.merge(static_files::router(dir, &config.frame_ancestors)?),
        // Without the app, every path is an API path: unknown ones get a problem document.
        None => api.fallback(api_not_found),
    };
    let in_flight = Arc::new(tokio::sync::Semaphore::new(config.limits.max_in_flight));
    // Every response names its request, so a report from a user can be matched to the log.
    let app = app.layer(axum::middleware::from_fn(limits::request_id));
    Ok(app
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            in_flight,
            limits::shed_load,
        ))
        .layer(axum::middleware::from_fn(limits::head_limits))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        )))
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
