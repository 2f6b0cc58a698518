//! The embedded widget inside a host page: mount/unmount cycles leave nothing running, two
//! instances are independent, host links and URL are untouched, styles don't leak either way,
//! and the host hears the widget's events.
#![cfg(target_arch = "wasm32")]

mod common;

use chrono::{Duration as Span, Utc};
use common::*;
use feedback_widget::widget::{mount, WidgetHandle};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const CSS: &str = include_str!("../style/main.css");

/// The widget's stylesheet as a blob URL (the test runner doesn't serve `style/`).
fn style_url() -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(CSS));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/css");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

fn host(id: &str) -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    el.set_id(id);
    document().body().unwrap().append_child(&el).unwrap();
    el
}

fn options(contract: Option<i64>) -> JsValue {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &k.into(), &v).unwrap();
    set("apiBase", API.into());
    set("styleUrl", style_url().into());
    let get_token = js_sys::Function::new_no_args("return Promise.resolve('demo-alice');");
    set("getToken", get_token.into());
    if let Some(id) = contract {
        set("contractId", (id as f64).into());
    }
    o.into()
}

fn shadow(el: &HtmlElement) -> web_sys::Element {
    // Query through the shadow root's first element child wrapper: a ShadowRoot is a
    // DocumentFragment, so look elements up on its container div.
    let root = el.shadow_root().expect("a shadow root");
    root.query_selector("div[lang]")
        .unwrap()
        .expect("the widget container")
}

/// Counts what the page has running: intervals, pending timeouts, window listeners, open
/// BroadcastChannels. Installed once, before any widget is mounted.
fn install_probe() {
    js_sys::eval(
        r#"
        if (!window.__probe) {
          const p = window.__probe = { intervals: new Set(), timeouts: new Set(), listeners: 0, channels: 0 };
          const si = window.setInterval, ci = window.clearInterval, st = window.setTimeout, ct = window.clearTimeout;
          window.setInterval = function (...a) { const id = si.apply(window, a); p.intervals.add(id); return id; };
          window.clearInterval = function (id) { p.intervals.delete(id); return ci.call(window, id); };
          window.setTimeout = function (f, ms, ...rest) {
            const id = st.call(window, function () { p.timeouts.delete(id); return typeof f === 'function' ? f.apply(this, arguments) : undefined; }, ms, ...rest);
            p.timeouts.add(id); return id;
          };
          window.clearTimeout = function (id) { p.timeouts.delete(id); return ct.call(window, id); };
          // Listeners as (type, callback) pairs, so removing one added before the probe can't
          // make the count go negative.
          const ael = window.addEventListener, rel = window.removeEventListener, live = new Map();
          const key = (t) => { if (!live.has(t)) live.set(t, new Set()); return live.get(t); };
          const count = () => { let n = 0; for (const s of live.values()) n += s.size; p.listeners = n; };
          window.addEventListener = function (t, f, ...r) { key(t).add(f); count(); return ael.call(window, t, f, ...r); };
          window.removeEventListener = function (t, f, ...r) { key(t).delete(f); count(); return rel.call(window, t, f, ...r); };
          const BC = window.BroadcastChannel;
          window.BroadcastChannel = class extends BC {
            constructor(n) { super(n); p.channels++; this.__open = true; }
            close() { if (this.__open) { p.channels--; this.__open = false; } return super.close(); }
          };
        }
        "#,
    )
    .unwrap();
}

fn probe() -> (u32, u32, i32, i32) {
    let p = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__probe".into()).unwrap();
    let get = |k: &str| js_sys::Reflect::get(&p, &k.into()).unwrap();
    let size = |k: &str| {
        js_sys::Reflect::get(&get(k), &"size".into())
            .unwrap()
            .as_f64()
            .unwrap() as u32
    };
    (
        size("intervals"),
        size("timeouts"),
        get("listeners").as_f64().unwrap() as i32,
        get("channels").as_f64().unwrap() as i32,
    )
}

