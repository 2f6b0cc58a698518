//! Webhooks from the outbox, delivered to a real receiver on a loopback port: every event
//! signed, retried while the receiver is down, not lost when the server is killed mid-delivery,
//! and the reminders before a response window closes. Runs on SQLite, and with
//! `FEEDBACK_TEST_DB=postgres` on PostgreSQL (tests/postgres.rs covers two instances).

mod common;

use std::collections::HashSet;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use common::receiver::{unused_port, Delivery, Mode, Receiver, SECRET};
use common::*;
use serde_json::json;

/// Server flags for webhooks to `url`, polled often so tests stay short.
fn webhook_flags(url: &str, timeout_ms: &str) -> Vec<String> {
    [
        "--webhook-url",
        url,
        "--webhook-secret",
        SECRET,
        "--webhook-poll-ms",
        "100",
        "--reminder-interval-ms",
        "200",
        "--webhook-timeout-ms",
        timeout_ms,
    ]
    .map(String::from)
    .to_vec()
}

fn start(url: &str, timeout_ms: &str) -> Server {
    let flags = webhook_flags(url, timeout_ms);
    Server::start(&flags.iter().map(String::as_str).collect::<Vec<_>>())
}

fn of_contract(d: &[Delivery], id: i64) -> Vec<Delivery> {
    d.iter()
        .filter(|e| e.json["data"]["contract_id"] == id)
        .cloned()
        .collect()
}

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn every_event_arrives_signed_with_an_id_the_body_repeats() {
    let receiver = Receiver::start(Mode::Accept);
    let s = start(&receiver.url, "5000");
    let (answered, reported, removal) = (
        s.written_feedback_ended(Span::days(1)),
        s.written_feedback_ended(Span::days(1)),
        s.written_feedback_ended(Span::days(1)),
    );
    let r = s.post(
        &format!("/api/v1/contracts/{answered}/feedback/response"),
        ALICE,
        Some("wh-1"),
        &json!({"text": "Thank you!"}),
    );
    assert_eq!(r.status, 201);
    let r = s.post(
        &format!("/api/v1/contracts/{reported}/feedback/report"),
        ALICE,
        None,
        &json!({"category": "fraud", "description": "This account was closed for confirmed payment fraud last week."}),
    );
    assert_eq!(r.status, 201);
    let r = s.post(
        &format!("/api/v1/contracts/{removal}/given-feedback/removal-request"),
        ALICE,
        None,
        &json!({}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        s.moderate(reported, "report", "under_review", "Checking.")
            .status,
        200
    );
    assert_eq!(
        s.moderate(removal, "removal-request", "declined", "Accurate.")
            .status,
        200
    );
    // A replayed request is not a new change: no second event.
    let replay = s.post(
        &format!("/api/v1/contracts/{answered}/feedback/response"),
        ALICE,
        Some("wh-1"),
        &json!({"text": "Thank you!"}),
    );
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));

    let all = receiver.wait_for(WAIT, |d| d.len() >= 5);
    let kinds = |id: i64| -> Vec<String> {
        of_contract(&all, id)
            .iter()
            .map(|d| d.kind().to_string())
            .collect()
    };
    assert_eq!(kinds(answered), ["response.created"]);
    assert_eq!(
        kinds(reported),
        ["report.submitted", "report.status_changed"]
    );
    assert_eq!(
        kinds(removal),
        ["removal.status_changed", "removal.status_changed"]
    );
    let decided = &of_contract(&all, removal)[1].json["data"];
    assert_eq!(
        (&decided["previous"], &decided["status"], &decided["reason"]),
        (&json!("requested"), &json!("declined"), &json!("Accurate."))
    );
    assert_eq!(
        of_contract(&all, answered)[0].json["data"]["response"]["text"],
        "Thank you!"
    );
    let mut ids = HashSet::new();
    for d in &all {
        assert!(
            d.signature_is_valid(SECRET),
            "bad signature: {:?}",
            d.headers
        );
        assert!(!d.signature_is_valid("another secret"));
        assert_eq!(d.json["id"], d.id());
        assert!(
            ids.insert(d.id().to_string()),
            "event id repeated: {}",
            d.id()
        );
        assert_eq!(d.headers["content-type"], "application/json");
    }
    // Delivered events are marked so (the mark follows the receiver's answer).
    let deadline = std::time::Instant::now() + WAIT;
    while s.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND type <> 'response_window.closing'") > 0 {
        assert!(std::time::Instant::now() < deadline, "delivered events not marked");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_receiver_that_is_down_gets_the_event_once_it_is_up() {
    let port = unused_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let s = start(&url, "2000");
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("down-1"),
        &json!({"text": "Thanks"}),
    );
    assert_eq!(r.status, 201);
    // At least one attempt failed (connection refused), and the event waits for a retry.
    let deadline = std::time::Instant::now() + WAIT;
    while s.count("SELECT COUNT(*) FROM outbox WHERE type = 'response.created' AND attempts >= 1 AND last_error IS NOT NULL") == 0 {
        assert!(std::time::Instant::now() < deadline, "no failed attempt recorded");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A receiver that answers 500 is not "delivered" either.
    // (The demo data's own reminder arrives too: only this contract's events are looked at.)
    let receiver = Receiver::start_on(port, Mode::Fail);
    receiver.wait_for(WAIT, |d| !of_contract(d, id).is_empty());
    receiver.set_mode(Mode::Accept);
    let got = receiver.wait_for(WAIT, |d| of_contract(d, id).iter().any(|e| e.accepted));
    let got = of_contract(&got, id);
    let accepted: Vec<_> = got.iter().filter(|d| d.accepted).collect();
    assert_eq!(accepted.len(), 1, "{got:?}");
    assert_eq!(accepted[0].kind(), "response.created");
    assert!(accepted[0].signature_is_valid(SECRET));
    // Every attempt carried the same event id.
    assert!(got.iter().all(|d| d.id() == accepted[0].id()));
}

