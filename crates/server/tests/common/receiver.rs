//! A real webhook receiver on a loopback port: it reads each POST, records its headers and
//! body, and answers as told (accept, fail with 500, or hang without answering).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub const SECRET: &str = "test-webhook-secret";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Accept,
    Fail,
    Hang,
}

#[derive(Clone, Debug)]
pub struct Delivery {
    pub headers: HashMap<String, String>,
    pub body: String,
    pub json: Value,
    /// What the receiver answered: only accepted deliveries count as delivered.
    pub accepted: bool,
}

impl Delivery {
    pub fn kind(&self) -> &str {
        self.json["type"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> &str {
        &self.headers["webhook-id"]
    }

    /// Verifies the signature as docs/api.md tells a receiver to: HMAC-SHA256 with the shared
    /// secret over "<webhook-timestamp>.<body>", hex, after "v1=", and a recent timestamp.
    pub fn signature_is_valid(&self, secret: &str) -> bool {
        let timestamp = &self.headers["webhook-timestamp"];
        let Ok(ts) = timestamp.parse::<i64>() else {
            return false;
        };
        if (chrono::Utc::now().timestamp() - ts).abs() > 300 {
            return false;
        }
        let Some(hex) = self.headers["webhook-signature"].strip_prefix("v1=") else {
            return false;
        };
        let Some(given) = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()
        else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.{}", self.body).as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

pub struct Receiver {
    pub url: String,
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    got: Arc<Mutex<Vec<Delivery>>>,
}

impl Receiver {
    pub fn start(mode: Mode) -> Receiver {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap(), mode)
    }

    /// On a port chosen earlier (a receiver that was down and comes up).
    pub fn start_on(port: u16, mode: Mode) -> Receiver {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => return Self::on(l, mode),
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("port {port}: {e}"),
            }
        }
    }

    fn on(listener: TcpListener, mode: Mode) -> Receiver {
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let got = Arc::new(Mutex::new(Vec::new()));
        let (m, g) = (mode.clone(), got.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (m, g) = (m.clone(), g.clone());
                std::thread::spawn(move || serve(stream, &m, &g));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hooks"),
            port,
            mode,
            got,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn all(&self) -> Vec<Delivery> {
        self.got.lock().unwrap().clone()
    }

    /// Accepted deliveries.
    pub fn accepted(&self) -> Vec<Delivery> {
        self.all().into_iter().filter(|d| d.accepted).collect()
    }

    /// Waits (at most `within`) until `done` holds for the deliveries so far.
    pub fn wait_for(&self, within: Duration, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        let deadline = Instant::now() + within;
        loop {
            let all = self.all();
            if done(&all) || Instant::now() > deadline {
                return all;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Free port now, nothing listening on it (a receiver that is down).
pub fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(stream: TcpStream, mode: &Mutex<Mode>, got: &Mutex<Vec<Delivery>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).to_string();
    let mode = *mode.lock().unwrap();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    got.lock().unwrap().push(Delivery {
        headers,
        body,
        json,
        accepted: mode == Mode::Accept,
    });
    let mut stream = stream;
    match mode {
        Mode::Accept => {
            let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
        Mode::Fail => {
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Mode::Hang => std::thread::sleep(Duration::from_secs(60)),
    }
}
