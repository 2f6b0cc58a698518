//! The feedback the client gave the freelancer, and a request to remove it (once; feedback can
//! be removed, never edited).

use crate::k;

use feedback_domain::{
    can_request_removal, ContractSummary, GivenFeedback, NewRemovalRequest, ProblemKind,
    RemovalRequest as RemovalRequestState, RemovalStatus,
};
use leptos::prelude::*;

use super::flow::{SendButton, SendFailure};
use super::use_send_flow::{use_send_flow, Request, SendFlowOptions, Sent};
use super::Page;
use crate::api::ApiError;
use crate::components::dialog::ModalDialog;
use crate::components::stars::Stars;
use crate::components::timeline::{StatusTimeline, Step};
use crate::components::use_root;
use crate::drafts::{self, DraftKind};
use crate::i18n::use_i18n;
use crate::widget::HostEvent;

#[component]
pub fn GivenPanel(contract: ContractSummary, given: Option<GivenFeedback>) -> impl IntoView {
    let i18n = use_i18n();
    let body = match given {
        None => view! { <p>{i18n.t(k!("given.none"))}</p> }.into_any(),
        Some(g) => view! { <Given contract_id=contract.id given=g/> }.into_any(),
    };
    let (to_before, to_after) = i18n.around(k!("given.title"), "name");
    view! {
        <article class="fw-card fw-given" aria-labelledby="fw-given-title">
            <h3 id="fw-given-title">{to_before}<bdi>{contract.freelancer_name}</bdi>{to_after}</h3>
            {body}
        </article>
    }
}

/// The feedback as posted (or that it was removed), and where its removal stands.
#[component]
fn Given(contract_id: i64, given: GivenFeedback) -> impl IntoView {
    let i18n = use_i18n();
    // The client's own feedback: the domain decides whether removal may still be asked for.
    let requested = given.removal_request.is_some();
    let status = match can_request_removal(true, requested) {
        Ok(()) => {
            view! { <RemovalRequest contract_id=contract_id feedback_id=given.id/> }.into_any()
        }
        Err(_) => given
            .removal_request
            .map(|r| view! { <RemovalStatusView request=r/> })
            .into_any(),
    };
    let shown = match given.removed_at {
        Some(at) => view! {
            <p class="fw-removed">{i18n.tf(k!("given.removed"), &[("date", &i18n.date(at))])}</p>
        }
        .into_any(),
        None => view! {
            <Stars rating=given.rating/>
            {given.comment.map(|c| view! { <blockquote class="fw-quote">{c}</blockquote> })}
        }
        .into_any(),
    };
    view! {
        {shown}
        <p class="fw-muted">{i18n.tf(k!("feedback.left_on"), &[("date", &i18n.date(given.created_at))])}</p>
        {status}
    }
}

#[component]
fn RemovalStatusView(request: RemovalRequestState) -> impl IntoView {
    let i18n = use_i18n();
    let key = match request.status {
        RemovalStatus::Requested => k!("given.status.requested"),
        RemovalStatus::Removed => k!("given.status.removed"),
        RemovalStatus::Declined => k!("given.status.declined"),
    };
    let steps = request
        .history
        .iter()
        .map(|h| Step {
            label: i18n.removal_step(h.status),
            at: h.at,
            reason: h.reason.clone(),
        })
        .collect();
    view! {
        <p class="fw-status-line">{i18n.tf(key, &[("date", &i18n.date(request.created_at))])}</p>
        <StatusTimeline steps=steps label=i18n.t(k!("given.history"))/>
    }
}

#[component]
fn RemovalRequest(contract_id: i64, feedback_id: i64) -> impl IntoView {
    let page = expect_context::<Page>();
    let (root, i18n) = (use_root(), use_i18n());
    let (already, refused) = (i18n.t(k!("given.already")), i18n);
    let opts = SendFlowOptions {
        kind: DraftKind::Removal,
        contract_id,
        feedback_id,
        expires_at_ms: drafts::default_expiry_ms(),
        failure_id: "fw-removal-failure",
        allowed: Signal::stored(true),
        request: Box::new(move || {
            let body = NewRemovalRequest {};
            Some(Request::new(body, move |api, body, key, ab| async move {
                api.request_removal(contract_id, &body, &key, &ab)
                    .await
                    .map(drop)
            }))
        }),
        sent: Sent {
            event: HostEvent::RemovalRequested,
            notice: i18n.t(k!("given.sent")),
        },
        on_refused: Callback::new(move |e: ApiError| {
            let message = match e.kind() {
                Some(ProblemKind::RemovalAlreadyRequested) => already.clone(),
                _ => refused.tf(k!("given.not_sent"), &[("reason", &refused.api_error(&e))]),
            };
            page.tell_and_reload(&root, message);
        }),
    };
    // Nothing to type: the draft only keeps the request's key, so a retry after a reload
    // replays instead of asking twice.
    let flow = use_send_flow(opts, || ());
    let confirming = flow.confirming;
    let send = flow.send;
    view! {
        <p>{i18n.t(k!("given.intro"))}</p>
        <SendFailure id="fw-removal-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
        <button type="button" class="fw-button" on:click=move |_| { flow.failure.set(None); confirming.set(true) }>{i18n.t(k!("given.request"))}</button>
        <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
            labelled_by="fw-confirm-removal-title" described_by="fw-confirm-removal-desc">
            <h2 id="fw-confirm-removal-title">{i18n.t(k!("given.confirm_title"))}</h2>
            <p id="fw-confirm-removal-desc">{i18n.t(k!("given.confirm_desc"))}</p>
            <div class="fw-actions">
                <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>{i18n.t(k!("form.cancel"))}</button>
                <SendButton label=i18n.t(k!("given.request")) pending_label=i18n.t(k!("given.sending")) pending=flow.pending
                    on_send=send/>
            </div>
        </ModalDialog>
    }
}
