//! One life cycle for the three confirm-then-send forms (response, report, removal request):
//! the draft (loaded, autosaved, deleted once the server has it, expired if abandoned), the
//! Idempotency-Key that follows the body, the in-flight guard, the confirm dialog's state, what
//! a failure means, and what follows a send the server stored — other tabs told, the host page
//! told, the notice shown, the contract reloaded. Each form keeps only its fields, its request
//! and what a refusal means to it.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use feedback_domain::ContractId;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use super::flow::{failure_message, key_for, SentKey};
use super::Page;
use crate::api::{Aborter, ApiClient, ApiError};
use crate::components::use_root;
use crate::drafts::{self, DraftKind, Stored};
use crate::widget::{use_host, HostEvent};

type Sending = Pin<Box<dyn Future<Output = Result<(), ApiError>>>>;

/// One request of a form: its typed body (the API's own `NewResponse`, `NewReport`,
/// `NewRemovalRequest`), held behind `send`, and that body's JSON, which decides its key. The
/// body's type stops here, so the flow's reactive parts are one type for all three forms.
#[derive(Clone)]
pub struct Request {
    json: String,
    send: Rc<dyn Fn(ApiClient, String, Aborter) -> Sending>,
}

impl Request {
    /// `body`, sent by `send` (the API call) with the key it is given.
    pub fn new<B, Fut>(
        body: B,
        send: impl Fn(ApiClient, B, String, Aborter) -> Fut + 'static,
    ) -> Self
    where
        B: serde::Serialize + Clone + 'static,
        Fut: Future<Output = Result<(), ApiError>> + 'static,
    {
        Self {
            json: crate::json::to_string(&body).unwrap_or_default(),
            send: Rc::new(move |api, key, ab| Box::pin(send(api, body.clone(), key, ab))),
        }
    }
}

/// What the page says once the server stored a send: the host event and the notice.
pub struct Sent {
    pub event: HostEvent,
    pub notice: String,
}

pub struct SendFlowOptions {
    pub kind: DraftKind,
    pub contract_id: ContractId,
    pub feedback_id: i64,
    /// When an unsent draft may be deleted (ms since the epoch).
    pub expires_at_ms: f64,
    /// The id of the form's `SendFailure` alert, which takes focus after a failure.
    pub failure_id: &'static str,
    /// False while sending makes no sense (the response window closed).
    pub allowed: Signal<bool>,
    /// The request for the form's fields as they are now, if they are valid.
    pub request: Box<dyn Fn() -> Option<Request>>,
    pub sent: Sent,
    /// The server refused it (409 or 422): what that means is the form's to say.
    pub on_refused: Callback<ApiError>,
}

impl SendFlowOptions {
    fn storage_key(&self) -> String {
        drafts::key(self.kind, self.contract_id, self.feedback_id)
    }
}

/// A form's fields as its draft left them (default if none), and whether there was one.
pub fn load_fields<F: DeserializeOwned + Default + PartialEq>(
    kind: DraftKind,
    contract_id: ContractId,
    feedback_id: i64,
) -> (F, bool) {
    let saved: Stored<F, SentKey> =
        drafts::load(&drafts::key(kind, contract_id, feedback_id)).unwrap_or_default();
    let restored = saved.fields != F::default();
    (saved.fields, restored)
}

/// What the flow keeps between events, in one stored value (one type: its code is in the
/// wasm once, whatever the form).
struct Kept {
    /// The key last sent and its body's JSON, as the draft keeps them.
    sent: Option<SentKey>,
    /// The request last sent under that key, for "Try again".
    last: Option<(Request, String)>,
    /// The form's request for its current fields.
    request: Box<dyn Fn() -> Option<Request>>,
    /// What follows a send the server stored.
    done: Sent,
}

impl Kept {
    /// The form's request as it is now, keyed (the same body keeps its key), as the one to
    /// send; `None` while the fields are not valid.
    fn next_request(&mut self) -> Option<SentKey> {
        let request = (self.request)()?;
        let sent = key_for(self.sent.take(), request.json.clone());
        self.last = Some((request, sent.key.clone()));
        self.sent = Some(sent.clone());
        Some(sent)
    }
}

