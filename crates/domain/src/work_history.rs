//! A freelancer's public work history: where a client's response appears. Public and
//! cacheable, so it carries nothing private (no client ids, no reports or removal requests,
//! no drafts) and no clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{parse_canonical_u32, FeedbackResponse, QueryError, MAX_PAGE, MAX_PER_PAGE};

/// A freelancer's id (the path's `{id}`).
pub type FreelancerId = i64;

/// One ended contract on a freelancer's work history: the client's feedback (unless it was
/// removed) and the client's response to the freelancer's feedback (unless that was removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkHistoryItem {
    pub title: String,
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub ended_at: DateTime<Utc>,
    /// The client's display name.
    pub client_name: String,
    /// The client's rating of the freelancer; `None` if that feedback was removed or never left.
    pub rating: Option<f32>,
    /// The client's written comment, if any.
    pub comment: Option<String>,
    /// The client's public response to the freelancer's feedback.
    pub response: Option<FeedbackResponse>,
}

/// A page of a freelancer's work history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkHistoryPage {
    pub freelancer_id: FreelancerId,
    pub freelancer_name: String,
    pub items: Vec<WorkHistoryItem>,
    /// Items over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// `?page=&per_page=` of the work history, bounded as the contract history's are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHistoryQuery {
    pub page: u32,
    pub per_page: u32,
}

impl Default for WorkHistoryQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 10,
        }
    }
}

impl WorkHistoryQuery {
    /// Strict parse (the server): out-of-range or repeated values are errors; other
    /// parameters are ignored.
    pub fn parse_strict<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut q = Self::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (k, v) in pairs {
            let (field, max) = match k {
                "page" => ("page", MAX_PAGE),
                "per_page" => ("per_page", MAX_PER_PAGE),
                _ => continue,
            };
            if seen.contains(&field) {
                return Err(QueryError {
                    field,
                    message: "give this parameter once".into(),
                });
            }
            seen.push(field);
            let n = parse_canonical_u32(v)
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| QueryError {
                    field,
                    message: format!("a whole number from 1 to {max}"),
                })?;
            match field {
                "page" => q.page = n,
                _ => q.per_page = n,
            }
        }
        Ok(q)
    }

    /// Lenient parse (the app's URL): anything unusable keeps its default.
    pub fn parse_lenient<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut q = Self::default();
        for (k, v) in pairs {
            if let Ok(one) = Self::parse_strict([(k, v)]) {
                match k {
                    "page" => q.page = one.page,
                    _ => q.per_page = one.per_page,
                }
            }
        }
        q
    }

    /// The non-default parameters (for URLs and API calls).
    pub fn to_pairs(self) -> Vec<(&'static str, String)> {
        let d = Self::default();
        let mut out = Vec::new();
        if self.page != d.page {
            out.push(("page", self.page.to_string()));
        }
        if self.per_page != d.per_page {
            out.push(("per_page", self.per_page.to_string()));
        }
        out
    }

    /// Rows to skip for this page.
    pub fn offset(self) -> u64 {
        u64::from(self.page.max(1) - 1) * u64::from(self.per_page)
    }

    /// Number of pages for `total` items (at least 1).
    pub fn page_count(self, total: u64) -> u32 {
        let pages = total.div_ceil(u64::from(self.per_page.max(1)));
        pages.clamp(1, u64::from(MAX_PAGE)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_like_the_history() {
        assert_eq!(
            WorkHistoryQuery::parse_strict([]).unwrap(),
            WorkHistoryQuery::default()
        );
        let q =
            WorkHistoryQuery::parse_strict([("page", "3"), ("per_page", "5"), ("x", "y")]).unwrap();
        assert_eq!((q.page, q.per_page, q.offset()), (3, 5, 10));
        for bad in [
            ("page", "0"),
            ("page", "01"),
            ("per_page", "101"),
            ("page", "x"),
        ] {
            assert!(WorkHistoryQuery::parse_strict([bad]).is_err(), "{bad:?}");
        }
        assert!(WorkHistoryQuery::parse_strict([("page", "1"), ("page", "2")]).is_err());
        assert_eq!(WorkHistoryQuery::parse_lenient([("page", "0")]).page, 1);
        assert_eq!(
            WorkHistoryQuery {
                page: 2,
                per_page: 10
            }
            .to_pairs(),
            vec![("page", "2".into())]
        );
        assert_eq!(WorkHistoryQuery::default().page_count(0), 1);
        assert_eq!(WorkHistoryQuery::default().page_count(21), 3);
    }
}
