//! What the confirm-then-send forms (response, report, removal) share: the idempotency key that
//! follows the request body, and plain words for a failed send.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{new_idempotency_key, ApiError};

/// A request body and the Idempotency-Key it was (or will be) sent with. The same body keeps
/// its key, so a retry — even after a reload — replays instead of posting twice; a changed
/// body gets a new key, so the server never sees one key with two bodies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyedBody {
    pub body: String,
    pub key: String,
}

pub fn key_for(previous: Option<KeyedBody>, body: String) -> KeyedBody {
    match previous {
        Some(p) if p.body == body => p,
        _ => KeyedBody {
            body,
            key: new_idempotency_key(),
        },
    }
}

/// What to tell the person when a send failed; `what` is "response", "report", "request".
pub fn failure_message(e: &ApiError, what: &str) -> String {
    match e {
        ApiError::Network => format!(
            "Your {what} was not sent: we couldn't reach the server. Your text is kept here. Check your connection, then try again."
        ),
        ApiError::Timeout => format!(
            "The server didn't answer in time, so we can't tell whether your {what} arrived. Try again: it will not be posted twice."
        ),
        ApiError::Server(_) | ApiError::BadResponse => format!(
            "Something went wrong on our side and your {what} was not saved. Your text is kept here; try again in a moment."
        ),
        ApiError::Unauthorized => format!(
            "Your session has ended, so your {what} was not sent. Sign in again; your text is kept here."
        ),
        ApiError::RateLimited(secs) => format!(
            "Too many requests just now, so your {what} was not sent yet. Your text is kept here; we'll send it again in {secs} seconds."
        ),
        other => format!("Your {what} was not sent: {other}"),
    }
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
    view! {
        <div id=id class="fw-alert" role="alert" tabindex="-1" class:fw-hidden=move || message.get().is_none()>
            <p>{move || message.get()}</p>
            <Show when=move || message.get().is_some()>
                <SendButton label="Try again" pending_label="Sending…" pending=pending on_send=on_retry primary=false/>
            </Show>
        </div>
    }
}

/// The button that sends. While the request runs it stays focusable and says so
/// (`aria-disabled`, not `disabled`, which would drop focus to the page), clicks do nothing,
/// and a status region announces the progress once.
#[component]
pub fn SendButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_send: Callback<()>,
    #[prop(default = true)] primary: bool,
) -> impl IntoView {
    view! {
        <button type="button" class="fw-button" class:fw-primary=primary
            aria-disabled=move || pending.get().to_string()
            on:click=move |_| if !pending.get_untracked() { on_send.run(()) }>
            {move || if pending.get() { pending_label } else { label }}
        </button>
        <span class="fw-sr-only" role="status">{move || pending.get().then_some(pending_label)}</span>
    }
}
