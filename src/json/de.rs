//! A `serde::Deserializer` over what `JSON.parse` returns. serde-wasm-bindgen's does the same,
//! but its errors are messages formatted when they happen, and serde's "invalid type" message
//! prints the float it met (`Unexpected::Float`): that one message kept Rust's whole float
//! formatter in the wasm (8.4 KB gzip, measured in docs/performance.md), for text nobody reads
//! — a body that doesn't parse is `None` to the caller, and the person sees their own
//! language's "the server sent an answer we couldn't read". Here an error is only that.
//!
//! JSON's shapes map the way serde's data model expects: `null` is `None` or `()`; a number
//! with no fraction is an integer (so `u32`, `i64`, `usize` fields read it), any other a float;
//! an array a sequence; an object a map or a struct (only an object: serde_json would also
//! take an array, in field order); a string a string or a unit enum variant.

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

/// A JavaScript number as serde's data model sees it: a whole number it holds exactly is an
/// integer (so `u32`, `i64`, `usize` fields read it), anything else a float.
enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Number {
    fn of(n: f64) -> Self {
        if n.fract() != 0.0 || n.abs() > MAX_SAFE {
            Number::Float(n)
        } else if n >= 0.0 {
            Number::Unsigned(n as u64)
        } else {
            Number::Signed(n as i64)
        }
    }
}

/// Integer kinds: an integer `Number`, else not this shape (the visitor checks its range).
macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
            match self.0.as_f64().map(Number::of) {
                Some(Number::Unsigned(u)) => visitor.visit_u64(u),
                Some(Number::Signed(i)) => visitor.visit_i64(i),
                _ => Err(Invalid),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = v.as_f64() {
            match Number::of(n) {
                Number::Unsigned(u) => visitor.visit_u64(u),
                Number::Signed(i) => visitor.visit_i64(i),
                Number::Float(f) => visitor.visit_f64(f),
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

    // The shapes the API's types ask for, each read directly: a visitor is then compiled with
    // only the one `visit_*` it uses, not with every branch of `deserialize_any`.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_map(Entries {
            entries: Object::entries(self.0.unchecked_ref()),
            next: 0,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if !Array::is_array(&self.0) {
            return Err(Invalid);
        }
        visitor.visit_seq(Items {
            items: self.0.unchecked_into(),
            next: 0,
        })
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_string(self.0.as_string().ok_or(Invalid)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_bool(self.0.as_bool().ok_or(Invalid)?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_f64(self.0.as_f64().ok_or(Invalid)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        self.deserialize_f32(visitor)
    }

    integers! {
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct ignored_any
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
