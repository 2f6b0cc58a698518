//! Serves the built app (`dist/`) with a strict Content-Security-Policy. Trunk's loader is an
//! inline module script, so instead of `'unsafe-inline'` the policy allows exactly that script
//! by its SHA-256 hash, computed from `index.html` at start and again whenever the file changes
//! (a new build copied over `dist/` has a new loader: a policy read once would block it until
//! the server restarted).
//!
//! Delivery: the precompressed `.br`/`.gz` copies the build made are chosen by
//! `Accept-Encoding` (tower-http's `ServeDir`, which also sets `Vary`, the right
//! `Content-Length`, an `ETag` and answers `If-None-Match` with 304; identity for clients that
//! accept neither). Content-hashed files are `immutable` for a year; `index.html`, `embed.js`
//! and everything else with a stable name is `no-cache`, i.e. revalidated by ETag each time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// SHA-256 sources (`'sha256-…'`) for every inline `<script>` in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        let body = &rest[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &rest[body_start + close..];
    }
    out
}

pub fn content_security_policy(index_html: &str, frame_ancestors: &[String]) -> String {
    let hashes = inline_script_hashes(index_html).join(" ");
    let ancestors = if frame_ancestors.is_empty() {
        "'self'".to_string()
    } else {
        format!("'self' {}", frame_ancestors.join(" "))
    };
    // Trusted Types too: no DOM sink takes a string, except the widget's own vetted policy.
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {hashes}; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}; \
         require-trusted-types-for 'script'; trusted-types {}",
        feedback_domain::TRUSTED_TYPES_POLICY
    )
}

/// True for a file name Trunk content-hashed: `name-<hash>` before the extension (or before
/// `_bg.wasm`). Trunk writes the 64-bit hash as unpadded hex, so it has up to 16 digits, and
/// fewer than 12 only once in about a million builds.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `Cache-Control` by name: a hashed file never changes; anything else is revalidated.
async fn cache_control(req: Request, next: Next) -> Response {
    let immutable = is_content_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
    }
    res
}

/// What tells one `index.html` from the next: its modification time and length.
type Stamp = Option<(SystemTime, u64)>;

/// The policy for the `index.html` it was computed from, known by its stamp, so a changed file
/// is read again (one `stat` per request).
struct Policy {
    index: PathBuf,
    frame_ancestors: Vec<String>,
    current: Mutex<(Stamp, HeaderValue)>,
}

impl Policy {
    fn new(index: PathBuf, frame_ancestors: &[String]) -> Result<Self, Box<dyn std::error::Error>> {
        let (stamp, value) = Self::read(&index, frame_ancestors)?;
        Ok(Self {
            index,
            frame_ancestors: frame_ancestors.to_vec(),
            current: Mutex::new((stamp, value)),
        })
    }

    fn stamp(index: &Path) -> Stamp {
        let meta = std::fs::metadata(index).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }

    fn read(
        index: &Path,
        frame_ancestors: &[String],
    ) -> Result<(Stamp, HeaderValue), Box<dyn std::error::Error>> {
        let stamp = Self::stamp(index);
        let html = std::fs::read_to_string(index)?;
        let value = HeaderValue::from_str(&content_security_policy(&html, frame_ancestors))?;
        Ok((stamp, value))
    }

    /// The policy for `index.html` as it is now. While a deploy is half-way (the file missing
    /// or unreadable), the last good policy stays.
    fn header(&self) -> HeaderValue {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = Self::stamp(&self.index);
        if stamp.is_some() && stamp != current.0 {
            if let Ok(fresh) = Self::read(&self.index, &self.frame_ancestors) {
                *current = fresh;
            }
        }
        current.1.clone()
    }
}

async fn set_policy(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, policy.header());
    res
}

pub fn router(
    dir: &Path,
    frame_ancestors: &[String],
) -> Result<Router, Box<dyn std::error::Error>> {
    let index = dir.join("index.html");
    let policy = Policy::new(index.clone(), frame_ancestors).map_err(|e| {
        format!(
            "--static-dir {}: cannot read index.html: {e}",
            dir.display()
        )
    })?;
    // Unknown paths are client-side routes: answer with the app shell.
    let shell = ServeFile::new(index)
        .precompressed_br()
        .precompressed_gzip();
    let service = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell);
    Ok(Router::new()
        .fallback_service(service)
        .layer(axum::middleware::from_fn(cache_control))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(policy),
            set_policy,
        ))
        // Host pages on other origins load embed.js as a module and fetch the wasm: both are
        // CORS requests. The files are public and sent without credentials, so any origin.
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts() {
        let html =
            r#"<script src="/a.js"></script><script type="module">import x from '/x.js';</script>"#;
        let h = inline_script_hashes(html);
        assert_eq!(h.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import x from '/x.js';"));
        assert_eq!(h[0], format!("'sha256-{expected}'"));
    }

    #[test]
    fn only_content_hashed_names_are_immutable() {
        for hashed in [
            "/feedback-widget-8f3a0c1d2e4b5a69.js",
            "/feedback-widget-8f3a0c1d2e4b5a69_bg.wasm",
            "/main-0123456789abcdef.css",
            "/main-0123456789abcdef.css.br",
            "/feedback-widget-d19832a26068831_bg.wasm",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for stable in [
            "/",
            "/index.html",
            "/embed.js",
            "/embed-demo.html",
            "/contracts/3",
            "/main-notahash.css",
            "/feedback-widget-8f3a0c1d.js",
        ] {
            assert!(!is_content_hashed(stable), "{stable}");
        }
    }

    #[test]
    fn policy_has_no_unsafe_inline_or_eval() {
        let p = content_security_policy("<script>a</script>", &["https://host.example".into()]);
        assert!(!p.contains("'unsafe-inline'") && !p.contains("'unsafe-eval'"));
        assert!(p.contains("'wasm-unsafe-eval'"));
        assert!(p.contains("object-src 'none'") && p.contains("base-uri 'none'"));
        assert!(p.contains("frame-ancestors 'self' https://host.example;"));
        assert!(p.contains("require-trusted-types-for 'script'; trusted-types contract-feedback"));
    }
}
