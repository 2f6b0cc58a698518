//! A locale's messages as the browser parsed them (`JSON.parse`): no JSON parser and no map
//! type of our own in the wasm. Lookups fall back to English, compiled in. A served catalog is
//! an array of texts in English's key order (build/post_build.mjs); a host's own `messages`
//! (or a source file) is an object by key. Both work.

use js_sys::{Array, Map, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::Locale;

// `(tag, file name)` of every catalog but English, the name carrying a hash of the file's
// content (build.rs; build/post_build.mjs writes the files under the same names).
include!(concat!(env!("OUT_DIR"), "/locale_files.rs"));

const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.min.json"));

thread_local! {
    static EN: Object = js_sys::JSON::parse(ENGLISH)
        .ok()
        .and_then(|v| v.dyn_into().ok())
        .unwrap_or_default();
    /// Key → its position in English, for catalogs served as arrays.
    static INDEX: Map = EN.with(|en| {
        let index = Map::new();
        for (i, key) in Object::keys(en).iter().enumerate() {
            index.set(&key, &JsValue::from_f64(i as f64));
        }
        index
    });
}

#[derive(Clone)]
pub struct Catalog {
    /// Where the texts came from: a served file's name, a host's own JSON text, or nothing
    /// for English. Two catalogs from the same origin hold the same texts.
    origin: String,
    /// `None` for English.
    messages: Option<Messages>,
}

#[derive(Clone)]
enum Messages {
    ByKey(Object),
    InEnglishOrder(Array),
}

impl Messages {
    fn get(&self, key: &JsValue) -> Option<JsValue> {
        let value = match self {
            Messages::ByKey(m) => Reflect::get(m, key).ok()?,
            Messages::InEnglishOrder(texts) => {
                let i = INDEX.with(|index| index.get(key)).as_f64()?;
                texts.get(i as u32)
            }
        };
        (!value.is_undefined() && !value.is_null()).then_some(value)
    }
}

impl Catalog {
    pub fn english() -> Self {
        Self {
            origin: String::new(),
            messages: None,
        }
    }

    /// A catalog from its JSON text (a host's own, or a fetched file).
    pub fn from_json(text: &str) -> Option<Self> {
        let value = js_sys::JSON::parse(text).ok()?;
        let messages = if Array::is_array(&value) {
            Messages::InEnglishOrder(value.unchecked_into())
        } else {
            Messages::ByKey(value.dyn_into().ok()?)
        };
        Some(Self {
            origin: text.to_string(),
            messages: Some(messages),
        })
    }

    pub fn same_as(&self, other: &Catalog) -> bool {
        self.origin == other.origin
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
        let url = format!("{base}{file}");
        let text = match gloo_net::http::Request::get(&url).send().await {
            Ok(r) if r.ok() => r.text().await.ok(),
            _ => None,
        };
        match text.as_deref().and_then(Self::from_json) {
            Some(catalog) => Self {
                origin: file.to_string(),
                ..catalog
            },
            None => Self::english(),
        }
    }

    /// The text of `key` (the `plural` form, else `other`, when the message has forms).
    pub fn text(&self, key: &str, plural: Option<&str>) -> String {
        let key = JsValue::from_str(key);
        let found = self
            .messages
            .as_ref()
            .and_then(|m| pick(&m.get(&key)?, plural));
        found
            .or_else(|| EN.with(|en| pick(&Reflect::get(en, &key).ok()?, plural)))
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
