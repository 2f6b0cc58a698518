//! One screen per file.

pub mod contract;
pub mod history;
pub mod not_found;
pub mod work_history;

use crate::k;
use leptos::prelude::*;

use crate::api::ApiError;

/// The top-level error boundary's face: a panic or an unexpected failure becomes a message
/// with a way out, never a blank screen.
#[component]
pub fn Crashed(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <section class="fw-panel fw-crashed" role="alert">
            <h1>{i18n.t(k!("crashed.title"))}</h1>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
            <button type="button" class="fw-button fw-primary" on:click=|_| {
                if let Some(w) = web_sys::window() { let _ = w.location().reload(); }
            }>{i18n.t(k!("crashed.reload"))}</button>
        </section>
    }
}

/// A failed load: what happened, in words, and what to do (retry, or sign in).
#[component]
pub fn LoadFailed(
    error: ApiError,
    #[prop(into)] on_retry: Callback<()>,
    /// The heading when there is no such thing (a contract unless said).
    #[prop(optional)]
    not_found: Option<crate::i18n::Key>,
) -> impl IntoView {
    let retry = error.is_retryable() || matches!(error, ApiError::BadResponse);
    let i18n = crate::i18n::use_i18n();
    let host = crate::widget::use_host();
    host.error(&error);
    // What failed is the first content, if nothing came before it.
    Effect::new(move |_| host.ready());
    let heading = i18n.t(match error {
        ApiError::Unauthorized => k!("load.signin"),
        ApiError::NotFound => not_found.unwrap_or(k!("load.not_found")),
        _ => k!("load.failed"),
    });
    view! {
        <div class="fw-panel fw-load-failed" role="alert">
            <h2>{heading}</h2>
            <p>{i18n.api_error(&error)}</p>
            {retry.then(|| view! {
                <button type="button" class="fw-button" on:click=move |_| on_retry.run(())>{i18n.t(k!("load.retry"))}</button>
            })}
        </div>
    }
}
