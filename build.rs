//! The message catalogs, numbered here and only here, for the wasm and for what is served:
//!
//! - Messages are numbered: the position of their key in the sorted list of English's keys.
//!   `keys.rs` holds that list for `k!("history.title")` to look a name up at compile time,
//!   so the wasm carries numbers, not names, and a name English lacks fails the build.
//! - English is compiled in as its texts in that order (`en.texts.json`).
//! - Every other catalog is served as its texts in that order too, under a name carrying a
//!   hash of its source (a new text is a new URL, so the files are cached for a year); so is
//!   the list of names (`keys-<hash>.json`), which the wasm fetches only to read a host's own
//!   messages given by name. `locale_files.rs` tells the wasm those file names, and the
//!   files themselves are written to `target/catalogs/` (with `catalogs.json` listing them),
//!   which build/post_build.mjs copies into `dist/locales/` as they are: it neither sorts
//!   nor hashes, so the served order can't drift from the wasm's.

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

/// `target/catalogs/`: the served catalogs, where build/post_build.mjs finds them. Each file is
/// written whole under a temporary name and renamed, so a build running beside this one (a
/// test build and a release build) never reads half a file; both write the same bytes.
struct Served(PathBuf);

impl Served {
    fn new() -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/catalogs");
        std::fs::create_dir_all(&dir).expect("target/catalogs");
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) {
        let tmp = self.0.join(format!(".{name}.{}", std::process::id()));
        std::fs::write(&tmp, text).expect("write a served catalog");
        std::fs::rename(&tmp, self.0.join(name)).expect("rename a served catalog");
    }
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

    let served = Served::new();
    let keys_file = format!("keys-{}.json", hash16(&source));
    served.write(&keys_file, &serde_json::to_string(&names).unwrap());
    let mut entries = String::new();
    let mut listed = serde_json::Map::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir("locales")
        .expect("locales/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files.iter().filter(|p| p.file_stem().unwrap() != "en") {
        let tag = path.file_stem().unwrap().to_string_lossy();
        let bytes = std::fs::read(Path::new(path)).expect("read catalog");
        let file = format!("{tag}-{}.json", hash16(&bytes));
        entries.push_str(&format!("    (\"{tag}\", \"{file}\"),\n"));
        // On the wire a catalog is its texts only, by number (a message it lacks is null).
        let messages: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).expect("a catalog is a JSON object");
        let texts: Vec<&serde_json::Value> = names
            .iter()
            .map(|k| messages.get(*k).unwrap_or(&serde_json::Value::Null))
            .collect();
        served.write(&file, &serde_json::to_string(&texts).unwrap());
        listed.insert(tag.to_string(), file.into());
    }
    let manifest = serde_json::json!({ "keys": keys_file, "locales": listed });
    served.write("catalogs.json", &manifest.to_string());
    write(
        "locale_files.rs",
        format!(
            "pub const LOCALE_FILES: &[(&str, &str)] = &[\n{entries}];\n\
             /// The message keys in order (for a host's own messages by name).\n\
             pub const KEYS_FILE: &str = \"{keys_file}\";\n"
        ),
    );
}
