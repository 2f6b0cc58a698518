//! Embedding: `mount(element, options)` puts the UI into a shadow root on any host element, and
//! the `<contract-feedback>` custom element (defined by `embed.js`) calls it. Each instance has
//! its own state, location, clock and requests; `unmount()` tears all of it down.

use feedback_domain::ContractId;
use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::api::{ApiClient, TokenSource};
use crate::dom::DomRoot;
use crate::i18n::{Catalog, I18n};
use crate::nav::Nav;
use crate::{AppConfig, Shell};

/// The DOM events the widget sends its host element (the README's table lists their details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostEvent {
    /// The first content is on screen (a page of contracts, a contract, or why it failed).
    Ready,
    ContractOpened,
    ResponsePosted,
    ReportSubmitted,
    RemovalRequested,
    /// A report's status differs from the one this browser last showed for it.
    ReportStatusChanged,
    /// Something failed; `detail.code` is the problem's machine code.
    Error,
}

impl HostEvent {
    pub fn name(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::ContractOpened => "contract-opened",
            Self::ResponsePosted => "response-posted",
            Self::ReportSubmitted => "report-submitted",
            Self::RemovalRequested => "removal-requested",
            Self::ReportStatusChanged => "report-status-changed",
            Self::Error => "error",
        }
    }
}

/// The host element, for the [`HostEvent`]s. They bubble and cross the shadow boundary.
#[derive(Clone)]
pub struct Host {
    element: SendWrapper<Option<web_sys::HtmlElement>>,
    /// `ready` is sent once per mount.
    ready_sent: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Host {
    pub fn none() -> Self {
        Self::on(None)
    }

    fn on(element: Option<web_sys::HtmlElement>) -> Self {
        Self {
            element: SendWrapper::new(element),
            ready_sent: Default::default(),
        }
    }

    /// Sends `ready` the first time it is called for this mount.
    pub fn ready(&self) {
        use std::sync::atomic::Ordering;
        if !self.ready_sent.swap(true, Ordering::Relaxed) {
            self.emit(HostEvent::Ready, &[]);
        }
    }

    /// Sends `error` with the failure's machine code and its message.
    pub fn error(&self, e: &crate::api::ApiError) {
        self.emit(
            HostEvent::Error,
            &[("code", e.code().into()), ("message", e.to_string().into())],
        );
    }

    pub fn emit(&self, event: HostEvent, detail: &[(&str, JsValue)]) {
        let name = event.name();
        let Some(el) = self.element.as_ref() else {
            return;
        };
        let obj = js_sys::Object::new();
        for (k, v) in detail {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), v);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&obj);
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = el.dispatch_event(&ev);
        }
    }
}

pub fn use_host() -> Host {
    use_context::<Host>().unwrap_or_else(Host::none)
}

/// What `mount` returns to the host.
#[wasm_bindgen]
pub struct WidgetHandle {
    /// `None` until the instance's language has loaded (then the UI mounts), and after unmount.
    inner: Rc<RefCell<Option<UnmountHandle<AnyViewState>>>>,
    /// Set by `unmount`: a language still loading then mounts nothing.
    gone: Rc<Cell<bool>>,
    shadow: web_sys::ShadowRoot,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the UI and stops everything it started: timers, listeners, requests.
    pub fn unmount(&mut self) {
        if self.gone.replace(true) {
            return;
        }
        crate::crash::unregister_root(&self.shadow);
        let Some(handle) = self.inner.borrow_mut().take() else {
            return;
        };
        crate::crash::unregister_root(&self.shadow);
        while let Some(child) = self.shadow.first_child() {
            let _ = self.shadow.remove_child(&child);
        }
        // Dispose on the next task: effects already queued by the last input (a keystroke just
        // before unmounting) run first, against live signals, instead of against disposed ones.
        let handle = send_wrapper::SendWrapper::new(handle);
        set_timeout(move || drop(handle.take()), std::time::Duration::ZERO);
    }
}

fn option(options: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(options, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The widget's colours: the system's preference (`Auto`, followed live) or one pinned by the
/// host. The `<contract-feedback color-scheme="…">` attribute does the same through CSS
/// (`:host([color-scheme])`), so it can change while the widget runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorScheme {
    Light,
    Dark,
    Auto,
}

impl ColorScheme {
    /// Anything but `light` or `dark` (absent, misspelt) is `Auto`.
    pub fn parse(value: &Option<String>) -> ColorScheme {
        match value.as_deref().map(str::trim) {
            Some("light") => ColorScheme::Light,
            Some("dark") => ColorScheme::Dark,
            _ => ColorScheme::Auto,
        }
    }

    /// The `data-color-scheme` value, for a pinned scheme.
    pub fn pinned(self) -> Option<&'static str> {
        match self {
            ColorScheme::Light => Some("light"),
            ColorScheme::Dark => Some("dark"),
            ColorScheme::Auto => None,
        }
    }
}

/// The host document's `lang`, then `navigator.languages`.
fn host_languages() -> Vec<String> {
    let page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    page.into_iter()
        .chain(crate::language::browser_languages())
        .collect()
}

/// The `view` option that shows a freelancer's work history.
const WORK_HISTORY_VIEW: &str = "work-history";

