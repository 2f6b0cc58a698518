//! `cargo xtask serve [--postgres]`: the reference API (or two behind HAProxy) and `trunk serve`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::process::{server_bin, start_server, survive_ctrl_c};
use crate::{balanced, tools, Result};

pub fn serve(root: &Path, postgres: bool) -> Result {
    tools::ensure_all(root)?;
    survive_ctrl_c();
    // Every request shows in the log here (JSON lines on stderr), unless RUST_LOG says otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "info");
    }
    // `trunk serve` proxies /api to 127.0.0.1:8787 (Trunk.toml): one server, or the balancer.
    const API: &str = "127.0.0.1:8787";
    // The console is the app at /moderation, on trunk's origin (the API refuses other pages).
    const CONSOLE: [&str; 4] = [
        "--moderation-origin",
        "http://127.0.0.1:8080",
        "--moderation-origin",
        "http://localhost:8080",
    ];
    let (mut watched, _keep, url) = if postgres {
        let bin = server_bin(root, true)?;
        let mut b = balanced::start(&bin, API, "demo", &CONSOLE)?;
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
        let args = [
            &[
                "--addr",
                API,
                "--db",
                db.to_str().unwrap(),
                "--seed",
                "demo",
            ][..],
            &CONSOLE,
        ]
        .concat();
        let (server, url) = start_server(root, &args)?;
        (server, None, url)
    };
    println!("API: {url}/api/v1 (OpenAPI at {url}/api/openapi.json)");
    println!("Try it: curl -H 'Authorization: Bearer demo-alice' {url}/api/v1/contracts");
    println!("App: http://127.0.0.1:8080/contracts  (sign in with demo-alice or demo-bob)");
    println!("Embedding demo: http://127.0.0.1:8080/embed-demo.html");
    println!(
        "Moderation console: http://127.0.0.1:8080/moderation  (sign in with the demo moderator \
         token: demo-moderator)"
    );
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
