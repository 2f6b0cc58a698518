//! The domain's states and the API's problems in the user's language: each maps to a catalog
//! key made from its machine name, so a new variant needs only its catalog entries (the
//! catalog test lists every key these can make).

use feedback_domain::{
    window_countdown, Countdown, FeedbackBadge, FieldCode, LinkError, ProblemKind, RemovalStatus,
    ReportCategory, ReportStatus, SortOrder, StatusFilter, TextError,
};

use super::I18n;
use crate::api::ApiError;
use chrono::{DateTime, Utc};

impl I18n {
    pub fn category(&self, c: ReportCategory) -> String {
        self.t(&format!("category.{}", c.as_str()))
    }

    pub fn category_explanation(&self, c: ReportCategory) -> String {
        self.t(&format!("category.{}.explain", c.as_str()))
    }

    /// "waiting for review", for the report's status line.
    pub fn report_status(&self, s: ReportStatus) -> String {
        self.t(&format!("report_status.{}", s.as_str()))
    }

    /// "Under review", a step of the report's timeline.
    pub fn report_step(&self, s: ReportStatus) -> String {
        self.t(&format!("report_step.{}", s.as_str()))
    }

    pub fn removal_step(&self, s: RemovalStatus) -> String {
        self.t(&format!("removal_step.{}", s.as_str()))
    }

    pub fn status_filter(&self, f: StatusFilter) -> String {
        self.t(&format!("filter.{}", f.as_str()))
    }

    pub fn sort_order(&self, s: SortOrder) -> String {
        self.t(&format!("sort.{}", s.as_str()))
    }

    /// "3 days left", "less than a minute left", "closed 2 days ago".
    pub fn countdown(&self, ended_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
        match window_countdown(ended_at, now) {
            Countdown::NotStarted => self.t("window.not_started"),
            Countdown::Left(n, unit) => {
                self.tp(&format!("window.left.{}", unit.as_str()), n as f64, &[])
            }
            Countdown::LessThanAMinuteLeft => self.t("window.left.less_than_a_minute"),
            Countdown::ClosedAgo(n, unit) => {
                let ago = self.relative(-(n as f64), unit.as_str());
                self.tf("window.closed_ago", &[("ago", &ago)])
            }
            Countdown::ClosedJustNow => self.t("window.closed_just_now"),
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
            FeedbackBadge::NoFeedback => self.t("badge.no_feedback"),
            FeedbackBadge::ToAnswer { .. } => {
                let left = self.countdown(ended_at, now);
                self.tf("badge.to_answer", &[("left", &left)])
            }
            FeedbackBadge::Answered => self.t("badge.answered"),
            FeedbackBadge::Reported(s) => {
                let status = self.report_status(s);
                self.tf("badge.reported", &[("status", &status)])
            }
            FeedbackBadge::Received => self.t("badge.received"),
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
        let key = format!("field.{}", code.code);
        let args = [
            ("min", min.as_str()),
            ("max", max.as_str()),
            ("actual", actual.as_str()),
            ("index", index.as_str()),
        ];
        match code.code.as_str() {
            "too_short" => self.tp(&key, code.min.unwrap_or(0) as f64, &args),
            "too_long" | "too_many_links" | "link_too_long" => {
                self.tp(&key, code.max.unwrap_or(0) as f64, &args)
            }
            "empty" | "control_character" | "bidi_control" | "not_a_web_address" => {
                self.tf(&key, &args)
            }
            _ => self.t("field.invalid"),
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
        match kind {
            // What only a broken or hand-made request meets: one plain sentence for all.
            Some(k) if !k.is_client_facing() => self.t("problem.not_accepted"),
            Some(k) => self.t(&format!("problem.{}", k.slug())),
            None => self.t("problem.internal"),
        }
    }

    /// What went wrong with a request, for the person.
    pub fn api_error(&self, e: &ApiError) -> String {
        match e {
            ApiError::Network => self.t("api.network"),
            ApiError::Timeout => self.t("api.timeout"),
            ApiError::Aborted => self.t("api.aborted"),
            ApiError::Unauthorized => self.problem(Some(ProblemKind::Unauthorized)),
            ApiError::NotFound => self.problem(Some(ProblemKind::NotFound)),
            ApiError::Conflict(_) | ApiError::Rejected(_) => self.problem(e.kind()),
            ApiError::RateLimited(secs) => self.tp("api.rate_limited", f64::from(*secs), &[]),
            ApiError::Server(status) => self.tf("api.server", &[("status", &status.to_string())]),
            ApiError::BadResponse => self.t("api.bad_response"),
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
