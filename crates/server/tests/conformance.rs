//! The conformance kit (`crates/conformance`, `cargo xtask conformance`) against the reference
//! server — every rule passes — and against a deliberately broken backend: a proxy in front of
//! it that drops the `Idempotent-Replayed` header and grants every origin, where exactly those
//! two rules fail and the rest still pass. Runs on SQLite, and with `FEEDBACK_TEST_DB=postgres` on
//! PostgreSQL.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use common::*;
use feedback_conformance::{rule_names, run, Target, Verdict};

const ORIGIN: &str = "http://127.0.0.1:8080"; // the default CORS allowlist's

fn target(base: String) -> Target {
    Target {
        base,
        token: ALICE.into(),
        second_token: Some(BOB.into()),
        fixtures: true,
        allowed_origin: Some(ORIGIN.into()),
    }
}

#[test]
fn the_reference_server_passes_every_rule() {
    let s = Server::start(&[]);
    let verdicts = run(&target(s.url("")));
    assert_eq!(verdicts.len(), rule_names().len());
    for (name, verdict) in &verdicts {
        assert_eq!(verdict, &Verdict::Pass, "{name}");
    }
}

/// One request through the proxy: forwarded as it came, the answer spoiled on the way back.
fn forward(mut client: TcpStream, backend: &str) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("GET").to_string(),
        parts.next().unwrap_or("/").to_string(),
    );
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
            if !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length") {
                headers.push((k.to_string(), v.trim().to_string()));
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let mut req = agent().request(&method, &format!("{backend}{path}"));
    for (k, v) in &headers {
        req = req.set(k, v);
    }
    let resp = match if length > 0 {
        req.send_bytes(&body)
    } else {
        req.call()
    } {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(_) => return,
    };
    let status = resp.status();
    let mut out = format!("HTTP/1.1 {status} {}\r\n", resp.status_text());
    for name in resp.headers_names() {
        let value = resp.header(&name).unwrap_or("");
        let dropped = [
            "content-length",
            "connection",
            "transfer-encoding",
            "access-control-allow-origin",
            "idempotent-replayed",
        ];
        if !dropped.contains(&name.as_str()) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let mut bytes = Vec::new();
    resp.into_reader().read_to_end(&mut bytes).unwrap();
    out.push_str(&format!(
        "access-control-allow-origin: *\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        bytes.len()
    ));
    let _ = client
        .write_all(out.as_bytes())
        .and_then(|_| client.write_all(&bytes));
}

#[test]
fn a_broken_backend_fails_exactly_the_rules_it_breaks() {
    let s = Server::start(&[]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let backend = s.url("");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let backend = backend.clone();
            std::thread::spawn(move || forward(conn, &backend));
        }
    });
    let verdicts = run(&target(proxy));
    let failed: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Fail(_)))
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        failed,
        vec![
            "Idempotency-Key: replay, reuse, missing, in flight",
            "CORS: an unknown origin is refused, an allowed one served"
        ],
        "{verdicts:#?}"
    );
    // Each failure says why.
    for (_, v) in &verdicts {
        if let Verdict::Fail(why) = v {
            assert!(
                why.contains("idempotent-replayed") || why.contains("granted"),
                "{why}"
            );
        }
    }
}