#[wasm_bindgen_test]
async fn mounting_and_unmounting_many_times_leaves_nothing_running() {
    install_probe();
    // Whatever earlier tests left running settles first: the counts hold still for a while.
    let before = {
        let mut last = probe();
        let mut still = 0;
        wait_for("a quiet page", WAIT, || {
            let now = probe();
            still = if now == last { still + 1 } else { 0 };
            last = now;
            (still >= 4).then_some(now)
        })
        .await
    };
    let id = written_feedback(Utc::now() - Span::days(2)).await;
    let el = host("cycle-host");
    for round in 0..30 {
        let mut handle: WidgetHandle = mount(
            el.clone(),
            options(if round % 2 == 0 { Some(id) } else { None }),
        )
        .unwrap();
        if round % 10 == 0 {
            // Let some rounds load fully (clock ticking, requests done) before unmounting.
            text_appears(&shadow(&el), "Write your public response").await;
            let live = probe();
            assert!(
                live.0 > before.0,
                "the probe sees the widget's clock: {live:?}"
            );
            assert!(
                live.2 > before.2,
                "the probe sees the widget's listeners: {live:?}"
            );
        }
        handle.unmount();
    }
    // Debounces and request timeouts of in-flight work must have been cleared, not left to
    // fire: wait until the counts are back (a leak never gets there, and the wait fails).
    let after = wait_for("everything the widgets started to stop", WAIT, || {
        let now = probe();
        (now.0 == before.0 && now.2 == before.2 && now.3 == before.3 && now.1 <= before.1 + 1)
            .then_some(now)
    })
    .await;
    assert_eq!(
        after.0, before.0,
        "intervals still running: {after:?} vs {before:?}"
    );
    assert_eq!(
        after.2, before.2,
        "window listeners left behind: {after:?} vs {before:?}"
    );
    assert_eq!(
        after.3, before.3,
        "BroadcastChannels left open: {after:?} vs {before:?}"
    );
    assert!(
        after.1 <= before.1 + 1,
        "timeouts still pending: {after:?} vs {before:?}"
    );
    assert_eq!(el.shadow_root().unwrap().child_element_count(), 0);
    el.remove();
}

#[wasm_bindgen_test]
async fn two_instances_work_independently_and_leave_the_host_url_alone() {
    let id = written_feedback(Utc::now() - Span::days(3)).await;
    let url_before = location();
    let a = host("host-a");
    let b = host("host-b");
    let mut ha = mount(a.clone(), options(None)).unwrap();
    let mut hb = mount(b.clone(), options(Some(id))).unwrap();
    text_appears(&shadow(&a), "Showing 1–20 of").await;
    text_appears(&shadow(&b), "Feedback from Test Freelancer").await;
    // Same ids in both, scoped to each shadow root.
    assert!(
        document().get_element_by_id("fw-q").is_none(),
        "ids stay inside the shadow roots"
    );

    // Navigating inside A changes A only, and not the host's URL.
    let link = query_all(&shadow(&a), ".fw-contract-title a").remove(0);
    assert!(link
        .get_attribute("href")
        .unwrap()
        .starts_with("#fw:/contracts/"));
    link.click();
    text_appears(&shadow(&a), "Your feedback to").await;
    assert_eq!(location(), url_before, "the host URL did not change");
    assert!(shadow(&b)
        .text_content()
        .unwrap()
        .contains("Feedback from Test Freelancer"));

    // A third instance on the same contract as B: typing in B's editor doesn't reach it.
    let c = host("host-c");
    let mut hc = mount(c.clone(), options(Some(id))).unwrap();
    let c_text = element(&shadow(&c), "#fw-response-text").await;
    let b_text = element(&shadow(&b), "#fw-response-text").await;
    type_into(&b_text, "Only in B");
    // B's own effects have run (its count and its draft follow the text) before C is checked.
    text_appears(&shadow(&b), "You have 1,491 characters remaining").await;
    wait_for("B's draft", WAIT, || {
        stored_draft(&format!(":{id}:"))
            .filter(|d| d.contains("Only in B"))
            .map(drop)
    })
    .await;
    assert_eq!(
        c_text
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .value(),
        ""
    );
    assert!(!shadow(&c).text_content().unwrap().contains("Only in B"));
    assert!(!shadow(&a).text_content().unwrap().contains("Only in B"));

    ha.unmount();
    hb.unmount();
    hc.unmount();
    a.remove();
    b.remove();
    c.remove();
}

