//! The typed client of the feedback API: base URL, bearer token, timeouts and aborts, retries
//! for reads, and one `ApiError` for every way a request can fail.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use feedback_domain::{
    ContractDetails, ContractId, ContractPage, FeedbackResponse, FreelancerId, HistoryQuery,
    ItemKind, ModerationCounts, NewRemovalRequest, NewReport, NewResponse, Problem, ProblemKind,
    QueueItem, QueuePage, QueueQuery, RemovalRequest, Report, WorkHistoryPage, WorkHistoryQuery,
    API_PREFIX, IDEMPOTENCY_KEY_HEADER,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use thiserror::Error;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

/// How long any request may take before it is abandoned.
pub const REQUEST_TIMEOUT_MS: u32 = 10_000;
/// Attempts for a GET that meets a network error, a 503 or a 429 (first try included).
pub const GET_ATTEMPTS: u32 = 3;
/// The longest `Retry-After` a GET waits out by itself; beyond it the person is told.
pub const MAX_AUTO_WAIT_SECS: u32 = 10;

/// Every way a call can fail, with text a person can act on.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ApiError {
    #[error("We couldn't reach the server. Check your connection and try again.")]
    Network,
    #[error("The server took too long to answer.")]
    Timeout,
    #[error("The request was cancelled.")]
    Aborted,
    #[error("You need to sign in again to see this.")]
    Unauthorized,
    #[error("We couldn't find that contract in your history.")]
    NotFound,
    /// 409: the state changed (already answered, already reported, window closed).
    #[error("{}", .0.detail)]
    Conflict(Problem),
    /// 422/413: the request was refused; `errors` maps fields to messages.
    #[error("{}", .0.detail)]
    Rejected(Problem),
    /// 429: this user sent too many requests; the server said how long to wait.
    #[error("Too many requests in a short time. Please wait {0} seconds, then try again.")]
    RateLimited(u32),
    #[error("Something went wrong on our side (error {0}).")]
    Server(u16),
    #[error("The server sent an answer we couldn't read.")]
    BadResponse,
}

impl ApiError {
    /// True when nothing reached the server or the server failed: the same request may be
    /// sent again (with the same Idempotency-Key).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Network | Self::Timeout | Self::Server(_) | Self::RateLimited(_)
        )
    }

    pub fn kind(&self) -> Option<ProblemKind> {
        match self {
            Self::Conflict(p) | Self::Rejected(p) => ProblemKind::from_type_uri(&p.type_),
            _ => None,
        }
    }

    /// A machine code for the host page: the API problem's slug (`already-responded`,
    /// `validation`, …) or what went wrong before an answer (`network`, `timeout`).
    pub fn code(&self) -> String {
        match self {
            Self::Network => "network".into(),
            Self::Timeout => "timeout".into(),
            Self::Aborted => "aborted".into(),
            Self::Unauthorized => ProblemKind::Unauthorized.slug().into(),
            Self::NotFound => ProblemKind::NotFound.slug().into(),
            Self::Conflict(p) | Self::Rejected(p) => p
                .type_
                .strip_prefix("/problems/")
                .unwrap_or(&p.type_)
                .to_string(),
            Self::RateLimited(_) => ProblemKind::TooManyRequests.slug().into(),
            Self::Server(503) => ProblemKind::Unavailable.slug().into(),
            Self::Server(_) => ProblemKind::Internal.slug().into(),
            Self::BadResponse => "bad-response".into(),
        }
    }
}

/// Aborts every request registered with it when the owning view goes away.
#[derive(Clone, Default)]
pub struct Aborter(Rc<RefCell<Vec<AbortController>>>);

impl Aborter {
    fn track(&self) -> Option<AbortController> {
        let c = AbortController::new().ok()?;
        self.0.borrow_mut().push(c.clone());
        Some(c)
    }

    pub fn abort_all(&self) {
        for c in self.0.borrow_mut().drain(..) {
            c.abort();
        }
    }
}

/// Where the access token comes from: fixed, or asked of the host before each request (so a
/// host can hand out short-lived tokens).
#[derive(Clone)]
pub enum TokenSource {
    None,
    Static(String),
    Provider(SendWrapper<js_sys::Function>),
}

