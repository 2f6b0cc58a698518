//! `cargo xtask serve | test | bench-api | build` — installs what is missing, then runs.

mod balanced;
mod summary;
mod tools;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use summary::{Outcome, Summary};

const USAGE: &str = "\
usage: cargo xtask <command>

  serve        install what is missing, start the reference API and `trunk serve` (Ctrl-C stops both)
  serve --postgres  the same on PostgreSQL: a local cluster, two API instances behind HAProxy
  test         install what is missing, run every test suite, print `N passed, M failed`
  build        release build of the app into dist/
  bench-api    load benchmark of the API with 100,000 contracts: SQLite (one instance) and
               PostgreSQL (two instances behind HAProxy); installs wrk, PostgreSQL, HAProxy
  bench        release build measured in Chromium: sizes, Lighthouse, timings -> docs/performance.md
  bench-size   release wasm size for each profile variant (opt-level, lto, codegen-units, panic)
  screenshots  README screenshots from the release build in headless Chromium
  tools        only install what is missing
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root).expect("cd to project root");
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&root, args.get(1).map(String::as_str) == Some("--postgres")),
        Some("test") => test(&root),
        Some("build") => tools::ensure_all(&root).and_then(|_| build_release(&root)),
        Some("bench-api") => bench_api(&root),
        Some("bench") => bench(&root),
        Some("bench-size") => tools::ensure_all(&root).and_then(|_| bench_size(&root)),
        Some("tools") => tools::ensure_all(&root),
        Some("screenshots") => screenshots(&root),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command to completion, streaming its output; an error if it fails.
