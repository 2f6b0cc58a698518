//! "Ensure tools": installs what is missing, and only that, from the package registries.
//! Versions and traps are the ones verified on these machines (see README, Toolchain).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::run;
use crate::Result;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const GECKODRIVER_VERSION: &str = "0.37.1";
/// The wasm split (build/split.mjs): the crate cargo-leptos's `--split` uses, with its CLI.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// The official Standard Webhooks library (PyPI), which the webhook tests verify deliveries with.
pub const STANDARDWEBHOOKS_VERSION: &str = "1.1.0";
/// The OpenAPI validator integrators run; the HTTP tests validate the served document with it.
pub const OPENAPI_SPEC_VALIDATOR_VERSION: &str = "0.9.0";

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

fn is_root() -> bool {
    output("id", &["-u"]).as_deref() == Some("0")
}

/// PATH with the project's npm tools (binaryen's wasm-opt 132) first, then cargo's bin dir.
pub fn path_with_node_bin(root: &Path) -> String {
    let old = std::env::var("PATH").unwrap_or_default();
    format!(
        "{}:{}:{old}",
        root.join("e2e/node_modules/.bin").display(),
        cargo_bin_dir().display()
    )
}

/// The wasm-bindgen version Cargo.lock pins (the CLI must match it exactly).
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    lock_version(&lock, "wasm-bindgen").ok_or_else(|| "wasm-bindgen is not in Cargo.lock".into())
}

fn lock_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let v = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(v.to_string());
        }
    }
    None
}

fn apt_install(packages: &[&str]) -> Result {
    if !is_root() {
        return Err(format!(
            "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y {}",
            packages.join(" ")
        ));
    }
    println!("xtask: installing {} (apt)", packages.join(", "));
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn cargo_install(args: &[&str], fast: bool) -> Result {
    println!("xtask: cargo install {}", args.join(" "));
    let mut cmd = Command::new("cargo");
    cmd.arg("install").args(args);
    if fast {
        // A tool build, not a product: halves trunk's 15-minute install on 2 cores.
        cmd.env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    }
    run(&mut cmd)
}

/// A tool's version line, looking in cargo's bin dir as well as PATH.
fn tool_version(name: &str) -> Option<String> {
    output(name, &["--version"])
        .or_else(|| output(cargo_bin_dir().join(name).to_str()?, &["--version"]))
}

pub fn chromedriver() -> String {
    "/usr/bin/chromedriver".into()
}

pub fn geckodriver() -> String {
    cargo_bin_dir().join("geckodriver").display().to_string()
}

pub fn ensure_all(root: &Path) -> Result {
    // 1. The wasm target.
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    // 2. npm packages (wasm-opt from binaryen 132, Playwright) at the lock file's versions.
    if !npm_packages_match(root) {
        println!("xtask: npm ci in e2e/");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(root.join("e2e")))?;
    }

    // 3. wasm-bindgen-cli at exactly the lock file's version (no --locked: its own lock pins
    //    a crate version the registry here doesn't serve).
    let wb = locked_wasm_bindgen(root)?;
    if tool_version("wasm-bindgen").as_deref() != Some(&format!("wasm-bindgen {wb}")) {
        cargo_install(&["wasm-bindgen-cli", "--version", &wb, "--force"], false)?;
    }

    // 4. trunk 0.21.14 (0.22 needs a newer rustc; a plain `cargo install trunk` fails).
    if tool_version("trunk").is_none_or(|v| v != format!("trunk {TRUNK_VERSION}")) {
        cargo_install(
            &["--locked", "trunk", "--version", TRUNK_VERSION, "--force"],
            true,
        )?;
    }

    // 4b. wasm-split-cli, which cuts the wasm into chunks before wasm-bindgen (build/split.mjs).
    //     It has no `--version`: cargo's own list of installed crates says which is there.
    let installed = output("cargo", &["install", "--list"]).unwrap_or_default();
    if !installed.contains(&format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:")) {
        cargo_install(
            &[
                "--locked",
                "wasm_split_cli_support",
                "--version",
                WASM_SPLIT_VERSION,
                "--features",
                "build-binary",
                "--force",
            ],
            true,
        )?;
    }

    // 5. Browsers and their drivers from Debian; geckodriver from crates.io.
    let mut apt = Vec::new();
    for (bin, pkg) in [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/firefox-esr", "firefox-esr"),
    ] {
        if !Path::new(bin).exists() {
            apt.push(pkg);
        }
    }
    // PostgreSQL for the server's second backend (its tests start throwaway clusters).
    if !has_postgresql() {
        apt.push("postgresql");
    }
    if !apt.is_empty() {
        apt_install(&apt)?;
    }
    if tool_version("geckodriver").is_none_or(|v| !v.contains(GECKODRIVER_VERSION)) {
        cargo_install(
            &["geckodriver", "--version", GECKODRIVER_VERSION, "--force"],
            true,
        )?;
    }

    // 6. schemathesis, pinned, in a venv of the project's own (never the system's Python).
    ensure_schemathesis(root)?;
    Ok(())
}

