//! The API over real HTTP: each test starts the real `feedback-server` binary on a loopback
//! port with its own SQLite file, and checks behaviour (and, where it matters, the rows stored).

mod common;

use std::path::Path;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use common::*;
use serde_json::{json, Value};

fn find_demo(s: &Server, q: &str) -> Value {
    let r = s.get(&format!("/api/v1/contracts?q={q}"), Some(ALICE));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 1, "search {q}: {:?}", r.body);
    r.body["items"][0].clone()
}

/// A GET with `Accept-Encoding: encoding`: status, `Content-Encoding`, `Vary` and the body
/// decoded from it, as JSON.
fn get_encoded(
    s: &Server,
    path: &str,
    token: Option<&str>,
    encoding: &str,
) -> (u16, Option<String>, String, Value) {
    use std::io::Read;
    let mut req = agent().get(&s.url(path)).set("Accept-Encoding", encoding);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let resp = match req.call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let (status, vary) = (resp.status(), resp.all("vary").join(", "));
    let coding = resp.header("content-encoding").map(str::to_string);
    let mut raw = Vec::new();
    resp.into_reader().read_to_end(&mut raw).unwrap();
    let mut text = String::new();
    match coding.as_deref() {
        None => text = String::from_utf8(raw).unwrap(),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_string(&mut text)
                .unwrap();
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(&raw[..], 4096)
                .read_to_string(&mut text)
                .unwrap();
        }
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    };
    (status, coding, vary, serde_json::from_str(&text).unwrap())
}

#[test]
fn json_is_compressed_for_clients_that_accept_it() {
    let s = Server::start(&[]);
    let page = "/api/v1/contracts?per_page=50";
    let (status, coding, _, plain) = get_encoded(&s, page, Some(ALICE), "identity");
    assert_eq!((status, coding), (200, None));
    for (accept, expected) in [
        ("br, gzip", "br"),
        ("gzip", "gzip"),
        ("gzip;q=1, br;q=0", "gzip"),
    ] {
        let (status, coding, vary, body) = get_encoded(&s, page, Some(ALICE), accept);
        assert_eq!(
            (status, coding.as_deref()),
            (200, Some(expected)),
            "{accept}"
        );
        assert!(
            vary.to_ascii_lowercase().contains("accept-encoding"),
            "{accept}: Vary {vary}"
        );
        // The same page (only the server's clock moved on).
        assert_eq!(body["items"], plain["items"], "{accept}");
        assert_eq!(body["total"], plain["total"], "{accept}");
    }
    // Problem documents too.
    let (status, coding, _, problem) = get_encoded(&s, page, None, "gzip");
    assert_eq!((status, coding.as_deref()), (401, Some("gzip")));
    assert_eq!(problem["type"], "/problems/unauthorized");
}

#[test]
fn missing_or_bad_token_is_401_and_another_users_contract_is_404() {
    let s = Server::start(&[]);
    s.get("/api/v1/contracts", None)
        .assert_problem(401, "unauthorized");
    s.get("/api/v1/contracts", Some("nope"))
        .assert_problem(401, "unauthorized");
    let alice_contract = find_demo(&s, "logo")["id"].as_i64().unwrap();
    s.get(&format!("/api/v1/contracts/{alice_contract}"), Some(BOB))
        .assert_problem(404, "not-found");
    let r = s.post(
        &format!("/api/v1/contracts/{alice_contract}/feedback/response"),
        BOB,
        Some("k"),
        &json!({"text": "hi"}),
    );
    r.assert_problem(404, "not-found");
    let bobs = s.get("/api/v1/contracts?per_page=100", Some(BOB));
    assert_eq!(bobs.body["total"], 3);
    assert!(bobs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["title"].as_str().unwrap().starts_with("Bob's")));
    // Not an id at all: the request is malformed, not the contract missing.
    s.get("/api/v1/contracts/abc", Some(ALICE))
        .assert_problem(422, "validation");
    s.get("/api/v1/nothing", Some(ALICE))
        .assert_problem(404, "not-found");
}

