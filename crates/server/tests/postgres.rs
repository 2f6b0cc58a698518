//! Several instances on one PostgreSQL database: what only a shared database can get wrong.
//! Each test starts its own servers on a fresh database in a throwaway cluster.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use common::pg::{self, Cluster};
use common::*;
use serde_json::{json, Value};

/// Two `feedback-server` processes on one database, like two instances behind a balancer.
struct Pair {
    a: Instance,
    b: Instance,
    url: String,
}

struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    fn start(url: &str, extra: &[&str]) -> Instance {
        let (child, base) = spawn(url, extra);
        Instance { child, base }
    }

    fn post(&self, path: &str, key: Option<&str>, body: &Value) -> Reply {
        let mut req = agent()
            .post(&format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {ALICE}"));
        if let Some(k) = key {
            req = req.set("Idempotency-Key", k);
        }
        Reply::from(req.send_json(body.clone()))
    }

    fn get(&self, path: &str) -> Reply {
        Reply::from(
            agent()
                .get(&format!("{}{path}", self.base))
                .set("Authorization", &format!("Bearer {ALICE}"))
                .call(),
        )
    }

    /// A contract for Alice whose written feedback ended a day ago (window open).
    fn answerable_contract(&self) -> i64 {
        let r = self.post(
            "/api/test/contracts",
            None,
            &json!({"title": "Shared", "ended_at": Utc::now() - Span::days(1),
                    "received_rating": 3.0, "received_comment": "Written.",
                    "given_rating": 4.0, "given_comment": "Given."}),
        );
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }
}

impl Pair {
    fn start(cluster: &Cluster, extra: &[&str]) -> Pair {
        let url = cluster.new_database();
        let a = Instance::start(&url, extra);
        let b = Instance::start(&url, extra);
        Pair { a, b, url }
    }

    fn count(&self, sql: &str) -> i64 {
        Db::Postgres(self.url.clone()).count(sql)
    }

    /// Rows of `table` (responses, reports or removal_requests) for contract `id`'s feedback.
    fn rows(&self, table: &str, id: i64) -> i64 {
        let feedback = match table {
            "removal_requests" => "given_feedback",
            _ => "received_feedback",
        };
        self.count(&format!(
            "SELECT COUNT(*) FROM {table} t JOIN {feedback} f ON f.id = t.feedback_id \
             WHERE f.contract_id = {id}"
        ))
    }

    /// The instance for request `i`: alternating, as a round-robin balancer would.
    fn pick(&self, i: usize) -> &Instance {
        if i.is_multiple_of(2) {
            &self.a
        } else {
            &self.b
        }
    }
}

