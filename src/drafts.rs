//! Drafts in localStorage, so what a person typed survives a failed request, a reload and a
//! closed tab. Keys are per contract and per form; only the person's own text is stored —
//! never a token. A draft is removed as soon as the server confirms the send (a shared device
//! keeps no copy), and every draft carries an expiry: [`sweep_expired`] deletes abandoned ones.

use feedback_domain::ContractId;
use std::cell::RefCell;
use std::rc::Rc;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

const PREFIX: &str = "feedback-widget:draft";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftKind {
    Response,
    Report,
    Removal,
}

impl DraftKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Report => "report",
            Self::Removal => "removal",
        }
    }
}

/// How long a report or removal draft is kept when it is never sent.
pub const DRAFT_MAX_AGE_DAYS: i64 = 30;

/// When a draft started now may be thrown away if it is never sent (ms since the epoch).
pub fn default_expiry_ms() -> f64 {
    js_sys::Date::now() + (DRAFT_MAX_AGE_DAYS * 86_400_000) as f64
}

/// What is stored: the form's fields, the request sent with them (its Idempotency-Key), and
/// when the draft may be thrown away (milliseconds since the epoch, browser clock).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stored<F, S> {
    pub fields: F,
    pub sent: Option<S>,
    #[serde(default)]
    pub expires_at_ms: Option<f64>,
}

/// Deletes every draft whose expiry has passed (called once when the app starts).
pub fn sweep_expired() {
    #[derive(Deserialize)]
    struct Expiry {
        expires_at_ms: Option<f64>,
    }
    let Some(s) = storage() else { return };
    let now = js_sys::Date::now();
    let len = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..len).filter_map(|i| s.key(i).ok().flatten()).collect();
    for key in keys.into_iter().filter(|k| k.starts_with(PREFIX)) {
        let expired = s
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|raw| crate::json::from_str::<Expiry>(&raw))
            .and_then(|e| e.expires_at_ms)
            .is_some_and(|at| at <= now);
        if expired {
            let _ = s.remove_item(&key);
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
    crate::json::from_str(&raw)
}

/// Saves; a full or disabled storage is not an error worth interrupting typing for.
pub fn save<T: Serialize>(key: &str, value: &T) {
    if let (Some(s), Some(raw)) = (storage(), crate::json::to_string(value)) {
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

/// A draft waiting to be written: its JSON and the debounce timer. Once discarded (the server
/// has the text), nothing is written any more.
#[derive(Default)]
struct Pending {
    raw: Option<String>,
    timer: Option<leptos::prelude::TimeoutHandle>,
    discarded: bool,
}

fn write_pending(key: &str, pending: &RefCell<Pending>) {
    let mut p = pending.borrow_mut();
    if let Some(t) = p.timer.take() {
        t.clear();
    }
    if p.discarded {
        return;
    }
    if let (Some(raw), Some(s)) = (p.raw.take(), storage()) {
        let _ = s.set_item(key, &raw);
    }
}

/// Stops an [`autosave`] for good and deletes its draft: for when the server confirmed.
#[derive(Clone)]
pub struct Autosave {
    key: Rc<String>,
    pending: Rc<RefCell<Pending>>,
}

impl Autosave {
    pub fn discard(&self) {
        let mut p = self.pending.borrow_mut();
        p.discarded = true;
        p.raw = None;
        if let Some(t) = p.timer.take() {
            t.clear();
        }
        clear(&self.key);
    }
}

/// Keeps `value()` saved under `storage_key`: after a pause in typing, and at once when the
/// page is hidden or closed (so the last keystrokes are not lost with the tab) or the view
/// goes away. The unsaved draft is kept as JSON outside the reactive graph, so the final flush
/// reads no signal (they may already be disposed by then).
pub fn autosave<T: Serialize + 'static>(
    storage_key: String,
    value: impl Fn() -> T + 'static,
) -> Autosave {
    use leptos::prelude::*;
    let pending = Rc::new(RefCell::new(Pending::default()));
    let key = Rc::new(storage_key);
    {
        let (pending, key) = (pending.clone(), key.clone());
        Effect::new(move |first: Option<()>| {
            let raw = crate::json::to_string(&value());
            if first.is_none() {
                return; // the loaded draft itself needs no saving
            }
            let mut p = pending.borrow_mut();
            if p.discarded {
                return;
            }
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
    let handle = Autosave {
        key: key.clone(),
        pending: pending.clone(),
    };
    let flush = move || write_pending(&key, &pending);
    let on_hide = flush.clone();
    let listener = window_event_listener(leptos::ev::pagehide, move |_| on_hide());
    // Cleanups must be Send; this app is single-threaded wasm, so the wrapper never moves.
    let flush = send_wrapper::SendWrapper::new(flush);
    on_cleanup(move || {
        (*flush)();
        listener.remove();
    });
    handle
}
