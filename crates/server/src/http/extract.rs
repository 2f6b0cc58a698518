//! What a request carries, read strictly: the bearer token, the JSON body (one object, within
//! the size limit and the body timeout), path ids and the Idempotency-Key. Every rejection is
//! a problem document naming what was wrong.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use feedback_domain::{
    field, is_valid_idempotency_key, parse_contract_id, ContractId, ProblemKind,
    IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LEN,
};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::state::AppState;

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
        return Err(ApiError::field(field::BODY, "expected a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            field::BODY.to_string()
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
        .map_err(|_| ApiError::field(field::BODY, "nothing may follow the JSON object"))?;
    Ok(value)
}

/// The `{id}` of a path: its canonical decimal spelling only (`01` and `+3` are refused rather
/// than reaching contract 3 by another path). `what` names it in the refusal.
/// A raw query string's `(name, value)` pairs, decoded.
pub fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// [`query_pairs`] as the domain's parsers take them.
pub fn pairs(p: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    p.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

impl From<feedback_domain::QueryError> for ApiError {
    fn from(e: feedback_domain::QueryError) -> Self {
        ApiError::field(e.field, e.message)
    }
}

pub fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    parse_contract_id(raw).ok_or_else(|| {
        ApiError::field(
            field::ID,
            format!("a {what} id: decimal digits, no leading zero"),
        )
    })
}

pub fn contract_id(raw: &str) -> Result<ContractId, ApiError> {
    path_id(raw, "contract")
}

pub fn idempotency_key(headers: &HeaderMap, required: bool) -> Result<Option<String>, ApiError> {
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