/// The flow's state, for the form to render. (Not generic over the body: the reactive parts
/// are one type for all three forms, so the wasm carries their code once.)
#[derive(Clone, Copy)]
pub struct SendFlow {
    pub confirming: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
    pub pending: Signal<bool>,
    /// Sends the form's body (see `SendFlowOptions::body`), keyed.
    pub send: Callback<()>,
    pub retry: Callback<()>,
}

/// Runs the flow for a form whose current fields `fields()` returns (read in a reactive
/// context, so typing is autosaved).
pub fn use_send_flow<F>(
    opts: SendFlowOptions,
    fields: impl Fn() -> F + Clone + Send + Sync + 'static,
) -> SendFlow
where
    F: Default + Serialize + DeserializeOwned + 'static,
{
    let (root, host, api) = (use_root(), use_host(), expect_context::<ApiClient>());
    let page = expect_context::<Page>();
    let key = opts.storage_key();
    let saved: Stored<F, SentKey> = drafts::load(&key).unwrap_or_default();
    let kept = StoredValue::new_local(Kept {
        sent: saved.sent,
        last: None,
        request: opts.request,
        done: opts.sent,
    });
    let expires_at_ms = Some(opts.expires_at_ms);
    let current = fields.clone();
    let autosave = drafts::autosave(key.clone(), move || Stored {
        fields: current(),
        sent: kept.with_value(|k| k.sent.clone()),
        expires_at_ms,
    });
    let autosave = StoredValue::new_local(autosave);

    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let action = Action::new_local(move |(): &()| -> Sending {
        match kept.with_value(|k| k.last.clone()) {
            Some((req, key)) => (req.send)(api.clone(), key, aborter.get_value()),
            None => Box::pin(std::future::ready(Ok(()))), // never dispatched without one
        }
    });
    let pending = action.pending();
    let allowed = opts.allowed;
    let dispatch = move || {
        // In-flight guard: a second click while sending does nothing.
        if !pending.get_untracked() && allowed.get_untracked() {
            failure.set(None);
            action.dispatch_local(());
        }
    };
    let retry = Callback::new(move |()| {
        if kept.with_value(|k| k.last.is_some()) {
            dispatch();
        }
    });
    let send = Callback::new(move |()| {
        let Some(req) = kept.try_update_value(Kept::next_request).flatten() else {
            return;
        };
        // Written at once, not after the autosave pause: a reload mid-request must reuse the key.
        let now = untrack(&fields);
        drafts::save(
            &key,
            &Stored {
                fields: now,
                sent: Some(req),
                expires_at_ms,
            },
        );
        dispatch();
    });

    // A pending automatic retry is cancelled with the view.
    let later = StoredValue::new_local(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(h)) = later.try_get_value() {
            h.clear();
        }
    });
    let (failure_id, contract_id) = (opts.failure_id, opts.contract_id);
    let i18n = crate::i18n::use_i18n();
    let on_refused = opts.on_refused;
    Effect::new(move |_| {
        let Some(result) = action.value().get() else {
            return;
        };
        confirming.set(false);
        match result {
            Ok(()) => {
                autosave.with_value(drafts::Autosave::discard);
                // Other tabs showing this contract reload it rather than offer a doomed form.
                crate::broadcast::announce_change(contract_id);
                let (event, notice) = kept.with_value(|k| (k.done.event, k.done.notice.clone()));
                host.emit(event, &[("contractId", (contract_id as f64).into())]);
                page.tell_and_reload(&root, notice);
            }
            Err(ApiError::Aborted) => {}
            Err(e @ (ApiError::Conflict(_) | ApiError::Rejected(_))) => {
                host.error(&e);
                on_refused.run(e)
            }
            Err(e) => {
                failure.set(Some(failure_message(&i18n, &e)));
                host.error(&e);
                root.focus_soon(failure_id);
                // Told to wait: wait, then send the same request again (same key: never twice).
                if let ApiError::RateLimited(secs) = e {
                    let wait = std::time::Duration::from_secs(u64::from(secs));
                    let handle = set_timeout_with_handle(move || retry.run(()), wait).ok();
                    later.set_value(handle);
                }
            }
        }
    });

    SendFlow {
        confirming,
        failure,
        pending: pending.into(),
        send,
        retry,
    }
}
