//! The SQL both backends run, written once in one placeholder style (`$1`, `$2`, …: PostgreSQL's
//! own; the SQLite backend reads them as `?1`, `?2`, … through `sqlite::numbered`), and the
//! derived values both store for sorting and search.

use chrono::{DateTime, Utc};
use feedback_domain::{ContractId, HistoryQuery, ItemKind, QueueQuery, SortOrder, StatusFilter};

/// A report's or removal request's status history: subject `$1`, feedback `$2`, oldest first.
pub const STATUS_HISTORY: &str = "SELECT status, at, reason FROM status_changes \
     WHERE subject = $1 AND feedback_id = $2 ORDER BY id";

/// A contract summary's columns (over `contracts c` with `SUMMARY_JOINS`), as both read them.
pub const SUMMARY_COLUMNS: &str = "c.id, c.title, c.freelancer_name, c.started_at, c.ended_at, \
     rf.rating, rf.comment IS NOT NULL, rs.feedback_id IS NOT NULL, rp.status, c.freelancer_id";
/// The columns after `SUMMARY_COLUMNS` start here.
pub const AFTER_SUMMARY: usize = 10;
/// The feedback both ways on a contract's details, in the column order both backends read
/// (each adds its `WHERE … contract_id =` the contract).
pub const RECEIVED_DETAILS: &str = "SELECT rf.id, rf.rating, rf.comment, rf.created_at, \
     rs.text, rs.created_at, rp.category, rp.description, rp.evidence, rp.status, rp.created_at, \
     rf.removed_at \
     FROM received_feedback rf \
     LEFT JOIN responses rs ON rs.feedback_id = rf.id \
     LEFT JOIN reports rp ON rp.feedback_id = rf.id";
pub const GIVEN_DETAILS: &str = "SELECT gf.id, gf.rating, gf.comment, gf.created_at, \
     rr.status, rr.created_at, gf.removed_at \
     FROM given_feedback gf LEFT JOIN removal_requests rr ON rr.feedback_id = gf.id";
pub const SUMMARY_JOINS: &str = "LEFT JOIN received_feedback rf ON rf.contract_id = c.id \
     LEFT JOIN responses rs ON rs.feedback_id = rf.id \
     LEFT JOIN reports rp ON rp.feedback_id = rf.id";

/// A freelancer's id for a name, made on first use (the reference data names freelancers);
/// a new contract takes it by `FREELANCER_BY_NAME`.
pub const ENSURE_FREELANCER: &str =
    "INSERT INTO freelancers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
/// A freelancer's id, by name (a subquery of each backend's contract insert).
pub const FREELANCER_BY_NAME: &str = "(SELECT id FROM freelancers WHERE name = $3)";
/// A freelancer's name, by id.
pub const FREELANCER_NAME: &str = "SELECT name FROM freelancers WHERE id = $1";
/// The work history's rows: a freelancer's (`$1`) ended contracts with something public left —
/// the client's feedback not removed, or the client's response to feedback not removed.
/// Removed parts read as NULL.
const WORK_HISTORY_FROM: &str = "FROM contracts c JOIN users u ON u.id = c.client_id \
     LEFT JOIN given_feedback gf ON gf.contract_id = c.id AND gf.removed_at IS NULL \
     LEFT JOIN received_feedback rf ON rf.contract_id = c.id AND rf.removed_at IS NULL \
     LEFT JOIN responses rs ON rs.feedback_id = rf.id \
     WHERE c.freelancer_id = $1 AND c.ended_at IS NOT NULL \
       AND (gf.id IS NOT NULL OR rs.feedback_id IS NOT NULL)";
/// How many rows the work history has.
pub fn work_history_count() -> String {
    format!("SELECT COUNT(*) {WORK_HISTORY_FROM}")
}
/// One page (`$2` rows from `$3`), newest first: title, ended_at, client name, rating, comment,
/// response text, response time.
pub fn work_history_page() -> String {
    format!(
        "SELECT c.title, c.ended_at, u.name, gf.rating, gf.comment, rs.text, rs.created_at \
         {WORK_HISTORY_FROM} ORDER BY c.sort_end DESC, c.id DESC LIMIT $2 OFFSET $3"
    )
}

