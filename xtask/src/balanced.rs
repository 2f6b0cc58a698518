//! Several instances on PostgreSQL, locally: a throwaway cluster, two `feedback-server`
//! processes on one database, and HAProxy in front of them (round robin, `/readyz` checks) —
//! what `cargo xtask serve --postgres` and `bench-api` run, and what docs/deploy.md describes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{free_port, start_server_bin, Guard};
use crate::Result;

/// Drop order is field order: the balancer, then the instances, then the database.
pub struct Balanced {
    _haproxy: Guard,
    pub instances: Vec<(Guard, String)>,
    pub cluster: pgtemp::Cluster,
    pub database: String,
    /// Where the balancer listens.
    pub url: String,
}

/// The HAProxy configuration for `backends`, listening on `listen` (host:port).
pub fn haproxy_config(listen: &str, backends: &[String]) -> String {
    let servers: String = backends
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let addr = b.trim_start_matches("http://");
            format!("    server app{i} {addr} check inter 2s fall 2 rise 1\n")
        })
        .collect();
    format!(
        "global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    # A POST is never re-sent to another instance (it may have been applied): only
    # connection failures are retried.
    retry-on conn-failure
    retries 2
    option redispatch

frontend feedback
    bind {listen}
    # One id per request, kept by every instance in its logs and its X-Request-Id.
    http-request set-header X-Request-Id %[uuid()] unless {{ req.hdr(x-request-id) -m found }}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
{servers}"
    )
}

/// Starts the cluster, two instances with `seed` (and `extra` flags), and HAProxy on `listen`.
pub fn start(bin: &Path, listen: &str, seed: &str, extra: &[&str]) -> Result<Balanced> {
    crate::tools::ensure_postgresql_and_haproxy()?;
    let cluster = pgtemp::Cluster::start(true);
    let database = cluster.new_database();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let addr = format!("127.0.0.1:{}", free_port(0));
        let args = [&["--addr", &addr, "--db", &database, "--seed", seed], extra].concat();
        instances.push(start_server_bin(bin, &args)?);
    }
    let backends: Vec<String> = instances.iter().map(|(_, url)| url.clone()).collect();
    let config = cluster.dir.join("haproxy.cfg");
    std::fs::write(&config, haproxy_config(listen, &backends)).map_err(|e| e.to_string())?;
    let haproxy = Command::new("haproxy")
        .args(["-db", "-q", "-f"])
        .arg(&config)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("start haproxy: {e}"))?;
    let haproxy = Guard(haproxy);
    let url = format!("http://{listen}");
    wait_ready(&url)?;
    Ok(Balanced {
        _haproxy: haproxy,
        instances,
        cluster,
        database,
        url,
    })
}

/// Waits (bounded) until the balancer answers `/readyz` with 200.
fn wait_ready(url: &str) -> Result {
    let deadline = Instant::now() + Duration::from_secs(20);
    let (host, port) = url
        .trim_start_matches("http://")
        .rsplit_once(':')
        .ok_or("bad url")?;
    loop {
        use std::io::{Read, Write};
        let attempt = std::net::TcpStream::connect((host, port.parse::<u16>().unwrap_or(0)))
            .and_then(|mut s| {
                s.set_read_timeout(Some(Duration::from_secs(2)))?;
                s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
                let mut reply = String::new();
                let _ = s.read_to_string(&mut reply);
                Ok(reply)
            });
        if attempt.is_ok_and(|r| r.starts_with("HTTP/1.1 200")) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the balancer at {url} never became ready"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_balancer_checks_readiness_and_names_every_instance() {
        let cfg = haproxy_config(
            "127.0.0.1:8787",
            &[
                "http://127.0.0.1:1001".into(),
                "http://127.0.0.1:1002".into(),
            ],
        );
        assert!(cfg.contains("bind 127.0.0.1:8787"));
        assert!(cfg.contains("server app0 127.0.0.1:1001 check"));
        assert!(cfg.contains("server app1 127.0.0.1:1002 check"));
        assert!(cfg.contains("option httpchk GET /readyz"));
        assert!(cfg.contains("retry-on conn-failure"));
    }
}