#[test]
fn a_server_killed_mid_delivery_delivers_after_restart() {
    let receiver = Receiver::start(Mode::Hang);
    let flags = webhook_flags(&receiver.url, "3000");
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut s = Server::start(&flags);
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("kill-1"),
        &json!({"text": "Thanks"}),
    );
    assert_eq!(r.status, 201);
    // The receiver has the request and is not answering: the server is mid-delivery.
    let seen = of_contract(
        &receiver.wait_for(WAIT, |d| !of_contract(d, id).is_empty()),
        id,
    );
    assert_eq!(seen.len(), 1);
    let first_id = seen[0].id().to_string();
    s.child.kill().unwrap(); // SIGKILL: no shutdown, no cleanup
    s.child.wait().unwrap();
    receiver.set_mode(Mode::Accept);
    let (child, base) = spawn(s.db.arg(), &flags);
    s.child = child;
    s.base = base;
    let got = receiver.wait_for(Duration::from_secs(45), |d| {
        of_contract(d, id).iter().any(|e| e.accepted)
    });
    let got = of_contract(&got, id);
    let accepted: Vec<_> = got.iter().filter(|d| d.accepted).collect();
    assert_eq!(accepted.len(), 1, "{got:?}");
    assert_eq!(accepted[0].id(), first_id, "redelivered under the same id");
    assert!(accepted[0].signature_is_valid(SECRET));
}

#[test]
fn reminders_go_out_seven_days_and_one_day_before_the_deadline_once_each() {
    let receiver = Receiver::start(Mode::Accept);
    let s = start(&receiver.url, "5000");
    let ended = |ago: Span, comment: Option<&str>, response: Option<&str>| {
        s.fixture(json!({
            "title": "Reminder", "ended_at": Utc::now() - ago,
            "received_rating": 4.0, "received_comment": comment, "response": response
        }))
    };
    let hour = Span::hours(1);
    let seven = ended(Span::days(21) + hour, Some("Written."), None);
    let one = ended(Span::days(27) + hour, Some("Written."), None);
    let not_yet = ended(Span::days(20), Some("Written."), None);
    let answered = ended(Span::days(21) + hour, Some("Written."), Some("Done."));
    let rating_only = ended(Span::days(21) + hour, None, None);
    let closed = ended(Span::days(28) + hour, Some("Written."), None);

    receiver.wait_for(WAIT, |d| {
        !of_contract(d, seven).is_empty() && !of_contract(d, one).is_empty()
    });
    // Two more scans run, none sending anything again: each probe, added after the last one's
    // reminder arrived, gets its own only from a scan that also saw every contract above.
    for _ in 0..2 {
        let probe = ended(Span::days(21) + hour, Some("Probe."), None);
        receiver.wait_for(WAIT, |d| !of_contract(d, probe).is_empty());
    }
    let all = receiver.all();
    let reminder = |id: i64| -> Vec<Delivery> {
        of_contract(&all, id)
            .into_iter()
            .filter(|d| d.kind() == "response_window.closing")
            .collect()
    };
    let (r7, r1) = (reminder(seven), reminder(one));
    assert_eq!(r7.len(), 1, "{all:?}");
    assert_eq!(r1.len(), 1, "{all:?}");
    assert_eq!(r7[0].json["data"]["days_before"], 7);
    assert_eq!(r1[0].json["data"]["days_before"], 1);
    let closes = r1[0].json["data"]["closes_at"].as_str().unwrap();
    let details = s.get(&format!("/api/v1/contracts/{one}"), Some(ALICE)).body;
    assert_eq!(details["response_window"]["closes_at"], closes);
    assert!(r7[0].signature_is_valid(SECRET));
    for id in [not_yet, answered, rating_only, closed] {
        assert!(reminder(id).is_empty(), "contract {id}: {all:?}");
    }
}

