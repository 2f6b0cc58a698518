//! Why a piece of feedback may be reported. Machine names are stable: they are the API's values.

use serde::{Deserialize, Serialize};

/// A Terms-of-Service violation that may justify removing feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportCategory {
    Manipulation,
    Inappropriate,
    Irrelevant,
    ConflictOfInterest,
    Fraud,
}

impl ReportCategory {
    /// Every category, in the order the report form lists them.
    pub const ALL: [ReportCategory; 5] = [
        Self::Manipulation,
        Self::Inappropriate,
        Self::Irrelevant,
        Self::ConflictOfInterest,
        Self::Fraud,
    ];

    /// The stable machine name used in the API and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manipulation => "manipulation",
            Self::Inappropriate => "inappropriate",
            Self::Irrelevant => "irrelevant",
            Self::ConflictOfInterest => "conflict_of_interest",
            Self::Fraud => "fraud",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Where a report stands. Set by the trust and safety team, read-only for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Submitted,
    UnderReview,
    /// The feedback was found to break the terms and was removed.
    Removed,
    /// The feedback was reviewed and stays.
    Kept,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        Self::Submitted,
        Self::UnderReview,
        Self::Removed,
        Self::Kept,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::Removed => "removed",
            Self::Kept => "kept",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Where a request to remove feedback the client posted stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RemovalStatus {
    /// Sent by the client, waiting for a moderator (the lifecycle's "submitted").
    Requested,
    Removed,
    /// A moderator decided the feedback stays.
    Declined,
}

impl RemovalStatus {
    pub const ALL: [RemovalStatus; 3] = [Self::Requested, Self::Removed, Self::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Removed => "removed",
            Self::Declined => "declined",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_names_are_stable_and_match_serde() {
        let names: Vec<_> = ReportCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "manipulation",
                "inappropriate",
                "irrelevant",
                "conflict_of_interest",
                "fraud"
            ]
        );
        for c in ReportCategory::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
            assert_eq!(ReportCategory::parse(c.as_str()), Some(c));
        }
        for s in ReportStatus::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            RemovalStatus::parse("requested"),
            Some(RemovalStatus::Requested)
        );
    }

    #[test]
    fn unknown_category_is_refused() {
        assert_eq!(ReportCategory::parse("spam"), None);
        assert!(serde_json::from_str::<ReportCategory>("\"spam\"").is_err());
    }
}