impl TokenSource {
    pub fn provider(f: js_sys::Function) -> Self {
        Self::Provider(SendWrapper::new(f))
    }

    async fn current(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Static(t) => Some(t.clone()),
            Self::Provider(f) => {
                let v = f.call0(&wasm_bindgen::JsValue::NULL).ok()?;
                let v = match v.dyn_into::<js_sys::Promise>() {
                    Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok()?,
                    Err(v) => v,
                };
                v.as_string()
            }
        }
    }
}

#[derive(Clone)]
pub struct ApiClient {
    /// Prefix before `/api/v1`, e.g. "" (same origin) or "https://api.example.com".
    pub base: String,
    token: TokenSource,
    /// Ask the server whether a cached answer is still current (the public, cacheable work
    /// history: a response this person just posted shows at once, a 304 costs nothing).
    revalidate: bool,
}

impl ApiClient {
    pub fn new(base: impl Into<String>, token: Option<String>) -> Self {
        Self::with_token(base, token.map_or(TokenSource::None, TokenSource::Static))
    }

    pub fn with_token(base: impl Into<String>, token: TokenSource) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_string(),
            token,
            revalidate: false,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    async fn authorize(&self, b: RequestBuilder) -> RequestBuilder {
        match self.token.current().await {
            Some(t) => b.header("Authorization", &format!("Bearer {t}")),
            None => b,
        }
    }

    pub async fn contracts(
        &self,
        q: &HistoryQuery,
        ab: &Aborter,
    ) -> Result<ContractPage, ApiError> {
        self.get_json(&with_query("/contracts", &q.to_pairs()), ab)
            .await
    }

    /// A freelancer's public work history: asked without the token (a public read needs none,
    /// and a bearer header would make another origin's browser preflight it).
    pub async fn work_history(
        &self,
        id: FreelancerId,
        q: WorkHistoryQuery,
        ab: &Aborter,
    ) -> Result<WorkHistoryPage, ApiError> {
        let public = ApiClient {
            revalidate: true,
            ..ApiClient::with_token(self.base.clone(), TokenSource::None)
        };
        let path = with_query(&format!("/freelancers/{id}/work-history"), &q.to_pairs());
        public.get_json(&path, ab).await
    }

    pub async fn contract(
        &self,
        id: ContractId,
        ab: &Aborter,
    ) -> Result<ContractDetails, ApiError> {
        self.get_json(&format!("/contracts/{id}"), ab).await
    }

    pub async fn respond(
        &self,
        id: ContractId,
        body: &NewResponse,
        key: &str,
        ab: &Aborter,
    ) -> Result<FeedbackResponse, ApiError> {
        self.post_json(&format!("/contracts/{id}/feedback/response"), body, key, ab)
            .await
    }

    pub async fn report(
        &self,
        id: ContractId,
        report: &NewReport,
        key: &str,
        ab: &Aborter,
    ) -> Result<Report, ApiError> {
        self.post_json(&format!("/contracts/{id}/feedback/report"), report, key, ab)
            .await
    }

    pub async fn request_removal(
        &self,
        id: ContractId,
        body: &NewRemovalRequest,
        key: &str,
        ab: &Aborter,
    ) -> Result<RemovalRequest, ApiError> {
        self.post_json(
            &format!("/contracts/{id}/given-feedback/removal-request"),
            body,
            key,
            ab,
        )
        .await
    }

    /// The moderation console's calls (a moderator's token; see `crate::moderation`).
    pub async fn moderation_queue(
        &self,
        q: &QueueQuery,
        ab: &Aborter,
    ) -> Result<QueuePage, ApiError> {
        self.get_json(&with_query("/moderation/queue", &q.to_pairs()), ab)
            .await
    }

    pub async fn moderation_item(
        &self,
        kind: ItemKind,
        id: ContractId,
        ab: &Aborter,
    ) -> Result<QueueItem, ApiError> {
        self.get_json(&format!("/moderation/items/{}/{id}", kind.as_str()), ab)
            .await
    }

