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

/// A Standard Webhooks secret (`whsec_` + base64 of 32 bytes), and a second one for rotations.
pub const SECRET: &str = "whsec_dGVzdC13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5YWI=";
pub const OLD_SECRET: &str = "whsec_b2xkLXdlYmhvb2stc2VjcmV0LTAxMjM0NTY3ODlhYmM=";

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

    /// Verifies the signature as the Standard Webhooks specification has it (and docs/api.md
    /// tells a receiver without the library): HMAC-SHA256 keyed with the secret's base64-decoded
    /// bytes over "{webhook-id}.{webhook-timestamp}.{body}", base64 after "v1,", any one of the
    /// space-separated signatures, and a recent timestamp.
    pub fn signature_is_valid(&self, secret: &str) -> bool {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let timestamp = &self.headers["webhook-timestamp"];
        let Ok(ts) = timestamp.parse::<i64>() else {
            return false;
        };
        if (chrono::Utc::now().timestamp() - ts).abs() > 300 {
            return false;
        }
        let Some(key) = secret
            .strip_prefix("whsec_")
            .and_then(|k| b64.decode(k).ok())
        else {
            return false;
        };
        let signed = format!("{}.{timestamp}.{}", self.id(), self.body);
        self.headers["webhook-signature"].split(' ').any(|part| {
            let Some(given) = part.strip_prefix("v1,").and_then(|g| b64.decode(g).ok()) else {
                return false;
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
            mac.update(signed.as_bytes());
            mac.verify_slice(&given).is_ok()
        })
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