#[test]
fn history_searches_filters_sorts_and_pages() {
    let s = Server::start(&[]);
    let all = s.get("/api/v1/contracts?per_page=100", Some(ALICE));
    let total = all.body["total"].as_u64().unwrap();
    assert!(total > 40, "demo has several pages: {total}");
    assert!(all.body["server_now"].is_string());

    // Search matches title or freelancer name, case-insensitively; LIKE wildcards are literal.
    assert_eq!(find_demo(&s, "LOGO")["freelancer_name"], "Jonas Weber");
    assert_eq!(find_demo(&s, "jonas")["title"], "Logo and brand guidelines");
    assert_eq!(
        s.get("/api/v1/contracts?q=%25", Some(ALICE)).body["total"],
        0
    );
    assert_eq!(
        find_demo(&s, "%E4%BD%90%E8%97%A4")["freelancer_name"],
        "佐藤 花子"
    );

    let active = s.get("/api/v1/contracts?status=active&per_page=100", Some(ALICE));
    let ended = s.get("/api/v1/contracts?status=ended&per_page=100", Some(ALICE));
    let (a, e) = (
        active.body["total"].as_u64().unwrap(),
        ended.body["total"].as_u64().unwrap(),
    );
    assert!(a > 0 && e > 0 && a + e == total);
    assert!(active.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ended_at"].is_null()));

    let titles = |sort: &str| -> Vec<String> {
        s.get(
            &format!("/api/v1/contracts?status=ended&sort={sort}&per_page=100"),
            Some(ALICE),
        )
        .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c["ended_at"].as_str().unwrap().to_string() + "|" + c["title"].as_str().unwrap()
            })
            .collect()
    };
    let desc = titles("ended_desc");
    let mut asc = titles("ended_asc");
    assert!(
        desc.windows(2).all(|w| w[0] >= w[1]),
        "ended_desc is sorted"
    );
    asc.reverse();
    assert_eq!(
        desc.iter().map(|t| &t[..24]).collect::<Vec<_>>(),
        asc.iter().map(|t| &t[..24]).collect::<Vec<_>>()
    );
    let by_title: Vec<String> = s
        .get("/api/v1/contracts?sort=title_asc&per_page=100", Some(ALICE))
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(by_title.windows(2).all(|w| w[0] <= w[1]));

    // Pages partition the list.
    let p1 = s.get("/api/v1/contracts?per_page=10&page=1", Some(ALICE));
    let p2 = s.get("/api/v1/contracts?per_page=10&page=2", Some(ALICE));
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 10);
    assert_ne!(p1.body["items"][0]["id"], p2.body["items"][0]["id"]);
    assert_eq!(p2.body["page"], 2);
    // Active contracts count as the latest in the default sort.
    assert!(p1.body["items"][0]["ended_at"].is_null());
}

#[test]
fn history_totals_match_the_rows_after_writes_and_restarts() {
    let s = Server::start(&["--seed", "bulk:300"]);
    for ended in [true, false, true] {
        s.fixture(
            json!({"title": "Counted", "ended_at": if ended { Some(Utc::now()) } else { None }}),
        );
    }
    let total = |path: &str, token: &str| s.get(path, Some(token)).body["total"].as_i64().unwrap();
    for (token, user) in [(ALICE, "demo-alice"), ("demo-bulk", "demo-bulk")] {
        let id = format!("(SELECT id FROM users WHERE token = '{user}')");
        assert_eq!(
            total("/api/v1/contracts", token),
            s.count(&format!(
                "SELECT COUNT(*) FROM contracts WHERE client_id = {id}"
            ))
        );
        assert_eq!(
            total("/api/v1/contracts?status=active", token),
            s.count(&format!(
                "SELECT COUNT(*) FROM contracts WHERE client_id = {id} AND ended_at IS NULL"
            ))
        );
        assert_eq!(
            total("/api/v1/contracts?status=ended", token),
            s.count(&format!(
                "SELECT COUNT(*) FROM contracts WHERE client_id = {id} AND ended_at IS NOT NULL"
            ))
        );
    }
    assert_eq!(total("/api/v1/contracts", "demo-bulk"), 300);
}

