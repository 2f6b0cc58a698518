//! Drafts in localStorage, so what a person typed survives a failed request, a reload and a
//! closed tab. Keys are per contract and per form; only the person's own text is stored —
//! never a token.

use feedback_domain::ContractId;
use std::cell::RefCell;
use std::rc::Rc;

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

/// A draft waiting to be written: its JSON and the debounce timer.
#[derive(Default)]
struct Pending {
    raw: Option<String>,
    timer: Option<leptos::prelude::TimeoutHandle>,
}

fn write_pending(key: &str, pending: &RefCell<Pending>) {
    let mut p = pending.borrow_mut();
    if let Some(t) = p.timer.take() {
        t.clear();
    }
    if let (Some(raw), Some(s)) = (p.raw.take(), storage()) {
        let _ = s.set_item(key, &raw);
    }
}

/// Keeps `value()` saved under `storage_key`: after a pause in typing, and at once when the
/// page is hidden or closed (so the last keystrokes are not lost with the tab) or the view
/// goes away. The unsaved draft is kept as JSON outside the reactive graph, so the final flush
/// reads no signal (they may already be disposed by then).
pub fn autosave<T: Serialize + 'static>(storage_key: String, value: impl Fn() -> T + 'static) {
    use leptos::prelude::*;
    let pending = Rc::new(RefCell::new(Pending::default()));
    let key = Rc::new(storage_key);
    {
        let (pending, key) = (pending.clone(), key.clone());
        Effect::new(move |first: Option<()>| {
            let raw = serde_json::to_string(&value()).ok();
            if first.is_none() {
                return; // the loaded draft itself needs no saving
            }
            let mut p = pending.borrow_mut();
            if let Some(t) = p.timer.take() {
                t.clear();
            }
            p.raw = raw;
            let (pending2, key2) = (pending.clone(), key.clone());
            p.timer = set_timeout_with_handle(
                move || write_pending(&key2, &pending2),
                std::time::Duration::from_millis(AUTOSAVE_DEBOUNCE_MS),
            )
            .ok();
        });
    }
    let flush = move || write_pending(&key, &pending);
    let on_hide = flush.clone();
    let listener = window_event_listener(leptos::ev::pagehide, move |_| on_hide());
    // Cleanups must be Send; this app is single-threaded wasm, so the wrapper never moves.
    let flush = send_wrapper::SendWrapper::new(flush);
    on_cleanup(move || {
        (*flush)();
        listener.remove();
    });
}
