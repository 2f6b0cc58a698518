//! `feedback-server --addr 127.0.0.1:8787 --db <path> --seed demo|none|bulk:N [--static-dir dist]`

use std::path::PathBuf;
use std::time::Duration;

use feedback_server::app::webhooks::{WebhookConfig, WebhookSecret};
use feedback_server::storage::{DbUrl, Rate};
use feedback_server::{Config, Limits, Seed, DEFAULT_CORS_ORIGINS};

const USAGE: &str = "\
feedback-server: the reference API for the feedback widget

Usage: feedback-server [OPTIONS]
       feedback-server webhook-secret   print a new webhook signing secret (whsec_…) and exit

Options:
  --addr ADDR            listen address (default 127.0.0.1:8787; port 0 picks a free one)
  --db PATH|URL          SQLite file (PATH or sqlite:PATH; default target/feedback-server/dev.db)
                         or PostgreSQL (postgres://user:password@host:port/database)
  --seed demo|none|skip|bulk:N
                         data to load at start, idempotent and safe when instances start at
                         once: demo data, only the demo users, nothing, or demo + N contracts
                         (default demo on SQLite, skip on PostgreSQL)
  --static-dir DIR       also serve the built app from DIR, with a strict CSP
  --cors-origin ORIGIN   allow this browser origin (repeatable; default the trunk dev origin)
  --moderation-origin ORIGIN
                         the moderation console's origin: the only web page the moderator API
                         answers (repeatable; none by default, server-side tools only)
  --frame-ancestor SRC   allow a host page to frame the app (repeatable)
  --test-fixtures        enable POST /api/test/contracts (tests only)

Webhooks (events from the outbox, signed as Standard Webhooks specifies; see docs/api.md):
  --webhook-url URL      deliver events there (every instance may run this; each event goes once)
  --webhook-secret S     a signing secret, whsec_ + base64 of 24-64 bytes (or FEEDBACK_WEBHOOK_SECRET,
                         kept out of ps). Repeatable: during a rotation every delivery carries
                         a signature by each (give the new one and the old one; FEEDBACK_WEBHOOK_SECRET
                         takes them separated by spaces)
  --webhook-timeout-ms N one delivery's time limit [10000]
  --webhook-poll-ms N    how often due events are looked for [1000]
  --reminder-interval-ms N  how often window-closing reminders are looked for [60000]

Limits (defaults in brackets):
  --header-timeout-ms N  time to send request headers; also the idle keep-alive timeout [10000]
  --body-timeout-ms N    time to send a request body [10000]
  --max-connections N    open connections, lowered to fit ulimit -n [4096]
  --max-in-flight N      requests handled at once; beyond it 503 + Retry-After [512]
  --read-rate RATE       GETs per caller: N/min, N/min,BURST or off [600/min,120]
  --write-rate RATE      POSTs per caller [60/min,20]
  --public-read-rate RATE  anonymous reads of a work history, per address [300/min,60]
  --idempotency-retention-secs N  how long an Idempotency-Key replays [86400]

Logs: JSON lines on stderr, one per request with its X-Request-Id; RUST_LOG filters (default info).
";

fn number<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag}: expected a whole number, got {v}"))
}

