//! Dates and times for people: the local wall clock (from the browser's time zone) with UTC
//! beside it where a deadline matters. Formatted by hand rather than with chrono's format
//! strings, whose parser and formatter cost ~17 KB of wasm for three patterns.

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The browser's UTC offset at `t` (it changes with DST, so it is per instant).
pub fn local_offset(t: DateTime<Utc>) -> FixedOffset {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    // getTimezoneOffset is minutes *behind* UTC.
    let east_secs = -(date.get_timezone_offset() as i32) * 60;
    FixedOffset::east_opt(east_secs).unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
}

/// "12 March"
fn day_month<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{} {}", t.day(), MONTHS[t.month0() as usize])
}

/// "17:05"
fn hour_minute<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "12 March 2027"
pub fn date(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&local_offset(t));
    format!("{} {}", day_month(&local), local.year())
}

/// "12 March 2027, 17:00"
pub fn date_time(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&local_offset(t));
    format!(
        "{} {}, {}",
        day_month(&local),
        local.year(),
        hour_minute(&local)
    )
}

/// "12 March 2027, 17:00 (your time) · 16:00 UTC" — the UTC date is added when it differs.
pub fn deadline(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&local_offset(t));
    let utc = if local.date_naive() == t.date_naive() {
        format!("{} UTC", hour_minute(&t))
    } else {
        format!("{}, {} UTC", day_month(&t), hour_minute(&t))
    };
    format!("{} (your time) · {utc}", date_time(t))
}
