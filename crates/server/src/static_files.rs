//! Serves the built app (`dist/`) with a strict Content-Security-Policy. Trunk's loader is an
//! inline module script, so instead of `'unsafe-inline'` the policy allows exactly that script
//! by its SHA-256 hash, computed from `index.html` at start.
//!
//! Delivery: the precompressed `.br`/`.gz` copies the build made are chosen by
//! `Accept-Encoding` (tower-http's `ServeDir`, which also sets `Vary`, the right
//! `Content-Length`, an `ETag` and answers `If-None-Match` with 304; identity for clients that
//! accept neither). Content-hashed files are `immutable` for a year; `index.html`, `embed.js`
//! and everything else with a stable name is `no-cache`, i.e. revalidated by ETag each time.

use std::path::Path;

use axum::extract::Request;
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

pub fn router(
    dir: &Path,
    frame_ancestors: &[String],
) -> Result<Router, Box<dyn std::error::Error>> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| {
        format!(
            "--static-dir {}: cannot read index.html: {e}",
            dir.display()
        )
    })?;
    let csp = HeaderValue::from_str(&content_security_policy(&html, frame_ancestors))?;
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
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
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
