//! Shared helpers for the browser tests: mount the real `App` against the real reference
//! server (started by `cargo xtask test`), wait for the DOM, and act like a person would.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use feedback_widget::{ApiClient, App, AppConfig};
use gloo_timers::future::TimeoutFuture;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The reference server's address, compiled in by `cargo xtask test`.
pub const API: &str = match option_env!("FEEDBACK_TEST_API") {
    Some(a) => a,
    None => "http://127.0.0.1:18787",
};
pub const ALICE: &str = "demo-alice";

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A mounted app; unmounted (and its container removed) on drop.
pub struct Mounted {
    container: HtmlElement,
    _handle: Option<leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self._handle.take();
        self.container.remove();
    }
}

impl Mounted {
    pub fn root(&self) -> &HtmlElement {
        &self.container
    }
}

/// Mounts the app at `path` (e.g. "/contracts?q=logo") with `token` against `base`.
pub fn mount_app_with(path: &str, base: &str, token: Option<&str>) -> Mounted {
    // Leptos also keeps drafts in localStorage: each test starts from a clean slate.
    let _ = web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let config = AppConfig {
        api: ApiClient::new(base, token.map(str::to_string)),
    };
    let handle = mount_to(container.clone(), move || {
        view! { <App config=config.clone()/> }.into_any()
    });
    Mounted {
        container,
        _handle: Some(handle),
    }
}

pub fn mount_app(path: &str) -> Mounted {
    mount_app_with(path, API, Some(ALICE))
}

pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Polls `f` until it returns `Some`, for at most `timeout`; panics with `what` otherwise.
pub async fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let started = js_sys::Date::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if js_sys::Date::now() - started > timeout.as_millis() as f64 {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        sleep(25).await;
    }
}

pub const WAIT: Duration = Duration::from_secs(10);

pub fn query(root: &Element, selector: &str) -> Option<HtmlElement> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .map(|e| e.unchecked_into())
}

pub fn query_all(root: &Element, selector: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

/// Waits for an element matching `selector` that is not inside a `hidden` ancestor.
pub async fn element(root: &Element, selector: &str) -> HtmlElement {
    let root = root.clone();
    wait_for(selector, WAIT, || {
        query_all(&root, selector)
            .into_iter()
            .find(|e| is_visible(e))
    })
    .await
}

pub fn is_visible(e: &Element) -> bool {
    e.closest("[hidden]").ok().flatten().is_none()
}

/// Waits until the text of `root` contains `text`; on timeout, says what was there instead.
pub async fn text_appears(root: &Element, text: &str) {
    let started = js_sys::Date::now();
    loop {
        let now = root.text_content().unwrap_or_default();
        if now.contains(text) {
            return;
        }
        if js_sys::Date::now() - started > WAIT.as_millis() as f64 {
            let shown: String = now.chars().take(400).collect();
            panic!(
                "timed out waiting for text {text:?} at {}; the page said: {shown}",
                location()
            );
        }
        sleep(25).await;
    }
}

/// Finds a visible button by its text.
pub async fn button(root: &Element, label: &str) -> HtmlElement {
    let root2 = root.clone();
    wait_for(&format!("button {label:?}"), WAIT, || {
        query_all(&root2, "button")
            .into_iter()
            .chain(query_all(
                &document().body().unwrap(),
                "dialog[open] button",
            ))
            .find(|b| b.text_content().unwrap_or_default().trim() == label && is_visible(b))
    })
    .await
}

/// Types into an input or textarea the way the browser reports typing (an `input` event).
pub fn type_into(el: &HtmlElement, text: &str) {
    if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(text);
    } else if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        i.set_value(text);
    }
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

