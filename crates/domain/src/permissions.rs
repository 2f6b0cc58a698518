//! Who may do what. Each function answers with the reason when the answer is no, so the UI can
//! explain and the server can name the problem — from the same rule.

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::{window_state, ContractSummary, ProblemKind, ReportStatus, WindowState};

/// Why a response can't be posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RespondBlocked {
    #[error("The freelancer left a rating without a written comment, so there is nothing to respond to.")]
    NoWrittenComment,
    #[error("You have already responded to this feedback. A response can't be changed.")]
    AlreadyResponded,
    #[error("You can respond once the contract has ended.")]
    ContractActive,
    #[error("The 28-day response period has ended.")]
    WindowClosed,
    #[error("This feedback was removed, so there is nothing to respond to.")]
    FeedbackRemoved,
}

impl RespondBlocked {
    pub fn problem_kind(self) -> ProblemKind {
        match self {
            Self::NoWrittenComment => ProblemKind::NoWrittenComment,
            Self::AlreadyResponded => ProblemKind::AlreadyResponded,
            Self::ContractActive | Self::WindowClosed => ProblemKind::WindowNotOpen,
            Self::FeedbackRemoved => ProblemKind::FeedbackRemoved,
        }
    }
}

/// What the response rule looks at on a piece of received feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RespondFacts {
    pub has_comment: bool,
    pub already_responded: bool,
    /// A moderator removed it (after a report).
    pub removed: bool,
}

/// A response may be posted to written feedback that was not removed, once, while the window
/// is open at `now`.
pub fn can_respond(
    facts: RespondFacts,
    ended_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), RespondBlocked> {
    let RespondFacts {
        has_comment,
        already_responded,
        removed,
    } = facts;
    if removed {
        return Err(RespondBlocked::FeedbackRemoved);
    }
    if !has_comment {
        return Err(RespondBlocked::NoWrittenComment);
    }
    if already_responded {
        return Err(RespondBlocked::AlreadyResponded);
    }
    match window_state(ended_at, now) {
        WindowState::Open { .. } => Ok(()),
        WindowState::NotStarted => Err(RespondBlocked::ContractActive),
        WindowState::Closed { .. } => Err(RespondBlocked::WindowClosed),
    }
}

/// Why a report can't be filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReportBlocked {
    #[error("You have already reported this feedback.")]
    AlreadyReported,
}

/// A piece of feedback may be reported once. There is no time limit on reporting.
pub fn can_report(already_reported: bool) -> Result<(), ReportBlocked> {
    if already_reported {
        Err(ReportBlocked::AlreadyReported)
    } else {
        Ok(())
    }
}

/// Why removal can't be requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RemovalBlocked {
    #[error("Only the person who posted feedback can ask for it to be removed.")]
    NotYourFeedback,
    #[error("You have already asked for this feedback to be removed.")]
    AlreadyRequested,
}

/// Removal may be requested for feedback the viewer posted, once. (Editing is never possible.)
pub fn can_request_removal(
    posted_by_viewer: bool,
    already_requested: bool,
) -> Result<(), RemovalBlocked> {
    if !posted_by_viewer {
        return Err(RemovalBlocked::NotYourFeedback);
    }
    if already_requested {
        return Err(RemovalBlocked::AlreadyRequested);
    }
    Ok(())
}

/// The feedback badge of a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackBadge {
    /// No feedback from the freelancer yet.
    NoFeedback,
    /// Written feedback that can still be answered.
    ToAnswer {
        remaining: Duration,
    },
    Answered,
    Reported(ReportStatus),
    /// Feedback received; nothing to do (rating only, or the window closed unanswered).
    Received,
}

