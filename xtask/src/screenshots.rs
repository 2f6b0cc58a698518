//! `cargo xtask screenshots`: the README's pictures, from the release build in headless Chromium.

use std::path::Path;
use std::process::Command;

use crate::process::{build_release, run, serve_release, server_bin};
use crate::{tools, Result};

pub fn screenshots(root: &Path) -> Result {
    tools::ensure_all(root)?;
    tools::ensure_screenshot_fonts()?;
    build_release(root)?;
    std::fs::create_dir_all(root.join("docs/screenshots")).map_err(|e| e.to_string())?;
    let (_server, url, _db, dir) =
        serve_release(root, &server_bin(root, true)?, "screenshots", "demo", &[])?;
    run(Command::new("node")
        .arg("screenshots.mjs")
        .current_dir(root.join("e2e"))
        .env("APP_URL", &url)
        .env("TMPDIR", &dir))
}