/// Pages past the middle are read from the end of the list (`store::page_scan`): every page,
/// in every order, must still be exactly the slice a single long page shows.
#[test]
fn every_page_in_every_order_is_the_same_slice_however_it_is_read() {
    let s = Server::start(&["--seed", "bulk:230"]);
    let token = "demo-bulk";
    for sort in ["ended_desc", "ended_asc", "title_asc", "title_desc"] {
        for status in ["all", "ended", "active"] {
            let ids = |per_page: u32| -> Vec<i64> {
                let mut all = Vec::new();
                for page in 1.. {
                    let r = s.get(
                        &format!("/api/v1/contracts?sort={sort}&status={status}&per_page={per_page}&page={page}"),
                        Some(token),
                    );
                    assert_eq!(r.status, 200, "{:?}", r.body);
                    let items = r.body["items"].as_array().unwrap().clone();
                    if items.is_empty() {
                        break;
                    }
                    all.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
                }
                all
            };
            let (small, large) = (ids(7), ids(100));
            let total = s
                .get(&format!("/api/v1/contracts?status={status}"), Some(token))
                .body["total"]
                .as_i64()
                .unwrap();
            assert_eq!(small.len() as i64, total, "{sort} {status}");
            assert_eq!(small, large, "{sort} {status}");
            let mut unique = small.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), small.len(), "{sort} {status}: a row twice");
        }
    }
    // A search's deep pages too.
    let search = |page: u32, per_page: u32| {
        s.get(
            &format!("/api/v1/contracts?q=icon&sort=title_desc&per_page={per_page}&page={page}"),
            Some(token),
        )
        .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let whole = search(1, 100);
    assert!(whole.len() > 6);
    let pieces: Vec<i64> = (1..=whole.len().div_ceil(3) as u32)
        .flat_map(|p| search(p, 3))
        .collect();
    assert_eq!(pieces, whole);
}

#[test]
fn per_page_page_and_query_are_bounded() {
    let s = Server::start(&[]);
    let r = s.get("/api/v1/contracts?per_page=101", Some(ALICE));
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["per_page"].is_array());
    s.get("/api/v1/contracts?page=0", Some(ALICE))
        .assert_problem(422, "validation");
    s.get("/api/v1/contracts?page=10001", Some(ALICE))
        .assert_problem(422, "validation");
    s.get("/api/v1/contracts?status=deleted", Some(ALICE))
        .assert_problem(422, "validation");
    let long = "x".repeat(201);
    s.get(&format!("/api/v1/contracts?q={long}"), Some(ALICE))
        .assert_problem(422, "validation");
    let far = s.get("/api/v1/contracts?page=10000", Some(ALICE));
    assert_eq!(far.status, 200);
    assert_eq!(far.body["items"].as_array().unwrap().len(), 0);
}

#[test]
fn details_show_feedback_both_ways_and_the_window() {
    let s = Server::start(&[]);
    let id = find_demo(&s, "bookkeeping")["id"].as_i64().unwrap();
    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    assert_eq!(
        d["received"]["response"]["text"],
        "Thanks Fatima, it was a pleasure."
    );
    assert_eq!(d["given"]["removal_request"]["status"], "requested");
    let closes =
        chrono::DateTime::parse_from_rfc3339(d["response_window"]["closes_at"].as_str().unwrap())
            .unwrap();
    let ended =
        chrono::DateTime::parse_from_rfc3339(d["contract"]["ended_at"].as_str().unwrap()).unwrap();
    assert_eq!(closes - ended, Span::days(28));
    assert_eq!(d["response_window"]["open"], true);

    for (q, status) in [
        ("translation", "submitted"),
        ("social", "under_review"),
        ("podcast", "removed"),
        ("market", "kept"),
    ] {
        let id = find_demo(&s, q)["id"].as_i64().unwrap();
        let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
        assert_eq!(d["received"]["report"]["status"], status, "{q}");
    }
    // Untrusted text comes back exactly as stored: escaping is the renderer's job.
    let id = find_demo(&s, "bold")["id"].as_i64().unwrap();
    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    assert!(d["received"]["comment"]
        .as_str()
        .unwrap()
        .starts_with("<script>"));
    let active = find_demo(&s, "seo")["id"].as_i64().unwrap();
    assert!(s
        .get(&format!("/api/v1/contracts/{active}"), Some(ALICE))
        .body["response_window"]
        .is_null());
}

