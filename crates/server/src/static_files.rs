//! Serves the built app (`dist/`) with a strict Content-Security-Policy. Trunk's loader is an
//! inline module script, so instead of `'unsafe-inline'` the policy allows exactly that script
//! by its SHA-256 hash, computed from `index.html` at start.

use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue};
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
    let service = ServeDir::new(dir).fallback(ServeFile::new(index));
    Ok(Router::new()
        .fallback_service(service)
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
    fn policy_has_no_unsafe_inline_or_eval() {
        let p = content_security_policy("<script>a</script>", &["https://host.example".into()]);
        assert!(!p.contains("'unsafe-inline'") && !p.contains("'unsafe-eval'"));
        assert!(p.contains("'wasm-unsafe-eval'"));
        assert!(p.contains("object-src 'none'") && p.contains("base-uri 'none'"));
        assert!(p.contains("frame-ancestors 'self' https://host.example;"));
        assert!(p.contains("require-trusted-types-for 'script'; trusted-types contract-feedback"));
    }
}
