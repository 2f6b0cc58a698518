//! The domain's states and the API's problems in the user's language: each names its message
//! (`k!`, checked when the widget is built; a new variant fails to build until it has one).

use crate::k;
use feedback_domain::{
    window_countdown, Countdown, FeedbackBadge, FieldCode, LinkError, ProblemKind, RemovalStatus,
    ReportCategory, ReportStatus, SortOrder, StatusFilter, TextError, TimeUnit,
};

use super::I18n;
use crate::api::ApiError;
use chrono::{DateTime, Utc};

impl I18n {
    pub fn category(&self, c: ReportCategory) -> String {
        self.t(match c {
            ReportCategory::Manipulation => k!("category.manipulation"),
            ReportCategory::Inappropriate => k!("category.inappropriate"),
            ReportCategory::Irrelevant => k!("category.irrelevant"),
            ReportCategory::ConflictOfInterest => k!("category.conflict_of_interest"),
            ReportCategory::Fraud => k!("category.fraud"),
        })
    }

    pub fn category_explanation(&self, c: ReportCategory) -> String {
        self.t(match c {
            ReportCategory::Manipulation => k!("category.manipulation.explain"),
            ReportCategory::Inappropriate => k!("category.inappropriate.explain"),
            ReportCategory::Irrelevant => k!("category.irrelevant.explain"),
            ReportCategory::ConflictOfInterest => k!("category.conflict_of_interest.explain"),
            ReportCategory::Fraud => k!("category.fraud.explain"),
        })
    }

    /// "waiting for review", for the report's status line.
    pub fn report_status(&self, s: ReportStatus) -> String {
        self.t(match s {
            ReportStatus::Submitted => k!("report_status.submitted"),
            ReportStatus::UnderReview => k!("report_status.under_review"),
            ReportStatus::Removed => k!("report_status.removed"),
            ReportStatus::Kept => k!("report_status.kept"),
        })
    }

    /// "Under review", a step of the report's timeline.
    pub fn report_step(&self, s: ReportStatus) -> String {
        self.t(match s {
            ReportStatus::Submitted => k!("report_step.submitted"),
            ReportStatus::UnderReview => k!("report_step.under_review"),
            ReportStatus::Removed => k!("report_step.removed"),
            ReportStatus::Kept => k!("report_step.kept"),
        })
    }

    pub fn removal_step(&self, s: RemovalStatus) -> String {
        self.t(match s {
            RemovalStatus::Requested => k!("removal_step.requested"),
            RemovalStatus::Removed => k!("removal_step.removed"),
            RemovalStatus::Declined => k!("removal_step.declined"),
        })
    }

    pub fn status_filter(&self, f: StatusFilter) -> String {
        self.t(match f {
            StatusFilter::All => k!("filter.all"),
            StatusFilter::Active => k!("filter.active"),
            StatusFilter::Ended => k!("filter.ended"),
        })
    }

    pub fn sort_order(&self, s: SortOrder) -> String {
        self.t(match s {
            SortOrder::EndedDesc => k!("sort.ended_desc"),
            SortOrder::EndedAsc => k!("sort.ended_asc"),
            SortOrder::TitleAsc => k!("sort.title_asc"),
            SortOrder::TitleDesc => k!("sort.title_desc"),
        })
    }

    /// "3 days left", "less than a minute left", "closed 2 days ago".
    pub fn countdown(&self, ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
        match window_countdown(ended_at, now) {
            Countdown::NotStarted => self.t(k!("window.not_started")),
            Countdown::Left(n, unit) => {
                let key = match unit {
                    TimeUnit::Day => k!("window.left.day"),
                    TimeUnit::Hour => k!("window.left.hour"),
                    TimeUnit::Minute => k!("window.left.minute"),
                };
                self.tp(key, n as f64, &[])
            }
            Countdown::LessThanAMinuteLeft => self.t(k!("window.left.less_than_a_minute")),
            Countdown::ClosedAgo(n, unit) => {
                let ago = self.relative(-(n as f64), unit.as_str());
                self.tf(k!("window.closed_ago"), &[("ago", &ago)])
            }
            Countdown::ClosedJustNow => self.t(k!("window.closed_just_now")),
        }
    }