#[test]
fn responding_follows_every_rule() {
    let s = Server::start(&[]);
    let path = |id: i64| format!("/api/v1/contracts/{id}/feedback/response");
    let text = json!({"text": "Thank you; for the record, the scope was agreed in writing."});

    let rating_only = find_demo(&s, "retouching")["id"].as_i64().unwrap();
    s.post(&path(rating_only), ALICE, Some("a"), &text)
        .assert_problem(422, "no-written-comment");
    let closed = find_demo(&s, "wordpress")["id"].as_i64().unwrap();
    s.post(&path(closed), ALICE, Some("b"), &text)
        .assert_problem(409, "window-not-open");
    let active = find_demo(&s, "seo")["id"].as_i64().unwrap();
    s.post(&path(active), ALICE, Some("c"), &text)
        .assert_problem(422, "no-written-comment");

    let open = s.written_feedback_ended(Span::days(1));
    s.post(&path(open), ALICE, None, &text)
        .assert_problem(422, "idempotency-key-missing");
    let r = s.post(&path(open), ALICE, Some("d"), &json!({"text": "   "}));
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["text"][0]
        .as_str()
        .unwrap()
        .contains("Enter some text"));
    let r = s.post(
        &path(open),
        ALICE,
        Some("e"),
        &json!({"text": "x".repeat(1501)}),
    );
    assert!(r.body["errors"]["text"][0]
        .as_str()
        .unwrap()
        .contains("1500"));
    s.post(&path(open), ALICE, Some("f"), &json!({"text": "bell\u{7}"}))
        .assert_problem(422, "validation");
    s.post(
        &path(open),
        ALICE,
        Some("g"),
        &json!({"text": "hi", "extra": 1}),
    )
    .assert_problem(422, "validation");

    let ok = s.post(
        &path(open),
        ALICE,
        Some("h"),
        &json!({"text": "  Thanks!  "}),
    );
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["text"], "Thanks!");
    s.post(&path(open), ALICE, Some("i"), &text)
        .assert_problem(409, "already-responded");
    let d = s
        .get(&format!("/api/v1/contracts/{open}"), Some(ALICE))
        .body;
    assert_eq!(d["received"]["response"]["text"], "Thanks!");
}

#[test]
fn the_window_is_decided_by_the_servers_clock_at_the_boundary() {
    let s = Server::start(&[]);
    let path = |id: i64| format!("/api/v1/contracts/{id}/feedback/response");
    let body = json!({"text": "On time."});
    let inside = s.written_feedback_ended(Span::days(28) - Span::seconds(30));
    assert_eq!(s.post(&path(inside), ALICE, Some("in"), &body).status, 201);
    let outside = s.written_feedback_ended(Span::days(28) + Span::seconds(1));
    s.post(&path(outside), ALICE, Some("out"), &body)
        .assert_problem(409, "window-not-open");
    let future = s.fixture(
        json!({"title": "Ends later", "ended_at": Utc::now() + Span::hours(1),
        "received_rating": 4.0, "received_comment": "Early."}),
    );
    s.post(&path(future), ALICE, Some("future"), &body)
        .assert_problem(409, "window-not-open");
}

