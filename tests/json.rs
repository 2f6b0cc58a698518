//! The widget's JSON reading (`feedback_widget::json`: the browser's `JSON.parse`, then our
//! deserializer) on the API's shapes: every field read as serde reads it natively, and anything
//! that isn't the type's shape refused as `None`.
#![cfg(target_arch = "wasm32")]

use chrono::{TimeZone, Utc};
use feedback_domain::{
    ContractPage, ContractStatus, FieldCode, NewReport, Problem, ReportCategory, ReportStatus,
};
use feedback_widget::json::{from_str, to_string};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PAGE: &str = r#"{
  "items": [
    {"id": 7, "title": "Logo \"v2\" — ünïcödé 👍\u2028", "freelancer_id": 11, "freelancer_name": "Ana",
     "started_at": "2027-01-02T03:04:05Z", "ended_at": null, "status": "active", "received": null},
    {"id": -3, "title": "b", "freelancer_id": 12, "freelancer_name": "Bo", "started_at": "2027-01-02T03:04:05+02:00",
     "ended_at": "2027-02-01T00:00:00.5Z", "status": "ended",
     "received": {"rating": 4.5, "has_comment": true, "responded": false, "report_status": "under_review"},
     "unknown_field": {"nested": [1, 2.5, null, "x"]}}
  ],
  "total": 9007199254740991, "page": 1, "per_page": 20, "server_now": "2027-03-01T12:00:00Z"
}"#;

#[wasm_bindgen_test]
fn a_page_of_contracts_reads_every_field() {
    let page: ContractPage = from_str(PAGE).expect("a page");
    assert_eq!(page.total, 9_007_199_254_740_991);
    assert_eq!((page.page, page.per_page), (1, 20));
    assert_eq!(
        page.server_now,
        Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap()
    );
    let [a, b] = &page.items[..] else {
        panic!("two rows")
    };
    assert_eq!(a.id, 7);
    assert_eq!((a.freelancer_id, b.freelancer_id), (11, 12));
    assert_eq!(a.title, "Logo \"v2\" — ünïcödé 👍\u{2028}");
    assert_eq!(
        (a.ended_at, a.status, &a.received),
        (None, ContractStatus::Active, &None)
    );
    assert_eq!(b.id, -3);
    assert_eq!(
        b.started_at,
        Utc.with_ymd_and_hms(2027, 1, 2, 1, 4, 5).unwrap()
    );
    assert_eq!(b.ended_at.unwrap().timestamp_subsec_millis(), 500);
    let received = b.received.as_ref().unwrap();
    assert_eq!(received.rating, 4.5);
    assert!(received.has_comment && !received.responded);
    assert_eq!(received.report_status, Some(ReportStatus::UnderReview));
}

#[wasm_bindgen_test]
fn a_problem_reads_its_per_field_maps_and_codes() {
    let problem: Problem = from_str(
        r#"{"type": "/problems/validation", "title": "t", "status": 422, "detail": "d",
            "errors": {"text": ["too long"]},
            "error_codes": {"text": [{"code": "too_long", "max": 1500, "actual": 1510}],
                            "evidence": [{"code": "not_a_web_address", "index": 2}]}}"#,
    )
    .expect("a problem");
    assert_eq!(problem.status, 422);
    // The English messages are not read: the widget words problems from their codes.
    assert!(problem.errors.is_empty());
    let too_long = &problem.error_codes["text"][0];
    assert_eq!(
        (
            too_long.code.as_str(),
            too_long.min,
            too_long.max,
            too_long.actual
        ),
        ("too_long", None, Some(1500), Some(1510))
    );
    assert_eq!(problem.error_codes["evidence"][0].index, Some(2));
    // Absent maps are empty (`#[serde(default)]`).
    let bare: Problem =
        from_str(r#"{"type": "about:blank", "title": "t", "status": 500, "detail": ""}"#).unwrap();
    assert!(bare.errors.is_empty() && bare.error_codes.is_empty());
}

#[wasm_bindgen_test]
fn what_the_widget_writes_it_reads_back() {
    let report = NewReport {
        category: ReportCategory::ConflictOfInterest,
        description: "Line one\nline \"two\"".into(),
        evidence: vec!["https://example.com/a?b=c".into()],
    };
    let text = to_string(&report).unwrap();
    assert!(
        text.contains(r#""category":"conflict_of_interest""#),
        "{text}"
    );
    assert_eq!(from_str::<NewReport>(&text), Some(report));
}

#[wasm_bindgen_test]
fn anything_not_the_types_shape_is_refused() {
    let code = |json: &str| from_str::<FieldCode>(json);
    assert!(code(r#"{"code": "empty"}"#).is_some());
    for (json, why) in [
        ("not json", "not JSON"),
        (r#"{"code": 5}"#, "a number for a string"),
        (r#"{"code": "x", "max": 1.5}"#, "a fraction for an integer"),
        (r#"{"code": "x", "max": -1}"#, "a negative for an unsigned"),
        (r#"{"code": "x", "max": 1e300}"#, "beyond any integer"),
        (r#"{"code": "x", "max": "3"}"#, "a string for a number"),
        (r#"{"max": 3}"#, "a required field missing"),
        (r#""empty""#, "a string for an object"),
        (
            r#"["empty"]"#,
            "an array for an object (serde_json would take it in field order)",
        ),
        ("null", "null for a struct"),
    ] {
        assert_eq!(code(json), None, "{why}: {json}");
    }
    assert_eq!(
        from_str::<ReportStatus>(r#""kept""#),
        Some(ReportStatus::Kept)
    );
    assert_eq!(
        from_str::<ReportStatus>(r#""lost""#),
        None,
        "an unknown variant"
    );
    assert_eq!(
        from_str::<ReportStatus>("3"),
        None,
        "a number for a variant"
    );
    // `deny_unknown_fields` holds: a request body with a field the API doesn't know.
    let extra = r#"{"category": "fraud", "description": "d", "secret": 1}"#;
    assert_eq!(from_str::<NewReport>(extra), None);
    assert_eq!(from_str::<u8>("256"), None, "out of range");
    assert_eq!(from_str::<Option<u8>>("null"), Some(None));
    assert_eq!(
        from_str::<Vec<bool>>("[true, false]"),
        Some(vec![true, false])
    );
}
