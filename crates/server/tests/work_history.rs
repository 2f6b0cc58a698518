//! The freelancer's public work history: no token, nothing private, removed feedback left out,
//! a posted response visible on the next read, ETag/304, CORS open for this route only, its own
//! rate limit, and problems for bad ids and pages. Runs on SQLite, and with
//! `FEEDBACK_TEST_DB=postgres` on PostgreSQL.

mod common;

use std::collections::BTreeSet;

use chrono::{Duration as Span, Utc};
use common::*;
use serde_json::{json, Value};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A contract of Alice's with `freelancer`, ended `days` ago, plus `extra` fixture fields.
fn contract(s: &Server, freelancer: &str, days: i64, extra: Value) -> i64 {
    let mut body = json!({
        "title": format!("Work for {freelancer} ({days} d)"),
        "freelancer_name": freelancer,
        "ended_at": Utc::now() - Span::days(days),
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s.fixture(body)
}

/// The freelancer id a contract's details name.
fn freelancer_of(s: &Server, contract: i64) -> i64 {
    let d = s.get(&format!("/api/v1/contracts/{contract}"), Some(ALICE));
    assert_eq!(d.status, 200, "{:?}", d.body);
    d.body["contract"]["freelancer_id"].as_i64().unwrap()
}

fn history(s: &Server, freelancer: i64) -> Reply {
    s.get(
        &format!("/api/v1/freelancers/{freelancer}/work-history"),
        None,
    )
}

#[test]
fn a_work_history_is_public_and_carries_exactly_the_public_fields() {
    let s = Server::start(&[]);
    let id = contract(
        &s,
        "Public Person",
        5,
        json!({"given_rating": 4.5, "given_comment": "Great work.",
               "received_rating": 3.0, "received_comment": "Slow replies.",
               "response": "We replied within a day.", "report_status": "under_review"}),
    );
    let f = freelancer_of(&s, id);
    // The history lists name it too.
    let list = s.get("/api/v1/contracts?q=Public%20Person", Some(ALICE));
    assert_eq!(list.body["items"][0]["freelancer_id"], f);

    let r = history(&s, f); // no token at all
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.content_type, "application/json");
    assert_eq!(
        keys(&r.body),
        set(&[
            "freelancer_id",
            "freelancer_name",
            "items",
            "total",
            "page",
            "per_page"
        ])
    );
    assert_eq!(r.body["freelancer_name"], "Public Person");
    assert_eq!(
        (r.body["total"].as_u64(), r.body["page"].as_u64()),
        (Some(1), Some(1))
    );
    let item = &r.body["items"][0];
    assert_eq!(
        keys(item),
        set(&[
            "title",
            "ended_at",
            "client_name",
            "rating",
            "comment",
            "response"
        ])
    );
    assert_eq!(keys(&item["response"]), set(&["text", "created_at"]));
    assert_eq!(item["client_name"], "Alice Client");
    assert_eq!(item["rating"], 4.5);
    assert_eq!(item["comment"], "Great work.");
    assert_eq!(item["response"]["text"], "We replied within a day.");
    // Nothing of the report, the freelancer's comment about the client, or anyone's id.
    let text = r.body.to_string();
    for private in ["under_review", "Slow replies.", "client_id", "report"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[test]
fn removed_feedback_is_left_out_and_the_total_counts_what_is_listed() {
    let s = Server::start(&[]);
    let who = "Removal Person";
    // Its client's feedback removed at the client's request, nothing else public: not listed.
    let gone = contract(
        &s,
        who,
        9,
        json!({"given_rating": 2.0, "given_comment": "Meh.", "removal_status": "removed"}),
    );
    // The freelancer's feedback removed after a report: the response to it goes with it, the
    // client's own feedback stays.
    let kept = contract(
        &s,
        who,
        8,
        json!({"given_rating": 5.0, "given_comment": "Kept.", "received_rating": 1.0,
               "received_comment": "Abuse.", "response": "Answer to abuse.", "report_status": "removed"}),
    );
    let f = freelancer_of(&s, gone);
    assert_eq!(freelancer_of(&s, kept), f);
    // Active contracts are never listed.
    s.fixture(json!({"title": "Still running", "freelancer_name": who, "given_rating": 5.0}));
    let r = history(&s, f);
    assert_eq!(r.status, 200);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(r.body["total"], 1);
    assert_eq!(items[0]["comment"], "Kept.");
    assert_eq!(items[0]["response"], Value::Null);
    assert!(!r.body.to_string().contains("Meh."));
}

#[test]
fn a_posted_response_is_visible_on_the_next_read_newest_first_and_paged() {
    let s = Server::start(&[]);
    let who = "Paged Person";
    let ids: Vec<i64> = (1..=3)
        .map(|d| {
            contract(
                &s,
                who,
                d,
                json!({"given_rating": 4.0, "received_rating": 4.0, "received_comment": "Fine client."}),
            )
        })
        .collect();
    let f = freelancer_of(&s, ids[0]);
    let before = history(&s, f);
    assert_eq!(before.body["items"][0]["response"], Value::Null);
    let posted = s.post(
        &format!("/api/v1/contracts/{}/feedback/response", ids[0]),
        ALICE,
        Some("wh-respond-1"),
        &json!({"text": "Thanks, noted."}),
    );
    assert_eq!(posted.status, 201, "{:?}", posted.body);
    let after = history(&s, f);
    // Newest first: the contract that ended a day ago, with its response.
    assert_eq!(after.body["items"][0]["response"]["text"], "Thanks, noted.");
    assert_eq!(after.body["total"], 3);
    let second = s.get(
        &format!("/api/v1/freelancers/{f}/work-history?page=2&per_page=2"),
        None,
    );
    assert_eq!(second.status, 200);
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            second.body["page"].as_u64(),
            second.body["per_page"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert!(second.body["items"][0]["title"]
        .as_str()
        .unwrap()
        .contains("(3 d)"));
}

#[test]
fn answers_are_cacheable_with_an_etag_and_304_when_unchanged() {
    let s = Server::start(&[]);
    let id = contract(
        &s,
        "Cached Person",
        2,
        json!({"given_rating": 5.0, "received_rating": 5.0, "received_comment": "Good."}),
    );
    let f = freelancer_of(&s, id);
    let first = history(&s, f);
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").expect("an ETag").to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let url = s.url(&format!("/api/v1/freelancers/{f}/work-history"));
    let again = Reply::from(agent().get(&url).set("If-None-Match", &etag).call());
    assert_eq!(again.status, 304);
    assert_eq!(again.body, Value::String(String::new()));
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    // A change makes a new representation: the old ETag no longer matches.
    s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("wh-etag-1"),
        &json!({"text": "Changed."}),
    );
    let changed = Reply::from(agent().get(&url).set("If-None-Match", &etag).call());
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    // Compressed like every answer.
    let gz = agent()
        .get(&url)
        .set("Accept-Encoding", "gzip")
        .call()
        .unwrap();
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    // Every other API answer stays uncacheable.
    let private = s.get("/api/v1/contracts", Some(ALICE));
    assert_eq!(private.header("cache-control"), Some("no-store"));
}

#[test]
fn any_origin_may_read_the_work_history_and_only_that() {
    let s = Server::start(&[]);
    let id = contract(&s, "Cors Person", 2, json!({"given_rating": 5.0}));
    let f = freelancer_of(&s, id);
    let origin = "https://host.example";
    let url = s.url(&format!("/api/v1/freelancers/{f}/work-history"));
    let r = Reply::from(agent().get(&url).set("Origin", origin).call());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r
        .header("access-control-expose-headers")
        .unwrap_or("")
        .contains("etag"));
    let pre = Reply::from(
        agent()
            .request("OPTIONS", &url)
            .set("Origin", origin)
            .set("Access-Control-Request-Method", "GET")
            .call(),
    );
    assert_eq!(pre.status, 200);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    // The client API keeps its allowlist: that origin gets no CORS grant there.
    let private = Reply::from(
        agent()
            .get(&s.url("/api/v1/contracts"))
            .set("Origin", origin)
            .set("Authorization", &format!("Bearer {ALICE}"))
            .call(),
    );
    assert_eq!(private.status, 200);
    assert_eq!(private.header("access-control-allow-origin"), None);
}

#[test]
fn anonymous_reads_have_a_rate_limit_of_their_own() {
    let s = Server::start(&["--public-read-rate", "6/min,2"]);
    let id = contract(&s, "Busy Person", 2, json!({"given_rating": 5.0}));
    let f = freelancer_of(&s, id);
    let statuses: Vec<u16> = (0..4).map(|_| history(&s, f).status).collect();
    assert_eq!(&statuses[..2], &[200, 200], "{statuses:?}");
    let limited = history(&s, f);
    limited.assert_problem(429, "too-many-requests");
    assert!(limited.header("retry-after").is_some());
    // The signed-in API counts its callers apart.
    assert_eq!(s.get("/api/v1/contracts", Some(ALICE)).status, 200);
}

#[test]
fn bad_ids_and_pages_are_problems() {
    let s = Server::start(&[]);
    let id = contract(&s, "Bounded Person", 2, json!({"given_rating": 5.0}));
    let f = freelancer_of(&s, id);
    for path in ["abc", "01", "-1", "1.5"] {
        s.get(&format!("/api/v1/freelancers/{path}/work-history"), None)
            .assert_problem(422, "validation");
    }
    history(&s, 987_654_321).assert_problem(404, "not-found");
    for q in [
        "per_page=101",
        "per_page=0",
        "page=0",
        "page=10001",
        "page=1&page=2",
    ] {
        s.get(&format!("/api/v1/freelancers/{f}/work-history?{q}"), None)
            .assert_problem(422, "validation");
    }
    // A write to it is refused as a method the route doesn't take.
    let post = s.post(
        &format!("/api/v1/freelancers/{f}/work-history"),
        ALICE,
        None,
        &json!({}),
    );
    post.assert_problem(405, "method-not-allowed");
}