#[test]
fn concurrent_submissions_store_exactly_one_response() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(2));
    let url = s.url(&format!("/api/v1/contracts/{id}/feedback/response"));
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let url = url.clone();
                scope.spawn(move || {
                    let r = agent()
                        .post(&url)
                        .set("Authorization", "Bearer demo-alice")
                        .set("Idempotency-Key", &format!("racer-{i}"))
                        .send_json(json!({"text": format!("Response number {i}")}));
                    Reply::from(r).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    let fid = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body["received"]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        s.count(&format!(
            "SELECT COUNT(*) FROM responses WHERE feedback_id = {fid}"
        )),
        1
    );
}

#[test]
fn idempotency_key_replays_the_same_request_and_refuses_a_different_one() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(2));
    let path = format!("/api/v1/contracts/{id}/feedback/response");
    let first = s.post(&path, ALICE, Some("same-key"), &json!({"text": "Once."}));
    assert_eq!(first.status, 201);
    let again = s.post(&path, ALICE, Some("same-key"), &json!({"text": "Once."}));
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "replay returns the original result");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    s.post(&path, ALICE, Some("same-key"), &json!({"text": "Twice?"}))
        .assert_problem(422, "idempotency-key-reused");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM responses WHERE text = 'Once.'"),
        1
    );
    s.post(&path, ALICE, Some(&"k".repeat(101)), &json!({"text": "x"}))
        .assert_problem(422, "validation");
}

#[test]
fn reporting_validates_and_happens_once() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(40));
    let path = format!("/api/v1/contracts/{id}/feedback/report");
    let desc = "The freelancer threatened a bad review unless we paid an extra fee (see messages).";
    let r = s.post(
        &path,
        ALICE,
        None,
        &json!({"category": "spam", "description": desc}),
    );
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["category"].is_array());
    let r = s.post(
        &path,
        ALICE,
        None,
        &json!({"category": "fraud", "description": "short"}),
    );
    assert!(r.body["errors"]["description"][0]
        .as_str()
        .unwrap()
        .contains("30"));
    let r = s.post(
        &path,
        ALICE,
        None,
        &json!({"category": "fraud", "description": desc, "evidence": ["javascript:alert(1)"]}),
    );
    assert!(r.body["errors"]["evidence"].is_array());
    s.post(
        &path,
        ALICE,
        None,
        &json!({"category": "fraud", "description": desc, "severity": 9}),
    )
    .assert_problem(422, "validation");

    let ok = s.post(&path, ALICE, Some("rep-1"), &json!({"category": "manipulation", "description": desc, "evidence": ["https://example.com/a.png", " "]}));
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["status"], "submitted");
    assert_eq!(ok.body["evidence"], json!(["https://example.com/a.png"]));
    // Reporting has no time limit (the contract ended 40 days ago), but happens once.
    s.post(
        &path,
        ALICE,
        None,
        &json!({"category": "fraud", "description": desc}),
    )
    .assert_problem(409, "already-reported");
    let d = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    assert_eq!(d["received"]["report"]["category"], "manipulation");
    assert_eq!(s.count("SELECT COUNT(*) FROM reports WHERE category = 'manipulation' AND description LIKE 'The freelancer threatened%'"), 1);
}

#[test]
fn removal_can_be_requested_once() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(3));
    let path = format!("/api/v1/contracts/{id}/given-feedback/removal-request");
    let r = s.post(&path, ALICE, Some("rm"), &json!({}));
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "requested");
    s.post(&path, ALICE, Some("rm2"), &json!({}))
        .assert_problem(409, "removal-already-requested");
    let no_given = s.fixture(json!({"title": "No given feedback", "ended_at": Utc::now()}));
    s.post(
        &format!("/api/v1/contracts/{no_given}/given-feedback/removal-request"),
        ALICE,
        None,
        &json!({}),
    )
    .assert_problem(404, "not-found");
}

#[test]
fn oversized_bodies_are_413() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("big"),
        &json!({"text": "x".repeat(feedback_domain::MAX_REQUEST_BODY_BYTES)}),
    );
    r.assert_problem(413, "payload-too-large");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM responses"),
        2,
        "only the demo's responses"
    );
}