/// Sends `n` requests at once, alternating between the two instances; their statuses.
fn concurrently(
    pair: &Pair,
    n: usize,
    send: impl Fn(&Instance, usize) -> Reply + Sync,
) -> Vec<Reply> {
    let barrier = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, send, pair) = (&barrier, &send, pair);
                scope.spawn(move || {
                    barrier.wait();
                    send(pair.pick(i), i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn statuses(replies: &[Reply]) -> (usize, usize) {
    let created = replies.iter().filter(|r| r.status == 201).count();
    let conflict = replies.iter().filter(|r| r.status == 409).count();
    (created, conflict)
}

#[test]
fn twenty_concurrent_responses_over_two_instances_store_exactly_one() {
    let pair = Pair::start(pg::shared(), &[]);
    let id = pair.a.answerable_contract();
    let replies = concurrently(&pair, 20, |inst, i| {
        inst.post(
            &format!("/api/v1/contracts/{id}/feedback/response"),
            Some(&format!("response-{i}")),
            &json!({"text": format!("Response number {i}")}),
        )
    });
    assert_eq!(statuses(&replies), (1, 19), "{replies:?}");
    for r in replies.iter().filter(|r| r.status == 409) {
        r.assert_problem(409, "already-responded");
    }
    assert_eq!(pair.rows("responses", id), 1);
    // Both instances now show the one stored response.
    let winner = replies.iter().find(|r| r.status == 201).unwrap();
    for inst in [&pair.a, &pair.b] {
        let details = inst.get(&format!("/api/v1/contracts/{id}"));
        assert_eq!(
            details.body["received"]["response"]["text"],
            winner.body["text"]
        );
    }
}

#[test]
fn twenty_concurrent_reports_and_removal_requests_store_exactly_one_each() {
    let pair = Pair::start(pg::shared(), &[]);
    let id = pair.a.answerable_contract();
    let reports = concurrently(&pair, 20, |inst, i| {
        inst.post(
            &format!("/api/v1/contracts/{id}/feedback/report"),
            Some(&format!("report-{i}")),
            &json!({"category": "fraud", "description": format!("The feedback is false, case {i}."), "evidence": []}),
        )
    });
    assert_eq!(statuses(&reports), (1, 19), "{reports:?}");
    let removals = concurrently(&pair, 20, |inst, i| {
        inst.post(
            &format!("/api/v1/contracts/{id}/given-feedback/removal-request"),
            Some(&format!("removal-{i}")),
            &json!({}),
        )
    });
    assert_eq!(statuses(&removals), (1, 19), "{removals:?}");
    assert_eq!(pair.rows("reports", id), 1);
    assert_eq!(pair.rows("removal_requests", id), 1);
}

/// With the database in SERIALIZABLE mode, racing writes fail with serialization errors (a
/// response inserted on a stale snapshot is reported as 40001, not as a duplicate key): the
/// server must run them again, and the outcome must stay one 201 and 409s — never a 5xx.
#[test]
fn writes_that_fail_to_serialize_are_retried_and_stay_exactly_once() {
    let cluster = pg::shared();
    let url = cluster.new_database();
    let name = url.rsplit('/').next().unwrap().to_string();
    let mut admin = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} SET default_transaction_isolation TO 'serializable'"
        ))
        .unwrap();
    let retried = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = |retried: std::sync::Arc<std::sync::atomic::AtomicUsize>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_feedback-server"))
            .args(["--addr", "127.0.0.1:0", "--seed", "demo", "--test-fixtures"])
            .args(["--read-rate", "off", "--write-rate", "off", "--db", &url])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                if line.contains("transaction retried") {
                    retried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
        let base = first
            .trim()
            .strip_prefix("feedback-server listening on ")
            .unwrap()
            .to_string();
        Instance { child, base }
    };
    let pair = Pair {
        a: start(retried.clone()),
        b: start(retried.clone()),
        url: url.clone(),
    };
    // Races are not deterministic: a few rounds, until the database has asked for a retry.
    for round in 0..8 {
        let id = pair.a.answerable_contract();
        let replies = concurrently(&pair, 20, |inst, i| {
            inst.post(
                &format!("/api/v1/contracts/{id}/feedback/response"),
                Some(&format!("ser-{round}-{i}")),
                &json!({"text": format!("Response {i}")}),
            )
        });
        assert_eq!(statuses(&replies), (1, 19), "{replies:?}");
        assert_eq!(pair.rows("responses", id), 1);
        if retried.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            return;
        }
    }
    panic!("no serialization failure in 8 rounds: the retry path was not exercised");
}

#[test]
fn one_idempotency_key_sent_to_both_instances_at_once_has_one_effect_and_one_replay() {
    let pair = Pair::start(pg::shared(), &[]);
    // Several rounds: the two requests race differently each time.
    for round in 0..5 {
        let id = pair.a.answerable_contract();
        let key = format!("same-key-{round}");
        let replies = concurrently(&pair, 2, |inst, _| {
            inst.post(
                &format!("/api/v1/contracts/{id}/feedback/response"),
                Some(&key),
                &json!({"text": "Sent twice by a retrying client."}),
            )
        });
        assert!(
            replies.iter().all(|r| r.status == 201),
            "both answered as the one write: {replies:?}"
        );
        let replayed = replies
            .iter()
            .filter(|r| r.header("idempotent-replayed") == Some("true"))
            .count();
        assert_eq!(replayed, 1, "{replies:?}");
        assert_eq!(replies[0].body, replies[1].body);
        assert_eq!(pair.rows("responses", id), 1);
    }
}

#[test]
fn the_write_rate_limit_holds_across_instances() {
    let pair = Pair::start(pg::shared(), &["--write-rate", "60/min,3"]);
    let id = pair.a.answerable_contract(); // a fixture is a write too: 1 of 3
    let path = format!("/api/v1/contracts/{id}/feedback/report");
    let bad = json!({"category": "fraud", "description": "", "evidence": []});
    // Two more on the other instance use up the burst (422s still count) ...
    for _ in 0..2 {
        assert_eq!(pair.b.post(&path, None, &bad).status, 422);
    }
    // ... so the next write is refused on either instance, with the time to wait.
    for inst in [&pair.a, &pair.b] {
        let r = inst.post(&path, None, &bad);
        r.assert_problem(429, "too-many-requests");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=2).contains(&wait), "Retry-After {wait}");
    }
    // Reads have their own budget.
    assert_eq!(pair.a.get("/api/v1/contracts").status, 200);
}

