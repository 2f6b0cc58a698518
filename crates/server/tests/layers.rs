//! The server's layers import one way: `http` → `app` → `storage` → `feedback_domain`. A
//! file below `http` that names a layer above it (or axum, or an HTTP error) fails here.

use std::path::{Path, PathBuf};

/// What a layer's files may not name: the layers above it and the HTTP framework.
fn forbidden(layer: &str) -> &'static [&'static str] {
    match layer {
        "app" => &["crate::http", "axum", "ApiError", "StatusCode"],
        "storage" => &[
            "crate::http",
            "crate::app",
            "axum",
            "ApiError",
            "StatusCode",
        ],
        _ => &[],
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The offending lines of `source` (comments are skipped: prose may name any layer).
fn violations(source: &str, layer: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| forbidden(layer).iter().any(|f| l.contains(f)))
        .map(str::to_string)
        .collect()
}

#[test]
fn lower_layers_never_name_the_layers_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for layer in ["app", "storage"] {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "no files under src/{layer}");
        for file in files {
            let found = violations(&std::fs::read_to_string(&file).unwrap(), layer);
            assert!(found.is_empty(), "{}: {found:#?}", file.display());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} files checked");
}

#[test]
fn the_layer_check_finds_an_upward_import() {
    assert_eq!(violations("use crate::app::Refusal;", "storage").len(), 1);
    assert_eq!(violations("use axum::Json;", "app").len(), 1);
    assert!(violations("// crate::http is above", "app").is_empty());
    assert!(violations("use crate::storage::Store;", "app").is_empty());
}
