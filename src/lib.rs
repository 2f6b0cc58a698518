//! The feedback widget: a client's contract history and the feedback on each contract.
//!
//! `App` is the whole UI; `start_standalone` mounts it as a page (Trunk's `main.rs`).

pub mod api;
mod broadcast;
pub mod clock;
mod components;
mod crash;
mod dom;
pub mod drafts;
pub mod format;
pub mod i18n;
pub mod json;
mod language;
mod moderation;
pub mod nav;
mod pages;
mod split;
mod title;
pub mod trusted_types;
pub mod widget;

use leptos::prelude::*;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

pub use api::{ApiClient, ApiError, TokenSource};
pub use clock::ServerClock;
use nav::{Nav, Screen};
use pages::history::HistoryPage;
use pages::not_found::NotFound;
use pages::work_history::WorkHistoryScreen;

/// Records a Performance API mark (read by the benchmark: `cargo xtask bench`).
/// Each is a page's first content on screen, so the chunks it may need next are fetched now.
pub(crate) fn perf_mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
    split::content_shown();
}

/// Where the app finds its API and how it signs in.
#[derive(Clone)]
pub struct AppConfig {
    pub api: ApiClient,
}

/// The app on a page of its own: the browser URL (leptos_router) is its location.
#[component]
pub fn App(config: AppConfig) -> impl IntoView {
    view! {
        <Router>
            <RouterNav><Shell config=config/></RouterNav>
        </Router>
    }
}

/// Provides the router's location as the app's `Nav` to `children`.
#[component]
fn RouterNav(children: Children) -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let current = Signal::derive(move || {
        let search = location.search.get();
        match search.as_str() {
            "" => location.pathname.get(),
            s if s.starts_with('?') => format!("{}{s}", location.pathname.get()),
            s => format!("{}?{s}", location.pathname.get()),
        }
    });
    let go = Callback::new(move |(to, replace): (String, bool)| {
        navigate(
            &to,
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });
    provide_context(Nav::new(current, go, false));
    children()
}

/// The UI itself, wherever its location comes from (expects a `Nav` in context).
#[component]
pub fn Shell(config: AppConfig) -> impl IntoView {
    provide_context(config.api.clone());
    provide_context(ServerClock::new());
    let nav = expect_context::<Nav>();
    title::provide_page_title(nav.embedded());
    // Abandoned drafts (a window long closed, a report never sent) leave this device.
    drafts::sweep_expired();
    let screen = Memo::new(move |_| nav.screen());
    // A freelancer's public work history never leads to a client's contract page.
    if !matches!(screen.get_untracked(), Screen::WorkHistory(_)) {
        split::after_first_content(|| pages::contract::CONTRACT_PAGE.prefetch());
    }
    let content = move || match screen.get() {
        Screen::History => view! { <HistoryPage/> }.into_any(),
        Screen::Contract(id) => pages::contract::contract_page(id),
        Screen::WorkHistory(id) => view! { <WorkHistoryScreen id=id/> }.into_any(),
        Screen::NotFound => view! { <NotFound/> }.into_any(),
    };
    let body = view! {
        <ErrorBoundary fallback=|errors| view! { <pages::Crashed errors/> }>{content}</ErrorBoundary>
    };
    let i18n = i18n::use_i18n();
    crash::localize(
        dom::use_root().shadow_root(),
        &i18n.t(k!("crashed.title")),
        &i18n.t(k!("crashed.body")),
        &i18n.t(k!("crashed.reload")),
    );
    // Embedded, the host page owns the landmarks (<main>, skip links).
    if nav.embedded() {
        view! { <div class="fw-app" role="region" aria-label=i18n.t(k!("app.region"))>{body}</div> }
            .into_any()
    } else {
        view! {
            <div class="fw-app">
                <a class="fw-skip" href="#fw-main">{i18n.t(k!("app.skip"))}</a>
                <language::LanguageSwitcher/>
                <main id="fw-main" tabindex="-1">{body}</main>
            </div>
        }
        .into_any()
    }
}

