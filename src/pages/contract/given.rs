//! The feedback the client gave the freelancer, and a request to remove it (once; feedback can
//! be removed, never edited).

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
use crate::format;

#[component]
pub fn GivenPanel(
    contract: ContractSummary,
    given: Option<GivenFeedback>,
    reload: Callback<()>,
) -> impl IntoView {
    let body = match given {
        None => view! { <p>"You haven't left feedback on this contract."</p> }.into_any(),
        Some(g) => {
            let status = match g.removal_request.clone() {
                Some(r) => view! { <RemovalStatusView request=r/> }.into_any(),
                None => view! { <RemovalRequest contract_id=contract.id feedback_id=g.id reload=reload/> }.into_any(),
            };
            let shown = match g.removed_at {
                Some(at) => view! {
                    <p class="fw-removed">{format!("Removed on {}. It no longer appears on the freelancer's profile.", format::date(at))}</p>
                }
                .into_any(),
                None => view! {
                    <Stars rating=g.rating/>
                    {g.comment.map(|c| view! { <blockquote class="fw-quote" dir="auto">{c}</blockquote> })}
                }
                .into_any(),
            };
            view! {
                {shown}
                <p class="fw-muted">{format!("Left on {}", format::date(g.created_at))}</p>
                {status}
            }
            .into_any()
        }
    };
    view! {
        <article class="fw-card fw-given" aria-labelledby="fw-given-title">
            <h3 id="fw-given-title">"Your feedback to " <bdi>{contract.freelancer_name}</bdi></h3>
            {body}
        </article>
    }
}

#[component]
fn RemovalStatusView(request: RemovalRequestState) -> impl IntoView {
    let what = match request.status {
        RemovalStatus::Requested => "we'll review it and let you know",
        RemovalStatus::Removed => "it has been removed",
        RemovalStatus::Declined => "a moderator decided it stays",
    };
    let steps = request
        .history
        .iter()
        .map(|h| Step {
            label: h.status.step_label(),
            at: h.at,
            reason: h.reason.clone(),
        })
        .collect();
    view! {
        <p class="fw-status-line">{format!("You asked for this feedback to be removed on {}: {what}.", format::date(request.created_at))}</p>
        <StatusTimeline steps=steps label="Removal request history"/>
    }
}

#[component]
fn RemovalRequest(contract_id: i64, feedback_id: i64, reload: Callback<()>) -> impl IntoView {
    let notice = expect_context::<Notice>();
    let (root, host) = (use_root(), crate::widget::use_host());
    let done = move |message: &str| {
        show_notice(&root, notice, message.into());
        reload.run(());
    };
    let opts = SendFlowOptions {
        kind: DraftKind::Removal,
        contract_id,
        feedback_id,
        expires_at_ms: drafts::default_expiry_ms(),
        what: "request",
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
            done("Your removal request has been sent. We'll review it and let you know.")
        }),
        on_refused: Callback::new(move |e: ApiError| match e.kind() {
            Some(ProblemKind::RemovalAlreadyRequested) => {
                done("You had already asked for this feedback to be removed.")
            }
            _ => done(&format!("Your request was not sent: {e}")),
        }),
    };
    // Nothing to type: the draft only keeps the request's key, so a retry after a reload
    // replays instead of asking twice.
    let flow = use_send_flow(opts, || ());
    let confirming = flow.confirming;
    let send = flow.send;
    view! {
        <p>"You can ask for feedback you left to be removed. Feedback can't be edited, and a removal request can't be withdrawn."</p>
        <SendFailure id="fw-removal-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
        <button type="button" class="fw-button" on:click=move |_| { flow.failure.set(None); confirming.set(true) }>"Request removal"</button>
        <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
            labelled_by="fw-confirm-removal-title" described_by="fw-confirm-removal-desc">
            <h2 id="fw-confirm-removal-title">"Ask to remove your feedback?"</h2>
            <p id="fw-confirm-removal-desc">"We'll review the request. If the feedback is removed, it's gone for good: you can't put it back or edit it."</p>
            <div class="fw-actions">
                <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>"Cancel"</button>
                <SendButton label="Request removal" pending_label="Sending your request…" pending=flow.pending
                    on_send=move |()| send.run(String::new())/>
            </div>
        </ModalDialog>
    }
}