/// What the official Standard Webhooks library (PyPI `standardwebhooks`) says of a delivery:
/// verified with each secret, with the body changed by one byte, and re-signed ten minutes ago.
fn official_verdicts(d: &Delivery, secrets: &[(&str, &str)]) -> serde_json::Value {
    const SCRIPT: &str = r#"
import json, sys
from datetime import datetime, timedelta, timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
d = json.loads(sys.stdin.read())
def verdict(secret, body, headers):
    try:
        Webhook(secret).verify(body, headers)
        return "ok"
    except WebhookVerificationError as e:
        return str(e)
out = {name: verdict(secret, d["body"], d["headers"]) for name, secret in d["secrets"]}
first = d["secrets"][0][1]
out["tampered"] = verdict(first, d["body"].replace("}", " }", 1), d["headers"])
old = datetime.now(tz=timezone.utc) - timedelta(minutes=10)
resigned = dict(d["headers"], **{
    "webhook-timestamp": str(int(old.timestamp())),
    "webhook-signature": Webhook(first).sign(d["headers"]["webhook-id"], old, d["body"]),
})
out["old timestamp"] = verdict(first, d["body"], resigned)
print(json.dumps(out))
"#;
    use std::io::Write;
    let input = json!({ "body": d.body, "headers": d.headers, "secrets": secrets });
    let mut child = std::process::Command::new(venv_python())
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the venv's python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed");
    serde_json::from_slice(&out.stdout).expect("the script's JSON")
}

#[test]
fn deliveries_verify_with_the_official_library_also_while_a_secret_rotates() {
    use common::receiver::OLD_SECRET;
    let receiver = Receiver::start(Mode::Accept);
    // A rotation: the new secret and the old one, both signing every delivery.
    let flags = webhook_flags(&receiver.url, "5000");
    let mut flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    flags.extend(["--webhook-secret", OLD_SECRET]);
    let s = Server::start(&flags);
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("std-1"),
        &json!({"text": "Verified by the book."}),
    );
    assert_eq!(r.status, 201);
    let got = receiver.wait_for(WAIT, |d| !of_contract(d, id).is_empty());
    let delivery = &of_contract(&got, id)[0];
    assert_eq!(delivery.headers["webhook-signature"].split(' ').count(), 2);
    let unknown = "whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQtMDEyMzQ1Njc4OWE=";
    let verdicts = official_verdicts(
        delivery,
        &[("new", SECRET), ("old", OLD_SECRET), ("unknown", unknown)],
    );
    assert_eq!(verdicts["new"], "ok", "{verdicts}");
    assert_eq!(verdicts["old"], "ok", "{verdicts}");
    assert_eq!(
        verdicts["unknown"], "No matching signature found",
        "{verdicts}"
    );
    assert_eq!(
        verdicts["tampered"], "No matching signature found",
        "{verdicts}"
    );
    assert_eq!(
        verdicts["old timestamp"], "Message timestamp too old",
        "{verdicts}"
    );
    // Our own verifier (the one docs/api.md spells out) agrees.
    assert!(delivery.signature_is_valid(SECRET) && delivery.signature_is_valid(OLD_SECRET));
    assert!(!delivery.signature_is_valid(unknown));
}

#[test]
fn the_server_refuses_a_secret_that_is_not_a_standard_webhooks_one() {
    for bad in ["test-webhook-secret", "whsec_not*base64", "whsec_AAAA"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_feedback-server"))
            .args([
                "--webhook-url",
                "http://127.0.0.1:9/hooks",
                "--webhook-secret",
                bad,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--webhook-secret:") && err.contains("feedback-server webhook-secret"),
            "{err}"
        );
    }
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_feedback-server"))
        .arg("webhook-secret")
        .output()
        .unwrap();
    let secret = String::from_utf8(made.stdout).unwrap();
    assert!(
        secret.trim().starts_with("whsec_") && secret.trim().len() > 40,
        "{secret}"
    );
}
