//! `cargo xtask test`: every suite, counted, ending in one `N passed, M failed` line.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::process::{build_release, cargo, free_port, serve_release, server_bin, start_unlimited};
use crate::summary::{Outcome, Summary};
use crate::{tools, Result};

/// Schemathesis against the OpenAPI document of a fresh server: every check but
/// `positive_data_acceptance` (valid-looking requests are refused for reasons a schema can't say:
/// a closed window, an answered feedback). Bounded and seeded, so every run sends the same requests.
/// Two runs on one server, each with the token its operations accept: the client's for the
/// client API, the moderator's for `/api/v1/moderation/…` (with one token for everything, the
/// other side's operations would only ever answer 401 and never be exercised).
fn api_fuzzing(root: &Path, summary: &mut Summary) {
    const NAME: &str = "API contract fuzzing (schemathesis)";
    const MODERATION: &str = "^/api/v1/moderation/";
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
    let runs = [
        ("client API", "demo-alice", "--exclude-path-regex"),
        ("moderator API", "demo-moderator", "--include-path-regex"),
    ];
    let mut outcome = Outcome::default();
    for (what, token, select) in runs {
        println!("--- {what} (Bearer {token})");
        let one = fuzz(root, &dir, &url, token, &[select, MODERATION]);
        outcome.passed += one.passed;
        outcome.failed += one.failed;
    }
    drop(server);
    println!(
        "--- {NAME}: {} passed, {} failed",
        outcome.passed, outcome.failed
    );
    summary.add(NAME, outcome);
}

/// One schemathesis run against `url` with `token` on the operations `select` picks.
fn fuzz(root: &Path, dir: &Path, url: &str, token: &str, select: &[&str]) -> Outcome {
    let run = Command::new(tools::schemathesis(root))
        .arg("run")
        .arg(format!("{url}/api/openapi.json"))
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(select)
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
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output();
    match run {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            print!("{text}");
            Outcome::parse_schemathesis(&text, out.status.success())
        }
        Err(e) => {
            println!("could not run: {e}");
            Outcome::broken()
        }
    }
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

pub fn test(root: &Path) -> Result {
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
        "API on PostgreSQL: the HTTP, hardening, moderation, queue, webhook, work-history and conformance suites",
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
                "queue",
                "--test",
                "webhooks",
                "--test",
                "work_history",
                "--test",
                "conformance",
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
