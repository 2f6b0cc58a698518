//! The moderator's queue over HTTP: oldest first, filtered, paged by a cursor that stays
//! correct while items are decided under it, counted for the dashboard, one decision per item
//! when two moderators race, and reachable from the console's origin only when configured.
//! Runs on SQLite, and with `FEEDBACK_TEST_DB=postgres` on PostgreSQL.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Duration as Span, Utc};
use common::*;
use serde_json::{json, Value};

const QUEUE: &str = "/api/v1/moderation/queue";

/// A report of `category` (submitted `ago` before now) on a new contract of Alice's.
fn report(s: &Server, category: &str, ago: Span) -> i64 {
    s.fixture(json!({
        "title": format!("Reported {category}"),
        "ended_at": Utc::now() - Span::days(2),
        "received_rating": 1.0, "received_comment": "Abusive words.",
        "report_status": "submitted", "report_category": category,
        "report_description": "The freelancer wrote this to push my rating down.",
        "report_evidence": ["https://evidence.example/thread/1"],
        "submitted_at": Utc::now() - ago,
    }))
}

fn removal(s: &Server, ago: Span) -> i64 {
    s.fixture(json!({
        "title": "Removal asked",
        "ended_at": Utc::now() - Span::days(3),
        "given_rating": 2.0, "given_comment": "Written in anger.",
        "removal_status": "requested",
        "submitted_at": Utc::now() - ago,
    }))
}

fn queue(s: &Server, query: &str) -> Value {
    let r = s.get(&format!("{QUEUE}?{query}"), Some(MODERATOR));
    assert_eq!(r.status, 200, "{query}: {:?}", r.body);
    r.body
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["contract_id"].as_i64().unwrap())
        .collect()
}

/// Every page of `query`, following `next_cursor`, calling `between` after each page.
fn all_pages(s: &Server, query: &str, mut between: impl FnMut(usize)) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for n in 0..1000 {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_string(),
        };
        let page = queue(s, &q);
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        between(n);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
    panic!("the queue never ended");
}

fn submitted(item: &Value) -> DateTime<Utc> {
    item["submitted_at"].as_str().unwrap().parse().unwrap()
}

