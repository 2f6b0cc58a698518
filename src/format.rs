//! Dates and times for people: the local wall clock (from the browser's time zone) with UTC
//! beside it where a deadline matters.

use chrono::{DateTime, FixedOffset, Utc};

/// The browser's UTC offset at `t` (it changes with DST, so it is per instant).
pub fn local_offset(t: DateTime<Utc>) -> FixedOffset {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    // getTimezoneOffset is minutes *behind* UTC.
    let east_secs = -(date.get_timezone_offset() as i32) * 60;
    FixedOffset::east_opt(east_secs).unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
}

/// "12 March 2027"
pub fn date(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_offset(t))
        .format("%-d %B %Y")
        .to_string()
}

/// "12 March 2027, 17:00"
pub fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&local_offset(t))
        .format("%-d %B %Y, %H:%M")
        .to_string()
}

/// "12 March 2027, 17:00 (your time) · 16:00 UTC" — the UTC date is added when it differs.
pub fn deadline(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&local_offset(t));
    let utc = if local.date_naive() == t.date_naive() {
        t.format("%H:%M UTC").to_string()
    } else {
        t.format("%-d %B, %H:%M UTC").to_string()
    };
    format!("{} (your time) · {utc}", local.format("%-d %B %Y, %H:%M"))
}
