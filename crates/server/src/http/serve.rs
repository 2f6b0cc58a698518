//! The HTTP/1.1 accept loop, with the limits `axum::serve` does not set: a deadline for request
//! headers (which also closes idle keep-alive connections), a cap on open connections, and load
//! shedding when the cap is reached.
//!
//! At the cap a new connection first evicts the oldest connection that has no request in
//! progress (an idle keep-alive or one still dribbling its headers), as nginx does with its
//! reusable connections: an attacker holding idle sockets can't keep a real user out. Only
//! when every connection is busy is the new one answered `503` problem+json with
//! `Retry-After` and closed. The cap stays below the process's file-descriptor limit, so
//! `accept` never fails for want of one.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use feedback_domain::ProblemKind;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// Connection-level limits.
#[derive(Clone, Debug)]
pub struct ConnLimits {
    /// Time a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open.
    pub header_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Largest request head (request line and headers) the HTTP layer buffers. Heads beyond the
    /// API's own limits but within this get a problem document (see `limits.rs`); beyond it the
    /// HTTP layer itself answers `431` and closes.
    pub max_head_bytes: usize,
}

/// The seconds a shed client is told to wait.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Descriptors kept free for the database, the log and anything else the process opens.
const RESERVED_FDS: u64 = 64;

/// A connection cap that fits the file-descriptor limit (`ulimit -n`): `wanted`, or fewer.
pub fn fitting_connection_cap(wanted: usize) -> usize {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    if !ok || lim.rlim_cur == libc::RLIM_INFINITY {
        return wanted;
    }
    let room = lim.rlim_cur.saturating_sub(RESERVED_FDS).max(8);
    wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
}

/// One open connection: whether it is serving a request, since when it has been idle, and how
/// to tell it to close.
struct Slot {
    in_request: AtomicU64,
    /// Milliseconds since the registry's epoch when its last request ended (or it opened).
    idle_since: AtomicU64,
    evicted: AtomicBool,
    close: Notify,
}

/// A connection must have been idle this long to be evicted: one that just opened is about to
/// send its request.
const MIN_IDLE: Duration = Duration::from_millis(250);

struct Registry {
    epoch: Instant,
    next_id: u64,
    open: BTreeMap<u64, Arc<Slot>>,
}

impl Registry {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            next_id: 0,
            open: BTreeMap::new(),
        }
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Asks the connection idle the longest (at least [`MIN_IDLE`], no request in progress) to
    /// close; false if there is none.
    fn evict_one(&mut self) -> bool {
        let idle_before = self.millis().saturating_sub(MIN_IDLE.as_millis() as u64);
        let victim = self
            .open
            .values()
            .filter(|s| {
                s.in_request.load(Ordering::Acquire) == 0
                    && !s.evicted.load(Ordering::Acquire)
                    && s.idle_since.load(Ordering::Acquire) <= idle_before
            })
            .min_by_key(|s| s.idle_since.load(Ordering::Acquire));
        match victim {
            Some(slot) => {
                // It stays counted until its task has closed the socket.
                slot.evicted.store(true, Ordering::Release);
                slot.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Most shed responses being written at once; past it a connection over the cap is just closed
/// (each one holds a descriptor while it is answered).
const MAX_SHEDDING: usize = 16;

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in progress finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let registry = Arc::new(Mutex::new(Registry::new()));
    let closed = Arc::new(Notify::new());
    let shedding = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // Make room before accepting: an evicted connection's descriptor must be free first.
        make_room(&registry, &closed, limits.max_connections).await;
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        // Connections that were too fresh to evict a moment ago may be idle long enough now.
        make_room(&registry, &closed, limits.max_connections).await;
        if full(&registry, limits.max_connections) {
            if shedding.load(Ordering::Acquire) < MAX_SHEDDING as u64 {
                shedding.fetch_add(1, Ordering::AcqRel);
                let shedding = shedding.clone();
                tokio::spawn(async move {
                    shed(stream).await;
                    shedding.fetch_sub(1, Ordering::AcqRel);
                });
            }
            continue;
        }
        let slot = {
            let mut reg = lock(&registry);
            let slot = Arc::new(Slot {
                in_request: AtomicU64::new(0),
                idle_since: AtomicU64::new(reg.millis()),
                evicted: AtomicBool::new(false),
                close: Notify::new(),
            });
            reg.next_id += 1;
            let id = reg.next_id;
            reg.open.insert(id, slot.clone());
            (id, slot)
        };
        let (app, limits, registry, closed) = (
            app.clone(),
            limits.clone(),
            registry.clone(),
            closed.clone(),
        );
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            let id = slot.0;
            let epoch = lock(&registry).epoch;
            connection(stream, peer, app, limits, slot.1, epoch, stop).await;
            lock(&registry).open.remove(&id);
            closed.notify_one();
        });
    }
    // Graceful shutdown: idle connections close now, busy ones after their response.
    let _ = stop_tx.send(true);
    for _ in 0..100 {
        if lock(&registry).open.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// While the cap is reached, evicts idle connections one at a time and waits for each to close;
/// returns when there is room or nothing can be evicted.
async fn make_room(registry: &Mutex<Registry>, closed: &Notify, cap: usize) {
    while full(registry, cap) && lock(registry).evict_one() {
        tokio::select! {
            _ = closed.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
}

fn lock(registry: &Mutex<Registry>) -> std::sync::MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(|e| e.into_inner())
}

fn full(registry: &Mutex<Registry>, cap: usize) -> bool {
    lock(registry).open.len() >= cap
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnLimits,
    slot: Arc<Slot>,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) {
    let counter = slot.clone();
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            let guard = InRequest::enter(counter.clone(), epoch);
            async move {
                let response = app.oneshot(req.map(axum::body::Body::new)).await;
                drop(guard);
                response
            }
        });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_head_bytes)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        // Evicted at the cap: it had no request in progress, so dropping it loses nothing.
        _ = slot.close.notified() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(10), conn.as_mut()).await;
        }
    }
}

/// Counts a request in progress on its connection for as long as it lives.
struct InRequest(Arc<Slot>, Instant);

impl InRequest {
    fn enter(slot: Arc<Slot>, epoch: Instant) -> Self {
        slot.in_request.fetch_add(1, Ordering::AcqRel);
        Self(slot, epoch)
    }
}

impl Drop for InRequest {
    fn drop(&mut self) {
        let now = u64::try_from(self.1.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.0.idle_since.store(now, Ordering::Release);
        self.0.in_request.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers a connection over the cap with `503` problem+json and closes it, without reading
/// the request (there is no room to serve it).
async fn shed(mut stream: TcpStream) {
    let body = serde_json::to_string(
        &ProblemKind::Unavailable
            .problem("The server has too many open connections right now. Try again in a moment."),
    )
    .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         content-length: {}\r\nretry-after: {RETRY_AFTER_SECS}\r\ncache-control: no-store\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), write).await;
}
