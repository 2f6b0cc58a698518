//! Drafts in localStorage, so what a person typed survives a failed request, a reload and a
//! closed tab. Keys are per contract and per form; only the person's own text is stored —
//! never a token.

use feedback_domain::ContractId;
use serde::{de::DeserializeOwned, Serialize};

const PREFIX: &str = "feedback-widget:draft";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftKind {
    Response,
    Report,
}

impl DraftKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Report => "report",
        }
    }
}

/// The storage key for one form on one piece of feedback.
pub fn key(kind: DraftKind, contract: ContractId, feedback: i64) -> String {
    format!("{PREFIX}:{}:{contract}:{feedback}", kind.as_str())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let raw = storage()?.get_item(key).ok()??;
    serde_json::from_str(&raw).ok()
}

/// Saves; a full or disabled storage is not an error worth interrupting typing for.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(s), Ok(raw)) = (storage(), serde_json::to_string(value)) {
        let _ = s.set_item(key, &raw);
    }
}

/// Called only after the server confirmed the submit.
pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// How long typing pauses before a draft is written.
pub const AUTOSAVE_DEBOUNCE_MS: u64 = 300;

/// Keeps `value()` saved under `storage_key`: after a pause in typing, and at once when the
/// page is hidden or closed (so the last keystrokes are not lost with the tab).
pub fn autosave<T: Serialize + 'static>(
    storage_key: String,
    value: impl Fn() -> T + Copy + 'static,
) {
    use leptos::prelude::*;
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    let key = StoredValue::new(storage_key);
    Effect::new(move |first: Option<()>| {
        let v = value();
        if first.is_none() {
            return; // the loaded draft itself needs no saving
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || save(&key.get_value(), &v),
            std::time::Duration::from_millis(AUTOSAVE_DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(h);
    });
    let flush = move || {
        if let Some(h) = pending.get_value() {
            h.clear();
            pending.set_value(None);
            save(&key.get_value(), &untrack(value));
        }
    };
    let listener = window_event_listener(leptos::ev::pagehide, move |_| flush());
    // Cleanups must be Send; this app is single-threaded wasm, so the wrapper never moves.
    let flush = send_wrapper::SendWrapper::new(flush);
    on_cleanup(move || {
        (*flush)();
        listener.remove();
    });
}