#[test]
fn cors_allows_only_listed_origins_and_the_needed_headers() {
    let s = Server::start(&["--cors-origin", "https://host.example"]);
    let preflight = |origin: &str| {
        Reply::from(
            agent()
                .request("OPTIONS", &s.url("/api/v1/contracts"))
                .set("Origin", origin)
                .set("Access-Control-Request-Method", "POST")
                .set(
                    "Access-Control-Request-Headers",
                    "authorization,idempotency-key,content-type",
                )
                .call(),
        )
    };
    let ok = preflight("https://host.example");
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://host.example")
    );
    let allowed = ok
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for h in ["authorization", "idempotency-key", "content-type"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert!(ok.header("access-control-allow-credentials").is_none());
    let evil = preflight("https://evil.example");
    assert_eq!(evil.header("access-control-allow-origin"), None);
}

#[test]
fn openapi_document_lists_every_endpoint() {
    let s = Server::start(&[]);
    let doc = s.get("/api/openapi.json", None).body;
    assert_eq!(doc["openapi"], "3.1.0");
    // Both ways: every route the router serves is documented, and nothing else is.
    let served: std::collections::BTreeSet<(String, String)> =
        feedback_server::http::documented_routes()
            .into_iter()
            .map(|(path, method)| (path.to_string(), method.as_str().to_lowercase()))
            .collect();
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|k| !matches!(k.as_str(), "parameters" | "summary" | "description"))
                .map(move |m| (path.clone(), m.clone()))
        })
        .collect();
    assert_eq!(documented, served);
    assert!(served.iter().any(|(p, _)| p.contains("/moderation/")));
    assert!(doc["components"]["schemas"]["ReportCategory"].is_object());
}

/// The document as integrators check it: the `openapi-spec-validator` they would run.
#[test]
fn openapi_document_validates_with_openapi_spec_validator() {
    let s = Server::start(&[]);
    let doc = s.get("/api/openapi.json", None).body;
    let dir = TempDir::new("openapi");
    let path = dir.0.join("openapi.json");
    let validate = |doc: &serde_json::Value| {
        std::fs::write(&path, doc.to_string()).unwrap();
        let out = std::process::Command::new(venv_python())
            .args(["-m", "openapi_spec_validator"])
            .arg(&path)
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success() && said.contains(": OK"), said)
    };
    let (valid, said) = validate(&doc);
    assert!(valid, "{said}");
    // And it does refuse a broken document (the check can fail).
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/contracts"]["get"]["responses"] = serde_json::json!("none");
    assert!(!validate(&broken).0, "a broken document passed");
}

