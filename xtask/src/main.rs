//! `cargo xtask serve | test | build | bench | bench-api | bench-size | screenshots | tools` —
//! installs what is missing, then runs. One file per command; `process.rs` holds what they
//! share (running commands, starting servers, free ports).

mod balanced;
mod bench;
mod process;
mod screenshots;
mod serve;
mod summary;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use process::{free_port, run, start_server_bin, Guard};

const USAGE: &str = "\
usage: cargo xtask <command>

  serve        install what is missing, start the reference API and `trunk serve` (Ctrl-C stops both)
  serve --postgres  the same on PostgreSQL: a local cluster, two API instances behind HAProxy
  test         install what is missing, run every test suite, print `N passed, M failed`
  build        release build of the app into dist/
  bench-api    load benchmark of the API with 100,000 contracts: SQLite (one instance) and
               PostgreSQL (two instances behind HAProxy); installs wrk, PostgreSQL, HAProxy
  bench        release build measured in Chromium: sizes, Lighthouse, timings -> docs/performance.md
  bench-size   release wasm size for each profile variant (opt-level, lto, codegen-units, panic)
  screenshots  README screenshots from the release build in headless Chromium
  tools        only install what is missing
  conformance --api-base URL --token T [--second-token T2] [--fixtures] [--allowed-origin O]
               check any backend against the API's behavioural contract (docs/api.md)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root).expect("cd to project root");
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::serve(&root, args.get(1).map(String::as_str) == Some("--postgres")),
        Some("test") => test::test(&root),
        Some("build") => tools::ensure_all(&root).and_then(|_| process::build_release(&root)),
        Some("bench-api") => bench::bench_api(&root),
        Some("bench") => bench::bench(&root),
        Some("bench-size") => tools::ensure_all(&root).and_then(|_| bench::bench_size(&root)),
        Some("tools") => tools::ensure_all(&root),
        // The kit against any backend: its own flags, passed through.
        Some("conformance") => run(process::cargo()
            .args(["run", "--quiet", "-p", "feedback-conformance", "--"])
            .args(&args[1..])),
        Some("screenshots") => screenshots::screenshots(&root),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}
