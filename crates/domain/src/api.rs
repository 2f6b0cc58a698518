//! The JSON API's types, shared by the app (client) and the reference server.
//! Field names are the wire format: change them only with a new API version.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{RemovalStatus, ReportCategory, ReportStatus};

pub type ContractId = i64;

/// The Trusted Types policy the widget renders through; a page that enforces Trusted Types
/// allows it with `trusted-types contract-feedback` (the reference server's own CSP does).
pub const TRUSTED_TYPES_POLICY: &str = "contract-feedback";

/// Path prefix of every endpoint.
pub const API_PREFIX: &str = "/api/v1";
/// Header that makes a POST safe to retry: the same key and body replay the first result.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Longest accepted idempotency key.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 100;

/// An acceptable idempotency key: 1 to [`IDEMPOTENCY_KEY_MAX_LEN`] visible ASCII characters.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (1..=IDEMPOTENCY_KEY_MAX_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The same rule as a regular expression, for the OpenAPI document.
pub fn idempotency_key_pattern() -> String {
    format!("^[!-~]{{1,{IDEMPOTENCY_KEY_MAX_LEN}}}$")
}

/// Most bytes one counted character can take in a JSON body: an astral character (one scalar
/// value) written as two `\uXXXX` escapes of a surrogate pair.
pub const JSON_BYTES_PER_CHAR_MAX: usize = 12;
/// Room for field names, quotes, commas, a category name and formatting whitespace.
pub const JSON_ENVELOPE_BYTES: usize = 1024;

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Largest request body the API accepts: the largest legal body (a report with the longest
/// description and the most, longest evidence links, every character in its worst JSON
/// encoding), plus the envelope. Derived, so it follows the text limits.
pub const MAX_REQUEST_BODY_BYTES: usize = JSON_ENVELOPE_BYTES
    + JSON_BYTES_PER_CHAR_MAX
        * max(
            crate::RESPONSE_MAX_CHARS,
            crate::REPORT_DESCRIPTION_MAX_CHARS
                + crate::REPORT_EVIDENCE_MAX_LINKS * crate::EVIDENCE_LINK_MAX_CHARS,
        );

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Active,
    Ended,
}

/// What the freelancer's feedback on a contract looks like, in brief (for the history list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackSummary {
    pub rating: f32,
    pub has_comment: bool,
    pub responded: bool,
    pub report_status: Option<ReportStatus>,
}

/// One row of the contract history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractSummary {
    pub id: ContractId,
    pub title: String,
    /// Where the freelancer's public work history is (`/api/v1/freelancers/{id}/work-history`).
    pub freelancer_id: crate::FreelancerId,
    pub freelancer_name: String,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub started_at: DateTime<Utc>,
    /// `None` while the contract is active.
    #[serde(default, deserialize_with = "crate::time::rfc3339_opt")]
    pub ended_at: Option<DateTime<Utc>>,
    pub status: ContractStatus,
    /// The feedback the freelancer left, if any.
    pub received: Option<FeedbackSummary>,
}

/// A page of the contract history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractPage {
    pub items: Vec<ContractSummary>,
    /// Contracts matching the query, over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// The server's clock when it answered: countdowns are computed from it, not the browser's.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub server_now: DateTime<Utc>,
}

/// The client's public response to the freelancer's written feedback. Never edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackResponse {
    pub text: String,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// A report the client filed against the feedback they received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub category: ReportCategory,
    pub description: String,
    pub evidence: Vec<String>,
    pub status: ReportStatus,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Every status the report has had, oldest first (the first is `submitted`, when it was sent).
    #[serde(default)]
    pub history: Vec<crate::ReportStatusChange>,
}

/// Feedback the freelancer left the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedFeedback {
    pub id: i64,
    /// 1.0 to 5.0.
    pub rating: f32,
    /// The written comment; `None` when the freelancer left a rating only.
    pub comment: Option<String>,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub response: Option<FeedbackResponse>,
    pub report: Option<Report>,
    /// When a moderator removed the feedback (after a report); it no longer appears publicly.
    #[serde(default, deserialize_with = "crate::time::rfc3339_opt")]
    pub removed_at: Option<DateTime<Utc>>,
}

/// A request to remove feedback the client posted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemovalRequest {
    pub status: RemovalStatus,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// Every status the request has had, oldest first.
    #[serde(default)]
    pub history: Vec<crate::RemovalStatusChange>,
}

