//! The reference API server. `main.rs` parses the command line; this builds and runs the app.

pub mod api;
pub mod db;
pub mod error;
pub mod limits;
pub mod moderation;
pub mod openapi;
pub mod seed;
pub mod serve;
mod static_files;
pub mod store;
pub mod tokens;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::api::AppState;

/// Largest accepted request body: derived in the domain crate from the text limits and the
/// worst-case JSON encoding of a character.
pub const BODY_LIMIT: usize = feedback_domain::MAX_REQUEST_BODY_BYTES;

pub enum Seed {
    /// Nothing at all (the default on PostgreSQL: a shared, long-lived database is not
    /// seeded by whichever instance happens to start).
    Skip,
    /// Only the demo users.
    None,
    Demo,
    Bulk(u32),
}

pub struct Config {
    pub addr: SocketAddr,
    pub db: store::DbUrl,
    /// `None`: the backend's default (demo data on SQLite, nothing on PostgreSQL).
    pub seed: Option<Seed>,
    pub static_dir: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    pub frame_ancestors: Vec<String>,
    pub test_fixtures: bool,
    pub limits: Limits,
    /// `--webhook-url`: deliver the outbox's events there (and write reminders).
    pub webhook: Option<webhooks::WebhookConfig>,
}

/// Every limit the server enforces, with defaults for a public deployment.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time to send a request's headers; also the idle keep-alive timeout.
    pub header_timeout: Duration,
    /// Time to send a request body once the headers are in.
    pub body_timeout: Duration,
    /// Open connections (lowered to fit `ulimit -n`).
    pub max_connections: usize,
    /// Requests being handled at once.
    pub max_in_flight: usize,
    /// Per caller: GET requests.
    pub read_rate: limits::Rate,
    /// Per caller: POST requests.
    pub write_rate: limits::Rate,
    /// How long an idempotent result is replayed (and then deleted).
    pub idempotency_retention: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 4096,
            max_in_flight: 512,
            read_rate: limits::Rate {
                per_minute: 600,
                burst: 120,
            },
            write_rate: limits::Rate {
                per_minute: 60,
                burst: 20,
            },
            idempotency_retention: Duration::from_secs(24 * 3600),
        }
    }
}

/// Dev origins allowed by default: `trunk serve` on its default port.
pub const DEFAULT_CORS_ORIGINS: &[&str] = &["http://127.0.0.1:8080", "http://localhost:8080"];

pub fn open_and_seed(config: &Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let seed = match (&config.seed, &config.db) {
        (Some(seed), _) => seed,
        (None, store::DbUrl::Sqlite(_)) => &Seed::Demo,
        (None, store::DbUrl::Postgres(_)) => &Seed::Skip,
    };
    let store = store::open(&config.db, seed)?;
    Ok(AppState {
        store,
        tokens: Arc::new(tokens::TokenCache::default()),
        idempotency_retention: config.limits.idempotency_retention,
        body_timeout: config.limits.body_timeout,
    })
}

pub fn router(state: AppState, config: &Config) -> Result<Router, Box<dyn std::error::Error>> {
    let origins = config
        .cors_origins
        .iter()
        .map(|o| HeaderValue::from_str(o))
        .collect::<Result<Vec<_>, _>>()?;
    let cors = CorsLayer::new()
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
        .max_age(std::time::Duration::from_secs(600));
    let rates = Arc::new(limits::RateLimits {
        reads: limits::Limiter::new(config.limits.read_rate),
        writes: limits::Limiter::new(config.limits.write_rate),
    });

    let openapi_doc = openapi::document();
    let mut api = Router::new()
        .route("/api/v1/contracts", get(api::list_contracts))
        .route("/api/v1/contracts/{id}", get(api::contract_details))
        .route(
            "/api/v1/contracts/{id}/feedback/response",
            post(api::post_response),
        )
        .route(
            "/api/v1/contracts/{id}/feedback/report",
            post(api::post_report),
        )
        .route(
            "/api/v1/contracts/{id}/given-feedback/removal-request",
            post(api::post_removal_request),
        )
        .route(
            "/api/openapi.json",
            get(move || std::future::ready(Json(openapi_doc.clone()))),
        )
        .route("/api/health", get(|| async { "ok" }));
    if config.test_fixtures {
        api = api.route("/api/test/contracts", post(seed::create_fixture));
    }
    // The moderator API: outside the CORS layer (no browser origin is ever allowed), rate
    // limited like the rest.
    let moderation = Router::new()
        .route(
            "/api/v1/moderation/contracts/{id}/report/status",
            post(moderation::report_status),
        )
        .route(
            "/api/v1/moderation/contracts/{id}/removal-request/status",
            post(moderation::removal_status),
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), rates.clone()),
            limits::rate_limit,
        ));
    let api = api
        .route("/api", axum::routing::any(api::api_not_found))
        .route("/api/{*rest}", axum::routing::any(api::api_not_found))
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), rates),
            limits::rate_limit,
        ))
        .layer(cors)
        .merge(moderation)
        // Probes from a balancer are not rate limited (added after that layer).
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(api::ready))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
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
        None => api.fallback(api::api_not_found),
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

