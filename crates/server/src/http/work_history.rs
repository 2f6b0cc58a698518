//! `GET /api/v1/freelancers/{id}/work-history`: the one public read. No token; any origin may
//! read it (CORS `*`, GET only, no credentials); cached by browsers and CDNs for a minute and
//! revalidated by `ETag`; counted per address by a limiter of its own. Everything else keeps
//! the allowlist and the bearer token.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use feedback_domain::{FreelancerId, ProblemKind, WorkHistoryPage, WorkHistoryQuery};
use sha2::{Digest, Sha256};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::ApiError;
use super::extract::{pairs, path_id, query_pairs};
use super::limits::{retry_later, Limiter};
use super::state::{blocking, AppState};
use crate::storage::{Caller, Rate};

pub const PATH: &str = "/api/v1/freelancers/{id}/work-history";

/// A minute: a response posted now shows within a minute of a cached read, and on the next
/// uncached one at once. Long enough for a CDN to absorb a popular profile's traffic.
pub const CACHE_CONTROL: &str = "public, max-age=60";

/// The public router: its own CORS (any origin), cache headers and rate limit.
pub fn router(rate: Rate) -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        .allow_headers([header::IF_NONE_MATCH])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    Router::new()
        .route(PATH, get(work_history))
        .method_not_allowed_fallback(super::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(Limiter::new(rate)),
            public_rate_limit,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        ))
        .layer(cors)
}

/// Anonymous reads, counted per client address (behind a balancer, limit there too: every
/// request comes from its address).
async fn public_rate_limit(
    State(limiter): State<Arc<Limiter>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let addr = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    match limiter.check(Caller::Addr(addr), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => retry_later(
            ProblemKind::TooManyRequests,
            "Too many requests in a short time. Wait a moment, then try again.".into(),
            wait,
        ),
    }
}

/// A freelancer's work history: public, newest first, paged like the contract history.
#[utoipa::path(
    get, path = "/api/v1/freelancers/{id}/work-history", tag = "public",
    params(
        ("id" = i64, Path, description = "Freelancer id (`freelancer_id` of a contract)"),
        ("page" = Option<u32>, Query, description = "1-based page, 1 to 10000"),
        ("per_page" = Option<u32>, Query, description = "1 to 100, default 10"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 if nothing changed"),
    ),
    responses(
        (status = 200, body = WorkHistoryPage, description = "Cache-Control: public, max-age=60; ETag"),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 404, description = "No such freelancer", body = feedback_domain::Problem, content_type = "application/problem+json"),
        (status = 422, body = feedback_domain::Problem, content_type = "application/problem+json"),
        (status = 429, body = feedback_domain::Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
pub async fn work_history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id: FreelancerId = path_id(&id, "freelancer")?;
    let query = WorkHistoryQuery::parse_strict(pairs(&query_pairs(raw)))?;
    let page = blocking(move || Ok(state.store.work_history(id, &query)?))
        .await?
        .ok_or_else(|| ApiError::new(ProblemKind::NotFound, "There is no such freelancer."))?;
    let body = serde_json::to_string(&page).expect("API types serialize");
    let etag = etag(&body);
    let mut res = if matches(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        super::error::json_response(200, body)
    };
    res.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("ascii etag"),
    );
    Ok(res)
}

/// A weak validator of the JSON (weak: the same JSON is sent compressed or not).
fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// `If-None-Match` names this ETag, or is `*` (weak comparison, RFC 9110 §13.1.2).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_in_a_list() {
        let tag = etag("{}");
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(matches(&with(&tag), &tag));
        assert!(matches(
            &with(&format!("\"x\", {}", tag.trim_start_matches("W/"))),
            &tag
        ));
        assert!(matches(&with("*"), &tag));
        assert!(!matches(&with("W/\"other\""), &tag));
        assert!(!matches(&HeaderMap::new(), &tag));
        assert_ne!(etag("{}"), etag("{ }"));
    }
}