/// Feedback the client left the freelancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GivenFeedback {
    pub id: i64,
    pub rating: f32,
    pub comment: Option<String>,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    pub removal_request: Option<RemovalRequest>,
    /// When a moderator removed the feedback (after the client's removal request).
    #[serde(default, deserialize_with = "crate::time::rfc3339_opt")]
    pub removed_at: Option<DateTime<Utc>>,
}

/// When the response window closes, and whether it is open at `server_now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseWindow {
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub closes_at: DateTime<Utc>,
    pub open: bool,
}

/// Everything the Contract details tab shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractDetails {
    pub contract: ContractSummary,
    pub description: String,
    pub received: Option<ReceivedFeedback>,
    pub given: Option<GivenFeedback>,
    /// `None` while the contract is active.
    pub response_window: Option<ResponseWindow>,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub server_now: DateTime<Utc>,
}

/// The request fields a problem's `errors` and `error_codes` name (the server names them, the
/// widget points each at its input).
pub mod field {
    pub const TEXT: &str = "text";
    pub const DESCRIPTION: &str = "description";
    pub const EVIDENCE: &str = "evidence";
    pub const REASON: &str = "reason";
    pub const BODY: &str = "body";
    pub const ID: &str = "id";
}

/// Body of `POST …/feedback/response`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    pub text: String,
}

/// Body of `POST …/feedback/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    pub category: ReportCategory,
    pub description: String,
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Body of `POST …/given-feedback/removal-request`: empty, or `{}`. There is nothing to say
/// beyond "please remove it"; unknown fields are refused so a client can't believe it sent one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRemovalRequest {}

/// An RFC 9457 problem document: every error the API returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Messages per request field (`text`, `category`, `description`, `evidence`), in
    /// English. The widget never reads them (it words each problem from `error_codes`, in the
    /// page's language), so its wasm carries no code to (0.9 KB gzip).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    pub errors: BTreeMap<String, Vec<String>>,
    /// The same per field, for machines (beside `errors`, in the same order): a client shows
    /// its own message in its own language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_codes: BTreeMap<String, Vec<FieldCode>>,
    /// On a moderator's `status-transition` conflict: every status the report or removal
    /// request has had, the last one where it stands now (another moderator decided first).
    /// The console reads the item again instead, so the widget parses none of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", serde(skip_deserializing))]
    pub current: Option<Vec<crate::StatusChange>>,
}

/// Why a field was refused, for machines: `code` (`empty`, `too_short`, `too_long`,
/// `control_character`, `bidi_control`, `too_many_links`, `not_a_web_address`,
/// `link_too_long`, `invalid`) and the numbers the message names. A client shows its own
/// message in its own language from these.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldCode {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<usize>,
    /// For a list field: which item (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl FieldCode {
    pub fn new(code: &str) -> Self {
        Self {
            code: code.to_string(),
            ..Default::default()
        }
    }
}

