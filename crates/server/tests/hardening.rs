//! The defects an outside audit found, each as a test that failed before its fix: resource
//! exhaustion, rate limits, lenient JSON, unread bodies, non-problem errors, odd input,
//! invisible text, idempotency expiry, the body limit, exposed headers and time precision.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use common::*;
use serde_json::{json, Value};

fn connect(s: &Server) -> TcpStream {
    let addr = s.base.strip_prefix("http://").unwrap();
    TcpStream::connect(addr).unwrap()
}

/// Reads until the server closes the socket (or `limit` passes); what it sent, and whether it
/// closed.
fn read_until_closed(mut sock: TcpStream, limit: Duration) -> (String, bool) {
    sock.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            // A reset is a close too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&got).into(), true)
            }
            Err(_) => return (String::from_utf8_lossy(&got).into(), false),
        }
    }
}

const STALLED_HEAD: &[u8] = b"GET /api/v1/contracts HTTP/1.1\r\nHost: x\r\nAuthorization: Bea";

fn stalled_body(id: i64) -> Vec<u8> {
    format!(
        "POST /api/v1/contracts/{id}/feedback/report HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {ALICE}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{\"category\":"
    )
    .into_bytes()
}

#[test]
fn stalled_connections_are_closed_and_a_normal_request_is_still_answered() {
    let s = Server::start(&["--header-timeout-ms", "1500", "--body-timeout-ms", "1500"]);
    let id = s.written_feedback_ended(Span::days(1));
    let mut held = Vec::new();
    for i in 0..300 {
        let mut sock = connect(&s);
        if i % 2 == 0 {
            sock.write_all(STALLED_HEAD).unwrap();
        } else {
            sock.write_all(&stalled_body(id)).unwrap();
        }
        held.push(sock);
    }
    // While all 300 are stalled, a normal request is answered.
    let r = s.get("/api/v1/contracts", Some(ALICE));
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Every stalled connection is closed by the server (a body that stalls gets a 408 first).
    let mut timeouts = 0;
    for sock in held {
        let (said, closed) = read_until_closed(sock, Duration::from_secs(15));
        assert!(closed, "a stalled connection was still open: {said:?}");
        if said.starts_with("HTTP/1.1 408") {
            assert!(said.contains("application/problem+json"), "{said}");
            timeouts += 1;
        }
    }
    assert_eq!(timeouts, 150, "each stalled body is answered 408");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM reports WHERE description = ''"),
        0
    );
}

