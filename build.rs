//! Names each locale catalog but English (compiled in) by a hash of its content, as
//! build/post_build.mjs writes it into dist/locales/: a new text is a new URL, so the files can
//! be cached for a year. The wasm learns the names through `locale_files.rs`. English, which
//! the wasm carries, goes in without its indentation (`en.min.json`).

use sha2::{Digest, Sha256};
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let mut entries = String::new();
    let mut files: Vec<_> = std::fs::read_dir("locales")
        .expect("locales/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let tag = path.file_stem().unwrap().to_string_lossy().to_string();
        if tag == "en" {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read catalog");
        let hash: String = Sha256::digest(&bytes)[..8]
            .iter()
            .fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            });
        entries.push_str(&format!("    (\"{tag}\", \"{tag}-{hash}.json\"),\n"));
    }
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // A JSON string holds no raw line break, so each line's indentation is outside any text.
    let english = std::fs::read_to_string("locales/en.json").expect("locales/en.json");
    let compact: String = english.lines().map(str::trim_start).collect();
    std::fs::write(out_dir.join("en.min.json"), compact).unwrap();
    std::fs::write(
        out_dir.join("locale_files.rs"),
        format!("pub const LOCALE_FILES: &[(&str, &str)] = &[\n{entries}];\n"),
    )
    .unwrap();
}
