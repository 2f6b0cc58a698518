//! Request-level limits, each answered with a problem document: the size of the request head
//! (`414`, `431`), requests in progress (`503` with `Retry-After`), and per-caller rates (`429`
//! with `Retry-After`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use feedback_domain::ProblemKind;
use tokio::sync::Semaphore;

use tracing::Instrument;

use super::error::ApiError;
use super::state::{in_request_span, AppState};
use crate::storage::{Caller, Rate};

/// Longest request target (path and query) in bytes. The longest legal one (a 200-character
/// search in 4-byte characters, percent-encoded, and the other parameters) is about 2.5 KB.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most bytes of header names and values together.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// `414`/`431` as problem documents for heads within what the HTTP layer buffers.
pub async fn head_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            ProblemKind::UriTooLong,
            format!("The request address is limited to {MAX_URI_BYTES} bytes."),
        )
        .into_response();
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return ApiError::new(
            ProblemKind::HeadersTooLarge,
            format!("Request headers are limited to {MAX_HEADER_BYTES} bytes in total."),
        )
        .into_response();
    }
    next.run(req).await
}

/// The request id header: taken from the request when it is a sane token (a balancer's id
/// carries through), else made here; always returned on the response.
pub const REQUEST_ID: &str = "x-request-id";

pub async fn request_id(mut req: Request, next: Next) -> Response {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string);
    let id = given.unwrap_or_else(|| {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        format!("{t:x}-{}-{n:x}", std::process::id())
    });
    let value = HeaderValue::from_str(&id).expect("ascii id");
    req.headers_mut().insert(REQUEST_ID, value.clone());
    // Everything logged while handling the request carries its id (see `in_request_span`).
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let probe = matches!(req.uri().path(), "/healthz" | "/readyz");
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let (status, ms) = (
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
    );
    span.in_scope(|| match probe {
        // A balancer asks every few seconds: only at debug level, or they'd drown the rest.
        true => tracing::debug!(status, ms, "answered"),
        false => tracing::info!(status, ms, "answered"),
    });
    res.headers_mut().insert(REQUEST_ID, value);
    res
}

/// A problem document with a `Retry-After` header (seconds, rounded up, at least 1).
pub fn retry_later(kind: ProblemKind, detail: String, after: Duration) -> Response {
    let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
    let mut res = ApiError::new(kind, detail).into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    res
}

/// Requests in progress at once; beyond it, `503` at once rather than a queue that grows.
pub async fn shed_load(State(slots): State<Arc<Semaphore>>, req: Request, next: Next) -> Response {
    match slots.try_acquire_owned() {
        Ok(_permit) => next.run(req).await,
        Err(_) => retry_later(
            ProblemKind::Unavailable,
            "The server is busy right now. Try again in a moment.".into(),
            Duration::from_secs(super::serve::RETRY_AFTER_SECS),
        ),
    }
}

/// A GCRA limiter (the token bucket as one timestamp per caller: the "theoretical arrival
/// time"). In memory, per process; see docs/architecture.md for several instances.
pub struct Limiter {
    pub rate: Rate,
    tat: Mutex<HashMap<Caller, Instant>>,
}

/// Callers tracked before the map is swept of those whose bucket is full again.
const SWEEP_AT: usize = 10_000;

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            tat: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` and counts the request, or `Err(wait)` without counting it.
    pub fn check(&self, caller: Caller, now: Instant) -> Result<(), Duration> {
        if self.rate.per_minute == 0 {
            return Ok(());
        }
        let interval = Duration::from_secs(60) / self.rate.per_minute;
        let tolerance = interval * self.rate.burst;
        let mut map = self.tat.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, tat| *tat > now);
        }
        let tat = map
            .get(&caller)
            .copied()
            .filter(|t| *t > now)
            .unwrap_or(now);
        let next = tat + interval;
        let ahead = next - now;
        if ahead > tolerance {
            return Err(ahead - tolerance);
        }
        map.insert(caller, next);
        Ok(())
    }
}

/// Writes counted where every instance sees them (the store's shared budget), if the store
/// keeps one; `None` means the in-process limiter decides (it also does if the database can't
/// be asked right now: a limit must not turn into an outage).
async fn shared_write_budget(
    state: &AppState,
    caller: Caller,
    rate: Rate,
) -> Option<Result<(), Duration>> {
    let store = state.store.clone();
    match in_request_span(move || store.take_shared_write(caller, rate)).await {
        Ok(Some(Ok(verdict))) => Some(verdict),
        Ok(Some(Err(e))) => {
            tracing::warn!(error = %e, "shared rate limit unavailable; using this instance's");
            None
        }
        _ => None,
    }
}

/// The read and the write limiter.
pub struct RateLimits {
    pub reads: Limiter,
    pub writes: Limiter,
}

/// Counts each API request against its caller's read or write rate; `429` when over.
pub async fn rate_limit(
    State((state, limits)): State<(AppState, Arc<RateLimits>)>,
    req: Request,
    next: Next,
) -> Response {
    // A token that can't be checked right now counts against the address.
    let caller = match state.user_for(req.headers()).await.ok().flatten() {
        Some(user) => Caller::User(user),
        None => Caller::Addr(
            req.extensions()
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ),
    };
    let (limiter, write) = match *req.method() {
        Method::GET | Method::HEAD => (&limits.reads, false),
        Method::OPTIONS => return next.run(req).await,
        _ => (&limits.writes, true),
    };
    let shared = match write && limiter.rate.per_minute > 0 {
        true => shared_write_budget(&state, caller, limiter.rate).await,
        false => None,
    };
    match shared.unwrap_or_else(|| limiter.check(caller, Instant::now())) {
        Ok(()) => next.run(req).await,
        Err(wait) => retry_later(
            ProblemKind::TooManyRequests,
            "Too many requests in a short time. Wait a moment, then try again.".into(),
            wait,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_one_request_per_interval() {
        let l = Limiter::new(Rate {
            per_minute: 60,
            burst: 3,
        });
        let t0 = Instant::now();
        let me = Caller::User(1);
        for _ in 0..3 {
            assert!(l.check(me, t0).is_ok());
        }
        let wait = l.check(me, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another caller has a bucket of its own.
        assert!(l.check(Caller::User(2), t0).is_ok());
        // After the wait, exactly one more.
        let t1 = t0 + wait;
        assert!(l.check(me, t1).is_ok());
        assert!(l.check(me, t1).is_err());
    }

    #[test]
    fn rates_parse_and_off_allows_everything() {
        assert_eq!(
            Rate::parse("120/min,30"),
            Ok(Rate {
                per_minute: 120,
                burst: 30
            })
        );
        assert_eq!(Rate::parse("60/min").unwrap().burst, 10);
        assert!(Rate::parse("0/min").is_err() && Rate::parse("60").is_err());
        let off = Limiter::new(Rate::parse("off").unwrap());
        let now = Instant::now();
        assert!((0..10_000).all(|_| off.check(Caller::User(1), now).is_ok()));
    }
}
