//! A throwaway PostgreSQL cluster for tests and local runs: `initdb` in a temporary directory as the
//! `postgres` user (PostgreSQL refuses to run as root), its own socket directory, a free
//! loopback port, fsync off unless asked for. Stopped when dropped, and the shared one when
//! the test process exits — failing tests included.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
}

/// Whether a PostgreSQL server is installed here.
pub fn installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|mut d| d.any(|e| e.is_ok_and(|e| e.path().join("bin/initdb").exists())))
        .unwrap_or(false)
}

/// The newest installed server's binaries (`/usr/lib/postgresql/<version>/bin`).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (Debian's postgresql package; `cargo xtask test` installs it)")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().expect("no PostgreSQL server binaries").1
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Runs a PostgreSQL program as the `postgres` user when we are root.
fn pg_command(bin: &Path, program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn run(mut c: Command, what: &str) {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// A new cluster; `fsync` only for tests about durability (it makes the others slow).
    pub fn start(fsync: bool) -> Cluster {
        static N: AtomicUsize = AtomicUsize::new(0);
        let bin = bin_dir();
        // Short: the socket path must stay under 107 bytes.
        let dir = PathBuf::from(format!(
            "/tmp/fwpg-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["postgres:postgres"]).arg(&dir);
                    c
                },
                "chown",
            );
        }
        let data = dir.join("data");
        let mut init = pg_command(&bin, "initdb");
        init.args(["-N", "-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
            .arg(&data);
        run(init, "initdb");
        let port = free_port();
        let cluster = Cluster { dir, port, bin };
        cluster.pg_ctl_start(fsync);
        cluster
    }

    fn pg_ctl_start(&self, fsync: bool) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=300",
            self.port,
            self.dir.display(),
            if fsync { "on" } else { "off" },
        );
        let mut start = pg_command(&self.bin, "pg_ctl");
        start
            .args(["-D"])
            .arg(self.dir.join("data"))
            .args(["-w", "-t", "60", "-l"])
            .arg(self.dir.join("log"))
            .args(["-o", &options, "start"]);
        run(start, "pg_ctl start");
    }

    /// Stops the server the hard way (`immediate`: like a crash), or cleanly (`fast`).
    pub fn stop(&self, mode: &str) {
        let mut stop = pg_command(&self.bin, "pg_ctl");
        stop.args(["-D"])
            .arg(self.dir.join("data"))
            .args(["-w", "-m", mode, "stop"]);
        let _ = stop.stdin(Stdio::null()).output();
    }

    /// Starts it again after `stop` (crash recovery runs if it was stopped `immediate`).
    pub fn restart(&self, fsync: bool) {
        self.pg_ctl_start(fsync);
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database in this cluster; its URL.
    pub fn new_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}", N.fetch_add(1, Ordering::Relaxed));
        let mut create = Command::new(self.bin.join("createdb"));
        create.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            &name,
        ]);
        run(create, "createdb");
        self.url(&name)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop("immediate");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static SHARED: OnceLock<Cluster> = OnceLock::new();

extern "C" fn stop_shared() {
    if let Some(c) = SHARED.get() {
        c.stop("immediate");
        let _ = std::fs::remove_dir_all(&c.dir);
    }
}

/// One cluster for the whole test process (each server gets its own database in it), stopped
/// when the process exits.
pub fn shared() -> &'static Cluster {
    SHARED.get_or_init(|| {
        let c = Cluster::start(false);
        // SAFETY: registering a plain extern "C" function with no arguments.
        unsafe { libc::atexit(stop_shared) };
        c
    })
}