/// PostgreSQL and HAProxy from Debian, for several instances locally (`--postgres`).
pub fn ensure_postgresql_and_haproxy() -> Result {
    let mut apt = Vec::new();
    if !has_postgresql() {
        apt.push("postgresql");
    }
    if !Path::new("/usr/sbin/haproxy").exists() {
        apt.push("haproxy");
    }
    if apt.is_empty() {
        Ok(())
    } else {
        apt_install(&apt)
    }
}

/// A PostgreSQL server with its contrib modules (pg_trgm) under /usr/lib/postgresql.
pub fn has_postgresql() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok()).any(|d| {
                d.path().join("bin/initdb").exists() && d.path().join("lib/pg_trgm.so").exists()
            })
        })
        .unwrap_or(false)
}

fn schemathesis_venv(root: &Path) -> PathBuf {
    root.join("target/schemathesis-venv")
}

/// The pinned schemathesis binary, installed into `target/schemathesis-venv` if missing.
pub fn schemathesis(root: &Path) -> PathBuf {
    schemathesis_venv(root).join("bin/schemathesis")
}

/// The test venv: schemathesis, and the standardwebhooks library the webhook tests use.
fn ensure_schemathesis(root: &Path) -> Result {
    let venv = schemathesis_venv(root);
    let bin = schemathesis(root);
    let wanted = format!("version {SCHEMATHESIS_VERSION}");
    let has_schemathesis = output(bin.to_str().unwrap_or_default(), &["--version"])
        .is_some_and(|v| v.contains(&wanted));
    let python = venv.join("bin/python");
    let probe = format!(
        "import importlib.metadata as m; assert m.version('standardwebhooks') == '{STANDARDWEBHOOKS_VERSION}'; \
         assert m.version('openapi-spec-validator') == '{OPENAPI_SPEC_VALIDATOR_VERSION}'"
    );
    let has_webhooks = output(python.to_str().unwrap_or_default(), &["-c", &probe]).is_some();
    if has_schemathesis && has_webhooks {
        return Ok(());
    }
    if !python.exists() {
        let make_venv = || run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        if make_venv().is_err() {
            // Debian's python3 keeps venv in a package of its own.
            apt_install(&["python3-venv"])?;
            make_venv()?;
        }
    }
    println!(
        "xtask: pip install schemathesis=={SCHEMATHESIS_VERSION} standardwebhooks=={STANDARDWEBHOOKS_VERSION} \
         openapi-spec-validator=={OPENAPI_SPEC_VALIDATOR_VERSION}"
    );
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
        .arg(format!("standardwebhooks=={STANDARDWEBHOOKS_VERSION}"))
        .arg(format!(
            "openapi-spec-validator=={OPENAPI_SPEC_VALIDATOR_VERSION}"
        )))
}

/// True when every package in e2e/package.json is installed at its pinned version.
fn npm_packages_match(root: &Path) -> bool {
    let Ok(manifest) = std::fs::read_to_string(root.join("e2e/package.json")) else {
        return false;
    };
    let deps = manifest
        .split("\"devDependencies\"")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .unwrap_or("");
    deps.split(',').all(|entry| {
        let parts: Vec<&str> = entry.split('"').collect();
        let (Some(name), Some(version)) = (parts.get(1), parts.get(3)) else {
            return true;
        };
        let installed = root
            .join("e2e/node_modules")
            .join(name)
            .join("package.json");
        std::fs::read_to_string(installed)
            .is_ok_and(|p| p.contains(&format!("\"version\": \"{version}\"")))
    })
}

pub fn ensure_wrk() -> Result {
    if output("wrk", &["--version"]).is_none() && !Path::new("/usr/bin/wrk").exists() {
        apt_install(&["wrk"])?;
    }
    Ok(())
}

/// Fonts for screenshots of non-Latin demo text (not needed by the tests).
pub fn ensure_screenshot_fonts() -> Result {
    if !Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").exists() {
        apt_install(&["fonts-noto-cjk"])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_package_version_from_a_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n";
        assert_eq!(
            lock_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            lock_version(lock, "wasm-bindgen-futures").as_deref(),
            Some("0.4.1")
        );
        assert_eq!(lock_version(lock, "trunk"), None);
    }
}
