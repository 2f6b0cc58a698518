//! The domain rules compiled to wasm and run in the browser: same answers as natively, and the
//! browser's clock works through chrono.
#![cfg(target_arch = "wasm32")]

use chrono::{Duration, Utc};
use feedback_domain::{
    counted_len, is_window_open, validate_response, window_closes_at, window_countdown, Countdown,
    TimeUnit, RESPONSE_MAX_CHARS,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn utc_now_works_in_the_browser() {
    let now = Utc::now();
    assert!(now.timestamp() > 1_700_000_000, "{now}");
}

#[wasm_bindgen_test]
fn the_window_rule_has_the_same_boundaries_in_wasm() {
    let end = Utc::now();
    assert!(is_window_open(
        Some(end),
        end + Duration::days(28) - Duration::seconds(1)
    ));
    assert!(!is_window_open(Some(end), end + Duration::days(28)));
    assert_eq!(window_closes_at(end) - end, Duration::hours(672));
    assert_eq!(
        window_countdown(Some(end), end + Duration::days(25)),
        Countdown::Left(3, TimeUnit::Day)
    );
}

#[wasm_bindgen_test]
fn text_is_counted_in_scalar_values_in_wasm_too() {
    // 👍🏽 is two scalar values (thumb + skin tone), then a space and é.
    assert_eq!(counted_len("  👍🏽 é  "), 4);
    assert!(validate_response(&"👍".repeat(RESPONSE_MAX_CHARS)).is_ok());
    assert!(validate_response(&"👍".repeat(RESPONSE_MAX_CHARS + 1)).is_err());
}

#[wasm_bindgen_test]
fn dates_read_as_words_in_local_time_with_the_zone_named_and_utc_only_where_it_differs() {
    let i18n = feedback_widget::i18n::I18n::english();
    let t = chrono::DateTime::parse_from_rfc3339("2027-03-12T16:05:00Z")
        .unwrap()
        .with_timezone(&Utc);
    // Expected values from the browser's own Date, not from the code under test.
    let js = js_sys::Date::new(&(t.timestamp_millis() as f64).into());
    let nbsp = '\u{a0}';
    let expected_date = format!("{}{nbsp}March{nbsp}2027", js.get_date());
    assert_eq!(i18n.date(t), expected_date);
    let expected_time = format!("{:02}:{:02}", js.get_hours(), js.get_minutes());
    assert_eq!(
        i18n.date_time(t),
        format!("{expected_date}, {expected_time}")
    );
    let zoned = i18n.date_time_zoned(t);
    let zone = zoned
        .strip_prefix(&format!("{expected_date}, {expected_time}{nbsp}"))
        .unwrap_or_else(|| panic!("{zoned}"));
    assert!(!zone.is_empty() && !zone.contains(' '), "zone {zone:?}");
    let deadline = i18n.deadline(t);
    assert!(deadline.starts_with(&zoned), "{deadline}");
    assert!(!deadline.contains("your time"), "{deadline}");
    if js.get_timezone_offset() == 0.0 {
        assert_eq!(deadline, zoned, "a user in UTC sees the time once");
    } else {
        assert!(deadline.ends_with(&format!("16:05{nbsp}UTC")), "{deadline}");
    }
}
