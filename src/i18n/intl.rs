//! The browser's `Intl`, in one locale: numbers, plural categories, relative times, and dates
//! and times in the user's own time zone, which is named wherever a time is shown. Spaces
//! inside a date or a time are non-breaking, so a narrow screen never splits one.

use chrono::{DateTime, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

const NBSP: char = '\u{a0}';

pub struct Intl {
    tag: String,
    plural: js_sys::Intl::PluralRules,
    number: js_sys::Intl::NumberFormat,
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let opts = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    opts
}

fn js_date(t: DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64))
}

fn call_format(f: &js_sys::Function, this: &JsValue, arg: &JsValue) -> String {
    f.call1(this, arg)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

const DATE: [(&str, &str); 3] = [("day", "numeric"), ("month", "long"), ("year", "numeric")];
const TIME: [(&str, &str); 3] = [
    ("hour", "2-digit"),
    ("minute", "2-digit"),
    ("timeZoneName", "short"),
];

impl Intl {
    pub fn new(tag: &str) -> Self {
        let locales = Array::of1(&JsValue::from_str(tag));
        Self {
            tag: tag.to_string(),
            plural: js_sys::Intl::PluralRules::new(&locales, &Object::new()),
            number: js_sys::Intl::NumberFormat::new(&locales, &Object::new()),
        }
    }

    fn locales(&self) -> Array {
        Array::of1(&JsValue::from_str(&self.tag))
    }

    /// The `Intl.PluralRules` category of `n`: zero, one, two, few, many or other.
    pub fn plural(&self, n: f64) -> String {
        self.plural
            .select(n)
            .as_string()
            .unwrap_or_else(|| "other".into())
    }

    pub fn number(&self, n: f64) -> String {
        call_format(&self.number.format(), &self.number, &JsValue::from_f64(n))
    }

    pub fn relative(&self, value: f64, unit: &str) -> String {
        let f = js_sys::Intl::RelativeTimeFormat::new(
            &self.locales(),
            &options(&[("numeric", "always")]),
        );
        f.format(value, unit).as_string().unwrap_or_default()
    }

    fn format(&self, t: DateTime<Utc>, pairs: &[(&str, &str)]) -> String {
        let f = js_sys::Intl::DateTimeFormat::new(&self.locales(), &options(pairs));
        call_format(&f.format(), &f, &js_date(t)).replace([' ', '\u{202f}'], &NBSP.to_string())
    }

    /// "12 March 2027" in the locale's own order and words.
    pub fn date(&self, t: DateTime<Utc>) -> String {
        self.format(t, &DATE)
    }

    /// "17:05" (or the locale's own clock).
    pub fn time(&self, t: DateTime<Utc>) -> String {
        self.format(t, &TIME[..2])
    }

    /// "17:05 CET": the time with the user's zone named where the locale puts it.
    pub fn time_zoned(&self, t: DateTime<Utc>) -> String {
        self.format(t, &TIME)
    }

    /// The time in UTC ("16:05").
    pub fn utc_time(&self, t: DateTime<Utc>) -> String {
        self.format(t, &[TIME[0], TIME[1], ("timeZone", "UTC")])
    }

    /// Day and month, in the user's zone or in UTC ("12 March").
    pub fn day(&self, t: DateTime<Utc>, utc: bool) -> String {
        const DAY: [(&str, &str); 3] = [("day", "numeric"), ("month", "long"), ("timeZone", "UTC")];
        self.format(t, &DAY[..if utc { 3 } else { 2 }])
    }

    /// True when the user's clock reads UTC at `t`.
    pub fn local_is_utc(&self, t: DateTime<Utc>) -> bool {
        js_date(t).get_timezone_offset() == 0.0
    }
}