const TOKEN_KEY: &str = "feedback-widget:token";

/// Standalone page: the API base comes from `<meta name="feedback-api-base">`; the access token
/// from this tab's sessionStorage (never localStorage), asked for once.
pub fn start_standalone() {
    let document = web_sys::window().and_then(|w| w.document());
    // wasm-bindgen runs `main` whenever the module loads, also on a host page that loads
    // embed.js for the widget: only the app's own page (which names its API) gets the app.
    // (An empty `content` is the same origin; a minifier may drop the empty attribute.)
    let Some(meta) = document.as_ref().and_then(|d| {
        d.query_selector("meta[name=feedback-api-base]")
            .ok()
            .flatten()
    }) else {
        return;
    };
    let base = meta.get_attribute("content").unwrap_or_default();
    install_panic_screen();
    trusted_types::install();
    let session = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let stored = session
        .as_ref()
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
    let locale = language::standalone_locale();
    language::set_document_language(locale);
    // The page's language is loaded before anything is shown (the static shell stays
    // meanwhile): no English flash, nothing announced twice.
    wasm_bindgen_futures::spawn_local(async move {
        let catalog = i18n::Catalog::load(locale, "/locales/").await;
        // The static shell from index.html gives way to the app at the same place.
        if let Some(shell) = document
            .as_ref()
            .and_then(|d| d.query_selector(".fw-shell").ok().flatten())
        {
            shell.remove();
        }
        let console = moderation::is_console_path();
        mount_to_body(move || {
            provide_context(i18n::I18n::new(locale, catalog));
            if console {
                return split::chunk_view(&moderation::CONSOLE, base.clone());
            }
            let token = RwSignal::new(stored.clone());
            let base = base.clone();
            view! {
                {move || match token.get() {
                    Some(t) => view! { <App config=AppConfig { api: ApiClient::new(base.clone(), Some(t)) }/> }.into_any(),
                    None => view! { <SignIn title=k!("signin.title") label=k!("signin.token") hint=k!("signin.hint") on_token=move |t: String| {
                        if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
                            let _ = s.set_item(TOKEN_KEY, &t);
                        }
                        token.set(Some(t));
                    }/> }.into_any(),
                }}
            }
            .into_any()
        });
    });
}

/// Asks for an access token (the host normally provides it; this is the standalone page, or
/// the moderation console with a moderator's token).
#[component]
fn SignIn(
    title: i18n::Key,
    label: i18n::Key,
    hint: i18n::Key,
    /// Why the last token was refused, shown above the form.
    #[prop(default = None)]
    refused: Option<i18n::Key>,
    #[prop(into)] on_token: Callback<String>,
) -> impl IntoView {
    let i18n = i18n::use_i18n();
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&i18n.t(title));
    }
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let missing = i18n.t(k!("signin.missing"));
    view! {
        <main class="fw-app fw-signin">
            <h1>{i18n.t(title)}</h1>
            {refused.map(|k| view! { <p class="fw-field-error" role="alert">{i18n.t(k)}</p> })}
            <form on:submit=move |ev| {
                ev.prevent_default();
                let v = value.get_untracked().trim().to_string();
                if v.is_empty() { error.set(true) } else { on_token.run(v) }
            }>
                <label for="fw-token">{i18n.t(label)}</label>
                <p class="fw-hint" id="fw-token-hint">{i18n.t(hint)}</p>
                <Show when=move || error.get()>
                    <p class="fw-field-error" id="fw-token-error">{missing.clone()}</p>
                </Show>
                <input id="fw-token" type="password" autocomplete="off" class="fw-input"
                    aria-describedby=move || if error.get() { "fw-token-hint fw-token-error" } else { "fw-token-hint" }
                    aria-invalid=move || error.get().to_string()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    prop:value=move || value.get()/>
                <button type="submit" class="fw-button fw-primary">{i18n.t(k!("signin.submit"))}</button>
            </form>
        </main>
    }
}

pub use crash::{install_panic_screen, show_crash as show_crash_screen};