fn parse(args: Vec<String>) -> Result<Config, String> {
    let mut config = Config {
        addr: "127.0.0.1:8787".parse().expect("valid default"),
        db: DbUrl::Sqlite(PathBuf::from("target/feedback-server/dev.db")),
        seed: None,
        static_dir: None,
        cors_origins: Vec::new(),
        moderation_origins: Vec::new(),
        frame_ancestors: Vec::new(),
        test_fixtures: false,
        limits: Limits::default(),
        webhook: None,
    };
    let mut webhook_url = None;
    // The environment's secrets unless the command line gives its own.
    let from_env: Vec<String> = std::env::var("FEEDBACK_WEBHOOK_SECRET")
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let mut webhook_secrets: Vec<String> = Vec::new();
    let mut webhook_timeout = Duration::from_secs(10);
    let mut webhook_poll = Duration::from_secs(1);
    let mut reminder_every = Duration::from_secs(60);
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => config.addr = value()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--db" => config.db = DbUrl::parse(&value()?),
            "--seed" => {
                let v = value()?;
                config.seed = Some(match v.as_str() {
                    "demo" => Seed::Demo,
                    "none" => Seed::None,
                    "skip" => Seed::Skip,
                    _ => match v.strip_prefix("bulk:").map(str::parse::<u32>) {
                        Some(Ok(n)) if n <= 1_000_000 => Seed::Bulk(n),
                        _ => {
                            return Err(format!(
                                "--seed: expected demo, none, skip or bulk:N, got {v}"
                            ))
                        }
                    },
                })
            }
            "--static-dir" => config.static_dir = Some(PathBuf::from(value()?)),
            "--cors-origin" => config.cors_origins.push(value()?),
            "--moderation-origin" => config.moderation_origins.push(value()?),
            "--frame-ancestor" => config.frame_ancestors.push(value()?),
            "--test-fixtures" => config.test_fixtures = true,
            "--header-timeout-ms" => {
                config.limits.header_timeout = Duration::from_millis(number(&flag, value()?)?)
            }
            "--body-timeout-ms" => {
                config.limits.body_timeout = Duration::from_millis(number(&flag, value()?)?)
            }
            "--max-connections" => config.limits.max_connections = number(&flag, value()?)?,
            "--max-in-flight" => config.limits.max_in_flight = number(&flag, value()?)?,
            "--read-rate" => {
                config.limits.read_rate =
                    Rate::parse(&value()?).map_err(|e| format!("{flag}: {e}"))?
            }
            "--public-read-rate" => {
                config.limits.public_read_rate =
                    Rate::parse(&value()?).map_err(|e| format!("{flag}: {e}"))?
            }
            "--write-rate" => {
                config.limits.write_rate =
                    Rate::parse(&value()?).map_err(|e| format!("{flag}: {e}"))?
            }
            "--idempotency-retention-secs" => {
                config.limits.idempotency_retention = Duration::from_secs(number(&flag, value()?)?)
            }
            "--webhook-url" => webhook_url = Some(value()?),
            "--webhook-secret" => webhook_secrets.push(value()?),
            "--webhook-timeout-ms" => {
                webhook_timeout = Duration::from_millis(number(&flag, value()?)?)
            }
            "--webhook-poll-ms" => webhook_poll = Duration::from_millis(number(&flag, value()?)?),
            "--reminder-interval-ms" => {
                reminder_every = Duration::from_millis(number(&flag, value()?)?)
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if webhook_secrets.is_empty() {
        webhook_secrets = from_env;
    }
    let secrets = webhook_secrets
        .iter()
        .map(|s| WebhookSecret::parse(s).map_err(|e| format!("--webhook-secret: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    config.webhook = match (webhook_url, secrets.is_empty()) {
        (None, _) => None,
        (Some(url), false) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("--webhook-url: expected an http(s) URL, got {url}"));
            }
            Some(WebhookConfig {
                url,
                secrets,
                timeout: webhook_timeout,
                poll: webhook_poll.max(Duration::from_millis(10)),
                reminder_every,
            })
        }
        (Some(_), _) => {
            return Err("--webhook-url needs --webhook-secret (or FEEDBACK_WEBHOOK_SECRET)".into())
        }
    };
    if config.cors_origins.is_empty() {
        config.cors_origins = DEFAULT_CORS_ORIGINS.iter().map(|s| s.to_string()).collect();
    }
    Ok(config)
}

/// JSON lines on stderr, one object per event, with the request's id on everything logged
/// while it is handled; `RUST_LOG` filters (default `info`: one line per request).
fn init_logs() {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("webhook-secret") {
        match WebhookSecret::generate() {
            Ok(secret) => println!("{secret}"),
            Err(e) => {
                eprintln!("error: no random bytes from the system: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    init_logs();
    let config = match parse(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = feedback_server::serve(config).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
