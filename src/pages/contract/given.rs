//! The feedback the client gave the freelancer, and a request to remove it (once; feedback can
//! be removed, never edited).

use crate::k;
use std::rc::Rc;

use feedback_domain::{
    ContractSummary, GivenFeedback, ProblemKind, RemovalRequest as RemovalRequestState,
    RemovalStatus,
};
use leptos::prelude::*;

use super::flow::{SendButton, SendFailure};
use super::respond::show_notice;
use super::use_send_flow::{use_send_flow, SendFlowOptions};
use super::Notice;
use crate::api::ApiError;
use crate::components::dialog::ModalDialog;
use crate::components::stars::Stars;
use crate::components::timeline::{StatusTimeline, Step};
use crate::components::use_root;
use crate::drafts::{self, DraftKind};
use crate::i18n::use_i18n;

#[component]
pub fn GivenPanel(
    contract: ContractSummary,
    given: Option<GivenFeedback>,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = match given {
        None => view! { <p>{i18n.t(k!("given.none"))}</p> }.into_any(),
        Some(g) => {
            let status = match g.removal_request.clone() {
                Some(r) => view! { <RemovalStatusView request=r/> }.into_any(),
                None => view! { <RemovalRequest contract_id=contract.id feedback_id=g.id reload=reload/> }.into_any(),
            };
            let shown = match g.removed_at {
                Some(at) => view! {
                    <p class="fw-removed">{i18n.tf(k!("given.removed"), &[("date", &i18n.date(at))])}</p>
                }
                .into_any(),
                None => view! {
                    <Stars rating=g.rating/>
                    {g.comment.map(|c| view! { <blockquote class="fw-quote">{c}</blockquote> })}
                }
                .into_any(),
            };
            view! {
                {shown}
                <p class="fw-muted">{i18n.tf(k!("feedback.left_on"), &[("date", &i18n.date(g.created_at))])}</p>
                {status}
            }
            .into_any()
        }
    };
    let (to_before, to_after) = i18n.around(k!("given.title"), "name");
    view! {
        <article class="fw-card fw-given" aria-labelledby="fw-given-title">
            <h3 id="fw-given-title">{to_before}<bdi>{contract.freelancer_name}</bdi>{to_after}</h3>
            {body}
        </article>
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
fn RemovalRequest(contract_id: i64, feedback_id: i64, reload: Callback<()>) -> impl IntoView {
    let notice = expect_context::<Notice>();
    let (root, host, i18n) = (use_root(), crate::widget::use_host(), use_i18n());
    let (sent, already, refused) = (i18n.t(k!("given.sent")), i18n.t(k!("given.already")), i18n);
    let done = move |message: &str| {
        show_notice(&root, notice, message.into());
        reload.run(());
    };
    let opts = SendFlowOptions {
        kind: DraftKind::Removal,
        contract_id,
        feedback_id,
        expires_at_ms: drafts::default_expiry_ms(),
        failure_id: "fw-removal-failure",
        allowed: Signal::stored(true),
        request: Rc::new(move |api, req, ab| {
            Box::pin(async move {
                api.request_removal(contract_id, &req.key, &ab)
                    .await
                    .map(drop)
            })
        }),
        on_sent: Callback::new(move |()| {
            host.emit(
                crate::widget::HostEvent::RemovalRequested,
                &[("contractId", (contract_id as f64).into())],
            );
            done(&sent)
        }),
        on_refused: Callback::new(move |e: ApiError| match e.kind() {
            Some(ProblemKind::RemovalAlreadyRequested) => done(&already),
            _ => done(&refused.tf(k!("given.not_sent"), &[("reason", &refused.api_error(&e))])),
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
                    on_send=move |()| send.run(String::new())/>
            </div>
        </ModalDialog>
    }
}