#[test]
fn the_queue_lists_open_items_oldest_first_with_what_a_moderator_reads() {
    let s = Server::start(&["--test-fixtures"]);
    let old = report(&s, "fraud", Span::days(9));
    let young = report(&s, "fraud", Span::hours(1));
    let asked = removal(&s, Span::days(8));
    let page = queue(&s, "");
    let listed = ids(&page);
    // Oldest first (the demo data's open items are in there too).
    let times: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(submitted)
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let pos = |id| listed.iter().position(|x| *x == id).unwrap();
    assert!(pos(old) < pos(asked) && pos(asked) < pos(young));

    let item = &page["items"][pos(old)];
    assert_eq!(item["kind"], "report");
    assert_eq!(item["status"], "submitted");
    assert_eq!(item["client_name"], "Alice Client");
    assert_eq!(item["feedback"]["author_role"], "freelancer");
    assert_eq!(item["feedback"]["author_name"], "Test Freelancer");
    assert_eq!(item["feedback"]["comment"], "Abusive words.");
    assert_eq!(item["feedback"]["rating"], 1.0);
    assert_eq!(item["report"]["category"], "fraud");
    assert_eq!(
        item["report"]["evidence"],
        json!(["https://evidence.example/thread/1"])
    );
    assert_eq!(item["history"][0]["status"], "submitted");
    assert_eq!(item["overdue"], true);
    assert!(item["age_seconds"].as_i64().unwrap() >= 9 * 86_400);
    let due: DateTime<Utc> = item["review_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - submitted(item), Span::days(7));
    assert_eq!(page["items"][pos(young)]["overdue"], false);

    let r = &page["items"][pos(asked)];
    assert_eq!(r["kind"], "removal");
    assert_eq!(r["feedback"]["author_role"], "client");
    assert_eq!(r["feedback"]["author_name"], "Alice Client");
    assert_eq!(r["report"], json!(null));

    // One item, whatever its status; unknown ones are 404, bad kinds 422.
    let one = s.get(
        &format!("/api/v1/moderation/items/report/{old}"),
        Some(MODERATOR),
    );
    assert_eq!(one.status, 200, "{:?}", one.body);
    assert_eq!(one.body["contract_id"], old);
    s.get(
        &format!("/api/v1/moderation/items/removal/{old}"),
        Some(MODERATOR),
    )
    .assert_problem(404, "not-found");
    s.get(
        &format!("/api/v1/moderation/items/thing/{old}"),
        Some(MODERATOR),
    )
    .assert_problem(422, "validation");
    // A decided item leaves the open queue but is still one GET away.
    s.moderate(old, "report", "under_review", "Reading.");
    s.moderate(old, "report", "kept", "Not a violation.");
    assert!(!ids(&queue(&s, "")).contains(&old));
    let kept = s.get(
        &format!("/api/v1/moderation/items/report/{old}"),
        Some(MODERATOR),
    );
    assert_eq!(kept.body["status"], "kept");
    assert_eq!(kept.body["overdue"], false);
    assert_eq!(kept.body["history"][2]["reason"], "Not a violation.");
}

#[test]
fn filters_narrow_the_queue_and_bad_ones_are_422() {
    let s = Server::start(&["--test-fixtures"]);
    let fraud = report(&s, "fraud", Span::days(10));
    let rude = report(&s, "inappropriate", Span::days(1));
    let asked = removal(&s, Span::days(4));
    s.moderate(rude, "report", "under_review", "Reading.");

    let set = |q: &str| ids(&queue(&s, q)).into_iter().collect::<BTreeSet<_>>();
    let mine = |q: &str| {
        set(q)
            .into_iter()
            .filter(|id| [fraud, rude, asked].contains(id))
            .collect::<Vec<_>>()
    };
    assert_eq!(mine(""), [fraud, rude, asked]);
    assert_eq!(mine("kind=report"), [fraud, rude]);
    assert_eq!(mine("kind=removal"), [asked]);
    assert_eq!(mine("category=fraud"), [fraud]);
    assert_eq!(mine("status=under_review"), [rude]);
    assert_eq!(mine("kind=report&status=submitted"), [fraud]);
    assert_eq!(mine("older_than=3"), [fraud, asked]);
    assert_eq!(mine("older_than=5"), [fraud]);
    assert_eq!(mine("status=requested&older_than=3"), [asked]);
    for bad in [
        "kind=all",
        "status=open",
        "kind=removal&status=submitted",
        "kind=removal&category=fraud",
        "category=spam",
        "older_than=-1",
        "limit=0",
        "limit=101",
        "cursor=nonsense",
        "limit=5&limit=6",
    ] {
        s.get(&format!("{QUEUE}?{bad}"), Some(MODERATOR))
            .assert_problem(422, "validation");
    }
}

#[test]
fn counts_cover_every_status_and_category() {
    let s = Server::start(&["--test-fixtures"]);
    let before = s.get("/api/v1/moderation/counts", Some(MODERATOR)).body;
    let n = |v: &Value, path: &[&str]| path.iter().fold(v, |v, k| &v[*k]).as_u64().unwrap();
    let id = report(&s, "fraud", Span::days(8));
    removal(&s, Span::hours(1));
    let after = s.get("/api/v1/moderation/counts", Some(MODERATOR)).body;
    assert_eq!(
        n(&after, &["reports", "submitted"]),
        n(&before, &["reports", "submitted"]) + 1
    );
    assert_eq!(
        n(&after, &["removals", "requested"]),
        n(&before, &["removals", "requested"]) + 1
    );
    assert_eq!(
        n(&after, &["open_reports_by_category", "fraud"]),
        n(&before, &["open_reports_by_category", "fraud"]) + 1
    );
    assert_eq!(
        n(&after, &["open_overdue"]),
        n(&before, &["open_overdue"]) + 1
    );
    // Every status and category is there, zeros included.
    assert_eq!(after["reports"].as_object().unwrap().len(), 4);
    assert_eq!(after["removals"].as_object().unwrap().len(), 3);
    assert_eq!(
        after["open_reports_by_category"].as_object().unwrap().len(),
        5
    );
    s.moderate(id, "report", "under_review", "Reading.");
    s.moderate(id, "report", "removed", "Fraudulent.");
    let decided = s.get("/api/v1/moderation/counts", Some(MODERATOR)).body;
    assert_eq!(
        n(&decided, &["reports", "removed"]),
        n(&after, &["reports", "removed"]) + 1
    );
    assert_eq!(
        n(&decided, &["open_overdue"]),
        n(&before, &["open_overdue"])
    );
}

#[test]
fn pages_skip_nothing_and_repeat_nothing_while_items_are_decided() {
    let s = Server::start(&["--test-fixtures"]);
    // 30 reports a minute apart, and a few submitted at the same instant as another.
    let mut made: Vec<i64> = (0..30)
        .map(|i| report(&s, "manipulation", Span::minutes(600 - i * 10)))
        .collect();
    let same = Utc::now() - Span::minutes(305);
    for _ in 0..4 {
        made.push(s.fixture(json!({
            "title": "Same instant", "ended_at": Utc::now() - Span::days(2),
            "received_rating": 2.0, "received_comment": "Tied.",
            "report_status": "submitted", "report_category": "manipulation",
            "submitted_at": same,
        })));
    }
    // A second moderator decides every third item while the first pages, five at a time.
    let decided: Vec<i64> = made.iter().copied().step_by(3).collect();
    let base = s.url("");
    let worker = {
        let decided = decided.clone();
        std::thread::spawn(move || {
            for id in decided {
                for (status, reason) in [("under_review", "Reading."), ("kept", "Fine.")] {
                    let r = agent()
                        .post(&format!(
                            "{base}/api/v1/moderation/contracts/{id}/report/status"
                        ))
                        .set("Authorization", &format!("Bearer {MODERATOR}"))
                        .send_json(json!({"status": status, "reason": reason}));
                    assert!(r.is_ok(), "{id}: {r:?}");
                }
            }
        })
    };
    let items = all_pages(&s, "kind=report&status=submitted&limit=5", |_| {
        std::thread::sleep(std::time::Duration::from_millis(5))
    });
    worker.join().unwrap();
    let seen: Vec<i64> = items
        .iter()
        .map(|i| i["contract_id"].as_i64().unwrap())
        .collect();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "an item was listed twice: {seen:?}"
    );
    // Every item nobody decided is listed; a decided one at most once.
    for id in made.iter().filter(|id| !decided.contains(id)) {
        assert!(seen.contains(id), "{id} was skipped: {seen:?}");
    }
    let order: Vec<_> = items
        .iter()
        .map(|i| (submitted(i), i["contract_id"].as_i64().unwrap()))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // And with nothing changing, the pages put together are the one long page.
    let whole = ids(&queue(&s, "kind=report&status=submitted&limit=100"));
    let paged: Vec<i64> = all_pages(&s, "kind=report&status=submitted&limit=3", |_| ())
        .iter()
        .map(|i| i["contract_id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, whole);
}

#[test]
fn two_moderators_deciding_one_item_at_once_one_wins_the_other_gets_409_and_the_state() {
    let s = Server::start(&["--test-fixtures"]);
    for round in 0..5 {
        let id = report(&s, "fraud", Span::hours(round + 1));
        s.moderate(id, "report", "under_review", "Reading.");
        let barrier = Arc::new(Barrier::new(2));
        let base = s.url("");
        let racers: Vec<_> = ["removed", "kept"]
            .into_iter()
            .map(|status| {
                let (barrier, base) = (barrier.clone(), base.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Reply::from(
                        agent()
                            .post(&format!(
                                "{base}/api/v1/moderation/contracts/{id}/report/status"
                            ))
                            .set("Authorization", &format!("Bearer {MODERATOR}"))
                            .send_json(
                                json!({"status": status, "reason": format!("Decided {status}.")}),
                            ),
                    )
                })
            })
            .collect();
        let replies: Vec<Reply> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let winner = replies.iter().find(|r| r.status == 200).unwrap();
        let loser = replies.iter().find(|r| r.status == 409).unwrap();
        loser.assert_problem(409, "status-transition");
        let current = loser.body["current"]
            .as_array()
            .expect("the current history");
        assert_eq!(current.len(), 3);
        assert_eq!(current[2]["status"], winner.body["status"]);
        assert_eq!(
            s.count(&format!(
                "SELECT COUNT(*) FROM status_changes WHERE subject = 'report' AND feedback_id = \
                 (SELECT id FROM received_feedback WHERE contract_id = {id})"
            )),
            3
        );
    }
}

#[test]
fn only_the_configured_console_origin_and_moderator_tokens_reach_the_queue() {
    const CONSOLE: &str = "http://127.0.0.1:8790";
    const WIDGET: &str = "http://127.0.0.1:8080";
    let from = |s: &Server, origin: &str, token: &str| {
        Reply::from(
            agent()
                .get(&s.url(QUEUE))
                .set("Authorization", &format!("Bearer {token}"))
                .set("Origin", origin)
                .call(),
        )
    };
    let preflight = |s: &Server, origin: &str| {
        Reply::from(
            agent()
                .request(
                    "OPTIONS",
                    &s.url("/api/v1/moderation/contracts/1/report/status"),
                )
                .set("Origin", origin)
                .set("Access-Control-Request-Method", "POST")
                .set(
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                )
                .call(),
        )
    };
    // Default: server-side tools only.
    let s = Server::start(&["--cors-origin", WIDGET]);
    assert_eq!(s.get(QUEUE, Some(MODERATOR)).status, 200);
    from(&s, CONSOLE, MODERATOR).assert_problem(403, "forbidden");
    from(&s, WIDGET, MODERATOR).assert_problem(403, "forbidden");
    assert_eq!(
        preflight(&s, CONSOLE).header("access-control-allow-origin"),
        None
    );
    drop(s);

    let s = Server::start(&["--cors-origin", WIDGET, "--moderation-origin", CONSOLE]);
    let ok = from(&s, CONSOLE, MODERATOR);
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.header("access-control-allow-origin"), Some(CONSOLE));
    assert_eq!(
        preflight(&s, CONSOLE).header("access-control-allow-origin"),
        Some(CONSOLE)
    );
    // The widget's origin is still refused, and not offered CORS.
    let widget = from(&s, WIDGET, MODERATOR);
    widget.assert_problem(403, "forbidden");
    assert_eq!(widget.header("access-control-allow-origin"), None);
    assert_eq!(
        preflight(&s, WIDGET).header("access-control-allow-origin"),
        None
    );
    // A client's token never works there, from the console or not; a moderator's never on
    // the client API.
    from(&s, CONSOLE, ALICE).assert_problem(401, "unauthorized");
    s.get(QUEUE, Some(ALICE))
        .assert_problem(401, "unauthorized");
    s.get(QUEUE, None).assert_problem(401, "unauthorized");
    s.get("/api/v1/moderation/counts", Some(BOB))
        .assert_problem(401, "unauthorized");
    s.get("/api/v1/contracts", Some(MODERATOR))
        .assert_problem(401, "unauthorized");
}
