//! A `serde::Deserializer` over what `JSON.parse` returns. serde-wasm-bindgen's does the same,
//! but its errors are messages formatted when they happen, and serde's "invalid type" message
//! prints the float it met (`Unexpected::Float`): that one message kept Rust's whole float
//! formatter in the wasm (8.4 KB gzip, measured in docs/performance.md), for text nobody reads
//! — a body that doesn't parse is `None` to the caller, and the person sees their own
//! language's "the server sent an answer we couldn't read". Here an error is only that.
//!
//! JSON's shapes map the way serde's data model expects: `null` is `None` or `()`; a number
//! with no fraction is an integer (so `u32`, `i64`, `usize` fields read it), any other a float;
//! an array a sequence; an object a map or a struct; a string a string or a unit enum variant.

use std::fmt;

use js_sys::{Array, Object};
use serde::de::{
    self, value::StringDeserializer, DeserializeSeed, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use wasm_bindgen::{JsCast, JsValue};

/// The value wasn't the shape the type expects. Deliberately without details (see above).
#[derive(Debug)]
pub struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON is not the expected shape")
    }
}

impl std::error::Error for Invalid {}

// Every constructor is overridden: serde's defaults format their arguments, `Unexpected`
// (with its float) among them.
impl de::Error for Invalid {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Invalid
    }
    fn invalid_type(_: Unexpected, _: &dyn Expected) -> Self {
        Invalid
    }
    fn invalid_value(_: Unexpected, _: &dyn Expected) -> Self {
        Invalid
    }
    fn invalid_length(_: usize, _: &dyn Expected) -> Self {
        Invalid
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn missing_field(_: &'static str) -> Self {
        Invalid
    }
    fn duplicate_field(_: &'static str) -> Self {
        Invalid
    }
}

/// A parsed JSON value, to deserialize from.
pub struct Value(pub JsValue);

/// Integers JavaScript numbers hold exactly (±(2⁵³ − 1)).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for Value {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = v.as_f64() {
            if n.fract() != 0.0 || n.abs() > MAX_SAFE {
                visitor.visit_f64(n)
            } else if n >= 0.0 {
                visitor.visit_u64(n as u64)
            } else {
                visitor.visit_i64(n as i64)
            }
        } else if let Some(s) = v.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&v) {
            visitor.visit_seq(Items {
                items: v.unchecked_into(),
                next: 0,
            })
        } else if v.is_object() {
            visitor.visit_map(Entries {
                entries: Object::entries(v.unchecked_ref()),
                next: 0,
            })
        } else {
            Err(Invalid)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    /// Unit variants, which is what the API's enums are (`"under_review"`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        let name: StringDeserializer<Invalid> =
            self.0.as_string().ok_or(Invalid)?.into_deserializer();
        visitor.visit_enum(name)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items {
    items: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Invalid> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        self.next += 1;
        seed.deserialize(Value(self.items.get(self.next - 1)))
            .map(Some)
    }
}

/// An object's own `[key, value]` pairs, in order.
struct Entries {
    entries: Array,
    next: u32,
}

impl Entries {
    fn part(&self, i: u32) -> JsValue {
        Array::from(&self.entries.get(self.next - 1)).get(i)
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        self.next += 1;
        let key: StringDeserializer<Invalid> =
            self.part(0).as_string().ok_or(Invalid)?.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Value(self.part(1)))
    }
}
