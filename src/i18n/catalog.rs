//! A locale's texts as the browser parsed them (`JSON.parse`): an array in the messages' order
//! (build.rs), so a lookup is an index, and the wasm holds no JSON parser, no map and no key
//! names. English, compiled in in the same order, stands behind every other catalog.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{Key, Locale};

// `(tag, file name)` of every catalog but English, and `KEYS_FILE`, each name carrying a hash
// of its content (build.rs; build/post_build.mjs writes the files under the same names).
include!(concat!(env!("OUT_DIR"), "/locale_files.rs"));

const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.texts.json"));

thread_local! {
    static EN: Array = texts(ENGLISH).unwrap_or_default();
}

/// JSON text that is an array.
fn texts(json: &str) -> Option<Array> {
    let value = js_sys::JSON::parse(json).ok()?;
    Array::is_array(&value).then(|| value.unchecked_into())
}

async fn fetch_text(url: &str) -> Option<String> {
    match gloo_net::http::Request::get(url).send().await {
        Ok(r) if r.ok() => r.text().await.ok(),
        _ => None,
    }
}

#[derive(Clone)]
pub struct Catalog {
    /// Where the texts came from: a served file's name, a host's own messages (as JSON), or
    /// nothing for English. Two catalogs from the same origin hold the same texts.
    origin: String,
    /// In the messages' order; `None` for English.
    texts: Option<Array>,
}

impl Catalog {
    pub fn english() -> Self {
        Self {
            origin: String::new(),
            texts: None,
        }
    }

    /// The file `locale`'s catalog is served as, under the app's `locales/` folder.
    pub fn file(locale: Locale) -> Option<&'static str> {
        LOCALE_FILES
            .iter()
            .find(|(tag, _)| *tag == locale.tag())
            .map(|(_, file)| *file)
    }

    /// Fetches `locale`'s catalog from `base` (the folder URL, ending in `/`). English needs
    /// nothing; a failed fetch leaves the instance in English.
    pub async fn load(locale: Locale, base: &str) -> Self {
        let Some(file) = Self::file(locale) else {
            return Self::english();
        };
        match fetch_text(&format!("{base}{file}"))
            .await
            .as_deref()
            .and_then(texts)
        {
            Some(texts) => Self {
                origin: file.to_string(),
                texts: Some(texts),
            },
            None => Self::english(),
        }
    }

    /// A host's own messages (JSON text, or the value itself): an object by key, as in
    /// `locales/`, or texts in the messages' order. The wasm knows no key names, so for an
    /// object it fetches their list from `base`. `None` if they are neither, or the list
    /// can't be had.
    pub async fn host(messages: JsValue, base: &str) -> Option<Self> {
        let value = match messages.as_string() {
            Some(json) => js_sys::JSON::parse(&json).ok()?,
            None => messages,
        };
        let origin = js_sys::JSON::stringify(&value).ok()?.as_string()?;
        if Array::is_array(&value) {
            return Some(Self {
                origin,
                texts: Some(value.unchecked_into()),
            });
        }
        let by_key: Object = value.dyn_into().ok()?;
        let names = texts(&fetch_text(&format!("{base}{KEYS_FILE}")).await?)?;
        let texts = names
            .iter()
            .map(|name| Reflect::get(&by_key, &name).unwrap_or(JsValue::UNDEFINED))
            .collect();
        Some(Self {
            origin,
            texts: Some(texts),
        })
    }

    pub fn same_as(&self, other: &Catalog) -> bool {
        self.origin == other.origin
    }

    /// The text of `key` (the `plural` form, else `other`, when the message has forms); English's
    /// where this catalog has none.
    pub fn text(&self, key: Key, plural: Option<&str>) -> String {
        let at = |texts: &Array| pick(&texts.get(u32::from(key.0)), plural);
        self.texts
            .as_ref()
            .and_then(at)
            .or_else(|| EN.with(at))
            .unwrap_or_default()
    }
}

/// A message's text: a string, or the requested plural form of an object of forms.
fn pick(value: &JsValue, plural: Option<&str>) -> Option<String> {
    if let Some(s) = value.as_string() {
        return Some(s);
    }
    let forms: &Object = value.dyn_ref()?;
    let form = |name: &str| {
        Reflect::get(forms, &JsValue::from_str(name))
            .ok()?
            .as_string()
    };
    plural.and_then(form).or_else(|| form("other"))
}