/// The kinds of problem the API reports; `type` is `/problems/<slug>`, so clients can match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Unauthorized,
    NotFound,
    Validation,
    NoWrittenComment,
    WindowNotOpen,
    AlreadyResponded,
    AlreadyReported,
    NotYourFeedback,
    RemovalAlreadyRequested,
    FeedbackRemoved,
    StatusTransition,
    Forbidden,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    PayloadTooLarge,
    MethodNotAllowed,
    RequestTimeout,
    UriTooLong,
    HeadersTooLarge,
    TooManyRequests,
    Unavailable,
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 22] = [
        Self::Unauthorized,
        Self::NotFound,
        Self::Validation,
        Self::NoWrittenComment,
        Self::WindowNotOpen,
        Self::AlreadyResponded,
        Self::AlreadyReported,
        Self::NotYourFeedback,
        Self::RemovalAlreadyRequested,
        Self::FeedbackRemoved,
        Self::StatusTransition,
        Self::Forbidden,
        Self::IdempotencyKeyMissing,
        Self::IdempotencyKeyReused,
        Self::PayloadTooLarge,
        Self::MethodNotAllowed,
        Self::RequestTimeout,
        Self::UriTooLong,
        Self::HeadersTooLarge,
        Self::TooManyRequests,
        Self::Unavailable,
        Self::Internal,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not-found",
            Self::Validation => "validation",
            Self::NoWrittenComment => "no-written-comment",
            Self::WindowNotOpen => "window-not-open",
            Self::AlreadyResponded => "already-responded",
            Self::AlreadyReported => "already-reported",
            Self::NotYourFeedback => "not-your-feedback",
            Self::RemovalAlreadyRequested => "removal-already-requested",
            Self::FeedbackRemoved => "feedback-removed",
            Self::StatusTransition => "status-transition",
            Self::Forbidden => "forbidden",
            Self::IdempotencyKeyMissing => "idempotency-key-missing",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::PayloadTooLarge => "payload-too-large",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::RequestTimeout => "request-timeout",
            Self::UriTooLong => "uri-too-long",
            Self::HeadersTooLarge => "headers-too-large",
            Self::TooManyRequests => "too-many-requests",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }

    /// False for problems a well-behaved client's own requests never meet: a malformed or
    /// hand-made request, or the moderator API's. A client may word those with one sentence.
    pub fn is_client_facing(self) -> bool {
        !matches!(
            self,
            Self::MethodNotAllowed
                | Self::UriTooLong
                | Self::HeadersTooLarge
                | Self::PayloadTooLarge
                | Self::IdempotencyKeyMissing
                | Self::Forbidden
                | Self::StatusTransition
        )
    }

    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn from_type_uri(uri: &str) -> Option<Self> {
        let slug = uri.strip_prefix("/problems/")?;
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    pub fn status(self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound | Self::NotYourFeedback => 404,
            Self::Validation
            | Self::NoWrittenComment
            | Self::IdempotencyKeyMissing
            | Self::IdempotencyKeyReused => 422,
            Self::WindowNotOpen
            | Self::AlreadyResponded
            | Self::AlreadyReported
            | Self::RemovalAlreadyRequested
            | Self::FeedbackRemoved
            | Self::StatusTransition => 409,
            Self::PayloadTooLarge => 413,
            Self::MethodNotAllowed => 405,
            Self::RequestTimeout => 408,
            Self::UriTooLong => 414,
            Self::HeadersTooLarge => 431,
            Self::TooManyRequests => 429,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Unauthorized => "Sign-in needed",
            Self::NotFound => "Not found",
            Self::Validation => "Some fields need attention",
            Self::NoWrittenComment => "There is no written feedback to respond to",
            Self::WindowNotOpen => "The response period is not open",
            Self::AlreadyResponded => "A response was already posted",
            Self::AlreadyReported => "This feedback was already reported",
            Self::NotYourFeedback => "Not found",
            Self::RemovalAlreadyRequested => "Removal was already requested",
            Self::FeedbackRemoved => "This feedback was removed",
            Self::StatusTransition => "That status change is not allowed",
            Self::Forbidden => "Not allowed from here",
            Self::IdempotencyKeyMissing => "Idempotency-Key header required",
            Self::IdempotencyKeyReused => "Idempotency-Key reused with a different request",
            Self::PayloadTooLarge => "Request too large",
            Self::MethodNotAllowed => "Method not allowed",
            Self::RequestTimeout => "The request took too long to arrive",
            Self::UriTooLong => "Address too long",
            Self::HeadersTooLarge => "Request headers too large",
            Self::TooManyRequests => "Too many requests",
            Self::Unavailable => "Busy right now",
            Self::Internal => "Something went wrong on our side",
        }
    }

    pub fn problem(self, detail: impl Into<String>) -> Problem {
        Problem {
            type_: self.type_uri(),
            title: self.title().to_string(),
            status: self.status(),
            detail: detail.into(),
            errors: BTreeMap::new(),
            error_codes: BTreeMap::new(),
            current: None,
        }
    }
}

/// Which contracts the history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    All,
    Active,
    Ended,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 3] = [Self::All, Self::Active, Self::Ended];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// History sort order. Active contracts (no end date) sort as "latest".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    EndedDesc,
    EndedAsc,
    TitleAsc,
    TitleDesc,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        Self::EndedDesc,
        Self::EndedAsc,
        Self::TitleAsc,
        Self::TitleDesc,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EndedDesc => "ended_desc",
            Self::EndedAsc => "ended_asc",
            Self::TitleAsc => "title_asc",
            Self::TitleDesc => "title_desc",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Deep pages beyond this are refused: nobody pages to 10,000, and it bounds OFFSET scans.
pub const MAX_PAGE: u32 = 10_000;
/// Longest search string.
pub const MAX_QUERY_CHARS: usize = 200;

/// A history query. The same type is the app's URL state and the API's query string, so both
/// sides parse, default and bound it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    pub q: String,
    pub status: StatusFilter,
    pub sort: SortOrder,
    pub page: u32,
    pub per_page: u32,
}

