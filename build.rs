//! The message catalogs, as the wasm and build/post_build.mjs see them (the two must agree):
//!
//! - Messages are numbered: the position of their key in the sorted list of English's keys.
//!   `keys.rs` holds that list for `k!("history.title")` to look a name up at compile time,
//!   so the wasm carries numbers, not names, and a name English lacks fails the build.
//! - English is compiled in as its texts in that order (`en.texts.json`).
//! - Every other catalog is served as its texts in that order too, under a name carrying a
//!   hash of its source (a new text is a new URL, so the files are cached for a year); so is
//!   the list of names (`keys-<hash>.json`), which the wasm fetches only to read a host's own
//!   messages given by name. `locale_files.rs` tells the wasm those file names.

use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn hash16(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let write = |name: &str, text: String| std::fs::write(out_dir.join(name), text).unwrap();

    let source = std::fs::read("locales/en.json").expect("locales/en.json");
    // serde_json's map is sorted by key: the messages' order.
    let english: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&source).expect("locales/en.json is a JSON object");
    let names: Vec<&String> = english.keys().collect();
    write(
        "keys.rs",
        format!(
            "/// Every message key, sorted: a message's number is its position here.\n\
             pub const NAMES: [&str; {}] = {:?};\n",
            names.len(),
            names
        ),
    );
    let texts: Vec<&serde_json::Value> = english.values().collect();
    write("en.texts.json", serde_json::to_string(&texts).unwrap());

    let mut entries = String::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir("locales")
        .expect("locales/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files.iter().filter(|p| p.file_stem().unwrap() != "en") {
        let tag = path.file_stem().unwrap().to_string_lossy();
        let hash = hash16(&std::fs::read(Path::new(path)).expect("read catalog"));
        entries.push_str(&format!("    (\"{tag}\", \"{tag}-{hash}.json\"),\n"));
    }
    write(
        "locale_files.rs",
        format!(
            "pub const LOCALE_FILES: &[(&str, &str)] = &[\n{entries}];\n\
             /// The message keys in order (for a host's own messages by name).\n\
             pub const KEYS_FILE: &str = \"keys-{}.json\";\n",
            hash16(&source)
        ),
    );
}
