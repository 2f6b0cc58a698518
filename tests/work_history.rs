//! The freelancer's public work history, mounted at `/freelancers/{id}` against the real
//! server without a token: cards with the client's feedback and response, paging, the empty
//! state, a freelancer that doesn't exist, and a failed load with a retry.
#![cfg(target_arch = "wasm32")]

mod common;

use chrono::{Duration as Span, Utc};
use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A freelancer name no other test (or the other browser's run, on the same server) uses.
fn unique(name: &str) -> String {
    format!("{name} {}", (js_sys::Math::random() * 1e9) as u64)
}

/// A contract of Alice's with `freelancer`, ended `days` ago, with `extra` fixture fields;
/// returns the freelancer's id.
async fn contract(freelancer: &str, days: i64, extra: serde_json::Value) -> i64 {
    let mut body = serde_json::json!({
        "title": format!("Contract {days}"),
        "freelancer_name": freelancer,
        "ended_at": Utc::now() - Span::days(days),
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let id = fixture(body).await;
    get_contract(id).await["contract"]["freelancer_id"]
        .as_i64()
        .unwrap()
}

#[wasm_bindgen_test]
async fn cards_show_the_clients_feedback_and_response_without_a_token() {
    let who = unique("Card Person");
    let f = contract(
        &who,
        3,
        serde_json::json!({"given_rating": 4.5, "given_comment": "<b>Sharp</b> work.",
            "received_rating": 3.0, "received_comment": "Slow client.", "response": "We answered daily."}),
    )
    .await;
    let app = mount_app_with(&format!("/freelancers/{f}"), API, None);
    let root = app.root().clone();
    text_appears(&root, &format!("Work history of {who}")).await;
    text_appears(&root, "Showing 1–1 of 1 contract").await;
    let card = element(&root, ".fw-work-item").await;
    let text = card.text_content().unwrap();
    assert!(text.contains("Contract 3"), "{text}");
    assert!(text.contains("Alice Client"), "{text}");
    assert!(text.contains("4.5 out of 5"), "{text}");
    assert!(text.contains("Response from the client"), "{text}");
    assert!(text.contains("We answered daily."), "{text}");
    assert!(
        !text.contains("Slow client."),
        "the freelancer's comment is not public here"
    );
    // Stored text is text: the tags show as written, no element is made of them.
    assert!(text.contains("<b>Sharp</b> work."), "{text}");
    assert!(query(&card, "blockquote b").is_none());
    assert_eq!(document().title(), format!("Work history of {who}"));
}

#[wasm_bindgen_test]
async fn pages_of_ten_with_links_that_move_between_them() {
    let who = unique("Paged Person");
    let mut f = 0;
    for d in 1..=12 {
        f = contract(&who, d, serde_json::json!({"given_rating": 5.0})).await;
    }
    let app = mount_app_with(&format!("/freelancers/{f}"), API, None);
    let root = app.root().clone();
    text_appears(&root, "Showing 1–10 of 12 contracts").await;
    assert_eq!(query_all(&root, ".fw-work-item").len(), 10);
    text_appears(&root, "Page 1 of 2").await;
    element(&root, "a[rel=next]").await.click();
    text_appears(&root, "Showing 11–12 of 12 contracts").await;
    assert_eq!(query_all(&root, ".fw-work-item").len(), 2);
    assert!(location().ends_with("?page=2"), "{}", location());
    // Newest first: the oldest two are on the last page.
    text_appears(&root, "Contract 12").await;
}

#[wasm_bindgen_test]
async fn a_freelancer_with_nothing_public_shows_the_empty_state() {
    let who = unique("Quiet Person");
    // Feedback only from the freelancer, no response: nothing of it is public.
    let f = contract(
        &who,
        2,
        serde_json::json!({"received_rating": 4.0, "received_comment": "Fine."}),
    )
    .await;
    let app = mount_app_with(&format!("/freelancers/{f}"), API, None);
    text_appears(app.root(), "No client feedback to show yet.").await;
    assert!(query(app.root(), ".fw-work-item").is_none());
}

#[wasm_bindgen_test]
async fn an_unknown_freelancer_and_a_failed_load_say_so() {
    let app = mount_app_with("/freelancers/987654321", API, None);
    text_appears(app.root(), "Freelancer not found").await;
    drop(app);
    // Nothing listens there: the load fails (after its retries) and offers to try again.
    let app = mount_app_with("/freelancers/1", "http://127.0.0.1:9", None);
    let root = app.root().clone();
    text_appears(&root, "We couldn't load this").await;
    button(&root, "Try again").await;
}