/// Rows one sweep transaction deletes at most.
const SWEEP_BATCH: usize = 1000;

/// Deletes expired idempotency records and old outbox events now and then, in small batches
/// (short transactions: a sweep never holds the writer for long).
fn sweep(store: Arc<dyn store::Store>, retention: Duration) {
    let every = (retention / 2).clamp(Duration::from_millis(100), Duration::from_secs(600));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let store = store.clone();
            let swept = tokio::task::spawn_blocking(move || {
                let batches = |delete: &dyn Fn() -> store::StoreResult<usize>| loop {
                    match delete() {
                        Ok(SWEEP_BATCH) => continue, // maybe more
                        other => break other,
                    }
                };
                batches(&|| store.delete_expired_idempotency(retention, SWEEP_BATCH))
                    .and_then(|_| batches(&|| store.delete_old_events(SWEEP_BATCH)))
            })
            .await;
            if let Ok(Err(e)) = swept {
                tracing::error!(error = %e, "sweep failed");
            }
        }
    });
}

pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    // Opening blocks (migrations, seeding; the PostgreSQL client runs its own runtime).
    let (state, config) = tokio::task::spawn_blocking(move || {
        let state = open_and_seed(&config).map_err(|e| e.to_string());
        (state, config)
    })
    .await?;
    let state = state?;
    let store = state.store.clone();
    let reported = tokio::task::spawn_blocking(move || {
        store
            .contract_by_seed_key(seed::REPORTED_DEMO)
            .ok()
            .flatten()
    })
    .await?;
    sweep(state.store.clone(), config.limits.idempotency_retention);
    if let Some(webhook) = &config.webhook {
        webhooks::start(state.store.clone(), webhook.clone());
    }
    let app = router(state, &config)?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    // Tests and xtask read this first line to learn the port. Write errors are ignored: a
    // closed stdout (the reader went away) must not take the server down.
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "feedback-server listening on http://{addr}");
    let _ = writeln!(out, "  database: {}", config.db.display());
    for u in [&seed::ALICE, &seed::BOB, &seed::BULK] {
        let _ = writeln!(out, "  demo token: {} ({})", u.token, u.name);
    }
    let _ = writeln!(
        out,
        "  moderator token: {} (try: curl -X POST -H 'Authorization: Bearer {}' \
         -H 'Content-Type: application/json' -d '{{\"status\":\"under_review\",\"reason\":\"Looking into it.\"}}' \
         http://{addr}/api/v1/moderation/contracts/{}/report/status)",
        seed::MODERATOR.token,
        seed::MODERATOR.token,
        reported.map_or("<contract id>".to_string(), |id| id.to_string()),
    );
    if let Some(w) = &config.webhook {
        let _ = writeln!(out, "  webhooks: {}", w.url);
    }
    if config.static_dir.is_some() {
        let _ = writeln!(out, "  app: http://{addr}/contracts");
    }
    let _ = out.flush();
    let conn_limits = serve::ConnLimits {
        header_timeout: config.limits.header_timeout,
        max_connections: serve::fitting_connection_cap(config.limits.max_connections),
        max_head_bytes: limits::MAX_URI_BYTES + limits::MAX_HEADER_BYTES + 32 * 1024,
    };
    serve::serve(listener, app, conn_limits, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("install SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