    /// A history row's feedback badge.
    pub fn badge(
        &self,
        badge: FeedbackBadge,
        ended_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> String {
        match badge {
            FeedbackBadge::NoFeedback => self.t(k!("badge.no_feedback")),
            FeedbackBadge::ToAnswer { .. } => {
                let left = self.countdown(ended_at, now);
                self.tf(k!("badge.to_answer"), &[("left", &left)])
            }
            FeedbackBadge::Answered => self.t(k!("badge.answered")),
            FeedbackBadge::Reported(s) => {
                let status = self.report_status(s);
                self.tf(k!("badge.reported"), &[("status", &status)])
            }
            FeedbackBadge::Received => self.t(k!("badge.received")),
        }
    }

    /// A field's problem from its machine code (the API's `error_codes`, or our own check).
    pub fn field_code(&self, code: &FieldCode) -> String {
        let num = |n: Option<usize>| self.number(n.unwrap_or(0) as f64);
        let (min, max, actual, index) = (
            num(code.min),
            num(code.max),
            num(code.actual),
            num(code.index),
        );
        let args = [
            ("min", min.as_str()),
            ("max", max.as_str()),
            ("actual", actual.as_str()),
            ("index", index.as_str()),
        ];
        let count = |n: Option<usize>| n.unwrap_or(0) as f64;
        match code.code.as_str() {
            "too_short" => self.tp(k!("field.too_short"), count(code.min), &args),
            "too_long" => self.tp(k!("field.too_long"), count(code.max), &args),
            "too_many_links" => self.tp(k!("field.too_many_links"), count(code.max), &args),
            "link_too_long" => self.tp(k!("field.link_too_long"), count(code.max), &args),
            "empty" => self.tf(k!("field.empty"), &args),
            "control_character" => self.tf(k!("field.control_character"), &args),
            "bidi_control" => self.tf(k!("field.bidi_control"), &args),
            "not_a_web_address" => self.tf(k!("field.not_a_web_address"), &args),
            _ => self.t(k!("field.invalid")),
        }
    }

    pub fn text_error(&self, e: &TextError) -> String {
        self.field_code(&e.code())
    }

    pub fn link_error(&self, e: &LinkError) -> String {
        self.field_code(&e.code())
    }

    /// A problem the API reported, in the user's language (never the server's English).
    pub fn problem(&self, kind: Option<ProblemKind>) -> String {
        use ProblemKind as P;
        self.t(match kind {
            // What only a broken or hand-made request meets: one plain sentence for all.
            Some(kind) if !kind.is_client_facing() => k!("problem.not_accepted"),
            Some(P::Unauthorized) => k!("problem.unauthorized"),
            Some(P::NotFound) => k!("problem.not-found"),
            Some(P::Validation) => k!("problem.validation"),
            Some(P::NoWrittenComment) => k!("problem.no-written-comment"),
            Some(P::WindowNotOpen) => k!("problem.window-not-open"),
            Some(P::AlreadyResponded) => k!("problem.already-responded"),
            Some(P::AlreadyReported) => k!("problem.already-reported"),
            Some(P::NotYourFeedback) => k!("problem.not-your-feedback"),
            Some(P::RemovalAlreadyRequested) => k!("problem.removal-already-requested"),
            Some(P::FeedbackRemoved) => k!("problem.feedback-removed"),
            Some(P::IdempotencyKeyReused) => k!("problem.idempotency-key-reused"),
            Some(P::RequestTimeout) => k!("problem.request-timeout"),
            Some(P::TooManyRequests) => k!("problem.too-many-requests"),
            Some(P::Unavailable) => k!("problem.unavailable"),
            Some(P::Internal) | None => k!("problem.internal"),
            // The kinds `is_client_facing` turns away above (a wasm test checks that every
            // other kind has its own message).
            Some(_) => k!("problem.not_accepted"),
        })
    }

    /// What went wrong with a request, for the person.
    pub fn api_error(&self, e: &ApiError) -> String {
        match e {
            ApiError::Network => self.t(k!("api.network")),
            ApiError::Timeout => self.t(k!("api.timeout")),
            ApiError::Aborted => self.t(k!("api.aborted")),
            ApiError::Unauthorized => self.problem(Some(ProblemKind::Unauthorized)),
            ApiError::NotFound => self.problem(Some(ProblemKind::NotFound)),
            ApiError::Conflict(_) | ApiError::Rejected(_) => self.problem(e.kind()),
            ApiError::RateLimited(secs) => self.tp(k!("api.rate_limited"), f64::from(*secs), &[]),
            ApiError::Server(status) => {
                self.tf(k!("api.server"), &[("status", &status.to_string())])
            }
            ApiError::BadResponse => self.t(k!("api.bad_response")),
        }
    }

    /// The API's field problems (`error_codes`) in the user's language, per field.
    pub fn field_problems(&self, e: &ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Rejected(p) => p
                .error_codes
                .iter()
                .flat_map(|(field, codes)| {
                    codes.iter().map(|c| (field.clone(), self.field_code(c)))
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}
