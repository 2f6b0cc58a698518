//! What the commands share: running a command, a child that dies with us, free ports, and the
//! reference server started and waited for.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::{tools, Result};

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
pub fn free_port(preferred: u16) -> u16 {
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

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The debug server binary. `cargo test` of the server crate builds it too (its HTTP tests
/// run it), with the features of a test build; `test` reuses that one rather than building a
/// second variant that the next `cargo test` would rebuild again.
pub fn server_bin(root: &Path, build: bool) -> Result<PathBuf> {
    if build {
        run(cargo().args(["build", "--quiet", "-p", "feedback-server"]))?;
    }
    Ok(root.join("target/debug/feedback-server"))
}

/// Builds and starts the reference server and waits for its "listening on" line.
pub fn start_server(root: &Path, args: &[&str]) -> Result<(Guard, String)> {
    start_server_bin(&server_bin(root, true)?, args)
}

pub fn start_server_bin(bin: &Path, args: &[&str]) -> Result<(Guard, String)> {
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
pub fn survive_ctrl_c() {
    extern "C" fn noted(_: libc::c_int) {}
    // SAFETY: installing a handler that does nothing is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            noted as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// A fresh directory under target/ and the reference server on a free port, serving the
/// release build in dist/ with `seed` data and the test fixtures: what the e2e suite, the
/// screenshots and the benchmark all run against. Returns the server, its URL, the database
/// file and the directory.
pub fn serve_release(
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
    // The app's own origin is the moderation console's (it is served at /moderation).
    let port = free_port(18_960);
    let (addr, origin) = (
        format!("127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}"),
    );
    let console = ["--moderation-origin", origin.as_str()];
    let args = [
        &["--static-dir", "dist", "--test-fixtures"],
        &console[..],
        extra,
    ]
    .concat();
    let (guard, url) = start_unlimited(bin, &addr, &db, seed, &args)?;
    Ok((guard, url, db, dir))
}

/// The server at `addr` on the database `db` with `seed` data and no rate limits: tests and
/// benchmarks send many requests from one demo user in a short time, and the limits have tests
/// of their own (crates/server/tests/hardening.rs).
pub fn start_unlimited(
    bin: &Path,
    addr: &str,
    db: &Path,
    seed: &str,
    extra: &[&str],
) -> Result<(Guard, String)> {
    let db = db.to_str().ok_or("the database path is not UTF-8")?;
    let base = ["--addr", addr, "--db", db, "--seed", seed];
    let unlimited = [
        "--read-rate",
        "off",
        "--write-rate",
        "off",
        "--public-read-rate",
        "off",
    ];
    start_server_bin(bin, &[&base[..], &unlimited, extra].concat())
}

pub fn build_release(root: &Path) -> Result {
    run(Command::new("trunk")
        .args(["build", "--release", "--skip-version-check"])
        .env("PATH", tools::path_with_node_bin(root)))
}
