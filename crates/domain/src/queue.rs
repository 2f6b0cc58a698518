//! The moderator's queue: what waits for a decision (reports and removal requests), in the
//! order it arrived, the filters a moderator narrows it with, the cursor that pages through it,
//! and the review target an item's age is measured against.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{parse_canonical_u32, QueryError, RemovalStatus, ReportCategory, ReportStatus};

/// How long an item may wait for a decision: the target the console measures an item's age
/// against ("within 7 days", as marketplaces' help pages promise a reporter).
pub const REVIEW_TARGET_DAYS: i64 = 7;
pub const QUEUE_DEFAULT_LIMIT: u32 = 20;
pub const QUEUE_MAX_LIMIT: u32 = 100;
/// `older_than` is a number of days up to this (ten years).
pub const QUEUE_MAX_OLDER_THAN_DAYS: u32 = 3650;

/// When an item submitted at `submitted` should have been decided.
pub fn review_due_at(submitted: DateTime<Utc>) -> DateTime<Utc> {
    submitted + Duration::days(REVIEW_TARGET_DAYS)
}

/// What a moderator decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A client's report of the feedback a freelancer left them.
    Report,
    /// A client's request to remove the feedback they left.
    Removal,
}

impl ItemKind {
    /// In the queue's order among items submitted at the same instant.
    pub const ALL: [ItemKind; 2] = [Self::Report, Self::Removal];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Removal => "removal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The statuses of this kind's lifecycle.
    pub fn statuses(self) -> Vec<&'static str> {
        match self {
            Self::Report => ReportStatus::ALL.iter().map(|s| s.as_str()).collect(),
            Self::Removal => RemovalStatus::ALL.iter().map(|s| s.as_str()).collect(),
        }
    }

    /// The statuses that still wait for a moderator (the lifecycle lets them move on).
    pub fn open_statuses(self) -> Vec<&'static str> {
        match self {
            Self::Report => ReportStatus::ALL
                .into_iter()
                .filter(|s| s.is_open())
                .map(ReportStatus::as_str)
                .collect(),
            Self::Removal => RemovalStatus::ALL
                .into_iter()
                .filter(|s| s.is_open())
                .map(RemovalStatus::as_str)
                .collect(),
        }
    }

    /// Whether `status` is one of this kind's and still waits for a moderator.
    pub fn is_open(self, status: &str) -> bool {
        self.open_statuses().contains(&status)
    }
}

impl ReportStatus {
    /// Still waiting for a moderator: some status may follow it.
    pub fn is_open(self) -> bool {
        self.next().next().is_some()
    }

    /// The statuses a moderator may move it to.
    pub fn next(self) -> impl Iterator<Item = ReportStatus> {
        Self::ALL.into_iter().filter(move |n| self.can_move_to(*n))
    }
}

impl RemovalStatus {
    pub fn is_open(self) -> bool {
        self.next().next().is_some()
    }

    pub fn next(self) -> impl Iterator<Item = RemovalStatus> {
        Self::ALL.into_iter().filter(move |n| self.can_move_to(*n))
    }
}

/// Where the queue's next page starts: after this item. Items are ordered by when they were
/// submitted (which never changes), then kind, then contract, so a page boundary stays put
/// while items before or after it are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    pub submitted_at: DateTime<Utc>,
    pub kind: ItemKind,
    pub contract_id: i64,
}

impl QueueCursor {
    /// Opaque to clients; `<milliseconds>.<kind>.<contract id>` to the server.
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.submitted_at.timestamp_millis(),
            self.kind.as_str(),
            self.contract_id
        )
    }

    pub fn decode(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '.');
        let ms: i64 = parts.next()?.parse().ok()?;
        let kind = ItemKind::parse(parts.next()?)?;
        let contract_id = crate::parse_contract_id(parts.next()?)?;
        Some(Self {
            submitted_at: DateTime::from_timestamp_millis(ms)?,
            kind,
            contract_id,
        })
    }
}

/// `GET /moderation/queue`'s parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    /// Only this kind; both when `None` (a `category` implies reports).
    pub kind: Option<ItemKind>,
    /// Only this status (of `kind`'s lifecycle); the open ones when `None`.
    pub status: Option<&'static str>,
    pub category: Option<ReportCategory>,
    /// Only items submitted at least this many days ago.
    pub older_than_days: Option<u32>,
    pub cursor: Option<QueueCursor>,
    pub limit: u32,
}