/// Written, unanswered, not removed feedback on contracts that ended in `[$1, $2)`: who may
/// be owed a reminder.
pub const REMINDER_CANDIDATES: &str = "SELECT c.id, c.client_id, rf.id, c.ended_at \
     FROM contracts c JOIN received_feedback rf ON rf.contract_id = c.id \
     WHERE c.ended_at >= $1 AND c.ended_at < $2 \
       AND rf.comment IS NOT NULL AND rf.removed_at IS NULL \
       AND NOT EXISTS (SELECT 1 FROM responses rs WHERE rs.feedback_id = rf.id)";

/// A value bound to the queue's SQL, which each backend binds in its own types (SQLite keeps
/// times as milliseconds, PostgreSQL as timestamptz).
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

/// A query with its parameters, numbered `$1…` in order.
#[derive(Debug, Default)]
pub struct Bound {
    pub sql: String,
    pub params: Vec<Param>,
}

impl Bound {
    /// Adds a parameter and returns its placeholder.
    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }
}

/// The queue's columns, in the order both backends read them: kind rank (`ItemKind::ALL`'s
/// index), contract id, title, client name, status, submitted at, feedback id, rating, comment,
/// author name, feedback created at, removed at, category, description, evidence.
fn queue_branch(kind: ItemKind, b: &mut Bound, filter: &QueueFilter) -> String {
    let rank = ItemKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    let (table, feedback, author, report_columns) = match kind {
        ItemKind::Report => (
            "reports",
            "received_feedback",
            "c.freelancer_name",
            "s.category, s.description, s.evidence",
        ),
        ItemKind::Removal => (
            "removal_requests",
            "given_feedback",
            "u.name",
            "CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)",
        ),
    };
    let statuses: Vec<String> = filter
        .statuses(kind)
        .into_iter()
        .map(|st| b.bind(Param::Text(st.to_string())))
        .collect();
    let mut conditions = vec![if statuses.is_empty() {
        "1 = 0".to_string() // a status of the other kind's lifecycle: none of this kind
    } else {
        format!("s.status IN ({})", statuses.join(", "))
    }];
    if let (ItemKind::Report, Some(c)) = (kind, filter.category) {
        conditions.push(format!("s.category = {}", b.bind(Param::Text(c.into()))));
    }
    if let Some(t) = filter.submitted_before {
        conditions.push(format!("s.created_at <= {}", b.bind(Param::Time(t))));
    }
    if let Some((at, after_rank, id)) = filter.after {
        // Row comparison: strictly after the cursor's item in the queue's order.
        conditions.push(format!(
            "(s.created_at, CAST({rank} AS BIGINT), c.id) > ({}, {}, {})",
            b.bind(Param::Time(at)),
            b.bind(Param::Int(after_rank)),
            b.bind(Param::Int(id)),
        ));
    }
    if let Some(id) = filter.contract {
        conditions.push(format!("c.id = {}", b.bind(Param::Int(id))));
    }
    format!(
        "SELECT CAST({rank} AS BIGINT) AS kind_rank, c.id AS contract_id, c.title, u.name, s.status, \
         s.created_at AS submitted_at, f.id, f.rating, f.comment, {author}, f.created_at, \
         f.removed_at, {report_columns} \
         FROM {table} s JOIN {feedback} f ON f.id = s.feedback_id \
         JOIN contracts c ON c.id = f.contract_id JOIN users u ON u.id = c.client_id \
         WHERE {}",
        conditions.join(" AND ")
    )
}

