//! A contract's tabs and the feedback flows, against the real server: respond (validate →
//! error summary → confirm → posted → read-only), the window closing live, reporting,
//! removal, drafts that survive a remount, and another tab answering first.
#![cfg(target_arch = "wasm32")]

mod common;

use std::time::Duration;

use chrono::{Duration as Span, Utc};
use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn open_details(id: i64) -> Mounted {
    clear_drafts();
    let app = mount_app(&format!("/contracts/{id}?tab=details"));
    text_appears(app.root(), "Feedback from Test Freelancer").await;
    app
}

fn dialog_open(id: &str) -> bool {
    document()
        .get_element_by_id(id)
        .and_then(|h| h.closest("dialog").ok().flatten())
        .map(|d| d.unchecked_into::<web_sys::HtmlDialogElement>().open())
        .unwrap_or(false)
}

#[wasm_bindgen_test]
async fn tabs_follow_the_aria_pattern_with_manual_activation() {
    let id = written_feedback(Utc::now() - Span::days(2)).await;
    clear_drafts();
    let app = mount_app(&format!("/contracts/{id}"));
    let overview = element(app.root(), "#fw-tab-overview").await;
    let details = element(app.root(), "#fw-tab-details").await;
    assert_eq!(overview.get_attribute("aria-selected").unwrap(), "true");
    assert_eq!(overview.get_attribute("tabindex").unwrap(), "0");
    assert_eq!(details.get_attribute("tabindex").unwrap(), "-1");
    assert_eq!(
        element(app.root(), "[role=tablist]")
            .await
            .get_attribute("aria-label")
            .unwrap(),
        "Contract"
    );

    overview.focus().unwrap();
    key(&overview, "ArrowRight");
    assert_eq!(active_id(), "fw-tab-details");
    // Manual activation: focus moved, selection did not.
    assert_eq!(details.get_attribute("aria-selected").unwrap(), "false");
    key(&details, "ArrowRight"); // wraps around
    assert_eq!(active_id(), "fw-tab-overview");
    key(&overview, "End");
    assert_eq!(active_id(), "fw-tab-details");
    key(&details, "Home");
    assert_eq!(active_id(), "fw-tab-overview");

    details.click(); // Enter/Space on a button is a click
    wait_for("details selected", WAIT, || {
        (details.get_attribute("aria-selected").as_deref() == Some("true")).then_some(())
    })
    .await;
    assert_eq!(location(), format!("/contracts/{id}?tab=details"));
    let panel = element(app.root(), "#fw-panel-details").await;
    assert_eq!(panel.get_attribute("role").unwrap(), "tabpanel");
    assert_eq!(
        panel.get_attribute("aria-labelledby").unwrap(),
        "fw-tab-details"
    );
    assert!(query(app.root(), "#fw-panel-overview")
        .unwrap()
        .has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn responding_validates_confirms_posts_once_and_becomes_read_only() {
    let id = written_feedback(Utc::now() - Span::days(3)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    // The rules are shown before writing.
    text_appears(
        &root,
        "You can post one response. Once it's posted you can't edit or delete it.",
    )
    .await;
    text_appears(&root, "It does not appear on your own profile.").await;
    text_appears(&root, "You can respond until").await;
    text_appears(&root, "24 days left").await;

    // Empty: the error summary takes focus and links to the field.
    button(&root, "Continue").await.click();
    wait_for("focus on the error summary", WAIT, || {
        (active_id() == "fw-respond-error-summary").then_some(())
    })
    .await;
    let link = element(&root, "#fw-respond-error-summary a").await;
    assert_eq!(link.get_attribute("href").unwrap(), "#fw-response-text");
    assert_eq!(link.text_content().unwrap(), "Enter some text.");
    link.click();
    assert_eq!(active_id(), "fw-response-text");
    let textarea = element(&root, "#fw-response-text").await;
    assert_eq!(textarea.get_attribute("aria-invalid").unwrap(), "true");

    // Too long: the count says so.
    type_into(&textarea, &"x".repeat(1502));
    text_appears(&root, "You have 2 characters too many").await;

    type_into(
        &textarea,
        "  Thank you. For the record, the brief was agreed in writing.  ",
    );
    text_appears(&root, "characters remaining").await;
    button(&root, "Continue").await.click();
    wait_for("confirm dialog", WAIT, || {
        dialog_open("fw-confirm-response-title").then_some(())
    })
    .await;
    // The least destructive action has focus; the exact (trimmed) text is shown.
    assert_eq!(
        document().active_element().unwrap().text_content().unwrap(),
        "Go back and edit"
    );
    text_appears(
        &document().body().unwrap(),
        "Thank you. For the record, the brief was agreed in writing.",
    )
    .await;

    let posts = FetchCounter::install("POST", "/feedback/response");
    let others = Broadcasts::listen();
    let post = button(&root, "Post response").await;
    post.click();
    post.click(); // a double click must not send twice
    text_appears(
        &document().body().unwrap(),
        "Your response has been posted.",
    )
    .await;
    assert_eq!(posts.count(), 1, "one request for a double click");
    drop(posts);
    wait_for("focus on the notice", WAIT, || {
        (active_id() == "fw-notice").then_some(())
    })
    .await;
    text_appears(&root, "Responses can't be edited.").await;
    wait_for("editor gone", WAIT, || {
        query(&root, "#fw-response-text").is_none().then_some(())
    })
    .await;
    assert!(query_all(&root, "button")
        .iter()
        .all(|b| !b.text_content().unwrap().contains("Edit")));

    let stored = get_contract(id).await;
    assert_eq!(
        stored["received"]["response"]["text"],
        "Thank you. For the record, the brief was agreed in writing."
    );
    others.heard(id).await;
}

#[wasm_bindgen_test]
async fn escape_closes_the_confirm_dialog_and_focus_returns() {
    let id = written_feedback(Utc::now() - Span::days(1)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    type_into(&element(&root, "#fw-response-text").await, "A fair reply.");
    let cont = button(&root, "Continue").await;
    cont.focus().unwrap();
    cont.click();
    wait_for("dialog open", WAIT, || {
        dialog_open("fw-confirm-response-title").then_some(())
    })
    .await;
    let dialog = document().query_selector("dialog[open]").unwrap().unwrap();
    assert_eq!(
        dialog.get_attribute("aria-labelledby").unwrap(),
        "fw-confirm-response-title"
    );
    // Escape fires `cancel` on a modal dialog.
    dialog
        .dispatch_event(&web_sys::Event::new("cancel").unwrap())
        .unwrap();
    wait_for("dialog closed", WAIT, || {
        (!dialog_open("fw-confirm-response-title")).then_some(())
    })
    .await;
    assert_eq!(
        document().active_element().unwrap().text_content().unwrap(),
        "Continue"
    );
    assert!(
        get_contract(id).await["received"]["response"].is_null(),
        "nothing was sent"
    );
}

#[wasm_bindgen_test]
async fn the_editor_closes_live_at_the_deadline_and_keeps_the_draft_readable() {
    // The window closes 6 seconds from now (server time).
    let id = written_feedback(Utc::now() - Span::days(28) + Span::seconds(6)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    text_appears(&root, "less than a minute left").await;
    type_into(
        &element(&root, "#fw-response-text").await,
        "I was still typing this.",
    );
    wait_for("the editor to close", Duration::from_secs(15), || {
        (!is_visible(&query(&root, "#fw-response-text").unwrap())).then_some(())
    })
    .await;
    text_appears(&root, "The response period ended on").await;
    let unsent = element(&root, "#fw-response-unsent").await;
    assert!(unsent.has_attribute("readonly"));
    assert_eq!(
        unsent
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .value(),
        "I was still typing this."
    );
}

#[wasm_bindgen_test]
async fn after_the_window_there_is_no_editor() {
    let id = written_feedback(Utc::now() - Span::days(29)).await;
    let app = open_details(id).await;
    text_appears(app.root(), "The response period ended on").await;
    assert!(!is_visible(
        &query(app.root(), "#fw-response-text").unwrap()
    ));
}

#[wasm_bindgen_test]
async fn rating_only_feedback_cannot_be_answered() {
    let id = fixture(
        serde_json::json!({"title": "Rating only", "freelancer_name": "Test Freelancer",
        "ended_at": Utc::now() - Span::days(1), "received_rating": 5.0}),
    )
    .await;
    let app = open_details(id).await;
    text_appears(app.root(), "without a written comment").await;
    text_appears(app.root(), "5 out of 5").await;
    assert!(query(app.root(), "#fw-response-text").is_none());
}

#[wasm_bindgen_test]
async fn a_draft_survives_unmounting_and_is_cleared_only_after_posting() {
    let id = written_feedback(Utc::now() - Span::days(5)).await;
    let app = open_details(id).await;
    type_into(
        &element(app.root(), "#fw-response-text").await,
        "Draft that must survive.",
    );
    wait_for("the autosave after a pause in typing", WAIT, || {
        stored_draft(&format!(":{id}:"))
            .filter(|d| d.contains("Draft that must survive."))
            .map(drop)
    })
    .await;
    drop(app);
    let app = mount_app(&format!("/contracts/{id}?tab=details"));
    let textarea = element(app.root(), "#fw-response-text").await;
    assert_eq!(
        textarea
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .value(),
        "Draft that must survive."
    );
    text_appears(app.root(), "We kept the draft you started earlier.").await;
    let stored = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert!(
        (0..stored.length().unwrap())
            .filter_map(|i| stored.key(i).unwrap())
            .all(|k| !stored.get_item(&k).unwrap().unwrap().contains("demo-alice")),
        "no token in storage"
    );
    // Posted: the draft is deleted, and stays deleted once the editor is gone.
    let root = app.root().clone();
    button(&root, "Continue").await.click();
    wait_for("confirm dialog", WAIT, || {
        dialog_open("fw-confirm-response-title").then_some(())
    })
    .await;
    assert!(
        stored_draft(&format!(":{id}:")).is_some(),
        "kept until sent"
    );
    button(&root, "Post response").await.click();
    text_appears(&root, "Responses can't be edited.").await;
    assert_eq!(stored_draft(&format!(":{id}:")), None);
    drop(app);
    assert_eq!(stored_draft(&format!(":{id}:")), None, "no late autosave");
}

#[wasm_bindgen_test]
async fn text_typed_just_before_unmounting_is_saved_by_the_final_flush() {
    let id = written_feedback(Utc::now() - Span::days(5)).await;
    let app = open_details(id).await;
    type_into(
        &element(app.root(), "#fw-response-text").await,
        "Typed a moment before the tab closed.",
    );
    // The page has reacted (the count follows the text), but the autosave pause hasn't
    // passed: the view goes away before the draft is written.
    text_appears(app.root(), "You have 1,463 characters remaining").await;
    assert_eq!(stored_draft(&format!(":{id}:")), None, "not saved yet");
    drop(app);
    let saved = stored_draft(&format!(":{id}:")).expect("flushed on unmount");
    assert!(
        saved.contains("Typed a moment before the tab closed."),
        "{saved}"
    );
}

#[wasm_bindgen_test]
async fn another_tab_answering_first_shows_the_stored_response() {
    let id = written_feedback(Utc::now() - Span::days(2)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    type_into(
        &element(&root, "#fw-response-text").await,
        "My answer from this tab.",
    );
    button(&root, "Continue").await.click();
    wait_for("dialog", WAIT, || {
        dialog_open("fw-confirm-response-title").then_some(())
    })
    .await;
    // Meanwhile, another tab posts.
    let other =
        gloo_net::http::Request::post(&format!("{API}/api/v1/contracts/{id}/feedback/response"))
            .header("Authorization", "Bearer demo-alice")
            .header("Idempotency-Key", &format!("other-tab-{id}"))
            .json(&serde_json::json!({"text": "Answer from the other tab."}))
            .unwrap()
            .send()
            .await
            .unwrap();
    assert_eq!(other.status(), 201);
    button(&root, "Post response").await.click();
    text_appears(&document().body().unwrap(), "already posted").await;
    text_appears(&root, "Answer from the other tab.").await;
    assert_eq!(
        get_contract(id).await["received"]["response"]["text"],
        "Answer from the other tab."
    );
}

#[wasm_bindgen_test]
async fn reporting_validates_confirms_and_shows_the_status() {
    let id = written_feedback(Utc::now() - Span::days(60)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    let toggle = button(&root, "Report this feedback").await;
    assert_eq!(toggle.get_attribute("aria-expanded").unwrap(), "false");
    toggle.click();
    text_appears(&root, "removal is rare").await;
    // Every category, each with its explanation.
    assert_eq!(query_all(&root, "input[name=fw-report-category]").len(), 5);
    text_appears(&root, "Insider feedback or conflict of interest").await;

    let form_continue = query_all(&root, "#fw-report-form button[type=submit]")
        .pop()
        .unwrap();
    form_continue.click();
    wait_for("report error summary focused", WAIT, || {
        (active_id() == "fw-report-error-summary").then_some(())
    })
    .await;
    assert_eq!(query_all(&root, "#fw-report-error-summary li").len(), 2);

    query(&root, "#fw-report-category-manipulation")
        .unwrap()
        .click();
    type_into(
        &element(&root, "#fw-report-description").await,
        "The freelancer asked for a bonus in exchange for a five-star review (message of 3 May).",
    );
    type_into(&element(&root, "#fw-report-link-0").await, "not a link");
    form_continue.click();
    text_appears(&root, "Link 1 must start with https://").await;
    type_into(
        &element(&root, "#fw-report-link-0").await,
        "https://example.com/screenshot.png",
    );
    form_continue.click();
    wait_for("report dialog", WAIT, || {
        dialog_open("fw-confirm-report-title").then_some(())
    })
    .await;
    let others = Broadcasts::listen();
    button(&root, "Send report").await.click();
    text_appears(&document().body().unwrap(), "Your report has been sent.").await;
    others.heard(id).await;
    text_appears(
        &root,
        "(Manipulation of the feedback system). Status: waiting for review.",
    )
    .await;
    assert!(
        query(&root, "#fw-report-form").is_none(),
        "the report control is gone"
    );
    assert_eq!(
        get_contract(id).await["received"]["report"]["evidence"][0],
        "https://example.com/screenshot.png"
    );
}

#[wasm_bindgen_test]
async fn removal_of_given_feedback_is_requested_once() {
    let id = written_feedback(Utc::now() - Span::days(4)).await;
    let app = open_details(id).await;
    let root = app.root().clone();
    let others = Broadcasts::listen();
    text_appears(&root, "Feedback can't be edited").await;
    button(&root, "Request removal").await.click();
    wait_for("removal dialog", WAIT, || {
        dialog_open("fw-confirm-removal-title").then_some(())
    })
    .await;
    let confirm = query_all(&document().body().unwrap(), "dialog[open] button")
        .into_iter()
        .find(|b| b.text_content().unwrap() == "Request removal")
        .unwrap();
    confirm.click();
    text_appears(&root, "You asked for this feedback to be removed on").await;
    assert_eq!(
        get_contract(id).await["given"]["removal_request"]["status"],
        "requested"
    );
    // Other open tabs are told, as after a response or a report.
    others.heard(id).await;
}

#[wasm_bindgen_test]
async fn html_in_feedback_is_shown_as_text() {
    let list = gloo_net::http::Request::get(&format!("{API}/api/v1/contracts?q=bold"))
        .header("Authorization", "Bearer demo-alice")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().unwrap();
    clear_drafts();
    let app = mount_app(&format!("/contracts/{id}?tab=details"));
    text_appears(app.root(), "<script>alert('xss')</script>").await;
    assert!(query(app.root(), "script").is_none());
    assert!(query(app.root(), "img").is_none());
    assert!(query(app.root(), "a[href^=javascript]").is_none());
}