#[test]
fn openapi_document_states_the_rules_from_the_domain_constants() {
    use feedback_domain::*;
    let s = Server::start(&[]);
    let doc = s.get("/api/openapi.json", None).body;
    let list = &doc["paths"]["/api/v1/contracts"]["get"];
    let param = |name: &str| {
        list["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["schema"]
            .clone()
    };
    assert_eq!(param("status")["enum"], json!(["all", "active", "ended"]));
    assert_eq!(
        param("sort")["enum"],
        json!(["ended_desc", "ended_asc", "title_asc", "title_desc"])
    );
    assert_eq!(param("page")["minimum"], 1);
    assert_eq!(param("page")["maximum"], MAX_PAGE);
    assert_eq!(param("per_page")["maximum"], MAX_PER_PAGE);
    assert_eq!(param("q")["maxLength"], MAX_QUERY_CHARS);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["NewResponse"]["properties"]["text"]["maxLength"],
        RESPONSE_MAX_CHARS
    );
    let report = &schemas["NewReport"]["properties"];
    assert_eq!(
        report["description"]["minLength"],
        REPORT_DESCRIPTION_MIN_CHARS
    );
    assert_eq!(
        report["description"]["maxLength"],
        REPORT_DESCRIPTION_MAX_CHARS
    );
    assert_eq!(report["evidence"]["maxItems"], REPORT_EVIDENCE_MAX_LINKS);
    assert!(report["evidence"]["items"]["pattern"].is_string());
    let respond = &doc["paths"]["/api/v1/contracts/{id}/feedback/response"]["post"];
    let key = respond["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap();
    assert_eq!(key["required"], true);
    assert_eq!(key["schema"]["maxLength"], IDEMPOTENCY_KEY_MAX_LEN);
    for status in ["405", "408", "413", "422", "429", "503"] {
        assert!(respond["responses"][status].is_object(), "{status}");
    }
    assert!(respond["responses"]["429"]["headers"]["Retry-After"].is_object());
    let removal = &doc["paths"]["/api/v1/contracts/{id}/given-feedback/removal-request"]["post"];
    assert_eq!(removal["requestBody"]["required"], false);
    assert!(removal["responses"]["422"].is_object());
}

#[test]
fn static_dir_is_served_with_a_strict_csp_and_spa_fallback() {
    let dist = TempDir::new("dist");
    std::fs::write(
        dist.0.join("index.html"),
        "<html><head><script type=\"module\">import init from '/app.js'; init();</script></head></html>",
    )
    .unwrap();
    std::fs::write(dist.0.join("app.js"), "export default function init() {}").unwrap();
    let s = Server::start(&[
        "--static-dir",
        dist.0.to_str().unwrap(),
        "--frame-ancestor",
        "https://host.example",
    ]);
    let page = s.get("/contracts/12?tab=details", None);
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'sha256-"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'self' https://host.example"));
    assert!(page.body.as_str().unwrap().contains("import init"));
    let script = s.get("/app.js", None);
    assert_eq!(script.status, 200);
    // Host pages on other origins may load the widget's files (module scripts are CORS).
    assert_eq!(script.header("access-control-allow-origin"), Some("*"));
    // The API keeps answering JSON under the static fallback.
    s.get("/api/v1/contracts", None)
        .assert_problem(401, "unauthorized");

    // A new build copied over the running server's dir: its loader is allowed at once, the old
    // one no longer (a policy read only at start would block the new app until a restart).
    let hashes = |csp: &str| -> Vec<String> {
        csp.split_whitespace()
            .filter(|t| t.starts_with("'sha256-"))
            .map(|t| t.trim_end_matches(';').to_string())
            .collect()
    };
    let before = hashes(csp);
    std::fs::write(
        dist.0.join("index.html"),
        "<html><head><script type=\"module\">import init from '/app-2.js'; init();</script></head></html>",
    )
    .unwrap();
    let page = s.get("/contracts/12", None);
    assert!(page.body.as_str().unwrap().contains("/app-2.js"));
    let after = hashes(page.header("content-security-policy").unwrap());
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after, before);
}

#[test]
fn demo_seed_is_idempotent_across_restarts() {
    let dir = TempDir::new("reseed");
    let db = dir.0.join("seed.db");
    let count = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM contracts", [], |r| r.get(0))
            .unwrap()
    };
    let (mut a, _) = spawn(&db, &[]);
    a.kill().unwrap();
    a.wait().unwrap();
    let first = count(&db);
    let (mut b, _) = spawn(&db, &[]);
    b.kill().unwrap();
    b.wait().unwrap();
    assert_eq!(count(&db), first);
    let (mut c, _) = spawn(&db, &["--seed", "bulk:500"]);
    c.kill().unwrap();
    c.wait().unwrap();
    assert_eq!(count(&db), first + 500);
}

