//! What happens to a report or a removal request after it is sent: the moderation lifecycle
//! (which status may follow which), the history of changes the client sees, and the reminders
//! sent before a response window closes.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{validate_text, window_closes_at, RemovalStatus, ReportStatus, TextError};

/// A moderator's reason for a change: shown to the client in the timeline.
pub const MODERATION_REASON_MAX_CHARS: usize = 500;

/// A moderator's reason: 1 to [`MODERATION_REASON_MAX_CHARS`] characters.
pub fn validate_moderation_reason(text: &str) -> Result<&str, TextError> {
    validate_text(text, 1, MODERATION_REASON_MAX_CHARS)
}

impl ReportStatus {
    /// `submitted → under_review → removed | kept`: each report is looked at before it is
    /// decided, and a decision is final.
    pub fn can_move_to(self, next: ReportStatus) -> bool {
        use ReportStatus::*;
        matches!(
            (self, next),
            (Submitted, UnderReview) | (UnderReview, Removed) | (UnderReview, Kept)
        )
    }
}

impl RemovalStatus {
    /// `requested → removed | declined`; a decision is final.
    pub fn can_move_to(self, next: RemovalStatus) -> bool {
        use RemovalStatus::*;
        matches!((self, next), (Requested, Removed) | (Requested, Declined))
    }
}

/// A status change that the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("A {subject} that is {from} can't become {to}.")]
pub struct TransitionRefused {
    pub subject: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// Checks a report's next status against the lifecycle.
pub fn check_report_transition(
    from: ReportStatus,
    to: ReportStatus,
) -> Result<(), TransitionRefused> {
    if from.can_move_to(to) {
        Ok(())
    } else {
        Err(TransitionRefused {
            subject: "report",
            from: from.as_str(),
            to: to.as_str(),
        })
    }
}

/// Checks a removal request's next status against the lifecycle.
pub fn check_removal_transition(
    from: RemovalStatus,
    to: RemovalStatus,
) -> Result<(), TransitionRefused> {
    if from.can_move_to(to) {
        Ok(())
    } else {
        Err(TransitionRefused {
            subject: "removal request",
            from: from.as_str(),
            to: to.as_str(),
        })
    }
}

/// One entry of a report's status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportStatusChange {
    pub status: ReportStatus,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// The moderator's reason; `None` for the first entry (the client sent it).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One entry of a removal request's status history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemovalStatusChange {
    pub status: RemovalStatus,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Body of the moderator's `POST …/report/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReportStatus {
    pub status: ReportStatus,
    pub reason: String,
}

/// Body of the moderator's `POST …/removal-request/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRemovalStatus {
    pub status: RemovalStatus,
    pub reason: String,
}

/// Days before the response window closes when a client who has not responded is reminded,
/// earliest first.
pub const REMINDER_DAYS_BEFORE: [i64; 2] = [7, 1];

/// The reminder due at `now` for written feedback without a response on a contract that ended
/// at `ended_at`: the latest of [`REMINDER_DAYS_BEFORE`] whose moment has passed while the window
/// is still open. A reminder whose moment passed while a later one is also due is skipped (a
/// server that was down for a week sends "1 day left", not a stale "7 days left" as well).
pub fn due_reminder(ended_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    let closes = window_closes_at(ended_at);
    if now >= closes || now < ended_at {
        return None;
    }
    REMINDER_DAYS_BEFORE
        .into_iter()
        .filter(|days| now >= closes - Duration::days(*days))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reports_are_reviewed_before_they_are_decided_and_decisions_are_final() {
        use ReportStatus::*;
        let allowed: Vec<_> = ReportStatus::ALL
            .iter()
            .flat_map(|a| ReportStatus::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.can_move_to(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Submitted, UnderReview),
                (UnderReview, Removed),
                (UnderReview, Kept)
            ]
        );
        let refused = check_report_transition(Submitted, Removed).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "A report that is submitted can't become removed."
        );
    }

    #[test]
    fn removal_requests_are_decided_once() {
        use RemovalStatus::*;
        assert!(Requested.can_move_to(Removed) && Requested.can_move_to(Declined));
        for s in RemovalStatus::ALL {
            assert!(!Removed.can_move_to(s) && !Declined.can_move_to(s));
            assert!(!s.can_move_to(Requested));
        }
    }

    #[test]
    fn reminders_are_due_seven_days_and_one_day_before_the_deadline() {
        let ended = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
        let closes = window_closes_at(ended);
        let at = |d: Duration| closes - d;
        assert_eq!(due_reminder(ended, at(Duration::days(8))), None);
        assert_eq!(due_reminder(ended, at(Duration::days(7))), Some(7));
        assert_eq!(due_reminder(ended, at(Duration::days(2))), Some(7));
        assert_eq!(due_reminder(ended, at(Duration::days(1))), Some(1));
        assert_eq!(due_reminder(ended, at(Duration::seconds(1))), Some(1));
        assert_eq!(due_reminder(ended, closes), None);
        assert!(validate_moderation_reason(" ").is_err());
        assert!(validate_moderation_reason(&"x".repeat(501)).is_err());
    }
}
