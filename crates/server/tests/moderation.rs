//! The moderation lifecycle over HTTP: a moderator moves reports and removal requests on, the
//! client sees every step as a history, removed feedback shows as removed. Runs on SQLite, and
//! with `FEEDBACK_TEST_DB=postgres` on PostgreSQL.

mod common;

use chrono::{Duration as Span, Utc};
use common::*;
use serde_json::json;

fn reported(s: &Server) -> i64 {
    s.fixture(json!({
        "title": "Reported", "ended_at": Utc::now() - Span::days(2),
        "received_rating": 1.0, "received_comment": "Abusive words.",
        "report_status": "submitted"
    }))
}

#[test]
fn a_report_goes_submitted_under_review_removed_and_the_client_sees_each_step() {
    let s = Server::start(&[]);
    let id = reported(&s);
    // A decision needs a review first; nothing changes when it is refused.
    s.moderate(id, "report", "removed", "Too soon.")
        .assert_problem(409, "status-transition");
    let r = s.moderate(id, "report", "under_review", "Looking at the messages.");
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["previous"], "submitted");
    let r = s.moderate(id, "report", "removed", "The comment insults the client.");
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["history"].as_array().unwrap().len(), 3);

    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    let report = &d["received"]["report"];
    assert_eq!(report["status"], "removed");
    let steps: Vec<_> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["status"].as_str().unwrap(), h["reason"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            ("submitted", json!(null)),
            ("under_review", json!("Looking at the messages.")),
            ("removed", json!("The comment insults the client.")),
        ]
    );
    let removed_at = d["received"]["removed_at"]
        .as_str()
        .expect("removed_at set");
    assert_eq!(report["history"][2]["at"], removed_at);
    assert_eq!(d["contract"]["received"]["report_status"], "removed");
    // A decision is final, and removed feedback can't be answered.
    s.moderate(id, "report", "kept", "Changed my mind.")
        .assert_problem(409, "status-transition");
    s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("k-removed"),
        &json!({"text": "Thanks"}),
    )
    .assert_problem(409, "feedback-removed");
}

#[test]
fn a_report_sent_through_the_api_starts_its_history_and_can_be_kept() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/report"),
        ALICE,
        None,
        &json!({"category": "irrelevant", "description": "The comment is about another project entirely, not ours."}),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["history"][0]["status"], "submitted");
    assert_eq!(r.body["history"][0]["at"], r.body["created_at"]);
    s.moderate(id, "report", "under_review", "Checking.");
    let r = s.moderate(id, "report", "kept", "It describes this contract.");
    assert_eq!(r.body["status"], "kept");
    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    assert_eq!(d["received"]["removed_at"], json!(null));
    assert_eq!(
        d["received"]["report"]["history"].as_array().unwrap().len(),
        3
    );
}

#[test]
fn a_removal_request_is_removed_or_declined_once() {
    let s = Server::start(&[]);
    let (a, b) = (
        s.written_feedback_ended(Span::days(3)),
        s.written_feedback_ended(Span::days(3)),
    );
    for id in [a, b] {
        let r = s.post(
            &format!("/api/v1/contracts/{id}/given-feedback/removal-request"),
            ALICE,
            None,
            &json!({}),
        );
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["history"][0]["status"], "requested");
    }
    assert_eq!(
        s.moderate(a, "removal-request", "removed", "As asked.")
            .status,
        200
    );
    assert_eq!(
        s.moderate(b, "removal-request", "declined", "It is accurate.")
            .status,
        200
    );
    s.moderate(b, "removal-request", "removed", "Again.")
        .assert_problem(409, "status-transition");
    let given =
        |id: i64| s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body["given"].clone();
    let (ga, gb) = (given(a), given(b));
    assert!(ga["removed_at"].is_string());
    assert_eq!(ga["removal_request"]["history"][1]["status"], "removed");
    assert_eq!(gb["removed_at"], json!(null));
    assert_eq!(gb["removal_request"]["status"], "declined");
    assert_eq!(
        gb["removal_request"]["history"][1]["reason"],
        "It is accurate."
    );
}

#[test]
fn moderator_and_client_tokens_are_not_interchangeable_and_web_pages_are_refused() {
    let s = Server::start(&["--cors-origin", "http://127.0.0.1:8080"]);
    let id = reported(&s);
    let path = format!("/api/v1/moderation/contracts/{id}/report/status");
    let body = json!({"status": "under_review", "reason": "Checking."});
    s.post(&path, ALICE, None, &body)
        .assert_problem(401, "unauthorized");
    s.get("/api/v1/contracts", Some(MODERATOR))
        .assert_problem(401, "unauthorized");
    // From the widget's own (CORS-allowed) origin: refused, and never offered to browsers.
    let from_page = Reply::from(
        agent()
            .post(&s.url(&path))
            .set("Authorization", &format!("Bearer {MODERATOR}"))
            .set("Origin", "http://127.0.0.1:8080")
            .send_json(body.clone()),
    );
    from_page.assert_problem(403, "forbidden");
    assert_eq!(from_page.header("access-control-allow-origin"), None);
    let preflight = Reply::from(
        agent()
            .request("OPTIONS", &s.url(&path))
            .set("Origin", "http://127.0.0.1:8080")
            .set("Access-Control-Request-Method", "POST")
            .set(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .call(),
    );
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    // Nothing changed.
    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    assert_eq!(d["received"]["report"]["status"], "submitted");
}

#[test]
fn a_reason_is_required_and_unknown_targets_are_404() {
    let s = Server::start(&[]);
    let id = reported(&s);
    let r = s.moderate(id, "report", "under_review", "   ");
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["reason"].is_array(), "{:?}", r.body);
    let r = s.moderate(id, "report", "under_review", &"x".repeat(501));
    assert!(r.body["errors"]["reason"].is_array(), "{:?}", r.body);
    s.moderate(id, "report", "archived", "No such status.")
        .assert_problem(422, "validation");
    // No report on this contract; no removal request either; no such contract.
    let plain = s.written_feedback_ended(Span::days(1));
    s.moderate(plain, "report", "under_review", "Checking.")
        .assert_problem(404, "not-found");
    s.moderate(plain, "removal-request", "removed", "Checking.")
        .assert_problem(404, "not-found");
    s.moderate(999_999, "report", "under_review", "Checking.")
        .assert_problem(404, "not-found");
}