    pub async fn moderation_counts(&self, ab: &Aborter) -> Result<ModerationCounts, ApiError> {
        self.get_json("/moderation/counts", ab).await
    }

    /// A decision: `status` with the `reason` the client will read.
    pub async fn decide(
        &self,
        kind: ItemKind,
        id: ContractId,
        status: &str,
        reason: &str,
        ab: &Aborter,
    ) -> Result<(), ApiError> {
        let what = match kind {
            ItemKind::Report => "report",
            ItemKind::Removal => "removal-request",
        };
        #[derive(serde::Serialize)]
        struct Decision<'a> {
            status: &'a str,
            reason: &'a str,
        }
        let body = crate::json::to_string(&Decision { status, reason });
        let body = body.ok_or(ApiError::BadResponse)?;
        // The moderator API ignores the key; a decision sent twice meets the lifecycle (409).
        let key = new_idempotency_key();
        self.post_text(
            &format!("/moderation/contracts/{id}/{what}/status"),
            body,
            &key,
            ab,
        )
        .await
        .map(|_| ())
    }

    /// GET with retries (network errors, 503 and 429 only): exponential backoff, or the
    /// server's `Retry-After` when it gave one (up to [`MAX_AUTO_WAIT_SECS`]).
    async fn get_json<T: DeserializeOwned>(&self, path: &str, ab: &Aborter) -> Result<T, ApiError> {
        let body = self.get_text(path, ab).await?;
        crate::json::from_str(&body).ok_or(ApiError::BadResponse)
    }

    /// The GET behind [`Self::get_json`], the same code for every type: only parsing the
    /// answer is per type (each copy of an async request would be its own state machine in the
    /// wasm).
    async fn get_text(&self, path: &str, ab: &Aborter) -> Result<String, ApiError> {
        // The first attempt may already be under way (index.html started it).
        let mut prefetched = self.take_prefetched(&self.url(path)).await;
        let mut delay = 300;
        for attempt in 1..=GET_ATTEMPTS {
            let sent = match prefetched.take() {
                Some(r) => Ok(r),
                None => {
                    let mut req = Request::get(&self.url(path));
                    if self.revalidate {
                        req = req.cache(web_sys::RequestCache::NoCache);
                    }
                    let req = self.authorize(req).await;
                    send(req, None, ab).await
                }
            };
            let retry = attempt < GET_ATTEMPTS;
            let wait = match sent {
                // Nothing arrived, or the server said "try later": wait, then ask again.
                Err(ApiError::Network) if retry => delay,
                Ok(r) if matches!(r.status(), 429 | 503) && retry => match retry_after(&r) {
                    Some(secs) if secs > MAX_AUTO_WAIT_SECS => return body(r).await,
                    Some(secs) => secs * 1000,
                    None => delay,
                },
                other => return body(other?).await,
            };
            gloo_timers::future::TimeoutFuture::new(wait).await;
            delay *= 3;
        }
        unreachable!("the last attempt returns")
    }

    /// The response to the request index.html started before the wasm arrived, if it was for
    /// `url` with this client's token (taken once; a failed one is simply asked again).
    async fn take_prefetched(&self, url: &str) -> Option<Response> {
        let window = web_sys::window()?;
        let key = wasm_bindgen::JsValue::from_str("__fwPrefetch");
        let started = js_sys::Reflect::get(&window, &key).ok()?;
        if started.is_undefined() {
            return None;
        }
        let _ = js_sys::Reflect::delete_property(&window, &key);
        let field = |k: &str| js_sys::Reflect::get(&started, &k.into()).ok();
        let same_url = field("url")?.as_string()? == url;
        let same_token = field("token")?.as_string() == self.token.current().await;
        if !(same_url && same_token) {
            return None;
        }
        let promise: js_sys::Promise = field("response")?.dyn_into().ok()?;
        let raw = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        Some(Response::from(raw.dyn_into::<web_sys::Response>().ok()?))
    }

    /// POST once: never retried silently, the caller decides (reusing `key`).
    async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        key: &str,
        ab: &Aborter,
    ) -> Result<T, ApiError> {
        let json = crate::json::to_string(body).ok_or(ApiError::BadResponse)?;
        let body = self.post_text(path, json, key, ab).await?;
        crate::json::from_str(&body).ok_or(ApiError::BadResponse)
    }

    /// The POST behind [`Self::post_json`], one copy for every type (see [`Self::get_text`]).
    async fn post_text(
        &self,
        path: &str,
        json: String,
        key: &str,
        ab: &Aborter,
    ) -> Result<String, ApiError> {
        let req = self
            .authorize(Request::post(&self.url(path)))
            .await
            .header(IDEMPOTENCY_KEY_HEADER, key)
            .header("Content-Type", "application/json");
        body(send(req, Some(json), ab).await?).await
    }
}

