//! What the confirm-then-send forms (response, report, removal) share: the idempotency key that
//! follows the request body, and plain words for a failed send.

use crate::k;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{new_idempotency_key, ApiError};
use crate::i18n::{use_i18n, I18n};

/// The Idempotency-Key a request body was (or will be) sent with, and that body as JSON: what
/// tells whether a later body is the same request. The same body keeps its key, so a retry —
/// even after a reload — replays instead of posting twice; a changed body gets a new key, so
/// the server never sees one key with two bodies. (The body itself stays typed, in memory:
/// only its JSON is kept in the draft, so no form reads a body back from text.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SentKey {
    /// The body's JSON (`body`: the name older drafts used).
    #[serde(rename = "body")]
    pub body_json: String,
    pub key: String,
}

pub fn key_for(previous: Option<SentKey>, body_json: String) -> SentKey {
    match previous {
        Some(p) if p.body_json == body_json => p,
        _ => SentKey {
            body_json,
            key: new_idempotency_key(),
        },
    }
}

/// What to tell the person when a send failed (the same words for the three sends, so each
/// language says it whole rather than from parts).
pub fn failure_message(i18n: &I18n, e: &ApiError) -> String {
    let key = match e {
        ApiError::Network => k!("failure.network"),
        ApiError::Timeout => k!("failure.timeout"),
        ApiError::Server(_) | ApiError::BadResponse => k!("failure.server"),
        ApiError::Unauthorized => k!("failure.unauthorized"),
        ApiError::RateLimited(secs) => {
            return i18n.tp(k!("failure.rate_limited"), f64::from(*secs), &[]);
        }
        _ => return i18n.tf(k!("failure.other"), &[("reason", &i18n.api_error(e))]),
    };
    i18n.t(key)
}

/// The alert after a failed send: what happened, and "Try again" (which resends the same
/// body with the same key). Focus is moved here by the flow.
#[component]
pub fn SendFailure(
    id: &'static str,
    message: RwSignal<Option<String>>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_retry: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div id=id class="fw-alert" role="alert" tabindex="-1" class:fw-hidden=move || message.get().is_none()>
            <p>{move || message.get()}</p>
            <Show when=move || message.get().is_some()>
                <SendButton label=i18n.t(k!("send.retry")) pending_label=i18n.t(k!("send.sending")) pending=pending on_send=on_retry primary=false/>
            </Show>
        </div>
    }
}

/// The button that sends. While the request runs it stays focusable and says so
/// (`aria-disabled`, not `disabled`, which would drop focus to the page), clicks do nothing,
/// and a status region announces the progress once.
#[component]
pub fn SendButton(
    label: String,
    pending_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_send: Callback<()>,
    #[prop(default = true)] primary: bool,
) -> impl IntoView {
    let announced = pending_label.clone();
    view! {
        <button type="button" class="fw-button" class:fw-primary=primary
            aria-disabled=move || pending.get().to_string()
            on:click=move |_| if !pending.get_untracked() { on_send.run(()) }>
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
        <span class="fw-sr-only" role="status">{move || pending.get().then(|| announced.clone())}</span>
    }
}