pub fn key(el: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

pub fn active_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

pub fn location() -> String {
    let l = web_sys::window().unwrap().location();
    format!("{}{}", l.pathname().unwrap(), l.search().unwrap())
}

/// Creates a contract for Alice on the server (test fixture endpoint); returns its id.
pub async fn fixture(body: serde_json::Value) -> i64 {
    let resp = gloo_net::http::Request::post(&format!("{API}/api/test/contracts"))
        .header("Authorization", &format!("Bearer {ALICE}"))
        .json(&body)
        .unwrap()
        .send()
        .await
        .expect("fixture request");
    assert_eq!(resp.status(), 200, "fixture: {:?}", resp.text().await);
    resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A contract with written feedback that ended `ago` before the server's now (≈ browser now).
pub async fn written_feedback(ended_at: DateTime<Utc>) -> i64 {
    fixture(serde_json::json!({
        "title": "Browser test contract",
        "freelancer_name": "Test Freelancer",
        "ended_at": ended_at,
        "received_rating": 4.5,
        "received_comment": "Clear brief, slow payments.",
        "given_rating": 4.0,
        "given_comment": "Solid work."
    }))
    .await
}

pub async fn get_contract(id: i64) -> serde_json::Value {
    gloo_net::http::Request::get(&format!("{API}/api/v1/contracts/{id}"))
        .header("Authorization", &format!("Bearer {ALICE}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub fn clear_drafts() {
    let s = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    s.clear().unwrap();
}

/// Counts the requests the page sends with `method` to URLs containing `url_part`, by wrapping
/// `window.fetch` (which the app's client calls) until dropped.
pub struct FetchCounter {
    count: std::rc::Rc<std::cell::Cell<u32>>,
    original: js_sys::Function,
    _wrapper: wasm_bindgen::closure::Closure<
        dyn FnMut(wasm_bindgen::JsValue, wasm_bindgen::JsValue) -> wasm_bindgen::JsValue,
    >,
}

impl FetchCounter {
    pub fn install(method: &'static str, url_part: &'static str) -> Self {
        use wasm_bindgen::prelude::*;
        let window = web_sys::window().unwrap();
        let original: js_sys::Function = js_sys::Reflect::get(&window, &"fetch".into())
            .unwrap()
            .unchecked_into();
        let count = std::rc::Rc::new(std::cell::Cell::new(0));
        let (c, o, w) = (count.clone(), original.clone(), window.clone());
        let wrapper = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |input: JsValue, init: JsValue| {
                if let Some(req) = input.dyn_ref::<web_sys::Request>() {
                    if req.method() == method && req.url().contains(url_part) {
                        c.set(c.get() + 1);
                    }
                }
                o.call2(&w, &input, &init).unwrap()
            },
        );
        js_sys::Reflect::set(&window, &"fetch".into(), wrapper.as_ref()).unwrap();
        Self {
            count,
            original,
            _wrapper: wrapper,
        }
    }

    pub fn count(&self) -> u32 {
        self.count.get()
    }
}

impl Drop for FetchCounter {
    fn drop(&mut self) {
        let window = web_sys::window().unwrap();
        js_sys::Reflect::set(&window, &"fetch".into(), &self.original).unwrap();
    }
}

/// The stored draft whose key contains `part`, if any.
pub fn stored_draft(part: &str) -> Option<String> {
    let s = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .find(|k| k.starts_with("feedback-widget:draft") && k.contains(part))
        .and_then(|k| s.get_item(&k).unwrap())
}

/// What other tabs hear: every contract id announced on the app's BroadcastChannel while this
/// listener is open (it is another channel object, so it hears this tab's own announcements).
pub struct Broadcasts {
    heard: std::rc::Rc<std::cell::RefCell<Vec<f64>>>,
    channel: web_sys::BroadcastChannel,
    _handler: wasm_bindgen::closure::Closure<dyn Fn(web_sys::MessageEvent)>,
}

impl Broadcasts {
    pub fn listen() -> Self {
        let heard = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let channel = web_sys::BroadcastChannel::new("feedback-widget").unwrap();
        let h = heard.clone();
        let handler = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
            move |ev: web_sys::MessageEvent| {
                if let Some(id) = ev.data().as_f64() {
                    h.borrow_mut().push(id);
                }
            },
        );
        channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        Self {
            heard,
            channel,
            _handler: handler,
        }
    }

    /// Waits until contract `id` was announced.
    pub async fn heard(&self, id: i64) {
        wait_for(&format!("a broadcast of contract {id}"), WAIT, || {
            self.heard.borrow().contains(&(id as f64)).then_some(())
        })
        .await
    }
}

impl Drop for Broadcasts {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