impl Default for QueueQuery {
    fn default() -> Self {
        Self {
            kind: None,
            status: None,
            category: None,
            older_than_days: None,
            cursor: None,
            limit: QUEUE_DEFAULT_LIMIT,
        }
    }
}

impl QueueQuery {
    pub const PARAMS: [&'static str; 6] = [
        "kind",
        "status",
        "category",
        "older_than",
        "cursor",
        "limit",
    ];

    /// Strict parse (the server): unknown values, out-of-range numbers, a parameter given
    /// twice, a category on removal requests or a status of the other kind's lifecycle are
    /// errors. Unknown parameters are ignored.
    pub fn parse_strict<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut q = Self::default();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut status = None;
        let err = |field: &'static str, message: &str| QueryError {
            field,
            message: message.into(),
        };
        for (k, v) in pairs {
            let Some(field) = Self::PARAMS.into_iter().find(|p| *p == k) else {
                continue;
            };
            if seen.contains(&field) {
                return Err(err(field, "give this parameter once"));
            }
            seen.push(field);
            match field {
                "kind" => {
                    q.kind =
                        Some(ItemKind::parse(v).ok_or_else(|| err(field, "report or removal"))?)
                }
                "status" => status = Some(v),
                "category" => {
                    q.category = Some(
                        ReportCategory::parse(v)
                            .ok_or_else(|| err(field, "one of the report categories"))?,
                    )
                }
                "older_than" => {
                    let max = QUEUE_MAX_OLDER_THAN_DAYS;
                    q.older_than_days = Some(
                        parse_canonical_u32(v)
                            .filter(|n| *n <= max)
                            .ok_or_else(|| {
                                err(field, &format!("a number of days from 0 to {max}"))
                            })?,
                    )
                }
                "cursor" => {
                    q.cursor =
                        Some(QueueCursor::decode(v).ok_or_else(|| {
                            err(field, "a next_cursor value from an earlier page")
                        })?)
                }
                _ => {
                    let max = QUEUE_MAX_LIMIT;
                    q.limit = parse_canonical_u32(v)
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| err(field, &format!("a whole number from 1 to {max}")))?
                }
            }
        }
        if q.category.is_some() {
            if q.kind == Some(ItemKind::Removal) {
                return Err(err("category", "only reports have a category"));
            }
            q.kind = Some(ItemKind::Report);
        }
        if let Some(s) = status {
            let known = q.kinds().into_iter().flat_map(ItemKind::statuses);
            q.status = Some(known.into_iter().find(|k| *k == s).ok_or_else(|| {
                err(
                    "status",
                    "a status of the kind asked for (see the lifecycle)",
                )
            })?);
        }
        Ok(q)
    }

    /// The kinds listed.
    pub fn kinds(&self) -> Vec<ItemKind> {
        match self.kind {
            Some(k) => vec![k],
            None => ItemKind::ALL.to_vec(),
        }
    }

    /// The statuses listed for `kind`: the one asked for if it is `kind`'s, else its open ones.
    pub fn statuses(&self, kind: ItemKind) -> Vec<&'static str> {
        match self.status {
            Some(s) => kind.statuses().into_iter().filter(|k| *k == s).collect(),
            None => kind.open_statuses(),
        }
    }

    /// The parameters for a URL or an API call (defaults left out).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(k) = self.kind {
            out.push(("kind", k.as_str().to_string()));
        }
        if let Some(s) = self.status {
            out.push(("status", s.to_string()));
        }
        if let Some(c) = self.category {
            out.push(("category", c.as_str().to_string()));
        }
        if let Some(d) = self.older_than_days {
            out.push(("older_than", d.to_string()));
        }
        if let Some(c) = &self.cursor {
            out.push(("cursor", c.encode()));
        }
        if self.limit != QUEUE_DEFAULT_LIMIT {
            out.push(("limit", self.limit.to_string()));
        }
        out
    }
}

/// One status a report or removal request has had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: String,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// The moderator's reason (shown to the client); `None` for the client's own first entry.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Who wrote the feedback an item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorRole {
    /// A report is about feedback the freelancer left the client.
    Freelancer,
    /// A removal request is about feedback the client left.
    Client,
}

