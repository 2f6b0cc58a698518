//! The feedback the client gave the freelancer, and a request to remove it (once; feedback can
//! be removed, never edited).

use feedback_domain::{
    can_request_removal, ContractSummary, GivenFeedback, ProblemKind, RemovalStatus,
};
use leptos::prelude::*;

use super::respond::show_notice;
use super::Notice;
use crate::api::{new_idempotency_key, Aborter, ApiClient, ApiError};
use crate::components::dialog::ModalDialog;
use crate::components::stars::Stars;
use crate::components::use_root;
use crate::format;
use crate::widget::use_host;

#[component]
pub fn GivenPanel(
    contract: ContractSummary,
    given: Option<GivenFeedback>,
    reload: Callback<()>,
) -> impl IntoView {
    let body = match given {
        None => view! { <p>"You haven't left feedback on this contract."</p> }.into_any(),
        Some(g) => {
            let status = match &g.removal_request {
                Some(r) => {
                    let what = match r.status {
                        RemovalStatus::Requested => "we'll review it and let you know",
                        RemovalStatus::Removed => "it has been removed",
                    };
                    view! { <p class="fw-status-line">{format!("You asked for this feedback to be removed on {}: {what}.", format::date(r.created_at))}</p> }.into_any()
                }
                None if can_request_removal(true, false).is_ok() => {
                    view! { <RemovalRequest contract_id=contract.id reload=reload/> }.into_any()
                }
                None => ().into_any(),
            };
            view! {
                <Stars rating=g.rating/>
                {g.comment.map(|c| view! { <blockquote class="fw-quote">{c}</blockquote> })}
                <p class="fw-muted">{format!("Left on {}", format::date(g.created_at))}</p>
                {status}
            }
            .into_any()
        }
    };
    view! {
        <article class="fw-card fw-given" aria-labelledby="fw-given-title">
            <h3 id="fw-given-title">{format!("Your feedback to {}", contract.freelancer_name)}</h3>
            {body}
        </article>
    }
}

#[component]
fn RemovalRequest(contract_id: i64, reload: Callback<()>) -> impl IntoView {
    let api = expect_context::<ApiClient>();
    let notice = expect_context::<Notice>();
    let (root, host) = (use_root(), use_host());
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let key = StoredValue::new(new_idempotency_key());
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let request = Action::new_local(move |_: &()| {
        let (api, ab, key) = (api.clone(), aborter.get_value(), key.get_value());
        let host = host.clone();
        async move {
            let result = api.request_removal(contract_id, &key, &ab).await;
            confirming.set(false);
            match result {
                Ok(_) => {
                    show_notice(
                        &root,
                        notice,
                        "Your removal request has been sent. We'll review it and let you know."
                            .into(),
                    );
                    reload.run(());
                }
                Err(e) if e.kind() == Some(ProblemKind::RemovalAlreadyRequested) => {
                    show_notice(
                        &root,
                        notice,
                        "You had already asked for this feedback to be removed.".into(),
                    );
                    reload.run(());
                }
                Err(ApiError::Aborted) => {}
                Err(e) => {
                    failure.set(Some(super::flow::failure_message(&e, "request")));
                    host.emit("error", &[("message", e.to_string().into())]);
                    root.focus_soon("fw-removal-failure");
                }
            }
        }
    });
    let pending = request.pending();
    view! {
        <p>"You can ask for feedback you left to be removed. Feedback can't be edited, and a removal request can't be withdrawn."</p>
        <div id="fw-removal-failure" class="fw-alert" role="alert" tabindex="-1" class:fw-hidden=move || failure.get().is_none()>
            {move || failure.get()}
        </div>
        <button type="button" class="fw-button" on:click=move |_| { failure.set(None); confirming.set(true) }>"Request removal"</button>
        <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
            labelled_by="fw-confirm-removal-title" described_by="fw-confirm-removal-desc">
            <h2 id="fw-confirm-removal-title">"Ask to remove your feedback?"</h2>
            <p id="fw-confirm-removal-desc">"We'll review the request. If the feedback is removed, it's gone for good: you can't put it back or edit it."</p>
            <div class="fw-actions">
                <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>"Cancel"</button>
                <button type="button" class="fw-button fw-primary" disabled=move || pending.get()
                    on:click=move |_| if !pending.get_untracked() { request.dispatch_local(()); }>
                    {move || if pending.get() { "Sending…" } else { "Request removal" }}
                </button>
            </div>
        </ModalDialog>
    }
}
