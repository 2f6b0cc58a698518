//! Dates and times for people, formatted by the browser (`Intl.DateTimeFormat`) in the user's
//! own time zone, which is named wherever a time is shown. UTC is added beside a deadline only
//! when it differs from the user's time. Spaces inside a date or a time are non-breaking, so a
//! narrow screen never splits "12 March 2027" across lines.

use chrono::{DateTime, Timelike, Utc};
use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

/// Text from the server placed inside a sentence of ours, between first-strong isolate and
/// pop-isolate marks: whatever bidi controls it holds can't reorder the sentence around it.
/// (Elements get the same from `<bdi>` or `dir="auto"`; this is for plain strings.)
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// The texts are English (day before month, 24-hour clock).
const LOCALE: &str = "en-GB";
const NBSP: char = '\u{a0}';

fn js_date(t: DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64))
}

fn formatter(options: &[(&str, &str)]) -> Intl::DateTimeFormat {
    let opts = Object::new();
    for (k, v) in options {
        let _ = Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    Intl::DateTimeFormat::new(&Array::of1(&JsValue::from_str(LOCALE)), &opts)
}

/// Formats `t` and keeps the pieces together with non-breaking spaces.
fn format(t: DateTime<Utc>, options: &[(&str, &str)]) -> String {
    let f = formatter(options);
    let text = f
        .format()
        .call1(&f, &js_date(t))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    text.replace([' ', '\u{202f}'], &NBSP.to_string())
}

const DATE: [(&str, &str); 3] = [("day", "numeric"), ("month", "long"), ("year", "numeric")];
const TIME: [(&str, &str); 3] = [
    ("hour", "2-digit"),
    ("minute", "2-digit"),
    ("hourCycle", "h23"),
];

/// The user's time zone's short name at `t` ("CET", "GMT-5", "UTC").
pub fn zone_name(t: DateTime<Utc>) -> String {
    let f = formatter(&[("timeZoneName", "short")]);
    f.format_to_parts(&js_date(t))
        .iter()
        .find(|p| {
            Reflect::get(p, &JsValue::from_str("type"))
                .ok()
                .and_then(|v| v.as_string())
                == Some("timeZoneName".into())
        })
        .and_then(|p| Reflect::get(&p, &JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// True when the user's clock reads UTC at `t`.
fn local_is_utc(t: DateTime<Utc>) -> bool {
    js_date(t).get_timezone_offset() == 0.0
}

/// "12 March 2027"
pub fn date(t: DateTime<Utc>) -> String {
    format(t, &DATE)
}

/// "17:00"
fn time(t: DateTime<Utc>) -> String {
    format(t, &TIME)
}

/// "12 March 2027, 17:00"
pub fn date_time(t: DateTime<Utc>) -> String {
    format!("{}, {}", date(t), time(t))
}

/// "12 March 2027, 17:00 CET": a time a person reads is always labelled with its zone.
pub fn date_time_zoned(t: DateTime<Utc>) -> String {
    format!("{}{NBSP}{}", date_time(t), zone_name(t))
}

/// "12 March 2027, 17:00 CET · 16:00 UTC": the UTC time (with its date when that differs) is
/// added only when the user's own zone is not UTC at that instant.
pub fn deadline(t: DateTime<Utc>) -> String {
    if local_is_utc(t) {
        return date_time_zoned(t);
    }
    let utc_time = format!("{:02}:{:02}{NBSP}UTC", t.hour(), t.minute());
    let utc_date = format(
        t,
        &[("day", "numeric"), ("month", "long"), ("timeZone", "UTC")],
    );
    let local_date = format(t, &[("day", "numeric"), ("month", "long")]);
    let utc = if utc_date == local_date {
        utc_time
    } else {
        format!("{utc_date}, {utc_time}")
    };
    format!("{} · {utc}", date_time_zoned(t))
}