/// The feedback an item is about, as its author wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueFeedback {
    pub rating: f32,
    pub comment: Option<String>,
    pub author_name: String,
    pub author_role: AuthorRole,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "crate::time::rfc3339_opt")]
    pub removed_at: Option<DateTime<Utc>>,
}

/// What the client reported (reports only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueReport {
    pub category: ReportCategory,
    pub description: String,
    /// Links as the client gave them: untrusted, for a moderator to open by choice.
    pub evidence: Vec<String>,
}

/// A report or removal request as the moderator reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub kind: ItemKind,
    pub contract_id: i64,
    pub contract_title: String,
    /// The client who reported the feedback or asked for its removal.
    pub client_name: String,
    pub status: String,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub submitted_at: DateTime<Utc>,
    pub feedback: QueueFeedback,
    pub report: Option<QueueReport>,
    /// Every status it has had, oldest first.
    pub history: Vec<StatusChange>,
    /// Seconds since it was submitted, at `server_now`.
    pub age_seconds: i64,
    /// `submitted_at` plus the review target ([`REVIEW_TARGET_DAYS`]).
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub review_due_at: DateTime<Utc>,
    /// Still open after `review_due_at`.
    pub overdue: bool,
}

impl QueueItem {
    /// Where the next page starts if this is a page's last item.
    pub fn cursor(&self) -> QueueCursor {
        QueueCursor {
            submitted_at: self.submitted_at,
            kind: self.kind,
            contract_id: self.contract_id,
        }
    }
}

/// A page of the queue, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub server_now: DateTime<Utc>,
}

/// The dashboard line: how many items have each status, what the open reports are about and
/// how many open items are past the review target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationCounts {
    /// Reports by status (every status, zeros included).
    pub reports: BTreeMap<String, u64>,
    /// Removal requests by status.
    pub removals: BTreeMap<String, u64>,
    /// Open reports by category (every category).
    pub open_reports_by_category: BTreeMap<String, u64>,
    /// Open items submitted more than the review target ago.
    pub open_overdue: u64,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub server_now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn parse(q: &str) -> Result<QueueQuery, QueryError> {
        QueueQuery::parse_strict(q.split('&').filter(|p| !p.is_empty()).map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k, v)
        }))
    }

    #[test]
    fn open_statuses_follow_the_lifecycle() {
        assert_eq!(
            ItemKind::Report.open_statuses(),
            ["submitted", "under_review"]
        );
        assert_eq!(ItemKind::Removal.open_statuses(), ["requested"]);
        assert!(ItemKind::Report.is_open("under_review") && !ItemKind::Report.is_open("kept"));
        assert_eq!(
            ReportStatus::UnderReview.next().collect::<Vec<_>>(),
            [ReportStatus::Removed, ReportStatus::Kept]
        );
    }

    #[test]
    fn queries_are_checked_and_round_trip() {
        assert_eq!(parse("").unwrap(), QueueQuery::default());
        let q =
            parse("kind=report&status=under_review&category=fraud&older_than=7&limit=5").unwrap();
        assert_eq!(q.statuses(ItemKind::Report), ["under_review"]);
        let pairs = q.to_pairs();
        let again = QueueQuery::parse_strict(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(again, q);
        // A category means reports; a removal has none.
        assert_eq!(parse("category=fraud").unwrap().kinds(), [ItemKind::Report]);
        assert!(parse("kind=removal&category=fraud").is_err());
        // A status must be one of the kind's.
        assert!(parse("kind=removal&status=submitted").is_err());
        assert_eq!(parse("status=removed").unwrap().kinds().len(), 2);
        for bad in [
            "kind=x",
            "limit=0",
            "limit=101",
            "older_than=-1",
            "older_than=3651",
            "cursor=abc",
            "limit=1&limit=2",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_to_the_millisecond() {
        let c = QueueCursor {
            submitted_at: Utc.timestamp_millis_opt(1_764_000_000_123).unwrap(),
            kind: ItemKind::Removal,
            contract_id: 42,
        };
        assert_eq!(QueueCursor::decode(&c.encode()), Some(c));
        assert_eq!(QueueCursor::decode("1.report.042"), None);
        assert_eq!(
            review_due_at(c.submitted_at) - c.submitted_at,
            Duration::days(7)
        );
    }
}
