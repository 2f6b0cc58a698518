//! JSON through the browser's own `JSON.parse`/`JSON.stringify`: the wasm carries no JSON
//! parser or printer of its own (measured in docs/performance.md). Parsed values become Rust
//! types through `de` (ours, see there why); Rust values become JavaScript values through
//! serde-wasm-bindgen's serializer.

mod de;

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::JsValue;

/// Parses JSON text into `T`; `None` if it isn't JSON or isn't a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    T::deserialize(de::Value(value)).ok()
}

/// `value` as JSON text (maps as objects, 64-bit integers as numbers: what `JSON` expects).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let js: JsValue = value.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}
