//! `cargo xtask bench` (the release build in Chromium: sizes, Lighthouse, timings),
//! `bench-api` (wrk against SQLite and against PostgreSQL behind HAProxy) and `bench-size`
//! (the wasm's size per release profile).

use std::path::{Path, PathBuf};
use std::process::Command;

use std::time::Instant;

use crate::process::{
    build_release, cargo, free_port, run, serve_release, server_bin, start_unlimited,
};
use crate::{balanced, tools, Result};

pub fn bench(root: &Path) -> Result {
    tools::ensure_all(root)?;
    build_release(root)?;
    // A host page on its own origin embeds the widget (the third page measured).
    let host_port = free_port(18_990);
    let host = format!("http://127.0.0.1:{host_port}");
    let (_server, url, _db, dir) = serve_release(
        root,
        &server_bin(root, true)?,
        "bench",
        "bulk:10000",
        &["--cors-origin", &host],
    )?;
    run(Command::new("node")
        .arg("bench.mjs")
        .current_dir(root.join("e2e"))
        .env("APP_URL", &url)
        .env("HOST_PORT", host_port.to_string())
        .env("DIST", root.join("dist"))
        .env("OUT", root.join("docs/performance.md"))
        .env("TMPDIR", &dir)
        .env("XDG_CONFIG_HOME", dir.join("config")))
}

/// Contracts for the bulk user in the API benchmark.
const BENCH_CONTRACTS: u32 = 100_000;

pub fn bench_api(root: &Path) -> Result {
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
        // The main module (the chunks are named after their split points).
        .find(|p| p.to_string_lossy().ends_with("_bg.wasm"))
        .ok_or_else(|| format!("no main wasm module in {}", dir.display()))
}

/// Builds the app once per release-profile variant (cargo's CARGO_PROFILE_RELEASE_* overrides)
/// and prints the wasm's size after wasm-bindgen and `wasm-opt -Oz`; then, for the chosen
/// profile, compares wasm-opt levels.
pub fn bench_size(root: &Path) -> Result {
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
    // wasm-opt levels, on the chosen profile's output of wasm-bindgen: the linked wasm before
    // the split (all the app's code in one module), so each level is compared on the same code.
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