#[wasm_bindgen_test]
async fn host_links_are_not_intercepted() {
    let el = host("link-host");
    let mut h = mount(el.clone(), options(None)).unwrap();
    text_appears(&shadow(&el), "Showing").await;
    let a: HtmlElement = document().create_element("a").unwrap().unchecked_into();
    a.set_attribute("href", "#host-anchor").unwrap();
    a.set_text_content(Some("host link"));
    document().body().unwrap().append_child(&a).unwrap();
    a.click();
    // (Firefox applies a fragment navigation a moment after the click.)
    wait_for("the browser to follow the host's link", WAIT, || {
        (web_sys::window().unwrap().location().hash().unwrap() == "#host-anchor").then_some(())
    })
    .await;
    // The widget's location did not follow the host's.
    assert!(shadow(&el)
        .text_content()
        .unwrap()
        .contains("Contract history"));
    h.unmount();
    el.remove();
    a.remove();
    let _ = web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some("/"));
}

#[wasm_bindgen_test]
async fn host_css_does_not_reach_the_widget_and_the_widget_css_does_not_reach_the_host() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        "* { color: rgb(255, 0, 0) !important; font-family: serif !important; } \
         button { background: rgb(255, 105, 180) !important; } html { font-size: 10px; } \
         .fw-button, .fw-app { display: none !important; }",
    ));
    document().head().unwrap().append_child(&style).unwrap();
    let el = host("css-host");
    let host_button: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .unchecked_into();
    host_button.set_class_name("fw-button fw-primary");
    host_button.set_text_content(Some("host button"));
    document()
        .body()
        .unwrap()
        .append_child(&host_button)
        .unwrap();
    let host_bg_before = computed(&host_button, "background-color");

    let mut h = mount(el.clone(), options(None)).unwrap();
    let title = element(&shadow(&el), "#fw-history-title").await;
    let app = element(&shadow(&el), ".fw-app").await;
    // 52em of 16px: the widget's own stylesheet has applied.
    wait_for("the widget stylesheet", WAIT, || {
        (computed(&app, "max-width") == "832px").then_some(())
    })
    .await;
    assert_ne!(
        computed(&title, "color"),
        "rgb(255, 0, 0)",
        "host colour leaked in"
    );
    assert!(
        !computed(&title, "font-family").starts_with("serif"),
        "host font leaked in"
    );
    assert_eq!(
        computed(&title, "font-size"),
        "28px",
        "1.75em of the widget's 16px, not the host's 10px root"
    );
    assert_ne!(computed(&app, "display"), "none");

    // The widget's .fw-button rules don't style the host's element of the same class.
    assert_eq!(computed(&host_button, "background-color"), host_bg_before);
    assert_eq!(host_bg_before, "rgb(255, 105, 180)");

    h.unmount();
    el.remove();
    host_button.remove();
    style.remove();
}

fn computed(el: &web_sys::Element, prop: &str) -> String {
    web_sys::window()
        .unwrap()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value(prop)
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_host_hears_response_posted() {
    let id = written_feedback(Utc::now() - Span::days(1)).await;
    let el = host("events-host");
    let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = heard.clone();
    let listener = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        let detail = js_sys::JSON::stringify(&e.detail())
            .unwrap()
            .as_string()
            .unwrap();
        sink.borrow_mut().push(format!("{}:{detail}", e.type_()));
    });
    // Listen on the document: the events bubble out of the shadow root.
    document()
        .add_event_listener_with_callback("response-posted", listener.as_ref().unchecked_ref())
        .unwrap();
    clear_drafts();
    let mut h = mount(el.clone(), options(Some(id))).unwrap();
    let root = shadow(&el);
    type_into(
        &element(&root, "#fw-response-text").await,
        "Posted from the widget.",
    );
    button(&root, "Continue").await.click();
    let post = wait_for("post button in the widget's dialog", WAIT, || {
        query_all(&root, "dialog[open] button")
            .into_iter()
            .find(|b| b.text_content().unwrap() == "Post response")
    })
    .await;
    post.click();
    text_appears(&root, "Your response has been posted.").await;
    wait_for("the event", WAIT, || {
        (!heard.borrow().is_empty()).then_some(())
    })
    .await;
    assert_eq!(
        heard.borrow()[0],
        format!("response-posted:{{\"contractId\":{id}}}")
    );
    document()
        .remove_event_listener_with_callback("response-posted", listener.as_ref().unchecked_ref())
        .unwrap();
    h.unmount();
    el.remove();
}
