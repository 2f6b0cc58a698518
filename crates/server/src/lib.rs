//! The reference API server. `main.rs` parses the command line; this wires the layers and
//! runs them. The layers import one way: `http` → `app` (use cases) → `storage` →
//! `feedback_domain` (docs/architecture.md says why).

pub mod app;
pub mod http;
pub mod storage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::seed;
pub use app::seed::Seed;
use app::webhooks;
use http::state::AppState;
use http::{limits, serve};

/// Largest accepted request body: derived in the domain crate from the text limits and the
/// worst-case JSON encoding of a character.
pub const BODY_LIMIT: usize = feedback_domain::MAX_REQUEST_BODY_BYTES;

pub struct Config {
    pub addr: SocketAddr,
    pub db: storage::DbUrl,
    /// `None`: the backend's default (demo data on SQLite, nothing on PostgreSQL).
    pub seed: Option<Seed>,
    pub static_dir: Option<PathBuf>,
    pub cors_origins: Vec<String>,
    /// `--moderation-origin`: the moderation console's origins, the only browser pages the
    /// moderator API answers (none by default: server-side tools only).
    pub moderation_origins: Vec<String>,
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
    pub read_rate: storage::Rate,
    /// Per caller: POST requests.
    pub write_rate: storage::Rate,
    /// Per address: the public work history (no token, so no user to count).
    pub public_read_rate: storage::Rate,
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
            read_rate: storage::Rate {
                per_minute: 600,
                burst: 120,
            },
            write_rate: storage::Rate {
                per_minute: 60,
                burst: 20,
            },
            public_read_rate: storage::Rate {
                per_minute: 300,
                burst: 60,
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
        (None, storage::DbUrl::Sqlite(_)) => &Seed::Demo,
        (None, storage::DbUrl::Postgres(_)) => &Seed::Skip,
    };
    let store = storage::open(&config.db)?;
    seed::load(&*store, seed)?;
    Ok(AppState {
        store,
        tokens: Arc::new(http::tokens::TokenCache::default()),
        idempotency_retention: config.limits.idempotency_retention,
        body_timeout: config.limits.body_timeout,
        moderation_origins: config.moderation_origins.clone().into(),
    })
}

/// Rows one sweep transaction deletes at most.
const SWEEP_BATCH: usize = 1000;

/// Deletes expired idempotency records and old outbox events now and then, in small batches
/// (short transactions: a sweep never holds the writer for long).
fn sweep(store: Arc<dyn storage::Store>, retention: Duration) {
    let every = (retention / 2).clamp(Duration::from_millis(100), Duration::from_secs(600));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let store = store.clone();
            let swept = tokio::task::spawn_blocking(move || {
                let batches = |delete: &dyn Fn() -> storage::StoreResult<usize>| loop {
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
    let (reported, answered) = tokio::task::spawn_blocking(move || {
        let find = |key| store.contract_by_seed_key(key).ok().flatten();
        let freelancer = store
            .freelancer_by_name(seed::ANSWERED_FREELANCER)
            .ok()
            .flatten();
        (find(seed::REPORTED_DEMO), freelancer)
    })
    .await?;
    sweep(state.store.clone(), config.limits.idempotency_retention);
    if let Some(webhook) = &config.webhook {
        webhooks::start(state.store.clone(), webhook.clone());
    }
    let app = http::router(state, &config)?;
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
    if let Some(id) = answered {
        let _ = writeln!(
            out,
            "  work history (public, no token): http://{addr}/api/v1/freelancers/{id}/work-history \
             ({}, with a demo response; in the app: /freelancers/{id})",
            seed::ANSWERED_FREELANCER
        );
    }
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