/// Starts the server with `ulimit -n` set to `nofile`, as the audit did.
fn start_with_fd_limit(nofile: u64, extra: &[&str]) -> Server {
    let dir = TempDir::new("fds");
    let db = Db::fresh(&dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_feedback-server"));
    cmd.args(["--addr", "127.0.0.1:0", "--db"])
        .arg(db.arg())
        .args(["--seed", "demo", "--test-fixtures"])
        .env("RUST_LOG", "warn")
        .args(["--read-rate", "off", "--write-rate", "off"])
        .args(extra)
        .stdout(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: nofile,
                rlim_max: nofile,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut child = cmd.spawn().unwrap();
    let base = first_line_address(&mut child);
    Server {
        child,
        base,
        db,
        _dir: dir,
    }
}

fn first_line_address(child: &mut std::process::Child) -> String {
    use std::io::{BufRead, BufReader};
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    first
        .trim()
        .strip_prefix("feedback-server listening on ")
        .unwrap()
        .to_string()
}

#[test]
fn under_a_low_fd_limit_idle_connections_make_room_and_busy_ones_are_shed_with_503() {
    let s = start_with_fd_limit(128, &["--body-timeout-ms", "8000"]);
    let id = s.written_feedback_ended(Span::days(1));
    // 200 idle connections: more than 128 descriptors could hold. They are not new any more
    // when the real user arrives.
    let idle: Vec<TcpStream> = (0..200).map(|_| connect(&s)).collect();
    std::thread::sleep(Duration::from_millis(600));
    let r = s.get("/api/v1/contracts", Some(ALICE));
    assert_eq!(r.status, 200, "a normal GET behind 200 idle connections");
    drop(idle);

    // Connections that are all mid-request can't be evicted: the next one is shed at once.
    let mut busy = Vec::new();
    let mut shed = None;
    for _ in 0..120 {
        let mut sock = connect(&s);
        sock.write_all(&stalled_body(id)).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut buf = [0u8; 2048];
        match sock.read(&mut buf) {
            Ok(n) if n > 0 => {
                // The rest may come in another segment: read until the server closes.
                let (rest, _) = read_until_closed(sock, Duration::from_secs(5));
                shed = Some(format!("{}{rest}", String::from_utf8_lossy(&buf[..n])));
                break;
            }
            _ => busy.push(sock),
        }
    }
    let shed = shed.expect("a connection over the cap is answered 503");
    assert!(shed.starts_with("HTTP/1.1 503"), "{shed}");
    assert!(shed.contains("retry-after: 1"), "{shed}");
    assert!(shed.contains("application/problem+json"), "{shed}");
    assert!(shed.contains("/problems/unavailable"), "{shed}");
    assert!(busy.len() < 120, "the cap is below the descriptor limit");
    // Once the stalled bodies time out, normal requests are served again.
    drop(busy);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = s.get("/api/v1/contracts", Some(ALICE));
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{:?}", r.body);
        assert!(
            Instant::now() < deadline,
            "still shedding after the body timeout"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn reads_and_writes_are_rate_limited_per_caller_with_429_and_retry_after() {
    let s = Server::start(&[
        "--read-rate",
        "60/min,5",
        "--write-rate",
        "60/min,2",
        "--cors-origin",
        "https://host.example",
    ]);
    let get = |token: Option<&str>| {
        let mut req = agent()
            .get(&s.url("/api/v1/contracts"))
            .set("Origin", "https://host.example");
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        Reply::from(req.call())
    };
    for _ in 0..5 {
        assert_eq!(get(Some(ALICE)).status, 200);
    }
    let limited = get(Some(ALICE));
    limited.assert_problem(429, "too-many-requests");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let exposed = limited
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");
    // Another user has a budget of their own; writes have a budget apart from reads.
    assert_eq!(get(Some(BOB)).status, 200);
    let id = s.written_feedback_ended(Span::days(1)); // a POST: the first write
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("rl-1"),
        &json!({"text": "Thanks"}),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = s.post(
        &format!("/api/v1/contracts/{id}/feedback/response"),
        ALICE,
        Some("rl-2"),
        &json!({"text": "Again"}),
    );
    r.assert_problem(429, "too-many-requests");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM idempotency WHERE key = 'rl-2'"),
        0,
        "a limited request has no effect"
    );
    // Without a valid token the caller is counted by address.
    for _ in 0..5 {
        assert_eq!(get(Some("nobody")).status, 401);
    }
    get(None).assert_problem(429, "too-many-requests");
    // Health probes are not counted.
    for _ in 0..10 {
        assert_eq!(s.get("/healthz", None).status, 200);
    }
    // After the wait, the user may read again.
    std::thread::sleep(Duration::from_secs(wait));
    assert_eq!(get(Some(ALICE)).status, 200);
}

fn raw_post(s: &Server, path: &str, content_type: &str, body: &[u8]) -> Reply {
    Reply::from(
        agent()
            .post(&s.url(path))
            .set("Authorization", &format!("Bearer {ALICE}"))
            .set("Content-Type", content_type)
            .set("Idempotency-Key", &format!("raw-{}", body.len()))
            .send_bytes(body),
    )
}

#[test]
fn exactly_one_json_object_is_accepted() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let path = format!("/api/v1/contracts/{id}/feedback/response");
    for bad in [
        &br#"{"text":"x"} garbage"#[..],
        br#"{"text":"x"}{"text":"y"}"#,
        br#"["hello"]"#,
        br#""hello""#,
        b"",
    ] {
        let r = raw_post(&s, &path, "application/json", bad);
        r.assert_problem(422, "validation");
        assert!(r.body["errors"]["body"].is_array(), "{:?}", r.body);
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM idempotency"), 0);
    let r = raw_post(
        &s,
        &path,
        "application/json; charset=utf-8",
        b" {\"text\":\"x\"} \n",
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[test]
fn the_removal_request_body_is_empty_or_an_empty_object() {
    let s = Server::start(&[]);
    let path = |id: i64| format!("/api/v1/contracts/{id}/given-feedback/removal-request");
    let id = s.written_feedback_ended(Span::days(1));
    raw_post(&s, &path(id), "application/json", b"notjson").assert_problem(422, "validation");
    raw_post(&s, &path(id), "application/json", br#"{"extra":1}"#)
        .assert_problem(422, "validation");
    raw_post(&s, &path(id), "text/plain", b"please").assert_problem(422, "validation");
    let mib = vec![b'x'; 1 << 20];
    raw_post(&s, &path(id), "text/plain", &mib).assert_problem(413, "payload-too-large");
    let mine = format!(
        "SELECT COUNT(*) FROM removal_requests r JOIN given_feedback g ON g.id = r.feedback_id \
         WHERE g.contract_id = {id}"
    );
    assert_eq!(s.count(&mine), 0);
    assert_eq!(
        raw_post(&s, &path(id), "application/json", b"{}").status,
        201
    );
    let other = s.written_feedback_ended(Span::days(2));
    let r = Reply::from(
        agent()
            .post(&s.url(&path(other)))
            .set("Authorization", &format!("Bearer {ALICE}"))
            .call(),
    );
    assert_eq!(r.status, 201, "an empty body: {:?}", r.body);
}

#[test]
fn every_error_is_a_problem_document() {
    let s = Server::start(&[]);
    let r = Reply::from(agent().delete(&s.url("/api/v1/contracts")).call());
    r.assert_problem(405, "method-not-allowed");
    assert!(r.header("allow").unwrap().contains("GET"));
    let long = format!("/api/v1/contracts?q={}", "a".repeat(9000));
    s.get(&long, Some(ALICE))
        .assert_problem(414, "uri-too-long");
    let r = Reply::from(
        agent()
            .get(&s.url("/api/v1/contracts"))
            .set("Authorization", &format!("Bearer {ALICE}"))
            .set("X-Padding", &"a".repeat(20_000))
            .call(),
    );
    r.assert_problem(431, "headers-too-large");
    for path in ["/api/v2/contracts", "/api", "/api/", "/elsewhere"] {
        s.get(path, Some(ALICE)).assert_problem(404, "not-found");
    }
    let r = s.get("/api/v1/contracts", None);
    r.assert_problem(401, "unauthorized");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
}

#[test]
fn the_auth_scheme_is_case_insensitive() {
    let s = Server::start(&[]);
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let r = Reply::from(
            agent()
                .get(&s.url("/api/v1/contracts"))
                .set("Authorization", &format!("{scheme} {ALICE}"))
                .call(),
        );
        assert_eq!(r.status, 200, "{scheme}");
    }
    let r = Reply::from(
        agent()
            .get(&s.url("/api/v1/contracts"))
            .set("Authorization", &format!("Basic {ALICE}"))
            .call(),
    );
    r.assert_problem(401, "unauthorized");
}

#[test]
fn odd_query_and_path_input_is_refused_with_422() {
    let s = Server::start(&[]);
    let all = s.get("/api/v1/contracts", Some(ALICE)).body["total"].clone();
    assert!(all.as_u64().unwrap() > 1);
    let r = s.get("/api/v1/contracts?q=%00", Some(ALICE));
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["q"].is_array());
    for id in ["01", "+3", "3.0", "-3"] {
        let r = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE));
        r.assert_problem(422, "validation");
        assert!(r.body["errors"]["id"].is_array(), "{id}");
    }
    let r = s.get("/api/v1/contracts?status=ended&status=active", Some(ALICE));
    r.assert_problem(422, "validation");
    assert!(r.body["errors"]["status"].is_array());
}

#[test]
fn invisible_or_direction_overriding_text_is_refused() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let path = format!("/api/v1/contracts/{id}/feedback/response");
    for (i, text) in ["\u{200b}\u{feff}", " \u{2060} ", "ok \u{202e}kcatta"]
        .iter()
        .enumerate()
    {
        let r = s.post(
            &path,
            ALICE,
            Some(&format!("inv-{i}")),
            &json!({ "text": text }),
        );
        r.assert_problem(422, "validation");
        assert!(r.body["errors"]["text"].is_array());
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM idempotency"), 0);
}

#[test]
fn idempotency_records_expire_after_the_retention_window() {
    let s = Server::start(&["--idempotency-retention-secs", "1"]);
    let a = s.written_feedback_ended(Span::days(1));
    let b = s.written_feedback_ended(Span::days(1));
    let first = s.post(
        &format!("/api/v1/contracts/{a}/feedback/response"),
        ALICE,
        Some("reused-later"),
        &json!({"text": "First"}),
    );
    assert_eq!(first.status, 201);
    let replay = s.post(
        &format!("/api/v1/contracts/{a}/feedback/response"),
        ALICE,
        Some("reused-later"),
        &json!({"text": "First"}),
    );
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    // The sweep deletes the record once it is older than the retention.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.count("SELECT COUNT(*) FROM idempotency") > 0 {
        assert!(Instant::now() < deadline, "the record was never deleted");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The key is free again: a different request with it is a new write, not a 422.
    let later = s.post(
        &format!("/api/v1/contracts/{b}/feedback/response"),
        ALICE,
        Some("reused-later"),
        &json!({"text": "Second"}),
    );
    assert_eq!(later.status, 201, "{:?}", later.body);
}

/// `text` as JSON with every character escaped: astral ones as surrogate pairs.
fn escaped_json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

#[test]
fn the_longest_legal_text_in_its_widest_json_encoding_is_accepted() {
    let s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let text = "😀".repeat(feedback_domain::RESPONSE_MAX_CHARS);
    let body = format!("{{\"text\":{}}}", escaped_json_string(&text));
    assert!(body.len() > 18_000);
    let r = raw_post(
        &s,
        &format!("/api/v1/contracts/{id}/feedback/response"),
        "application/json",
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["text"], text);

    let link = format!(
        "https://e.x/{}",
        "😀".repeat(feedback_domain::EVIDENCE_LINK_MAX_CHARS - 12)
    );
    let links: Vec<String> = (0..feedback_domain::REPORT_EVIDENCE_MAX_LINKS)
        .map(|_| escaped_json_string(&link))
        .collect();
    let report = format!(
        "{{\"category\":\"conflict_of_interest\",\"description\":{},\"evidence\":[{}]}}",
        escaped_json_string(&"😀".repeat(feedback_domain::REPORT_DESCRIPTION_MAX_CHARS)),
        links.join(",")
    );
    let r = raw_post(
        &s,
        &format!("/api/v1/contracts/{id}/feedback/report"),
        "application/json",
        report.as_bytes(),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[test]
fn replays_are_visible_to_browsers_and_times_match_across_post_replay_and_get() {
    let s = Server::start(&["--cors-origin", "https://host.example"]);
    let id = s.written_feedback_ended(Span::days(1));
    let post = || {
        Reply::from(
            agent()
                .post(&s.url(&format!("/api/v1/contracts/{id}/feedback/response")))
                .set("Origin", "https://host.example")
                .set("Authorization", &format!("Bearer {ALICE}"))
                .set("Idempotency-Key", "same-time")
                .send_json(json!({"text": "On time"})),
        )
    };
    let first = post();
    assert_eq!(first.status, 201);
    let replay = post();
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let exposed = replay
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("idempotent-replayed"), "{exposed}");
    let details = s.get(&format!("/api/v1/contracts/{id}"), Some(ALICE)).body;
    let stored: &Value = &details["received"]["response"]["created_at"];
    assert_eq!(first.body["created_at"], *stored);
    assert_eq!(replay.body["created_at"], *stored);
}

#[test]
fn health_readiness_and_a_request_id_on_every_response() {
    let s = Server::start(&[]);
    let r = s.get("/healthz", None);
    assert_eq!((r.status, r.body.as_str()), (200, Some("ok")));
    let r = s.get("/readyz", None);
    assert_eq!((r.status, r.body.as_str()), (200, Some("ready")));
    let a = s.get("/api/v1/contracts", Some(ALICE));
    let b = s.get("/api/v1/nothing", Some(ALICE));
    let (ida, idb) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert!(!ida.is_empty() && ida != idb, "{ida} {idb}");
    // A balancer's id is kept; a strange one is replaced.
    let given = Reply::from(
        agent()
            .get(&s.url("/healthz"))
            .set("X-Request-Id", "lb-1234-abcd")
            .call(),
    );
    assert_eq!(given.header("x-request-id"), Some("lb-1234-abcd"));
    let odd = Reply::from(
        agent()
            .get(&s.url("/healthz"))
            .set("X-Request-Id", "a b\"c")
            .call(),
    );
    assert_ne!(odd.header("x-request-id"), Some("a b\"c"));
}

#[test]
fn each_request_is_logged_as_one_json_line_with_its_request_id() {
    let dir = TempDir::new("logs");
    let db = Db::fresh(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedback-server"))
        .args(["--addr", "127.0.0.1:0", "--seed", "demo", "--db"])
        .arg(db.arg())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = first_line_address(&mut child);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let r = Reply::from(
        agent()
            .get(&format!("{base}/api/v1/contracts/999999"))
            .set("Authorization", &format!("Bearer {ALICE}"))
            .set("X-Request-Id", "log-test-42")
            .call(),
    );
    assert_eq!(r.status, 404);
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("a log line for the request");
        if line.contains("log-test-42") {
            break line;
        }
    };
    let event: Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(event["span"]["id"], "log-test-42", "{event}");
    assert_eq!(event["span"]["path"], "/api/v1/contracts/999999");
    assert_eq!(event["fields"]["status"], 404);
    assert_eq!(event["level"], "INFO");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigterm_lets_the_request_in_progress_finish_then_the_server_exits() {
    let mut s = Server::start(&[]);
    let id = s.written_feedback_ended(Span::days(1));
    let body = br#"{"text":"Finished during shutdown."}"#;
    let mut sock = connect(&s);
    let head = format!(
        "POST /api/v1/contracts/{id}/feedback/response HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {ALICE}\r\nIdempotency-Key: term-1\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).unwrap();
    sock.write_all(&body[..10]).unwrap();
    // The request is in progress (its body half sent) when the server is told to stop.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill(2) on our own child process.
    assert_eq!(unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) }, 0);
    std::thread::sleep(Duration::from_millis(300));
    sock.write_all(&body[10..]).unwrap();
    let (answer, _) = read_until_closed(sock, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert_eq!(
        s.count(&format!(
            "SELECT COUNT(*) FROM responses r JOIN received_feedback f ON f.id = r.feedback_id \
             WHERE f.contract_id = {id}"
        )),
        1
    );
}