/// Mounts the widget in `element`'s shadow root. Options: `apiBase` (string), `token` (string)
/// or `getToken` (function returning a string or a promise of one, called before each
/// request), `contractId` (number; omit for the whole history), `locale` (a BCP 47 tag or a
/// list of them, best first: the closest of the widget's languages is used, English when none
/// is close; without it, the host page's `lang`, then the browser's languages), `messages` (a catalog's JSON text or object, used instead of fetching the locale's
/// own: a host's wording), `localesUrl` (the folder of the catalogs; `embed.js` sets it),
/// `colorScheme` (`"light"`, `"dark"` or `"auto"`, the
/// default: follow the system, live), `styleUrl` (the widget's CSS; `embed.js` sets it),
/// `view` (`"work-history"` with `freelancerId`: a freelancer's public work history, which
/// needs no token; otherwise the client's contracts).
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> Result<WidgetHandle, JsValue> {
    crate::install_panic_screen();
    crate::trusted_types::install();
    let api_base = option(&options, "apiBase")
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let token = match (
        option(&options, "getToken").and_then(|v| v.dyn_into::<js_sys::Function>().ok()),
        option(&options, "token").and_then(|v| v.as_string()),
    ) {
        (Some(f), _) => TokenSource::provider(f),
        (None, Some(t)) => TokenSource::Static(t),
        (None, None) => TokenSource::None,
    };
    // A number or a numeric string (an HTML attribute); ids are whole numbers, parsed as such.
    let id = |name: &str| {
        option(&options, name).and_then(|v| match v.as_f64() {
            Some(f) if f.fract() == 0.0 => Some(f as i64),
            Some(_) => None,
            None => v.as_string()?.trim().parse().ok(),
        })
    };
    let contract: Option<ContractId> = id("contractId");
    let work_history =
        option(&options, "view").and_then(|v| v.as_string()) == Some(WORK_HISTORY_VIEW.into());
    let freelancer = id("freelancerId");
    let requested: Vec<String> = match option(&options, "locale") {
        Some(v) if js_sys::Array::is_array(&v) => js_sys::Array::from(&v)
            .iter()
            .filter_map(|t| t.as_string())
            .collect(),
        Some(v) => v.as_string().into_iter().collect(),
        // Not said: the host page's language, then the browser's.
        None => host_languages(),
    };
    let locale = crate::i18n::negotiate(requested.iter().map(String::as_str));
    let own_messages = option(&options, "messages");
    let locales_url = option(&options, "localesUrl")
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "/locales/".into());
    let style_url = option(&options, "styleUrl").and_then(|v| v.as_string());
    let scheme = ColorScheme::parse(&option(&options, "colorScheme").and_then(|v| v.as_string()));

    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?; // i18n-ignore: for the host's developer
    let shadow = match element.shadow_root() {
        Some(s) => s,
        None => {
            element.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?
        }
    };
    while let Some(child) = shadow.first_child() {
        shadow.remove_child(&child)?;
    }
    if let Some(url) = style_url {
        let link = document.create_element("link")?;
        link.set_attribute("rel", "stylesheet")?;
        link.set_attribute("href", &url)?;
        shadow.append_child(&link)?;
    }
    let container: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_attribute("lang", locale.tag())?;
    container.set_attribute("dir", locale.dir())?;
    if let Some(pinned) = scheme.pinned() {
        // style/main.css: `[data-color-scheme]` sets `color-scheme`, which picks the palette.
        container.set_attribute("data-color-scheme", pinned)?;
    }
    shadow.append_child(&container)?;

    let config = AppConfig {
        api: ApiClient::with_token(api_base, token),
    };
    let initial = match (work_history, freelancer, contract) {
        // No or a bad id: the work history says there is no such freelancer.
        (true, id, _) => format!("/freelancers/{}", id.map_or("-".into(), |i| i.to_string())),
        (false, _, Some(id)) => {
            crate::pages::contract::contract_href(id, crate::pages::contract::Tab::Details)
        }
        (false, _, None) => "/contracts".to_string(),
    };
    let host = Host::on(Some(element));
    let inner_shadow = shadow.clone();
    crate::crash::register_root(&shadow);
    let mount_in = move |catalog: Catalog| {
        mount_to(container, move || {
            // Created inside the mount's owner, so unmounting disposes of it too.
            provide_context(DomRoot::shadow(inner_shadow));
            provide_context(host.clone());
            provide_context(Nav::memory(initial.clone()));
            provide_context(I18n::new(locale, catalog));
            view! { <Shell config=config.clone()/> }.into_any()
        })
    };
    let (inner, gone) = (Rc::new(RefCell::new(None)), Rc::new(Cell::new(false)));
    // The instance's language first: nothing is shown in another one meanwhile. English is at
    // hand; another language is one small fetch, and so are a host's own messages by key (the
    // list of keys, which the wasm doesn't carry).
    match (own_messages, Catalog::file(locale)) {
        (None, None) => *inner.borrow_mut() = Some(mount_in(Catalog::english())),
        (own, _) => {
            let (slot, gone) = (inner.clone(), gone.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let catalog = match own {
                    Some(messages) => Catalog::host(messages, &locales_url)
                        .await
                        .unwrap_or_else(Catalog::english),
                    None => Catalog::load(locale, &locales_url).await,
                };
                if !gone.get() {
                    *slot.borrow_mut() = Some(mount_in(catalog));
                }
            });
        }
    }
    Ok(WidgetHandle {
        inner,
        gone,
        shadow,
    })
}
