//! Contract history against the real server: search, filter, sort, pages, URL state, and the
//! loading, empty and error states.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn row_titles(root: &web_sys::Element) -> Vec<String> {
    query_all(root, ".fw-contract-title")
        .into_iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn history_shows_the_first_page_with_badges() {
    let app = mount_app("/contracts");
    text_appears(app.root(), "Showing 1–20 of").await;
    assert_eq!(row_titles(app.root()).len(), 20);
    text_appears(app.root(), "Page 1 of").await;
    // A contract with feedback to answer says how long is left.
    assert!(query_all(app.root(), ".fw-badge-action").iter().any(|b| b
        .text_content()
        .unwrap()
        .starts_with("Feedback to answer — ")));
}

#[wasm_bindgen_test]
async fn search_is_debounced_into_the_url_and_filters_the_list() {
    let app = mount_app("/contracts");
    let input = element(app.root(), "#fw-q").await;
    type_into(&input, "logo");
    text_appears(app.root(), "Showing 1–1 of 1 contract").await;
    assert_eq!(row_titles(app.root()), ["Logo and brand guidelines"]);
    assert_eq!(location(), "/contracts?q=logo");
    type_into(&input, "no such contract at all");
    text_appears(
        app.root(),
        "No contracts match “\u{2068}no such contract at all\u{2069}”.",
    )
    .await;
    text_appears(app.root(), "Clear the search").await;
}

#[wasm_bindgen_test]
async fn url_state_restores_filter_sort_and_page() {
    let app = mount_app("/contracts?status=ended&sort=title_asc&page=2&per_page=5");
    text_appears(app.root(), "Showing 6–10 of").await;
    text_appears(app.root(), "Page 2 of").await;
    let titles = row_titles(app.root());
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, sorted);
    let status: web_sys::HtmlSelectElement =
        wasm_bindgen::JsCast::unchecked_into(element(app.root(), "#fw-status").await);
    assert_eq!(status.value(), "ended");
    // Pages are links that keep the rest of the query.
    let next = element(app.root(), "a[rel=next]").await;
    assert_eq!(
        next.get_attribute("href").unwrap(),
        "/contracts?status=ended&sort=title_asc&page=3&per_page=5"
    );
    next.click();
    text_appears(app.root(), "Showing 11–15 of").await;
    assert_eq!(
        location(),
        "/contracts?status=ended&sort=title_asc&page=3&per_page=5"
    );
}

#[wasm_bindgen_test]
async fn changing_the_status_filter_goes_back_to_page_one() {
    let app = mount_app("/contracts?page=2");
    text_appears(app.root(), "Page 2 of").await;
    let select: web_sys::HtmlSelectElement =
        wasm_bindgen::JsCast::unchecked_into(element(app.root(), "#fw-status").await);
    select.set_value("active");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    wait_for("active filter in URL", WAIT, || {
        (location() == "/contracts?status=active").then_some(())
    })
    .await;
    wait_for("only active rows", WAIT, || {
        let metas = query_all(app.root(), ".fw-contract-meta");
        (!metas.is_empty()
            && metas
                .iter()
                .all(|m| m.text_content().unwrap().contains("Active")))
        .then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn untrusted_text_renders_as_text() {
    let app = mount_app("/contracts?q=bold");
    text_appears(app.root(), "<b>Bold</b> title").await;
    assert!(
        query(app.root(), "b").is_none(),
        "no element was made from the title"
    );
    assert!(
        query(app.root(), "img").is_none(),
        "no element was made from the name"
    );
    text_appears(app.root(), "<img src=x onerror=alert(1)>").await;
}

#[wasm_bindgen_test]
async fn an_unreachable_server_shows_an_error_with_retry() {
    // Port 9 (discard) on loopback: nothing listens, the request fails at once.
    let app = mount_app_with("/contracts", "http://127.0.0.1:9", Some(ALICE));
    text_appears(app.root(), "We couldn't reach the server").await;
    button(app.root(), "Try again").await;
}

#[wasm_bindgen_test]
async fn a_bad_token_asks_to_sign_in() {
    let app = mount_app_with("/contracts", API, Some("not-a-token"));
    text_appears(app.root(), "Sign-in needed").await;
}

#[wasm_bindgen_test]
async fn unknown_pages_and_contracts_say_not_found() {
    let app = mount_app("/nowhere");
    text_appears(app.root(), "Page not found").await;
    drop(app);
    let app = mount_app("/contracts/987654321");
    text_appears(app.root(), "Contract not found").await;
    drop(app);
    let app = mount_app("/contracts/abc");
    text_appears(app.root(), "Contract not found").await;
}

#[wasm_bindgen_test]
async fn opening_a_contract_pushes_the_url_and_back_returns_to_the_same_list() {
    let app = mount_app("/contracts?q=logo");
    text_appears(app.root(), "Showing 1–1 of 1 contract").await;
    query_all(app.root(), ".fw-contract-title a")[0].click();
    text_appears(app.root(), "Feedback from Jonas Weber").await;
    assert!(
        location().starts_with("/contracts/") && location().ends_with("?tab=details"),
        "{}",
        location()
    );
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .back()
        .unwrap();
    text_appears(app.root(), "Showing 1–1 of 1 contract").await;
    wait_for("the list URL", WAIT, || {
        (location() == "/contracts?q=logo").then_some(())
    })
    .await;
    let input: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::unchecked_into(element(app.root(), "#fw-q").await);
    assert_eq!(input.value(), "logo", "the search box follows the URL");
}

#[wasm_bindgen_test]
async fn a_failing_load_is_retried_with_backoff_then_reported() {
    // An unreachable server is asked 3 times, 0.3 s then 0.9 s apart, then the page says so
    // (the e2e suite checks the other half: a 503 followed by success loads the list). The
    // lower bound proves the backoff happened; it is not a speed assertion.
    let started = js_sys::Date::now();
    let app = mount_app_with("/contracts", "http://127.0.0.1:9", Some(ALICE));
    text_appears(app.root(), "We couldn't reach the server").await;
    let waited = js_sys::Date::now() - started;
    assert!(
        waited >= 1_100.0,
        "retried with backoff before giving up ({waited} ms)"
    );
}

#[wasm_bindgen_test]
async fn the_crash_screen_replaces_the_app_with_a_reload_button() {
    let app = mount_app("/contracts");
    text_appears(app.root(), "Showing").await;
    feedback_widget::show_crash_screen();
    let section = document()
        .query_selector("section.fw-crashed[role=alert]")
        .unwrap()
        .expect("crash screen");
    assert!(section
        .text_content()
        .unwrap()
        .contains("Something went wrong"));
    // A button, not a link: the router's click handler (in the broken wasm) can't swallow it.
    let reload = section.query_selector("button").unwrap().unwrap();
    assert_eq!(reload.text_content().unwrap(), "Reload");
    assert_eq!(reload.get_attribute("type").as_deref(), Some("button"));
    assert!(
        query(app.root(), ".fw-app").is_none(),
        "the broken app is gone"
    );
    section.remove();
}