/// What this proves: a *process* crash (kill -9) mid-writes loses no acknowledged write, leaves
/// no half-written request, and the restarted server serves every acknowledged write. What it
/// can't prove: survival of a power loss. A killed process leaves its writes in the OS page
/// cache, so `synchronous = NORMAL` would pass here too; that FULL is set is checked where it is
/// set (`db::tests::every_connection_syncs_fully`).
#[test]
fn a_process_crash_during_writes_loses_no_acknowledged_write_and_the_restarted_server_serves_them()
{
    let dir = TempDir::new("crash");
    let db = dir.0.join("crash.db");
    let (mut child, base) = spawn(&db, &[]);
    // Contracts to answer, then a writer thread that records every 201 it gets.
    let mut ids = Vec::new();
    for i in 0..200 {
        let r = Reply::from(
            agent()
                .post(&format!("{base}/api/test/contracts"))
                .set("Authorization", "Bearer demo-alice")
                .send_json(
                    json!({"title": format!("crash {i}"), "ended_at": Utc::now() - Span::days(1),
                    "received_rating": 3.0, "received_comment": "c"}),
                ),
        );
        ids.push(r.body["id"].as_i64().unwrap());
    }
    let (tx, rx) = std::sync::mpsc::channel::<i64>();
    let writer = {
        let base = base.clone();
        std::thread::spawn(move || {
            for id in ids {
                let r = agent()
                    .post(&format!("{base}/api/v1/contracts/{id}/feedback/response"))
                    .set("Authorization", "Bearer demo-alice")
                    .set("Idempotency-Key", &format!("crash-{id}"))
                    .send_json(json!({"text": format!("ack {id}")}));
                match r {
                    Ok(resp) if resp.status() == 201 => {
                        let _ = tx.send(id);
                    }
                    _ => break, // the server died mid-request: not acknowledged
                }
            }
        })
    };
    // Let some writes land, then kill -9 while the writer is still going.
    let mut acked = vec![rx
        .recv_timeout(Duration::from_secs(20))
        .expect("first write")];
    while acked.len() < 10 {
        acked.push(rx.recv_timeout(Duration::from_secs(20)).unwrap());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    writer.join().unwrap();
    acked.extend(rx.try_iter());

    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    // The restarted server recovers the WAL and answers with every acknowledged write.
    let (mut again, again_base) = spawn(&db, &[]);
    for id in &acked {
        let r = Reply::from(
            agent()
                .get(&format!("{again_base}/api/v1/contracts/{id}"))
                .set("Authorization", "Bearer demo-alice")
                .call(),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            r.body["received"]["response"]["text"],
            format!("ack {id}"),
            "acknowledged write for contract {id} lost"
        );
    }
    // Every stored response has its idempotency record: no half-written request.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM responses r JOIN received_feedback f ON f.id = r.feedback_id \
             JOIN contracts c ON c.id = f.contract_id WHERE c.title LIKE 'crash %' \
             AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.key = 'crash-' || c.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    again.kill().unwrap();
    again.wait().unwrap();
}

#[test]
fn field_errors_carry_machine_codes_beside_the_messages() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("codes-1"),
        &json!({"text": "x".repeat(1510)}),
    );
    r.assert_problem(422, "validation");
    assert_eq!(
        r.body["error_codes"]["text"],
        json!([{"code": "too_long", "max": 1500, "actual": 1510}])
    );
    assert!(r.body["errors"]["text"][0]
        .as_str()
        .unwrap()
        .contains("1500"));
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/report"),
        ALICE,
        None,
        &json!({"category": "fraud", "description": "Too short.", "evidence": ["ftp://x"]}),
    );
    assert_eq!(
        r.body["error_codes"]["description"],
        json!([{"code": "too_short", "min": 30, "actual": 10}])
    );
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/report"),
        ALICE,
        None,
        &json!({"category": "fraud", "description": "A description that is long enough to pass.", "evidence": ["ftp://x"]}),
    );
    assert_eq!(
        r.body["error_codes"]["evidence"],
        json!([{"code": "not_a_web_address", "index": 1}])
    );
    // Other refusals name the field with the code `invalid`.
    let r = s.get("/api/v1/contracts?per_page=0", Some(ALICE));
    assert_eq!(r.body["error_codes"]["per_page"][0]["code"], "invalid");
}
