//! What the HTTP test files share: the real server binary on a loopback port with its own
//! database, and replies read as JSON. The database is a fresh SQLite file, or with
//! `FEEDBACK_TEST_DB=postgres` a fresh database in a throwaway PostgreSQL cluster: the same
//! suite proves the same behaviour on both.
#![allow(dead_code)]

pub use pgtemp as pg;

pub mod receiver;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use serde_json::{json, Value};

pub const ALICE: &str = "demo-alice";
pub const BOB: &str = "demo-bob";
pub const MODERATOR: &str = "demo-moderator";

/// Where a test server keeps its data.
pub enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Db {
    /// A fresh database of the kind this run tests (`FEEDBACK_TEST_DB`).
    pub fn fresh(dir: &TempDir) -> Db {
        match std::env::var("FEEDBACK_TEST_DB").as_deref() {
            Ok("postgres") => Db::Postgres(pg::shared().new_database()),
            Ok("sqlite") | Err(_) => Db::Sqlite(dir.0.join("test.db")),
            Ok(other) => panic!("FEEDBACK_TEST_DB={other}: expected sqlite or postgres"),
        }
    }

    /// The `--db` argument.
    pub fn arg(&self) -> &OsStr {
        match self {
            Db::Sqlite(p) => p.as_os_str(),
            Db::Postgres(url) => OsStr::new(url),
        }
    }

    /// The first column of the first row of `sql` (written to run on both databases).
    pub fn count(&self, sql: &str) -> i64 {
        match self {
            Db::Sqlite(p) => {
                let c = rusqlite::Connection::open(p).unwrap();
                c.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            Db::Postgres(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(sql, &[])
                .unwrap()
                .get(0),
        }
    }
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub db: Db,
    pub _dir: TempDir,
}

/// A temporary directory removed on drop (no extra crate needed).
pub struct TempDir(pub PathBuf);
impl TempDir {
    pub fn new(tag: &str) -> Self {
        // A counter as well as the clock: two tests starting in the same nanosecond (seen) must
        // not share a directory, or one's drop deletes the other's database.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "feedback-http-{tag}-{}-{n}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn spawn(db: impl AsRef<OsStr>, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedback-server"))
        .args(["--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args([
            "--seed",
            "demo",
            "--test-fixtures",
            // Most tests send many requests quickly; the rate-limit tests set their own.
            "--read-rate",
            "off",
            "--write-rate",
            "off",
        ])
        .args(extra)
        // Request lines would bury the test output; warnings and errors still show.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start feedback-server");
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    // Keep draining the rest so the server never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let base = first
        .trim()
        .strip_prefix("feedback-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_string();
    (child, base)
}

impl Server {
    pub fn start(extra: &[&str]) -> Self {
        let dir = TempDir::new("srv");
        let db = Db::fresh(&dir);
        let (child, base) = spawn(db.arg(), extra);
        Self {
            child,
            base,
            db,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = agent().get(&self.url(path));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        Reply::from(req.call())
    }

    pub fn post(&self, path: &str, token: &str, key: Option<&str>, body: &Value) -> Reply {
        let mut req = agent()
            .post(&self.url(path))
            .set("Authorization", &format!("Bearer {token}"));
        if let Some(k) = key {
            req = req.set("Idempotency-Key", k);
        }
        Reply::from(req.send_json(body.clone()))
    }

    /// Creates a contract for Alice through the test fixture endpoint.
    pub fn fixture(&self, body: Value) -> i64 {
        let r = self.post("/api/test/contracts", ALICE, None, &body);
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    pub fn written_feedback_ended(&self, ago: Span) -> i64 {
        self.fixture(json!({
            "title": "Fixture contract",
            "ended_at": Utc::now() - ago,
            "received_rating": 4.0,
            "received_comment": "Written feedback.",
            "given_rating": 5.0,
            "given_comment": "Given feedback."
        }))
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db.count(sql)
    }

    /// A moderator's status change: `what` is `report` or `removal-request`.
    pub fn moderate(&self, contract: i64, what: &str, status: &str, reason: &str) -> Reply {
        self.post(
            &format!("/api/v1/moderation/contracts/{contract}/{what}/status"),
            MODERATOR,
            None,
            &json!({"status": status, "reason": reason}),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(15))
        .build()
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Reply {
    pub fn from(r: Result<ureq::Response, ureq::Error>) -> Self {
        let resp = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        let headers = resp
            .headers_names()
            .into_iter()
            .map(|n| (n.clone(), resp.header(&n).unwrap_or("").to_string()))
            .collect();
        let status = resp.status();
        let content_type = resp.header("content-type").unwrap_or("").to_string();
        let text = resp.into_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(self.content_type, "application/problem+json");
        assert_eq!(
            self.body["type"],
            format!("/problems/{slug}"),
            "{:?}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }
}

/// The test venv's Python (made by `cargo xtask tools`/`test`, with the libraries integrators
/// use pinned in xtask/src/tools.rs: standardwebhooks, openapi-spec-validator).
pub fn venv_python() -> std::path::PathBuf {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/schemathesis-venv/bin/python");
    assert!(
        python.exists(),
        "no test venv at {}: run `cargo xtask tools` (it installs the Python libraries the tests use)",
        python.display()
    );
    python
}
