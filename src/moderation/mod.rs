//! The moderation console: a moderator's queue of reports and removal requests, each item's
//! feedback beside the report, and the decision with the reason the client reads. Only on the
//! standalone page's `/moderation` address, with its own sign-in (a moderator's token, kept in
//! this tab's sessionStorage under its own key); the embedded widget has no route to it. The
//! API answers it only from the origin the server names with `--moderation-origin`
//! (docs/architecture.md, "The moderation console").

mod decide;
mod filters;
mod item;
mod queue;

use crate::k;
use leptos::prelude::*;
use leptos_router::components::Router;

use crate::api::ApiClient;

/// The console's address on the standalone page.
pub const PATH: &str = "/moderation";
/// This tab's moderator token (never the client's key: a client signed in on the same origin
/// is not a moderator, nor the other way round).
const TOKEN_KEY: &str = "feedback-widget:moderator-token";

/// Whether the standalone page was opened at the console's address.
pub fn is_console_path() -> bool {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|p| p == PATH || p.starts_with(&format!("{PATH}/")))
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

crate::split::split_point!(console,
    /// The console, from its own chunk: no client downloads a moderator's screen.
    static CONSOLE: fn(String) -> AnyView = {
        |base| view! { <ConsoleApp base/> }.into_any()
    }
);

/// The console, signed in or asking for a moderator token.
#[component]
pub fn ConsoleApp(base: String) -> impl IntoView {
    let token = RwSignal::new(session().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten()));
    // Signed out by the person, or because the server refused the token (`true`): then the
    // sign-in says so instead of looking as if nothing happened.
    let refused = RwSignal::new(false);
    let sign_out = Callback::new(move |was_refused: bool| {
        if let Some(s) = session() {
            let _ = s.remove_item(TOKEN_KEY);
        }
        refused.set(was_refused);
        token.set(None);
    });
    move || match token.get() {
        Some(t) => {
            let api = ApiClient::new(base.clone(), Some(t));
            view! { <Router><crate::RouterNav><ConsoleShell api=api sign_out=sign_out/></crate::RouterNav></Router> }
                .into_any()
        }
        None => view! {
            <crate::SignIn title=k!("mod.title") label=k!("mod.token") hint=k!("mod.signin_hint")
                refused=refused.get_untracked().then_some(k!("mod.refused"))
                on_token=move |t: String| {
                    if let Some(s) = session() {
                        let _ = s.set_item(TOKEN_KEY, &t);
                    }
                    token.set(Some(t));
                }/>
        }
        .into_any(),
    }
}

/// The page around the console: skip link, language, landmarks, title.
#[component]
fn ConsoleShell(api: ApiClient, sign_out: Callback<bool>) -> impl IntoView {
    provide_context(api);
    crate::title::provide_page_title(false);
    let i18n = crate::i18n::use_i18n();
    view! {
        <div class="fw-app fw-console">
            <a class="fw-skip" href="#fw-main">{i18n.t(k!("app.skip"))}</a>
            <crate::language::LanguageSwitcher/>
            <main id="fw-main" tabindex="-1">
                <ErrorBoundary fallback=|errors| view! { <crate::pages::Crashed errors/> }>
                    <queue::ConsoleScreen sign_out=sign_out/>
                </ErrorBoundary>
            </main>
        </div>
    }
}