/// What the queue's SQL selects, from a `QueueQuery` (or one item).
struct QueueFilter {
    kinds: Vec<ItemKind>,
    status: Option<&'static str>,
    any_status: bool,
    category: Option<&'static str>,
    submitted_before: Option<DateTime<Utc>>,
    after: Option<(DateTime<Utc>, i64, ContractId)>,
    contract: Option<ContractId>,
}

impl QueueFilter {
    fn statuses(&self, kind: ItemKind) -> Vec<&'static str> {
        match (self.any_status, self.status) {
            (true, _) => kind.statuses(),
            (false, Some(s)) => kind.statuses().into_iter().filter(|k| *k == s).collect(),
            (false, None) => kind.open_statuses(),
        }
    }
}

/// The branches of each kind, in the queue's order, `limit` rows.
fn queue_select(filter: QueueFilter, limit: i64) -> Bound {
    let mut b = Bound::default();
    let branches: Vec<String> = filter
        .kinds
        .iter()
        .map(|k| queue_branch(*k, &mut b, &filter))
        .collect();
    let limit = b.bind(Param::Int(limit));
    b.sql = format!(
        "SELECT * FROM ({}) q ORDER BY submitted_at, kind_rank, contract_id LIMIT {limit}",
        branches.join(" UNION ALL ")
    );
    b
}

/// One page of the queue: `q`'s filters, items submitted at or before `submitted_before`
/// (from `older_than`), after `q.cursor`, one row more than the limit (to tell whether a next
/// page exists).
pub fn queue_page(q: &QueueQuery, submitted_before: Option<DateTime<Utc>>) -> Bound {
    queue_select(
        QueueFilter {
            kinds: q.kinds(),
            status: q.status,
            any_status: false,
            category: q.category.map(|c| c.as_str()),
            submitted_before,
            after: q.cursor.map(|c| {
                let rank = ItemKind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0);
                (c.submitted_at, rank as i64, c.contract_id)
            }),
            contract: None,
        },
        i64::from(q.limit) + 1,
    )
}

/// One item, whatever its status.
pub fn queue_item(kind: ItemKind, contract: ContractId) -> Bound {
    queue_select(
        QueueFilter {
            kinds: vec![kind],
            status: None,
            any_status: true,
            category: None,
            submitted_before: None,
            after: None,
            contract: Some(contract),
        },
        1,
    )
}

/// Items by kind and status: `'report'|'removal'`, status, count.
pub const COUNT_BY_STATUS: &str = "SELECT 'report', status, COUNT(*) FROM reports GROUP BY status \
     UNION ALL SELECT 'removal', status, COUNT(*) FROM removal_requests GROUP BY status";