impl FeedbackBadge {
    pub fn for_contract(c: &ContractSummary, now: DateTime<Utc>) -> Self {
        let Some(f) = &c.received else {
            return Self::NoFeedback;
        };
        if let Some(status) = f.report_status {
            return Self::Reported(status);
        }
        if f.responded {
            return Self::Answered;
        }
        match (
            can_respond(
                RespondFacts {
                    has_comment: f.has_comment,
                    ..Default::default()
                },
                c.ended_at,
                now,
            ),
            window_state(c.ended_at, now),
        ) {
            (Ok(()), WindowState::Open { remaining }) => Self::ToAnswer { remaining },
            _ => Self::Received,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContractStatus, FeedbackSummary};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts(has_comment: bool, already_responded: bool) -> RespondFacts {
        RespondFacts {
            has_comment,
            already_responded,
            removed: false,
        }
    }

    #[test]
    fn removed_feedback_cannot_be_answered() {
        let removed = RespondFacts {
            removed: true,
            ..facts(true, false)
        };
        assert_eq!(
            can_respond(removed, Some(t0()), t0()),
            Err(RespondBlocked::FeedbackRemoved)
        );
        assert_eq!(
            RespondBlocked::FeedbackRemoved.problem_kind(),
            ProblemKind::FeedbackRemoved
        );
    }

    #[test]
    fn respond_needs_a_written_comment() {
        assert_eq!(
            can_respond(facts(false, false), Some(t0()), t0()),
            Err(RespondBlocked::NoWrittenComment)
        );
    }

    #[test]
    fn respond_only_once() {
        assert_eq!(
            can_respond(facts(true, true), Some(t0()), t0()),
            Err(RespondBlocked::AlreadyResponded)
        );
    }

    #[test]
    fn respond_only_inside_the_window() {
        assert_eq!(can_respond(facts(true, false), Some(t0()), t0()), Ok(()));
        assert_eq!(
            can_respond(facts(true, false), None, t0()),
            Err(RespondBlocked::ContractActive)
        );
        assert_eq!(
            can_respond(facts(true, false), Some(t0()), t0() + Duration::days(28)),
            Err(RespondBlocked::WindowClosed)
        );
        assert_eq!(
            RespondBlocked::WindowClosed.problem_kind(),
            ProblemKind::WindowNotOpen
        );
    }

    #[test]
    fn report_only_once() {
        assert_eq!(can_report(false), Ok(()));
        assert_eq!(can_report(true), Err(ReportBlocked::AlreadyReported));
    }

    #[test]
    fn removal_only_for_own_feedback_and_once() {
        assert_eq!(can_request_removal(true, false), Ok(()));
        assert_eq!(
            can_request_removal(false, false),
            Err(RemovalBlocked::NotYourFeedback)
        );
        assert_eq!(
            can_request_removal(true, true),
            Err(RemovalBlocked::AlreadyRequested)
        );
    }

    fn contract(received: Option<FeedbackSummary>) -> ContractSummary {
        ContractSummary {
            id: 1,
            title: "Logo".into(),
            freelancer_id: 1,
            freelancer_name: "Ana".into(),
            started_at: t0() - Duration::days(30),
            ended_at: Some(t0()),
            status: ContractStatus::Ended,
            received,
        }
    }

    #[test]
    fn badges_follow_the_rules() {
        let f = |has_comment, responded, report_status| {
            Some(FeedbackSummary {
                rating: 5.0,
                has_comment,
                responded,
                report_status,
            })
        };
        let now = t0() + Duration::days(25);
        let c = contract(f(true, false, None));
        let badge = FeedbackBadge::for_contract(&c, now);
        assert_eq!(
            badge,
            FeedbackBadge::ToAnswer {
                remaining: Duration::days(3)
            }
        );
        assert_eq!(
            FeedbackBadge::for_contract(&contract(f(true, true, None)), now),
            FeedbackBadge::Answered
        );
        assert_eq!(
            FeedbackBadge::for_contract(&contract(f(false, false, None)), now),
            FeedbackBadge::Received
        );
        assert_eq!(
            FeedbackBadge::for_contract(&contract(f(true, false, None)), t0() + Duration::days(28)),
            FeedbackBadge::Received
        );
        let reported = FeedbackBadge::for_contract(
            &contract(f(true, false, Some(ReportStatus::UnderReview))),
            now,
        );
        assert_eq!(reported, FeedbackBadge::Reported(ReportStatus::UnderReview));
        assert_eq!(
            FeedbackBadge::for_contract(&contract(None), now),
            FeedbackBadge::NoFeedback
        );
    }
}