impl Default for HistoryQuery {
    fn default() -> Self {
        Self {
            q: String::new(),
            status: StatusFilter::All,
            sort: SortOrder::EndedDesc,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// A query parameter that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QueryError {
    pub field: &'static str,
    pub message: String,
}

impl HistoryQuery {
    /// The URL and API parameters a query is made of.
    pub const PARAMS: [&'static str; 5] = ["q", "status", "sort", "page", "per_page"];

    /// Strict parse (the server): unknown values are errors, numbers must be in range, and a
    /// parameter given twice is an error (which one would win is not the caller's guess to make).
    /// Unknown parameters are ignored, so clients may add their own (cache busters).
    pub fn parse_strict<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut q = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            let err = |field: &'static str, message: String| QueryError { field, message };
            let field = match k {
                "q" => "q",
                "status" => "status",
                "sort" => "sort",
                "page" => "page",
                "per_page" => "per_page",
                _ => continue,
            };
            if seen.contains(&field) {
                return Err(err(field, "give this parameter once".into()));
            }
            seen.push(field);
            match field {
                "q" => {
                    if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(err("q", format!("at most {MAX_QUERY_CHARS} characters")));
                    }
                    if v.chars().any(char::is_control) {
                        return Err(err("q", "must not contain control characters".into()));
                    }
                    q.q = v.trim().to_string();
                }
                "status" => {
                    q.status = StatusFilter::parse(v)
                        .ok_or_else(|| err("status", "one of all, active, ended".into()))?
                }
                "sort" => {
                    q.sort = SortOrder::parse(v).ok_or_else(|| {
                        err(
                            "sort",
                            "one of ended_desc, ended_asc, title_asc, title_desc".into(),
                        )
                    })?
                }
                "page" => {
                    q.page = parse_canonical_u32(v)
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .ok_or_else(|| {
                            err("page", format!("a whole number from 1 to {MAX_PAGE}"))
                        })?
                }
                _ => {
                    q.per_page = parse_canonical_u32(v)
                        .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                        .ok_or_else(|| {
                            err(
                                "per_page",
                                format!("a whole number from 1 to {MAX_PER_PAGE}"),
                            )
                        })?
                }
            }
        }
        Ok(q)
    }

    /// Lenient parse (the app's URL): anything unusable falls back to its default, so a
    /// hand-edited or stale link still opens a sensible page.
    pub fn parse_lenient<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (k, v) in pairs {
            if let Ok(one) = Self::parse_strict([(k, v)]) {
                match k {
                    "q" => q.q = one.q,
                    "status" => q.status = one.status,
                    "sort" => q.sort = one.sort,
                    "page" => q.page = one.page,
                    "per_page" => q.per_page = one.per_page,
                    _ => {}
                }
            }
        }
        q
    }

    /// The non-default parameters, in a stable order (for URLs and API calls).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let d = Self::default();
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        if self.status != d.status {
            out.push(("status", self.status.as_str().to_string()));
        }
        if self.sort != d.sort {
            out.push(("sort", self.sort.as_str().to_string()));
        }
        if self.page != d.page {
            out.push(("page", self.page.to_string()));
        }
        if self.per_page != d.per_page {
            out.push(("per_page", self.per_page.to_string()));
        }
        out
    }

    /// Number of pages for `total` matches (at least 1, so "page 1 of 1" when empty).
    pub fn page_count(&self, total: u64) -> u32 {
        let pages = total.div_ceil(u64::from(self.per_page.max(1)));
        pages.clamp(1, u64::from(MAX_PAGE)) as u32
    }
}

/// Decimal digits only, no sign and no leading zero: one spelling per number, so `01` and `+3`
/// don't name the same thing as `1` and `3`.
fn canonical_digits(s: &str) -> Option<&str> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then_some(s)
}

pub(crate) fn parse_canonical_u32(s: &str) -> Option<u32> {
    canonical_digits(s)?.parse().ok()
}

/// A contract id as it appears in a path: its canonical decimal spelling only.
pub fn parse_contract_id(s: &str) -> Option<ContractId> {
    canonical_digits(s)?.parse().ok()
}