/// Open reports by category, and open items submitted at or before `overdue_before`.
pub fn count_open(overdue_before: DateTime<Utc>) -> (Bound, Bound) {
    let mut by_category = Bound::default();
    let open = |b: &mut Bound, kind: ItemKind| {
        kind.open_statuses()
            .into_iter()
            .map(|s| b.bind(Param::Text(s.into())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    by_category.sql = format!(
        "SELECT category, COUNT(*) FROM reports WHERE status IN ({}) GROUP BY category",
        open(&mut by_category, ItemKind::Report)
    );
    let mut overdue = Bound::default();
    let (reports, removals) = (
        open(&mut overdue, ItemKind::Report),
        open(&mut overdue, ItemKind::Removal),
    );
    let at = overdue.bind(Param::Time(overdue_before));
    overdue.sql = format!(
        "SELECT (SELECT COUNT(*) FROM reports WHERE status IN ({reports}) AND created_at <= {at}) \
         + (SELECT COUNT(*) FROM removal_requests WHERE status IN ({removals}) AND created_at <= {at})"
    );
    (by_category, overdue)
}

/// Escapes LIKE wildcards so a search for "50%" means the text "50%" (both databases use `\`).
pub fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for ch in q.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// How a history page is read from its index: with `OFFSET` from the nearer end of the
/// ordered list. A page past the middle is read in the reverse order from the end (the outer
/// query puts its rows back in order), so the last pages cost what the first ones do and the
/// deepest read is half the list, not all of it.
#[derive(Debug, PartialEq)]
pub struct PageScan {
    pub reversed: bool,
    pub offset: i64,
    pub limit: i64,
}

pub fn page_scan(total: u64, page: u32, per_page: u32) -> PageScan {
    let (total, limit) = (total as i64, i64::from(per_page));
    let offset = i64::from(page.max(1) - 1) * limit;
    if offset >= total || offset <= total / 2 {
        return PageScan {
            reversed: false,
            offset,
            limit,
        };
    }
    let limit = limit.min(total - offset);
    PageScan {
        reversed: true,
        offset: total - offset - limit,
        limit,
    }
}

/// The history query's `WHERE` clause (the client is `$1`, the search pattern `$2`), and the
/// `contract_counts` column that holds its total when there is no search. `active_end` is the
/// `sort_end` an active contract has: each backend's `ACTIVE_SORT_END`.
pub struct HistorySql {
    pub filter: String,
    pub searching: bool,
    pub total_column: &'static str,
}

pub fn history_sql(q: &HistoryQuery, active_end: &str) -> HistorySql {
    let mut filter = "client_id = $1".to_string();
    let total_column = match q.status {
        StatusFilter::All => "active + ended",
        StatusFilter::Active => {
            filter.push_str(&format!(" AND sort_end = {active_end}"));
            "active"
        }
        StatusFilter::Ended => {
            filter.push_str(&format!(" AND sort_end < {active_end}"));
            "ended"
        }
    };
    let searching = !q.q.is_empty();
    if searching {
        filter.push_str(" AND search_text LIKE $2 ESCAPE '\\'");
    }
    HistorySql {
        filter,
        searching,
        total_column,
    }
}

/// The history's `ORDER BY` over columns of table alias `t` ("" or "c."), maybe reversed.
/// Every order ends with the id, so it is total and a page is well defined.
pub fn order_by(sort: SortOrder, t: &str, reversed: bool) -> String {
    let (key, ascending) = match sort {
        SortOrder::EndedDesc => ("sort_end", false),
        SortOrder::EndedAsc => ("sort_end", true),
        SortOrder::TitleAsc => ("title_key", true),
        SortOrder::TitleDesc => ("title_key", false),
    };
    let dir = if ascending != reversed { "ASC" } else { "DESC" };
    format!("{t}{key} {dir}, {t}id {dir}")
}

/// The derived columns a contract row carries for sorting and search (both databases).
pub fn title_key(title: &str) -> String {
    title.to_lowercase()
}

pub fn search_text(title: &str, freelancer: &str) -> String {
    format!("{title} {freelancer}").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_pages_are_read_from_the_nearer_end() {
        let first = page_scan(100_000, 1, 20);
        assert_eq!((first.reversed, first.offset, first.limit), (false, 0, 20));
        // Page 4,000 of 5,000: 20,000 rows from the end instead of 79,980 from the start.
        assert_eq!(
            page_scan(100_000, 4_000, 20),
            PageScan {
                reversed: true,
                offset: 20_000,
                limit: 20
            }
        );
        // The last, partial page: its rows only.
        assert_eq!(
            page_scan(95, 5, 20),
            PageScan {
                reversed: true,
                offset: 0,
                limit: 15
            }
        );
        // Past the end: nothing to read, as before.
        assert_eq!(page_scan(95, 6, 20).offset, 100);
        assert!(!page_scan(95, 6, 20).reversed);
        assert_eq!(
            order_by(SortOrder::EndedDesc, "c.", false),
            "c.sort_end DESC, c.id DESC"
        );
        assert_eq!(
            order_by(SortOrder::EndedDesc, "", true),
            "sort_end ASC, id ASC"
        );
        assert_eq!(
            order_by(SortOrder::TitleAsc, "", true),
            "title_key DESC, id DESC"
        );
    }
}