#[test]
fn instances_started_at_once_migrate_and_seed_once() {
    let cluster = pg::shared();
    let url = cluster.new_database();
    let starts: Vec<Instance> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| Instance::start(&url, &["--seed", "demo"])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let db = Db::Postgres(url.clone());
    assert_eq!(
        db.count("SELECT COUNT(*) FROM schema_migrations"),
        db.count("SELECT MAX(version)::bigint FROM schema_migrations")
    );
    let once = db.count("SELECT COUNT(*) FROM contracts");
    assert!(once > 20, "demo data seeded: {once}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM (SELECT seed_key FROM contracts WHERE seed_key IS NOT NULL GROUP BY seed_key HAVING COUNT(*) > 1) d"),
        0
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM users"), 2);
    // Each instance serves the same history.
    let totals: Vec<Value> = starts
        .iter()
        .map(|i| i.get("/api/v1/contracts").body["total"].clone())
        .collect();
    assert!(totals.iter().all(|t| *t == totals[0]), "{totals:?}");
    drop(starts);
    // A later start seeds nothing new.
    let again = Instance::start(&url, &["--seed", "demo"]);
    assert_eq!(db.count("SELECT COUNT(*) FROM contracts"), once);
    drop(again);
}

#[test]
fn on_postgresql_nothing_is_seeded_unless_asked_for() {
    let url = pg::shared().new_database();
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedback-server"))
        .args(["--addr", "127.0.0.1:0", "--db", &url])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("feedback-server listening on"), "{first}");
    let db = Db::Postgres(url);
    // Migrated, but no demo users with well-known tokens in a production database.
    assert!(db.count("SELECT COUNT(*) FROM schema_migrations") >= 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM users"), 0);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_token_added_while_instances_run_works_on_every_instance() {
    let pair = Pair::start(pg::shared(), &[]);
    let r = Reply::from(
        agent()
            .get(&format!("{}/api/v1/contracts", pair.b.base))
            .set("Authorization", "Bearer carol-new")
            .call(),
    );
    r.assert_problem(401, "unauthorized");
    let mut c = postgres::Client::connect(&pair.url, postgres::NoTls).unwrap();
    c.execute(
        "INSERT INTO users (name, token) VALUES ('Carol', 'carol-new')",
        &[],
    )
    .unwrap();
    // An unknown token is remembered for at most UNKNOWN_TTL (5 s) before it is asked again.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    for inst in [&pair.a, &pair.b] {
        loop {
            let r = Reply::from(
                agent()
                    .get(&format!("{}/api/v1/contracts", inst.base))
                    .set("Authorization", "Bearer carol-new")
                    .call(),
            );
            if r.status == 200 {
                assert_eq!(r.body["total"], 0);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{:?}", r.body);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn readiness_follows_the_database() {
    let cluster = Cluster::start(false);
    let url = cluster.new_database();
    let inst = Instance::start(&url, &[]);
    let ready = |inst: &Instance| Reply::from(agent().get(&format!("{}/readyz", inst.base)).call());
    assert_eq!(ready(&inst).status, 200);
    cluster.stop("fast");
    let r = ready(&inst);
    r.assert_problem(503, "unavailable");
    assert_eq!(r.header("retry-after"), Some("1"));
    // The process itself is still up.
    let health = Reply::from(agent().get(&format!("{}/healthz", inst.base)).call());
    assert_eq!(health.status, 200);
    cluster.restart(false);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while ready(&inst).status != 200 {
        assert!(std::time::Instant::now() < deadline, "never ready again");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// kill -9 of one instance while both take writes: the other keeps answering, and every write
/// either instance acknowledged is stored. Then the database itself crashes (immediate stop,
/// fsync on) and recovers: still every acknowledged write.
#[test]
fn killing_one_instance_mid_writes_loses_no_acknowledged_write() {
    let cluster = Cluster::start(true);
    let url = cluster.new_database();
    let mut pair = Pair {
        a: Instance::start(&url, &[]),
        b: Instance::start(&url, &[]),
        url: url.clone(),
    };
    let ids: Vec<i64> = (0..120).map(|_| pair.a.answerable_contract()).collect();
    let (tx, rx) = std::sync::mpsc::channel::<i64>();
    let bases = [pair.a.base.clone(), pair.b.base.clone()];
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (tx, base) = (tx.clone(), bases[w].clone());
            let mine: Vec<i64> = ids.iter().copied().skip(w).step_by(2).collect();
            std::thread::spawn(move || {
                for id in mine {
                    let r = agent()
                        .post(&format!("{base}/api/v1/contracts/{id}/feedback/response"))
                        .set("Authorization", "Bearer demo-alice")
                        .set("Idempotency-Key", &format!("kill-{id}"))
                        .send_json(json!({"text": format!("ack {id}")}));
                    match r {
                        Ok(resp) if resp.status() == 201 => tx.send(id).unwrap(),
                        Ok(resp) => panic!("unexpected {}", resp.status()),
                        Err(_) => break, // its instance died mid-request: not acknowledged
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut acked: Vec<i64> = (0..10)
        .map(|_| {
            rx.recv_timeout(Duration::from_secs(20))
                .expect("writes land")
        })
        .collect();
    pair.a.child.kill().unwrap(); // SIGKILL
    pair.a.child.wait().unwrap();
    for w in writers {
        w.join().unwrap();
    }
    acked.extend(rx.try_iter());
    // The survivor answered all of its share.
    assert!(
        acked.len() >= 10 + 50,
        "only {} writes acknowledged",
        acked.len()
    );
    let survivor = &pair.b;
    assert_eq!(survivor.get("/api/v1/contracts").status, 200);
    let check = |inst: &Instance| {
        for id in &acked {
            let r = inst.get(&format!("/api/v1/contracts/{id}"));
            assert_eq!(r.status, 200, "{:?}", r.body);
            assert_eq!(
                r.body["received"]["response"]["text"],
                format!("ack {id}"),
                "acknowledged write for contract {id} lost"
            );
        }
    };
    check(survivor);
    // Every stored response has its idempotency record: no half-written request.
    let orphans =
        "SELECT COUNT(*) FROM responses r JOIN received_feedback f ON f.id = r.feedback_id \
         JOIN contracts c ON c.id = f.contract_id WHERE c.title = 'Shared' \
         AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.key = 'kill-' || c.id)";
    assert_eq!(pair.count(orphans), 0);
    // The database crashes and recovers (fsync is on in this cluster).
    cluster.stop("immediate");
    cluster.restart(true);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while Reply::from(agent().get(&format!("{}/readyz", survivor.base)).call()).status != 200 {
        assert!(std::time::Instant::now() < deadline, "never ready again");
        std::thread::sleep(Duration::from_millis(200));
    }
    check(survivor);
    pair.a = Instance::start(&url, &[]);
    check(&pair.a);
}

/// Two instances deliver the outbox and scan for reminders at the same time, often: each
/// reminder is written once (the claim row), and each event is sent once (leases taken with
/// `FOR UPDATE SKIP LOCKED`).
#[test]
fn two_instances_send_each_reminder_and_each_event_once() {
    use common::receiver::{Mode, Receiver, SECRET};
    let receiver = Receiver::start(Mode::Accept);
    let flags = [
        "--webhook-url",
        &receiver.url,
        "--webhook-secret",
        SECRET,
        "--webhook-poll-ms",
        "20",
        "--reminder-interval-ms",
        "20",
    ];
    let pair = Pair::start(pg::shared(), &flags);
    let due: Vec<i64> = (0..12)
        .map(|i| {
            let r = pair.pick(i).post(
                "/api/test/contracts",
                None,
                &json!({"title": "Due", "ended_at": Utc::now() - Span::days(21) - Span::hours(1),
                        "received_rating": 4.0, "received_comment": "Written."}),
            );
            r.body["id"].as_i64().unwrap()
        })
        .collect();
    let responded: Vec<i64> = (0..12)
        .map(|i| pair.pick(i).answerable_contract())
        .collect();
    let replies = concurrently(&pair, 12, |inst, i| {
        inst.post(
            &format!("/api/v1/contracts/{}/feedback/response", responded[i]),
            Some(&format!("two-{i}")),
            &json!({"text": "Thanks"}),
        )
    });
    assert_eq!(statuses(&replies), (12, 0));
    let of = |d: &[common::receiver::Delivery], id: i64, kind: &str| -> Vec<String> {
        d.iter()
            .filter(|e| e.json["data"]["contract_id"] == id && e.kind() == kind)
            .map(|e| e.id().to_string())
            .collect()
    };
    let done = |d: &[common::receiver::Delivery]| {
        due.iter()
            .all(|id| !of(d, *id, "response_window.closing").is_empty())
            && responded
                .iter()
                .all(|id| !of(d, *id, "response.created").is_empty())
    };
    receiver.wait_for(Duration::from_secs(30), done);
    // Many more scans and polls on both instances.
    std::thread::sleep(Duration::from_millis(1500));
    let all = receiver.all();
    for id in &due {
        assert_eq!(
            of(&all, *id, "response_window.closing").len(),
            1,
            "contract {id}"
        );
    }
    for id in &responded {
        assert_eq!(of(&all, *id, "response.created").len(), 1, "contract {id}");
    }
    let ids: Vec<&str> = all.iter().map(|d| d.id()).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an event was sent twice");
    assert!(all.iter().all(|d| d.signature_is_valid(SECRET)));
    assert_eq!(
        pair.count("SELECT COUNT(*) FROM reminders"),
        pair.count("SELECT COUNT(*) FROM outbox WHERE type = 'response_window.closing'")
    );
}