/// Rating as words for screen readers and text: "4.5 out of 5".
/// Integer arithmetic on tenths: float formatting would add ~10 KB to the wasm for one digit.
pub fn rating_text(rating: f32) -> String {
    let tenths = (rating * 10.0).round() as i32;
    match (tenths / 10, tenths % 10) {
        (whole, 0) => format!("{whole} out of 5"),
        (whole, tenth) => format!("{whole}.{tenth} out of 5"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_query_parsing_rejects_out_of_range_values() {
        assert!(HistoryQuery::parse_strict([("per_page", "101")]).is_err());
        assert!(HistoryQuery::parse_strict([("per_page", "0")]).is_err());
        assert!(HistoryQuery::parse_strict([("page", "0")]).is_err());
        assert!(HistoryQuery::parse_strict([("page", "10001")]).is_err());
        assert!(HistoryQuery::parse_strict([("status", "deleted")]).is_err());
        assert!(HistoryQuery::parse_strict([("sort", "price")]).is_err());
        let long = "x".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            HistoryQuery::parse_strict([("q", long.as_str())])
                .unwrap_err()
                .field,
            "q"
        );
    }

    #[test]
    fn strict_query_parsing_refuses_repeats_controls_and_odd_numbers() {
        let e = HistoryQuery::parse_strict([("page", "2"), ("page", "3")]).unwrap_err();
        assert_eq!(e.field, "page");
        assert_eq!(
            HistoryQuery::parse_strict([("q", "a\u{0}b")])
                .unwrap_err()
                .field,
            "q"
        );
        for odd in ["+2", "02", " 2", "2.0", "-1", ""] {
            assert!(
                HistoryQuery::parse_strict([("page", odd)]).is_err(),
                "{odd:?}"
            );
        }
        // Unknown parameters are ignored, even repeated.
        assert!(HistoryQuery::parse_strict([("x", "1"), ("x", "2")]).is_ok());
    }

    #[test]
    fn contract_ids_have_one_spelling() {
        assert_eq!(parse_contract_id("3"), Some(3));
        assert_eq!(parse_contract_id("0"), Some(0));
        for odd in [
            "03",
            "+3",
            "-3",
            " 3",
            "3 ",
            "",
            "3a",
            "99999999999999999999",
        ] {
            assert_eq!(parse_contract_id(odd), None, "{odd:?}");
        }
    }

    #[test]
    fn the_body_limit_fits_the_largest_legal_report_in_its_worst_encoding() {
        use crate::*;
        // An astral character escaped as a surrogate pair: 12 bytes for one counted character.
        let worst = serde_json::to_string("😀")
            .unwrap()
            .len()
            .max("\\ud83d\\ude00".len());
        assert_eq!(worst, JSON_BYTES_PER_CHAR_MAX);
        let chars =
            REPORT_DESCRIPTION_MAX_CHARS + REPORT_EVIDENCE_MAX_LINKS * EVIDENCE_LINK_MAX_CHARS;
        assert!(MAX_REQUEST_BODY_BYTES >= chars * 12 + 100);
        assert!(MAX_REQUEST_BODY_BYTES < chars * 12 + 4096);
    }

    #[test]
    fn query_round_trips_through_pairs() {
        let q = HistoryQuery {
            q: "logo".into(),
            status: StatusFilter::Ended,
            sort: SortOrder::TitleAsc,
            page: 3,
            per_page: 50,
        };
        let pairs = q.to_pairs();
        let back = HistoryQuery::parse_strict(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(back, q);
        assert!(HistoryQuery::default().to_pairs().is_empty());
    }

    #[test]
    fn lenient_parsing_keeps_what_is_usable() {
        let q = HistoryQuery::parse_lenient([("page", "abc"), ("status", "ended"), ("sort", "?")]);
        assert_eq!(q.page, 1);
        assert_eq!(q.status, StatusFilter::Ended);
        assert_eq!(q.sort, SortOrder::EndedDesc);
    }

    #[test]
    fn page_count_is_at_least_one() {
        let q = HistoryQuery::default();
        assert_eq!(q.page_count(0), 1);
        assert_eq!(q.page_count(20), 1);
        assert_eq!(q.page_count(21), 2);
    }

    #[test]
    fn problem_types_round_trip_and_statuses_are_http() {
        for k in ProblemKind::ALL {
            assert_eq!(ProblemKind::from_type_uri(&k.type_uri()), Some(k));
            assert!((400..600).contains(&k.status()));
        }
        let p = ProblemKind::Validation.problem("x");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "/problems/validation");
        assert!(json.get("errors").is_none());
    }

    #[test]
    fn ratings_read_as_text() {
        assert_eq!(rating_text(4.5), "4.5 out of 5");
        assert_eq!(rating_text(5.0), "5 out of 5");
        assert_eq!(rating_text(3.04), "3 out of 5");
        assert_eq!(rating_text(4.96), "5 out of 5");
        assert_eq!(rating_text(1.0), "1 out of 5");
    }

    #[test]
    fn new_report_refuses_unknown_fields_and_categories() {
        assert!(serde_json::from_str::<NewReport>(
            r#"{"category":"fraud","description":"x","admin":true}"#
        )
        .is_err());
        assert!(
            serde_json::from_str::<NewReport>(r#"{"category":"spam","description":"x"}"#).is_err()
        );
        let r: NewReport =
            serde_json::from_str(r#"{"category":"fraud","description":"x"}"#).unwrap();
        assert!(r.evidence.is_empty());
    }
}
