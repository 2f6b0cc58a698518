//! The feedback widget: a client's contract history and the feedback on each contract.
//!
//! `App` is the whole UI; `start_standalone` mounts it as a page (Trunk's `main.rs`).

pub mod api;
mod broadcast;
pub mod clock;
mod components;
pub mod drafts;
pub mod format;
mod pages;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub use api::{ApiClient, ApiError};
pub use clock::ServerClock;
use pages::contract::ContractPage;
use pages::history::HistoryPage;
use pages::not_found::NotFound;

/// Where the app finds its API and how it signs in.
#[derive(Clone, Debug, PartialEq)]
pub struct AppConfig {
    pub api: ApiClient,
}

/// The whole UI: routes for the history and a contract, inside a top-level error boundary.
#[component]
pub fn App(config: AppConfig) -> impl IntoView {
    provide_context(config.api.clone());
    provide_context(ServerClock::new());
    view! {
        <Router>
            <div class="fw-app">
                <a class="fw-skip" href="#fw-main">"Skip to content"</a>
                <main id="fw-main" tabindex="-1">
                    <ErrorBoundary fallback=|errors| view! { <pages::Crashed errors/> }>
                        <Routes fallback=|| view! { <NotFound/> }>
                            <Route path=path!("/") view=HistoryPage/>
                            <Route path=path!("/contracts") view=HistoryPage/>
                            <Route path=path!("/contracts/:id") view=ContractPage/>
                        </Routes>
                    </ErrorBoundary>
                </main>
            </div>
        </Router>
    }
}

const TOKEN_KEY: &str = "feedback-widget:token";

/// Standalone page: the API base comes from `<meta name="feedback-api-base">`; the access token
/// from this tab's sessionStorage (never localStorage), asked for once.
pub fn start_standalone() {
    console_error_panic_hook::set_once();
    let document = web_sys::window().and_then(|w| w.document());
    let base = document
        .as_ref()
        .and_then(|d| {
            d.query_selector("meta[name=feedback-api-base]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_default();
    let session = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let stored = session
        .as_ref()
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten());
    mount_to_body(move || {
        let token = RwSignal::new(stored.clone());
        let base = base.clone();
        view! {
            {move || match token.get() {
                Some(t) => view! { <App config=AppConfig { api: ApiClient::new(base.clone(), Some(t)) }/> }.into_any(),
                None => view! { <SignIn on_token=move |t: String| {
                    if let Some(s) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
                        let _ = s.set_item(TOKEN_KEY, &t);
                    }
                    token.set(Some(t));
                }/> }.into_any(),
            }}
        }
    });
}

/// Asks for an access token (the host normally provides it; this is the standalone page).
#[component]
fn SignIn(#[prop(into)] on_token: Callback<String>) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    view! {
        <main class="fw-app fw-signin">
            <h1>"Sign in"</h1>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let v = value.get_untracked().trim().to_string();
                if v.is_empty() { error.set(true) } else { on_token.run(v) }
            }>
                <label for="fw-token">"Access token"</label>
                <p class="fw-hint" id="fw-token-hint">"On the demo server, use demo-alice or demo-bob."</p>
                <Show when=move || error.get()>
                    <p class="fw-field-error" id="fw-token-error">"Enter your access token."</p>
                </Show>
                <input id="fw-token" type="password" autocomplete="off" class="fw-input"
                    aria-describedby=move || if error.get() { "fw-token-hint fw-token-error" } else { "fw-token-hint" }
                    aria-invalid=move || error.get().to_string()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    prop:value=move || value.get()/>
                <button type="submit" class="fw-button fw-primary">"Sign in"</button>
            </form>
        </main>
    }
}