pub fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// A child process killed when dropped, so no server outlives the command.
pub struct Guard(pub Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free loopback port, preferring `preferred` (a stable port avoids rebuilding the wasm
/// tests, which embed the API address at compile time).
/// A free loopback port near `preferred` (0: any).
fn free_port(preferred: u16) -> u16 {
    let near = if preferred == 0 {
        0..0
    } else {
        preferred..preferred + 50
    };
    for p in near {
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The debug server binary. `cargo test` of the server crate builds it too (its HTTP tests
/// run it), with the features of a test build; `test` reuses that one rather than building a
/// second variant that the next `cargo test` would rebuild again.
fn server_bin(root: &Path, build: bool) -> Result<PathBuf> {
    if build {
        run(cargo().args(["build", "--quiet", "-p", "feedback-server"]))?;
    }
    Ok(root.join("target/debug/feedback-server"))
}

/// Builds and starts the reference server and waits for its "listening on" line.
fn start_server(root: &Path, args: &[&str]) -> Result<(Guard, String)> {
    start_server_bin(&server_bin(root, true)?, args)
}

fn start_server_bin(bin: &Path, args: &[&str]) -> Result<(Guard, String)> {
    // Test and benchmark servers log only warnings (a line per request would bury the
    // results); `cargo xtask serve` shows every request (see `serve`).
    let log = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into());
    let mut child = Command::new(bin)
        .args(args)
        .env("RUST_LOG", log)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("start {}: {e}", bin.display()))?;
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut first = String::new();
    out.read_line(&mut first).map_err(|e| e.to_string())?;
    let guard = Guard(child);
    let url = first
        .trim()
        .strip_prefix("feedback-server listening on ")
        .ok_or_else(|| format!("feedback-server did not start: {first:?}"))?
        .to_string();
    // Keep echoing the server's banner (tokens) and draining its stdout.
    std::thread::spawn(move || {
        for line in out.lines().map_while(std::result::Result::ok) {
            println!("[server] {line}");
        }
    });
    Ok((guard, url))
}

/// Ctrl-C reaches every process of the group: trunk and the servers stop on it, and xtask
/// must outlive them to clean up (stop the PostgreSQL cluster, remove its directory). A handler
/// rather than SIG_IGN, because an ignored signal stays ignored in the children it starts.
fn survive_ctrl_c() {
    extern "C" fn noted(_: libc::c_int) {}
    // SAFETY: installing a handler that does nothing is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            noted as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

fn serve(root: &Path, postgres: bool) -> Result {
    tools::ensure_all(root)?;
    survive_ctrl_c();
    // Every request shows in the log here (JSON lines on stderr), unless RUST_LOG says otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "info");
    }
    // `trunk serve` proxies /api to 127.0.0.1:8787 (Trunk.toml): one server, or the balancer.
    const API: &str = "127.0.0.1:8787";
    let (mut watched, _keep, url) = if postgres {
        let bin = server_bin(root, true)?;
        let mut b = balanced::start(&bin, API, "demo", &[])?;
        println!(
            "PostgreSQL: {} (cluster in {}; removed on exit)",
            b.database,
            b.cluster.dir.display()
        );
        for (i, (_, url)) in b.instances.iter().enumerate() {
            println!("API instance {i}: {url}");
        }
        println!("HAProxy: http://{API} (round robin, /readyz checks every 2 s)");
        let (first, _) = b.instances.remove(0);
        let url = b.url.clone();
        (first, Some(b), url)
    } else {
        let db = root.join("target/feedback-server/dev.db");
        let (server, url) = start_server(
            root,
            &[
                "--addr",
                API,
                "--db",
                db.to_str().unwrap(),
                "--seed",
                "demo",
            ],
        )?;
        (server, None, url)
    };
    println!("API: {url}/api/v1 (OpenAPI at {url}/api/openapi.json)");
    println!("Try it: curl -H 'Authorization: Bearer demo-alice' {url}/api/v1/contracts");
    println!("App: http://127.0.0.1:8080/contracts  (sign in with demo-alice or demo-bob)");
    println!("Embedding demo: http://127.0.0.1:8080/embed-demo.html");
    println!("Ctrl-C stops everything.");
    let mut trunk = Command::new("trunk")
        .args(["serve", "--skip-version-check"])
        .env("PATH", tools::path_with_node_bin(root))
        .spawn()
        .map_err(|e| format!("start trunk: {e}"))?;
    // Ctrl-C reaches trunk and the servers (same process group); if either ends, stop the other.
    loop {
        if let Some(status) = trunk.try_wait().map_err(|e| e.to_string())? {
            return if status.success() {
                Ok(())
            } else {
                Err(format!("trunk serve ended: {status}"))
            };
        }
        if let Some(status) = watched.0.try_wait().map_err(|e| e.to_string())? {
            let _ = trunk.kill();
            return Err(format!("feedback-server ended: {status}"));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A fresh directory under target/ and the reference server on a free port, serving the
/// release build in dist/ with `seed` data and the test fixtures: what the e2e suite, the
/// screenshots and the benchmark all run against. Returns the server, its URL, the database
/// file and the directory.
fn serve_release(
    root: &Path,
    bin: &Path,
    name: &str,
    seed: &str,
    extra: &[&str],
) -> Result<(Guard, String, PathBuf, PathBuf)> {
    let dir = root.join("target").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let db = dir.join("app.db");
    let args = [&["--static-dir", "dist", "--test-fixtures"], extra].concat();
    let (guard, url) = start_unlimited(bin, "127.0.0.1:0", &db, seed, &args)?;
    Ok((guard, url, db, dir))
}

/// The server at `addr` on the database `db` with `seed` data and no rate limits: tests and
/// benchmarks send many requests from one demo user in a short time, and the limits have tests
/// of their own (crates/server/tests/hardening.rs).
fn start_unlimited(
    bin: &Path,
    addr: &str,
    db: &Path,
    seed: &str,
    extra: &[&str],
) -> Result<(Guard, String)> {
    let db = db.to_str().ok_or("the database path is not UTF-8")?;
    let base = ["--addr", addr, "--db", db, "--seed", seed];
    let unlimited = ["--read-rate", "off", "--write-rate", "off"];
    start_server_bin(bin, &[&base[..], &unlimited, extra].concat())
}

/// Schemathesis against the OpenAPI document of a fresh server: every check but
/// `positive_data_acceptance` (valid-looking requests are refused for reasons a schema can't say:
/// a closed window, an answered feedback). Bounded and seeded, so every run sends the same requests.
fn api_fuzzing(root: &Path, summary: &mut Summary) {
    const NAME: &str = "API contract fuzzing (schemathesis)";
    let dir = root.join("target/xtask-schemathesis");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    let db = dir.join("fuzz.db");
    let started = server_bin(root, false)
        .and_then(|bin| start_unlimited(&bin, "127.0.0.1:0", &db, "demo", &[]));
    let (server, url) = match started {
        Ok(s) => s,
        Err(e) => {
            println!("\n=== {NAME} ===\nnot run: {e}");
            summary.add(NAME, Outcome::broken());
            return;
        }
    };
    println!("\n=== {NAME} ===");
    let run = Command::new(tools::schemathesis(root))
        .arg("run")
        .arg(format!("{url}/api/openapi.json"))
        .args(["-H", "Authorization: Bearer demo-alice"])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        .args(["--seed", "20261125", "--max-examples", "200"])
        .args([
            "--generation-database",
            "none",
            "--no-color",
            "--workers",
            "1",
        ])
        .current_dir(&dir)
        .stderr(Stdio::inherit())
        .output();
    let outcome = match run {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            print!("{text}");
            Outcome::parse_schemathesis(&text, out.status.success())
        }
        Err(e) => {
            println!("could not run: {e}");
            Outcome::broken()
        }
    };
    drop(server);
    println!(
        "--- {NAME}: {} passed, {} failed",
        outcome.passed, outcome.failed
    );
    summary.add(NAME, outcome);
}

fn build_release(root: &Path) -> Result {
    run(Command::new("trunk")
        .args(["build", "--release", "--skip-version-check"])
        .env("PATH", tools::path_with_node_bin(root)))
}

/// Runs a test command, echoing its output, and counts what its runner reported.
fn run_suite(name: &str, cmd: &mut Command, summary: &mut Summary) {
    println!("\n=== {name} ===");
    let started = Instant::now();
    let output = cmd.stderr(Stdio::inherit()).output();
    let outcome = match output {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            print!("{text}");
            Outcome::parse(&text, out.status.success())
        }
        Err(e) => {
            println!("could not run: {e}");
            Outcome::broken()
        }
    };
    println!(
        "--- {name}: {} passed, {} failed ({:.0?})",
        outcome.passed,
        outcome.failed,
        started.elapsed()
    );
    summary.add(name, outcome);
}

fn test(root: &Path) -> Result {
    tools::ensure_all(root)?;
    let mut summary = Summary::default();

    run_suite(
        "native: domain rules, API over HTTP, xtask",
        cargo().args([
            "test",
            "--no-fail-fast",
            "-p",
            "feedback-domain",
            "-p",
            "feedback-server",
            "-p",
            "xtask",
        ]),
        &mut summary,
    );

    // The same HTTP suites again, each server on a fresh database in a throwaway PostgreSQL
    // cluster (the native run above covers SQLite and the multi-instance tests).
    run_suite(
        "API on PostgreSQL: the HTTP, hardening, moderation and webhook suites",
        cargo()
            .args([
                "test",
                "--no-fail-fast",
                "-p",
                "feedback-server",
                "--test",
                "http",
                "--test",
                "hardening",
                "--test",
                "moderation",
                "--test",
                "webhooks",
            ])
            .env("FEEDBACK_TEST_DB", "postgres"),
        &mut summary,
    );

    api_fuzzing(root, &mut summary);

    // The wasm tests talk to a real server. Its address is compiled into them, and the test
    // runner's page origin must be allowed by CORS, so both ports are fixed for the run.
    let runner_port = free_port(18_900);
    let api_port = free_port(18_787);
    let test_dir = root.join("target/xtask-test");
    let _ = std::fs::remove_dir_all(&test_dir);
    std::fs::create_dir_all(&test_dir).map_err(|e| e.to_string())?;
    let db = test_dir.join("wasm.db");
    let origin = format!("http://127.0.0.1:{runner_port}");
    // If the server can't start (say, the native build failed), the browser suites count as
    // failed and the run still ends with its summary line.
    let wasm_server = server_bin(root, false).and_then(|bin| {
        let addr = format!("127.0.0.1:{api_port}");
        let extra = ["--test-fixtures", "--cors-origin", &origin];
        start_unlimited(&bin, &addr, &db, "demo", &extra)
    });
    for (browser, driver_var, driver) in [
        ("Chromium", "CHROMEDRIVER", tools::chromedriver()),
        ("Firefox", "GECKODRIVER", tools::geckodriver()),
    ] {
        let name = format!("wasm components in headless {browser}");
        let api = match &wasm_server {
            Ok((_, api)) => api.clone(),
            Err(e) => {
                println!("\n=== {name} ===\nnot run: {e}");
                summary.add(&name, Outcome::broken());
                continue;
            }
        };
        let mut cmd = cargo();
        cmd.args([
            "test",
            "--no-fail-fast",
            "-p",
            "feedback-widget",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("FEEDBACK_TEST_API", &api)
        .env(
            "WASM_BINDGEN_TEST_ADDRESS",
            format!("127.0.0.1:{runner_port}"),
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "600")
        .env("PATH", tools::path_with_node_bin(root))
        // The runner picks the first driver variable it finds: set exactly one.
        .env_remove("CHROMEDRIVER")
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER")
        .env(driver_var, driver);
        run_suite(&name, &mut cmd, &mut summary);
    }
    drop(wasm_server);

    // The release build, loaded and clicked in a real browser under the server's strict CSP.
    println!("\n=== release build ===");
    match build_release(root) {
        Ok(()) => {
            // A plain host page on its own origin embeds the widget (e2e/tests/embed.test.mjs).
            let host_port = free_port(18_950);
            let cors = format!("http://127.0.0.1:{host_port}");
            let served = server_bin(root, false).and_then(|bin| {
                serve_release(root, &bin, "xtask-e2e", "demo", &["--cors-origin", &cors])
            });
            let (server, url, db, e2e_dir) = match served {
                Ok(s) => s,
                Err(e) => {
                    println!("not run: {e}");
                    summary.add(
                        "release build in headless Chromium (e2e)",
                        Outcome::broken(),
                    );
                    println!("\n{}", summary.report());
                    return Err("some tests failed".into());
                }
            };
            run_suite(
                "release build in headless Chromium (e2e)",
                Command::new("node")
                    // Bounded: a test that hangs fails after 5 minutes instead of stalling CI.
                    .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                    .arg("--test-timeout=300000")
                    .arg("tests/")
                    .current_dir(root.join("e2e"))
                    .env("APP_URL", &url)
                    .env("APP_DB", &db)
                    .env("HOST_PORT", host_port.to_string())
                    .env("PLAYWRIGHT_TRANSFORM_CACHE_DIR", e2e_dir.join("pw-cache"))
                    .env("TMPDIR", &e2e_dir),
                &mut summary,
            );
            drop(server);
        }
        Err(e) => {
            println!("{e}");
            summary.add("release build", Outcome::broken());
        }
    }

    println!("\n{}", summary.report());
    if summary.all_passed() {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// Contracts for the bulk user in the API benchmark.
const BENCH_CONTRACTS: u32 = 100_000;

fn bench_api(root: &Path) -> Result {
    tools::ensure_wrk()?;
    run(cargo().args([
        "build",
        "--quiet",
        "--profile",
        "native-release",
        "-p",
        "feedback-server",
    ]))?;
    let dir = root.join("target/bench-api");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let bin = root.join("target/native-release/feedback-server");
    let seed = format!("bulk:{BENCH_CONTRACTS}");
    let unlimited = ["--read-rate", "off", "--write-rate", "off"];
    let deep = BENCH_CONTRACTS / 20 * 4 / 5; // 80 % of the way down, 20 per page
    let cases = [
        (
            "list page 1 (20 rows, newest first)".to_string(),
            "/api/v1/contracts".to_string(),
        ),
        (
            format!(
                "list page {deep} of {} (sorted by title)",
                BENCH_CONTRACTS / 20
            ),
            format!("/api/v1/contracts?sort=title_asc&page={deep}"),
        ),
        (
            "search \"pitch deck\" (substring over every title and name)".into(),
            "/api/v1/contracts?q=pitch%20deck".into(),
        ),
        ("contract details".into(), "/api/v1/contracts/5000".into()),
    ];
    // The tables go to the terminal as they come and, at the end, into the README.
    let mut tables = String::new();
    let mut table = |what: &str, base: &str| -> Result {
        let head = format!("{what}:\n\n| request | requests/s | p50 | p99 |\n|---|---|---|---|\n");
        print!("\n{head}");
        tables.push_str(&head);
        for (name, path) in &cases {
            let row = wrk_row(name, &format!("{base}{path}"))?;
            println!("{row}");
            tables.push_str(&row);
            tables.push('\n');
        }
        tables.push('\n');
        Ok(())
    };

    println!("Seeding SQLite…");
    let started = Instant::now();
    let (server, url) = start_unlimited(&bin, "127.0.0.1:0", &dir.join("bench.db"), &seed, &[])?;
    println!("(seeded in {:.0?})", started.elapsed());
    table("SQLite, one instance", &url)?;
    drop(server);

    println!("\nSeeding PostgreSQL…");
    let started = Instant::now();
    let listen = format!("127.0.0.1:{}", free_port(0));
    let b = balanced::start(&bin, &listen, &seed, &unlimited)?;
    println!("(seeded in {:.0?})", started.elapsed());
    table("PostgreSQL, two instances behind HAProxy", &b.url)?;
    drop(b);

    let intro = format!(
        "`feedback-server` built with the `native-release` profile, **{BENCH_CONTRACTS} contracts** \
         for one user (plus the demo data), `wrk -t2 -c32 -d10s --latency` on the same 2-core \
         machine (so the load generator, and for PostgreSQL the database and HAProxy, take CPU \
         from the server). Written by `cargo xtask bench-api` on {}.\n\n",
        today()
    );
    let readme = root.join("README.md");
    let text = std::fs::read_to_string(&readme).map_err(|e| e.to_string())?;
    let updated = replace_between(
        &text,
        BENCH_API_START,
        BENCH_API_END,
        &format!("{intro}{tables}"),
    )?;
    std::fs::write(&readme, updated).map_err(|e| e.to_string())?;
    println!("\nREADME.md updated.");
    Ok(())
}

const BENCH_API_START: &str = "<!-- bench-api:start -->";
const BENCH_API_END: &str = "<!-- bench-api:end -->";

/// `text` with what stands between the `start` and `end` markers replaced by `body`.
fn replace_between(text: &str, start: &str, end: &str, body: &str) -> Result<String> {
    let from = text.find(start).ok_or(format!("no {start} marker"))? + start.len();
    let to = text[from..].find(end).ok_or(format!("no {end} marker"))? + from;
    Ok(format!("{}\n{body}{}", &text[..from], &text[to..]))
}

/// Today's date (UTC) as YYYY-MM-DD, from the `date` command (no date crate in xtask).
fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// One wrk run as a table row: requests/s, p50, p99.
fn wrk_row(name: &str, url: &str) -> Result<String> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            "-c32",
            "-d10s",
            "--latency",
            "-H",
            "Authorization: Bearer demo-bulk",
        ])
        .arg(url)
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    let non2xx = text.lines().any(|l| l.contains("Non-2xx"));
    Ok(format!(
        "| {name} | {} | {} | {} |{}",
        field("Requests/sec:"),
        field("50%"),
        field("99%"),
        if non2xx { " (non-2xx answers!)" } else { "" }
    ))
}

fn gzip_size(path: &Path) -> Result<usize> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len())
}

fn find_wasm(dir: &Path) -> Result<PathBuf> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        .ok_or_else(|| format!("no wasm in {}", dir.display()))
}

/// Builds the app once per release-profile variant (cargo's CARGO_PROFILE_RELEASE_* overrides)
/// and prints the wasm's size after wasm-bindgen and `wasm-opt -Oz`; then, for the chosen
/// profile, compares wasm-opt levels.
fn bench_size(root: &Path) -> Result {
    let variants: [(&str, [(&str, &str); 4]); 4] = [
        (
            "z + lto + codegen-units 1 + panic abort (chosen)",
            [
                ("OPT_LEVEL", "z"),
                ("LTO", "true"),
                ("CODEGEN_UNITS", "1"),
                ("PANIC", "abort"),
            ],
        ),
        (
            "s + lto + codegen-units 1 + panic abort",
            [
                ("OPT_LEVEL", "s"),
                ("LTO", "true"),
                ("CODEGEN_UNITS", "1"),
                ("PANIC", "abort"),
            ],
        ),
        (
            "z only",
            [
                ("OPT_LEVEL", "z"),
                ("LTO", "false"),
                ("CODEGEN_UNITS", "16"),
                ("PANIC", "unwind"),
            ],
        ),
        (
            "default (3)",
            [
                ("OPT_LEVEL", "3"),
                ("LTO", "false"),
                ("CODEGEN_UNITS", "16"),
                ("PANIC", "unwind"),
            ],
        ),
    ];
    let mut rows = Vec::new();
    for (name, env) in variants {
        let dist = root
            .join("target/bench-size")
            .join(name.split(' ').next().unwrap_or("x"));
        let mut cmd = Command::new("trunk");
        cmd.args(["build", "--release", "--skip-version-check", "--dist"])
            .arg(&dist)
            .env("PATH", tools::path_with_node_bin(root));
        for (k, v) in env {
            cmd.env(format!("CARGO_PROFILE_RELEASE_{k}"), v);
        }
        run(&mut cmd)?;
        let wasm = find_wasm(&dist)?;
        let raw = std::fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
        rows.push(format!(
            "| {name} | {:.1} KB | {:.1} KB |",
            raw as f64 / 1000.0,
            gzip_size(&wasm)? as f64 / 1000.0
        ));
    }
    // wasm-opt levels, on the chosen profile's output of wasm-bindgen.
    run(Command::new("trunk")
        .args(["build", "--release", "--skip-version-check"])
        .env("PATH", tools::path_with_node_bin(root)))?;
    let stage = root.join("target/bench-size/bindgen");
    let _ = std::fs::remove_dir_all(&stage);
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(&stage)
        .arg(root.join("target/wasm32-unknown-unknown/release/feedback-widget.wasm"))
        .env("PATH", tools::path_with_node_bin(root)))?;
    let unopt = stage.join("feedback-widget_bg.wasm");
    let mut levels = vec![format!(
        "| none | {:.1} KB |",
        gzip_size(&unopt)? as f64 / 1000.0
    )];
    for level in ["-Os", "-Oz"] {
        let out = stage.join(format!("opt{level}.wasm"));
        run(Command::new("wasm-opt")
            .args([
                level,
                "--enable-bulk-memory",
                "--enable-nontrapping-float-to-int",
                "--enable-sign-ext",
                "--enable-mutable-globals",
                "--enable-reference-types",
                "-o",
            ])
            .arg(&out)
            .arg(&unopt)
            .env("PATH", tools::path_with_node_bin(root)))?;
        levels.push(format!(
            "| {level} | {:.1} KB |",
            gzip_size(&out)? as f64 / 1000.0
        ));
    }
    println!("\nRelease profile (wasm after wasm-bindgen and wasm-opt -Oz):\n\n| profile | wasm raw | wasm gzip -9 |\n|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!("\nwasm-opt level (chosen profile):\n\n| wasm-opt | wasm gzip -9 |\n|---|---|");
    for l in levels {
        println!("{l}");
    }
    Ok(())
}

fn screenshots(root: &Path) -> Result {
    tools::ensure_all(root)?;
    tools::ensure_screenshot_fonts()?;
    build_release(root)?;
    std::fs::create_dir_all(root.join("docs/screenshots")).map_err(|e| e.to_string())?;
    let (_server, url, _db, dir) =
        serve_release(root, &server_bin(root, true)?, "screenshots", "demo", &[])?;
    run(Command::new("node")
        .arg("screenshots.mjs")
        .current_dir(root.join("e2e"))
        .env("APP_URL", &url)
        .env("TMPDIR", &dir))
}

fn bench(root: &Path) -> Result {
    tools::ensure_all(root)?;
    build_release(root)?;
    let (_server, url, _db, dir) =
        serve_release(root, &server_bin(root, true)?, "bench", "bulk:10000", &[])?;
    run(Command::new("node")
        .arg("bench.mjs")
        .current_dir(root.join("e2e"))
        .env("APP_URL", &url)
        .env("DIST", root.join("dist"))
        .env("OUT", root.join("docs/performance.md"))
        .env("TMPDIR", &dir)
        .env("XDG_CONFIG_HOME", dir.join("config")))
}

#[cfg(test)]
mod bench_api_tests {
    use super::*;

    #[test]
    fn the_benchmark_replaces_only_what_stands_between_its_markers() {
        let text = format!("before\n{BENCH_API_START}\nold table\n{BENCH_API_END}\nafter\n");
        let out = replace_between(&text, BENCH_API_START, BENCH_API_END, "new table\n").unwrap();
        assert_eq!(
            out,
            format!("before\n{BENCH_API_START}\nnew table\n{BENCH_API_END}\nafter\n")
        );
        assert!(replace_between("no markers", BENCH_API_START, BENCH_API_END, "x").is_err());
    }
}