/// `k=v&k=v` with values percent-encoded: the API's query and the app's own URLs.
/// `path`, with `?` and the query when there is one (no bare `?` for an empty query).
pub(crate) fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    match query_string(pairs) {
        q if q.is_empty() => path.to_string(),
        q => format!("{path}?{q}"),
    }
}

fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                js_sys::encode_uri_component(v)
                    .as_string()
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Sends with a timeout; the request is aborted on timeout or when `ab` aborts.
async fn send(
    req: RequestBuilder,
    body: Option<String>,
    ab: &Aborter,
) -> Result<Response, ApiError> {
    let controller = ab.track();
    let signal = controller.as_ref().map(|c| c.signal());
    let req = req.abort_signal(signal.as_ref());
    let timed_out = Rc::new(Cell::new(false));
    let _timer = controller.clone().map(|c| {
        let timed_out = timed_out.clone();
        gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || {
            timed_out.set(true);
            c.abort();
        })
    });
    let req = match body {
        Some(b) => req.body(b),
        None => req.build(),
    }
    .map_err(|_| ApiError::BadResponse)?;
    match req.send().await {
        Ok(r) => Ok(r),
        Err(_) if timed_out.get() => Err(ApiError::Timeout),
        Err(_) if signal.as_ref().is_some_and(|s| s.aborted()) => Err(ApiError::Aborted),
        Err(_) => Err(ApiError::Network),
    }
}

/// The `Retry-After` seconds of a response (the delta form; the API never sends a date).
fn retry_after(r: &Response) -> Option<u32> {
    r.headers().get("retry-after")?.trim().parse().ok()
}

/// The body of a successful answer, or the `ApiError` its status and problem+json say.
async fn body(r: Response) -> Result<String, ApiError> {
    let status = r.status();
    if status == 429 {
        return Err(ApiError::RateLimited(retry_after(&r).unwrap_or(1).max(1)));
    }
    let body = r.text().await.map_err(|_| ApiError::BadResponse)?;
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let problem = crate::json::from_str::<Problem>(&body);
    Err(match (status, problem) {
        (401, _) => ApiError::Unauthorized,
        (404, _) => ApiError::NotFound,
        (409, Some(p)) => ApiError::Conflict(p),
        (413 | 422, Some(p)) => ApiError::Rejected(p),
        (s, _) => ApiError::Server(s),
    })
}

/// A fresh idempotency key: a random UUID v4 from the browser's crypto. `randomUUID` exists
/// only in secure contexts (https, localhost); on plain http (a LAN address) the same UUID is
/// made from `getRandomValues`, which every context has.
pub fn new_idempotency_key() -> String {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    let has_random_uuid = crypto.as_ref().is_some_and(|c| {
        js_sys::Reflect::get(c, &"randomUUID".into()).is_ok_and(|f| f.is_function())
    });
    match crypto {
        Some(c) if has_random_uuid => c.random_uuid(),
        Some(c) => {
            let mut bytes = [0u8; 16];
            match c.get_random_values_with_u8_array(&mut bytes) {
                Ok(_) => uuid_v4(bytes),
                Err(_) => uuid_v4(math_random_bytes()),
            }
        }
        None => uuid_v4(math_random_bytes()),
    }
}

fn math_random_bytes() -> [u8; 16] {
    std::array::from_fn(|_| (js_sys::Math::random() * 256.0) as u8)
}

/// RFC 9562 version 4 layout: 16 random bytes with the version and variant bits set.
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
