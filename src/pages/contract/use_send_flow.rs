//! One life cycle for the three confirm-then-send forms (response, report, removal request):
//! the draft (loaded, autosaved, deleted once the server has it, expired if abandoned), the
//! Idempotency-Key that follows the body, the in-flight guard, the confirm dialog's state, and
//! what a failure means. Each form keeps only its fields and what a refusal means to it.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use feedback_domain::ContractId;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use super::flow::{failure_message, key_for, KeyedBody};
use crate::api::{Aborter, ApiClient, ApiError};
use crate::components::use_root;
use crate::drafts::{self, DraftKind, Stored};
use crate::widget::use_host;

/// Sends one keyed body; the forms' requests differ only in this.
pub type SendRequest = Rc<
    dyn Fn(ApiClient, KeyedBody, Aborter) -> Pin<Box<dyn Future<Output = Result<(), ApiError>>>>,
>;

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
    pub request: SendRequest,
    /// The server stored it.
    pub on_sent: Callback<()>,
    /// The server refused it (409 or 422): what that means is the form's to say.
    pub on_refused: Callback<ApiError>,
}

impl SendFlowOptions {
    fn storage_key(&self) -> String {
        drafts::key(self.kind, self.contract_id, self.feedback_id)
    }

    /// The form's fields as the draft left them (default if none), and whether there was one.
    pub fn load_fields<F: DeserializeOwned + Default + PartialEq>(&self) -> (F, bool) {
        let saved: Stored<F, KeyedBody> = drafts::load(&self.storage_key()).unwrap_or_default();
        let restored = saved.fields != F::default();
        (saved.fields, restored)
    }
}

/// The flow's state, for the form to render.
#[derive(Clone, Copy)]
pub struct SendFlow {
    pub confirming: RwSignal<bool>,
    pub failure: RwSignal<Option<String>>,
    pub pending: Signal<bool>,
    pub send: Callback<String>,
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
    let key = opts.storage_key();
    let saved: Stored<F, KeyedBody> = drafts::load(&key).unwrap_or_default();
    let sent = RwSignal::new(saved.sent);
    let expires_at_ms = Some(opts.expires_at_ms);
    let current = fields.clone();
    let autosave = drafts::autosave(key.clone(), move || Stored {
        fields: current(),
        sent: sent.get(),
        expires_at_ms,
    });
    let autosave = StoredValue::new_local(autosave);

    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let request = opts.request;
    let action = Action::new_local(move |req: &KeyedBody| {
        request(api.clone(), req.clone(), aborter.get_value())
    });
    let pending = action.pending();
    let allowed = opts.allowed;
    let dispatch = move |req: KeyedBody| {
        // In-flight guard: a second click while sending does nothing.
        if !pending.get_untracked() && allowed.get_untracked() {
            failure.set(None);
            action.dispatch_local(req);
        }
    };
    let retry = Callback::new(move |()| {
        if let Some(req) = sent.get_untracked() {
            dispatch(req);
        }
    });
    let send = Callback::new(move |body: String| {
        let req = key_for(sent.get_untracked(), body);
        sent.set(Some(req.clone()));
        // Written at once, not after the autosave pause: a reload mid-request must reuse the key.
        let now = untrack(&fields);
        drafts::save(
            &key,
            &Stored {
                fields: now,
                sent: Some(req.clone()),
                expires_at_ms,
            },
        );
        dispatch(req);
    });

    // A pending automatic retry is cancelled with the view.
    let later = StoredValue::new_local(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(h)) = later.try_get_value() {
            h.clear();
        }
    });
    let failure_id = opts.failure_id;
    let i18n = crate::i18n::use_i18n();
    let (on_sent, on_refused) = (opts.on_sent, opts.on_refused);
    Effect::new(move |_| {
        let Some(result) = action.value().get() else {
            return;
        };
        confirming.set(false);
        match result {
            Ok(()) => {
                autosave.with_value(drafts::Autosave::discard);
                on_sent.run(());
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
