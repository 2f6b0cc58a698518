//! The rules, each a function of the backend that passes, fails with why, or is skipped (what
//! it needs is not there). They send only what docs/api.md describes.

use std::thread;

use chrono::{DateTime, Duration, Utc};
use feedback_domain::{
    MAX_PER_PAGE, MAX_REQUEST_BODY_BYTES, RESPONSE_MAX_CHARS, RESPONSE_WINDOW_DAYS,
};
use serde_json::{json, Value};

use crate::Target;

pub enum Outcome {
    Pass,
    Skip(String),
}

type Rule = fn(&Target) -> Result<Outcome, String>;

pub const ALL: [(&str, Rule); 7] = [
    ("every error is problem+json", problems),
    ("a token never sees another user's contract", auth),
    ("responses only within 28 days after the end", window),
    (
        "exactly one response under 20 concurrent posts",
        exactly_once,
    ),
    (
        "Idempotency-Key: replay, reuse, missing, in flight",
        idempotency,
    ),
    ("limits: text length, body size, page size", limits),
    (
        "CORS: an unknown origin is refused, an allowed one served",
        cors,
    ),
];

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    json: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A problem document of `status` whose type ends with `slug` (any if empty).
    fn problem(&self, status: u16, slug: &str) -> Result<(), String> {
        let ct = self.header("content-type").unwrap_or("");
        let p = &self.json;
        let ok = self.status == status
            && ct.starts_with("application/problem+json")
            && p["type"].as_str().is_some_and(|t| t.ends_with(slug))
            && p["title"].is_string()
            && p["status"] == status
            && p["detail"].is_string();
        match ok {
            true => Ok(()),
            false => Err(format!(
                "expected a {status} problem+json{} — got {} {ct} {}",
                if slug.is_empty() {
                    String::new()
                } else {
                    format!(" ({slug})")
                },
                self.status,
                short(p)
            )),
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(160).collect()
}

fn send(
    t: &Target,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Result<Reply, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(20))
        .build();
    let mut req = agent.request(method, &format!("{}{path}", t.base));
    if let Some(token) = token {
        req = req.set("Authorization", &format!("Bearer {token}"));
    }
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let result = match body {
        Some(b) => req.set("Content-Type", "application/json").send_string(&b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(format!("{method} {path}: {e}")),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .map(|n| (n.clone(), resp.header(&n).unwrap_or("").to_string()))
        .collect();
    let status = resp.status();
    let text = resp.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Reply {
        status,
        headers,
        json,
    })
}

fn get(t: &Target, path: &str, token: Option<&str>) -> Result<Reply, String> {
    send(t, "GET", path, token, &[], None)
}

fn respond(t: &Target, contract: i64, key: Option<&str>, text: &str) -> Result<Reply, String> {
    let headers: Vec<(&str, &str)> = key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
    let body = json!({ "text": text }).to_string();
    send(
        t,
        "POST",
        &format!("/api/v1/contracts/{contract}/feedback/response"),
        Some(&t.token),
        &headers,
        Some(body),
    )
}

/// A contract of the token's with written feedback from the freelancer, ended `ago` before now.
fn fixture(t: &Target, ago: Duration) -> Result<i64, String> {
    let body = json!({
        "title": "Conformance contract",
        "ended_at": Utc::now() - ago,
        "received_rating": 4.0,
        "received_comment": "Written feedback to respond to.",
    });
    let r = send(
        t,
        "POST",
        "/api/test/contracts",
        Some(&t.token),
        &[],
        Some(body.to_string()),
    )?;
    r.json["id"].as_i64().ok_or(format!(
        "the fixture endpoint answered {} {}",
        r.status,
        short(&r.json)
    ))
}

fn needs_fixtures(t: &Target) -> Option<Outcome> {
    (!t.fixtures).then(|| Outcome::Skip("needs contracts in given states (--fixtures)".into()))
}

/// A fresh Idempotency-Key (a counter as well as the clock: keys made in one nanosecond differ).
fn key(tag: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or(0);
    format!("conformance-{tag}-{}-{n}-{nanos}", std::process::id())
}

fn problems(t: &Target) -> Result<Outcome, String> {
    get(t, "/api/v1/contracts", None)?.problem(401, "")?;
    get(t, "/api/v1/contracts?page=0", Some(&t.token))?.problem(422, "validation")?;
    get(t, "/api/v1/no-such-endpoint", Some(&t.token))?.problem(404, "")?;
    send(t, "DELETE", "/api/v1/contracts", Some(&t.token), &[], None)?.problem(405, "")?;
    let broken = send(
        t,
        "POST",
        "/api/v1/contracts/1/feedback/response",
        Some(&t.token),
        &[("Idempotency-Key", &key("json"))],
        Some("{not json".into()),
    )?;
    broken.problem(422, "")?;
    Ok(Outcome::Pass)
}

fn auth(t: &Target) -> Result<Outcome, String> {
    let Some(other) = t.second_token.as_deref() else {
        return Ok(Outcome::Skip(
            "needs a second client's token (--second-token)".into(),
        ));
    };
    if t.fixtures {
        fixture(t, Duration::days(2))?;
    }
    let mine = get(t, "/api/v1/contracts", Some(&t.token))?;
    let Some(id) = mine.json["items"][0]["id"].as_i64() else {
        return Ok(Outcome::Skip(
            "the first token has no contract to try".into(),
        ));
    };
    get(t, &format!("/api/v1/contracts/{id}"), Some(other))?.problem(404, "")?;
    let theirs = get(t, "/api/v1/contracts?per_page=100", Some(other))?;
    if theirs.json["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|c| c["id"] == id))
    {
        return Err(format!("contract {id} is in the other token's history"));
    }
    Ok(Outcome::Pass)
}

fn window(t: &Target) -> Result<Outcome, String> {
    if let Some(skip) = needs_fixtures(t) {
        return Ok(skip);
    }
    let days = Duration::days(RESPONSE_WINDOW_DAYS);
    let open = fixture(t, days - Duration::minutes(2))?;
    let closed = fixture(t, days + Duration::minutes(2))?;
    for (id, expected) in [(open, true), (closed, false)] {
        let d = get(t, &format!("/api/v1/contracts/{id}"), Some(&t.token))?;
        let w = &d.json["response_window"];
        if w["open"] != expected {
            return Err(format!(
                "contract {id}: response_window {w}, expected open {expected}"
            ));
        }
        let parse = |v: &Value| {
            v.as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        };
        match (
            parse(&d.json["contract"]["ended_at"]),
            parse(&w["closes_at"]),
        ) {
            (Some(end), Some(closes)) if closes - end == days => {}
            _ => {
                return Err(format!(
                    "closes_at is not ended_at + {RESPONSE_WINDOW_DAYS} days: {w}"
                ))
            }
        }
    }
    respond(t, closed, Some(&key("closed")), "Too late.")?.problem(409, "window-not-open")?;
    let r = respond(t, open, Some(&key("open")), "Just in time.")?;
    if r.status != 201 {
        return Err(format!(
            "a response 2 minutes before the deadline got {} {}",
            r.status,
            short(&r.json)
        ));
    }
    Ok(Outcome::Pass)
}

fn exactly_once(t: &Target) -> Result<Outcome, String> {
    if let Some(skip) = needs_fixtures(t) {
        return Ok(skip);
    }
    let id = fixture(t, Duration::days(1))?;
    let statuses: Vec<Result<u16, String>> = thread::scope(|s| {
        let posts: Vec<_> = (0..20)
            .map(|i| {
                s.spawn(move || {
                    respond(
                        t,
                        id,
                        Some(&key(&format!("race{i}"))),
                        &format!("Response {i}"),
                    )
                    .map(|r| r.status)
                })
            })
            .collect();
        posts
            .into_iter()
            .map(|p| p.join().unwrap_or(Err("a thread panicked".into())))
            .collect()
    });
    let statuses: Vec<u16> = statuses.into_iter().collect::<Result<_, _>>()?;
    let created = statuses.iter().filter(|s| **s == 201).count();
    let conflicts = statuses.iter().filter(|s| **s == 409).count();
    if (created, conflicts) != (1, 19) {
        return Err(format!("20 concurrent posts: {created} × 201 and {conflicts} × 409 (expected 1 and 19): {statuses:?}"));
    }
    let d = get(t, &format!("/api/v1/contracts/{id}"), Some(&t.token))?;
    match d.json["received"]["response"]["text"].as_str() {
        Some(text) if text.starts_with("Response ") => Ok(Outcome::Pass),
        _ => Err(format!(
            "the details show no response: {}",
            short(&d.json["received"])
        )),
    }
}

fn idempotency(t: &Target) -> Result<Outcome, String> {
    if let Some(skip) = needs_fixtures(t) {
        return Ok(skip);
    }
    let id = fixture(t, Duration::days(1))?;
    let k = key("replay");
    let first = respond(t, id, Some(&k), "Once.")?;
    if first.status != 201 {
        return Err(format!(
            "the first post got {} {}",
            first.status,
            short(&first.json)
        ));
    }
    let again = respond(t, id, Some(&k), "Once.")?;
    if again.status != 201
        || again.json != first.json
        || again.header("idempotent-replayed") != Some("true")
    {
        return Err(format!(
            "a replay got {} {} (idempotent-replayed: {:?})",
            again.status,
            short(&again.json),
            again.header("idempotent-replayed")
        ));
    }
    respond(t, id, Some(&k), "Another text.")?.problem(422, "idempotency-key-reused")?;
    let other = fixture(t, Duration::days(1))?;
    respond(t, other, None, "No key.")?.problem(422, "idempotency-key-missing")?;
    // In flight: the same key and body twice at once — one effect, the same answer twice.
    let k = key("inflight");
    let both: Vec<Result<Reply, String>> = thread::scope(|s| {
        let a = s.spawn(|| respond(t, other, Some(&k), "At once."));
        let b = s.spawn(|| respond(t, other, Some(&k), "At once."));
        vec![
            a.join().unwrap_or(Err("panicked".into())),
            b.join().unwrap_or(Err("panicked".into())),
        ]
    });
    let both: Vec<Reply> = both.into_iter().collect::<Result<_, _>>()?;
    if both.iter().any(|r| r.status != 201) || both[0].json != both[1].json {
        return Err(format!(
            "one key sent twice at once: {} and {}",
            both[0].status, both[1].status
        ));
    }
    Ok(Outcome::Pass)
}

fn limits(t: &Target) -> Result<Outcome, String> {
    get(
        t,
        &format!("/api/v1/contracts?per_page={}", MAX_PER_PAGE + 1),
        Some(&t.token),
    )?
    .problem(422, "validation")?;
    let huge = json!({ "text": "x".repeat(MAX_REQUEST_BODY_BYTES + 1) }).to_string();
    let r = send(
        t,
        "POST",
        "/api/v1/contracts/1/feedback/response",
        Some(&t.token),
        &[("Idempotency-Key", &key("huge"))],
        Some(huge),
    )?;
    r.problem(413, "")?;
    if let Some(skip) = needs_fixtures(t) {
        return Ok(skip);
    }
    let id = fixture(t, Duration::days(1))?;
    let long = respond(
        t,
        id,
        Some(&key("long")),
        &"x".repeat(RESPONSE_MAX_CHARS + 1),
    )?;
    long.problem(422, "validation")?;
    if long.json["error_codes"]["text"][0]["code"] != "too_long" {
        return Err(format!(
            "a text over {RESPONSE_MAX_CHARS} characters: error_codes {}",
            long.json["error_codes"]
        ));
    }
    Ok(Outcome::Pass)
}

fn cors(t: &Target) -> Result<Outcome, String> {
    let preflight = |origin: &str| {
        send(
            t,
            "OPTIONS",
            "/api/v1/contracts",
            None,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
            None,
        )
    };
    let refused = "https://refused.conformance.invalid";
    let r = preflight(refused)?;
    if let Some(granted) = r
        .header("access-control-allow-origin")
        .filter(|o| *o == refused || *o == "*")
    {
        return Err(format!(
            "an unknown origin was granted: Access-Control-Allow-Origin {granted}"
        ));
    }
    let Some(allowed) = t.allowed_origin.as_deref() else {
        return Ok(Outcome::Skip(
            "refusal checked; no --allowed-origin to check a grant".into(),
        ));
    };
    let r = preflight(allowed)?;
    let headers = r
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_lowercase();
    if r.header("access-control-allow-origin") != Some(allowed)
        || !headers.contains("authorization")
        || !headers.contains("idempotency-key")
    {
        return Err(format!(
            "{allowed} is not granted with Authorization and Idempotency-Key: {:?}",
            r.headers
        ));
    }
    Ok(Outcome::Pass)
}
