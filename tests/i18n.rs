//! The widget in German and in Arabic (right to left): the history and a contract's details
//! render from the catalog, with `lang` and `dir` on the root and the browser's `Intl` for
//! numbers, dates and plurals. The catalogs are passed as the host's `messages`, as the widget's
//! own files are served: texts in the order of English's keys sorted (the runner doesn't serve
//! `dist/locales/`, nor the list of keys a host's messages by key are read with; the e2e suite
//! covers both).
#![cfg(target_arch = "wasm32")]

mod common;

use chrono::{Duration as Span, Utc};
use common::*;
use feedback_widget::widget::mount;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const EN: &str = include_str!("../locales/en.json");
const DE: &str = include_str!("../locales/de.json");
const AR: &str = include_str!("../locales/ar.json");

/// A catalog as build/post_build.mjs serves it: its texts in the order of English's keys sorted.
fn served(catalog: &str) -> JsValue {
    let en: js_sys::Object = js_sys::JSON::parse(EN).unwrap().unchecked_into();
    let keys = js_sys::Object::keys(&en);
    keys.sort();
    let by_key = js_sys::JSON::parse(catalog).unwrap();
    keys.iter()
        .map(|k| js_sys::Reflect::get(&by_key, &k).unwrap())
        .collect::<js_sys::Array>()
        .into()
}

fn host(id: &str) -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    el.set_id(id);
    document().body().unwrap().append_child(&el).unwrap();
    el
}

fn options(locale: &str, messages: &str, contract: Option<i64>) -> JsValue {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v).unwrap();
    set("apiBase", API.into());
    set("token", "demo-alice".into());
    set("locale", locale.into());
    set("messages", served(messages));
    if let Some(id) = contract {
        set("contractId", (id as f64).into());
    }
    o.into()
}

fn root(el: &HtmlElement) -> web_sys::Element {
    el.shadow_root()
        .unwrap()
        .query_selector("div[lang]")
        .unwrap()
        .expect("the widget container")
}

#[wasm_bindgen_test]
async fn the_history_and_a_contract_render_in_german() {
    let el = host("de-history");
    let mut h = mount(el.clone(), options("de-AT", DE, None)).unwrap();
    let r = root(&el);
    text_appears(&r, "Auftragsverlauf").await;
    // `de-AT` is matched to German; the count reads "1–20 von N Aufträgen".
    assert_eq!(r.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(r.get_attribute("dir").as_deref(), Some("ltr"));
    text_appears(&r, "Aufträgen").await;
    assert!(r
        .text_content()
        .unwrap()
        .contains("Nach Titel oder Freelancer suchen"));
    assert!(!r.text_content().unwrap().contains("Contract history"));
    h.unmount();
    el.remove();

    let id = written_feedback(Utc::now() - Span::days(3)).await;
    let el = host("de-details");
    let mut h = mount(el.clone(), options("de", DE, Some(id))).unwrap();
    let r = root(&el);
    text_appears(&r, "Bewertung von").await;
    // 28 days after the end, 3 days ago: "noch 24 Tage" (plural by Intl.PluralRules).
    text_appears(&r, "noch 24 Tage").await;
    let text = r.text_content().unwrap();
    assert!(text.contains("Ihre Antwort"), "{text}");
    assert!(text.contains("von 5"), "the rating reads in German: {text}");
    assert!(!text.contains("days left"), "{text}");
    h.unmount();
    el.remove();
}

#[wasm_bindgen_test]
async fn the_history_and_a_contract_render_right_to_left_in_arabic() {
    let el = host("ar-history");
    let mut h = mount(el.clone(), options("ar", AR, None)).unwrap();
    let r = root(&el);
    text_appears(&r, "سجل العقود").await;
    assert_eq!(r.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(r.get_attribute("dir").as_deref(), Some("rtl"));
    // Arabic's plural for 11–99 ("many": عقدًا) or for 100 and more ("other": عقد), chosen by
    // Intl.PluralRules("ar") for the total the server reports.
    let status = element(&r, ".fw-result-count").await;
    let text = status.text_content().unwrap();
    assert!(text.contains("من أصل"), "{text}");
    assert!(text.ends_with("عقدًا") || text.ends_with("عقد"), "{text}");
    h.unmount();
    el.remove();

    let id = written_feedback(Utc::now() - Span::days(3)).await;
    let el = host("ar-details");
    let mut h = mount(el.clone(), options("ar", AR, Some(id))).unwrap();
    let r = root(&el);
    text_appears(&r, "تقييم من").await;
    let text = r.text_content().unwrap();
    assert!(text.contains("ردك"), "{text}");
    assert!(text.contains("يتبقى"), "the countdown in Arabic: {text}");
    assert!(!text.contains("Your response"), "{text}");
    // In a right-to-left layout the next tab is to the left.
    let details = element(&r, "#fw-tab-details").await;
    let overview = element(&r, "#fw-tab-overview").await;
    overview.focus().unwrap();
    key(&overview, "ArrowLeft");
    let focused = el.shadow_root().unwrap().active_element().map(|e| e.id());
    assert_eq!(focused, Some(details.id()));
    h.unmount();
    el.remove();
}

/// A host's own texts for one message (in the messages' order; nothing for the others).
async fn own_title(title: &str) -> feedback_widget::i18n::I18n {
    use feedback_widget::i18n::{Catalog, I18n, Locale};
    let at = feedback_widget::k!("history.title").index();
    let texts: js_sys::Array = (0..=at)
        .map(|i| if i == at { title.into() } else { JsValue::NULL })
        .collect();
    I18n::new(Locale::De, Catalog::host(texts.into(), "").await.unwrap())
}

/// Instances in one language share their catalog and formatters only when the catalogs are the
/// same: a German page whose catalog failed to load (English) must not lend its English to the
/// next German instance, nor a host's wording to one with another.
#[wasm_bindgen_test]
async fn instances_share_a_language_only_with_the_same_catalog() {
    use feedback_widget::i18n::{Catalog, I18n, Locale};
    let title = feedback_widget::k!("history.title");
    let failed_load = I18n::new(Locale::De, Catalog::english());
    let first = own_title("Unsere Aufträge").await;
    let second = own_title("Ihre Aufträge").await;
    assert_eq!(failed_load.t(title), "Contract history");
    assert_eq!(first.t(title), "Unsere Aufträge");
    assert_eq!(second.t(title), "Ihre Aufträge");
    assert_eq!(
        own_title("Unsere Aufträge").await.t(title),
        "Unsere Aufträge"
    );
    assert_eq!(I18n::english().t(title), "Contract history");
}

/// Every problem a client can meet has its own words; the rest share one sentence.
#[wasm_bindgen_test]
fn every_client_facing_problem_has_its_own_message() {
    use feedback_domain::ProblemKind;
    let i18n = feedback_widget::i18n::I18n::english();
    let not_accepted = i18n.t(feedback_widget::k!("problem.not_accepted"));
    for kind in ProblemKind::ALL {
        let text = i18n.problem(Some(kind));
        assert!(!text.is_empty(), "{kind:?}");
        assert_eq!(
            text == not_accepted,
            !kind.is_client_facing(),
            "{kind:?}: {text}"
        );
    }
}
