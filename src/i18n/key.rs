//! Messages are numbered (build.rs): a message's number is its key's position among English's
//! keys, sorted. `k!("history.title")` finds it at compile time, so the wasm carries numbers
//! and no names, and a key English lacks is a build error at the line that asks for it.

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// A message, by its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub(crate) u16);

impl Key {
    /// The message named `name`. For `k!`, which runs it at compile time; it panics (a build
    /// error there) when English has no such key.
    pub const fn named(name: &str) -> Key {
        let mut i = 0;
        while i < NAMES.len() {
            if same(NAMES[i].as_bytes(), name.as_bytes()) {
                return Key(i as u16);
            }
            i += 1;
        }
        panic!("no such message key in locales/en.json");
    }

    /// Its position in a catalog's texts.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The message key named by a string literal, checked and numbered at compile time:
/// `i18n.t(k!("history.title"))`.
#[macro_export]
macro_rules! k {
    ($name:literal) => {{
        const KEY: $crate::i18n::Key = $crate::i18n::Key::named($name);
        KEY
    }};
}
