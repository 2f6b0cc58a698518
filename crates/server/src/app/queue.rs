//! What a moderator reads: the queue of reports and removal requests waiting for a decision,
//! one item, and the dashboard's counts — each item's age measured against the review target.

use chrono::{DateTime, Duration, Utc};
use feedback_domain::{
    review_due_at, ContractId, ItemKind, ModerationCounts, QueueItem, QueuePage, QueueQuery,
    ReportCategory,
};

use super::AppResult;
use crate::storage::{to_stored_precision, QueueRow, Store};

/// The clock ages are measured on (the server's, to the stored precision).
pub fn now() -> DateTime<Utc> {
    to_stored_precision(Utc::now())
}

fn item(row: QueueRow, now: DateTime<Utc>) -> QueueItem {
    let due = review_due_at(row.submitted_at);
    QueueItem {
        overdue: row.kind.is_open(&row.status) && now > due,
        age_seconds: (now - row.submitted_at).num_seconds().max(0),
        review_due_at: due,
        kind: row.kind,
        contract_id: row.contract_id,
        contract_title: row.contract_title,
        client_name: row.client_name,
        status: row.status,
        submitted_at: row.submitted_at,
        feedback: row.feedback,
        report: row.report,
        history: row.history,
    }
}

/// One page, oldest first; `next_cursor` when more items follow.
pub fn page(store: &dyn Store, q: &QueueQuery, now: DateTime<Utc>) -> AppResult<QueuePage> {
    let before = q
        .older_than_days
        .map(|d| now - Duration::days(i64::from(d)));
    let mut rows = store.moderation_queue(q, before)?;
    let more = rows.len() > q.limit as usize;
    rows.truncate(q.limit as usize);
    let items: Vec<QueueItem> = rows.into_iter().map(|r| item(r, now)).collect();
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => Some(last.cursor().encode()),
        _ => None,
    };
    Ok(QueuePage {
        items,
        next_cursor,
        server_now: now,
    })
}

/// One report or removal request, whatever its status.
pub fn one(
    store: &dyn Store,
    kind: ItemKind,
    contract: ContractId,
    now: DateTime<Utc>,
) -> AppResult<Option<QueueItem>> {
    Ok(store
        .moderation_item(kind, contract)?
        .map(|row| item(row, now)))
}

/// Every status and category counted (zeros included), and the open items past the target.
pub fn counts(store: &dyn Store, now: DateTime<Utc>) -> AppResult<ModerationCounts> {
    let rows =
        store.moderation_counts(now - Duration::days(feedback_domain::REVIEW_TARGET_DAYS))?;
    let zeros = |kind: ItemKind| kind.statuses().into_iter().map(|s| (s.to_string(), 0u64));
    let mut reports: std::collections::BTreeMap<_, _> = zeros(ItemKind::Report).collect();
    let mut removals: std::collections::BTreeMap<_, _> = zeros(ItemKind::Removal).collect();
    for (kind, status, n) in rows.by_status {
        let map = match ItemKind::parse(&kind) {
            Some(ItemKind::Report) => &mut reports,
            _ => &mut removals,
        };
        map.insert(status, n.max(0) as u64);
    }
    let mut by_category: std::collections::BTreeMap<_, _> = ReportCategory::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), 0u64))
        .collect();
    for (category, n) in rows.open_by_category {
        by_category.insert(category, n.max(0) as u64);
    }
    Ok(ModerationCounts {
        reports,
        removals,
        open_reports_by_category: by_category,
        open_overdue: rows.open_overdue.max(0) as u64,
        server_now: now,
    })
}
