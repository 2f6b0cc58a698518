//! The one public response to the freelancer's written feedback: rules first, then a draft
//! that autosaves, validation with an error summary, a check-your-response dialog, and a send
//! that can't happen twice. The editor closes in place when the window ends.

use crate::k;
use feedback_domain::{
    is_window_open, validate_response, ContractSummary, FeedbackResponse, ProblemKind,
    ReceivedFeedback, RespondBlocked, ResponseWindow, RESPONSE_MAX_CHARS,
};
use std::rc::Rc;

use leptos::prelude::*;

use super::flow::{SendButton, SendFailure};
use super::use_send_flow::{use_send_flow, SendFlowOptions};
use super::Notice;
use crate::api::ApiError;
use crate::clock::ServerClock;
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::components::error_summary::{focus_summary, ErrorSummary, FieldProblem};
use crate::components::{use_root, DomRoot};
use crate::drafts::DraftKind;
use crate::format;
use crate::i18n::{use_i18n, Key};
use crate::widget::use_host;

const FIELD: &str = "fw-response-text";
const SUMMARY: &str = "fw-respond";

#[component]
pub fn RespondPanel(
    contract: ContractSummary,
    feedback: ReceivedFeedback,
    window: Option<ResponseWindow>,
    reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let blocked = |b: RespondBlocked| {
        let text = i18n.t(blocked_key(b));
        view! { <p>{text}</p> }.into_any()
    };
    let body = if feedback.removed_at.is_some() {
        blocked(RespondBlocked::FeedbackRemoved)
    } else if let Some(r) = feedback.response.clone() {
        view! { <PostedResponse response=r freelancer=contract.freelancer_name.clone()/> }
            .into_any()
    } else if feedback.comment.is_none() {
        blocked(RespondBlocked::NoWrittenComment)
    } else if let Some(window) = window {
        view! { <Editor contract=contract feedback_id=feedback.id window=window reload=reload/> }
            .into_any()
    } else {
        blocked(RespondBlocked::ContractActive)
    };
    view! {
        <section class="fw-card fw-respond" aria-labelledby="fw-respond-title">
            <h3 id="fw-respond-title">{i18n.t(k!("respond.title"))}</h3>
            {body}
        </section>
    }
}

#[component]
fn PostedResponse(response: FeedbackResponse, freelancer: String) -> impl IntoView {
    let i18n = use_i18n();
    let posted = i18n.tf(
        k!("respond.posted_on"),
        &[("date", &i18n.date_time_zoned(response.created_at))],
    );
    let (before, after) = i18n.around(k!("respond.posted_where"), "name");
    view! {
        <blockquote class="fw-quote fw-response">{response.text}</blockquote>
        <p class="fw-muted">{posted} " " {before}<bdi>{freelancer}</bdi>{after}</p>
    }
}

/// The catalog key of a reason a response can't be posted.
fn blocked_key(b: RespondBlocked) -> Key {
    match b {
        RespondBlocked::ContractActive => k!("respond.blocked.active"),
        RespondBlocked::WindowClosed => k!("respond.blocked.closed"),
        // The rest say what the server's problem of the same kind says.
        RespondBlocked::NoWrittenComment => k!("problem.no-written-comment"),
        RespondBlocked::AlreadyResponded => k!("problem.already-responded"),
        RespondBlocked::FeedbackRemoved => k!("problem.feedback-removed"),
    }
}

/// An unsent response draft is kept this long after the window closes, so it can still be
/// copied; then it is deleted.
const CLOSED_DRAFT_GRACE_DAYS: i64 = 7;

#[component]
fn Editor(
    contract: ContractSummary,
    feedback_id: i64,
    window: ResponseWindow,
    reload: Callback<()>,
) -> impl IntoView {
    let clock = expect_context::<ServerClock>();
    let notice = expect_context::<Notice>();
    let (root, host, i18n) = (use_root(), use_host(), use_i18n());
    let ended_at = contract.ended_at;
    let contract_id = contract.id;
    let freelancer = contract.freelancer_name.clone();
    let open = Memo::new(move |_| is_window_open(ended_at, clock.now()));

    let text_error = RwSignal::new(None::<String>);
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let show_problems = move |msgs: Vec<String>| {
        text_error.set(msgs.first().cloned());
        problems.set(
            msgs.into_iter()
                .map(|message| FieldProblem {
                    field_id: FIELD.into(),
                    message,
                })
                .collect(),
        );
        focus_summary(&root, SUMMARY);
    };
    let posted_notice = i18n.tf(
        k!("respond.posted"),
        &[("name", &format::isolate(&freelancer))],
    );
    let refused = i18n;
    let on_sent = Callback::new(move |()| {
        crate::broadcast::announce_change(contract_id);
        host.emit(
            crate::widget::HostEvent::ResponsePosted,
            &[("contractId", (contract_id as f64).into())],
        );
        show_notice(&root, notice, posted_notice.clone());
        reload.run(());
    });
    let on_refused = Callback::new(move |e: ApiError| match e.kind() {
        Some(ProblemKind::AlreadyResponded) => {
            show_notice(&root, notice, refused.t(k!("respond.already_posted")));
            reload.run(());
        }
        Some(ProblemKind::Validation) => {
            let mut messages: Vec<String> = refused
                .field_problems(&e)
                .into_iter()
                .filter(|(field, _)| field == "text")
                .map(|(_, m)| m)
                .collect();
            if messages.is_empty() {
                messages.push(refused.api_error(&e));
            }
            show_problems(messages)
        }
        _ => {
            let reason = refused.api_error(&e);
            show_notice(
                &root,
                notice,
                refused.tf(k!("respond.not_posted"), &[("reason", &reason)]),
            );
            reload.run(());
        }
    });
    let expires = window.closes_at + chrono::Duration::days(CLOSED_DRAFT_GRACE_DAYS);
    let opts = SendFlowOptions {
        kind: DraftKind::Response,
        contract_id,
        feedback_id,
        expires_at_ms: expires.timestamp_millis() as f64,
        failure_id: "fw-respond-failure",
        allowed: open.into(),
        request: Rc::new(move |api, req, ab| {
            Box::pin(async move {
                api.respond(contract_id, &req.body, &req.key, &ab)
                    .await
                    .map(drop)
            })
        }),
        on_sent,
        on_refused,
    };
    let (saved, restored) = opts.load_fields::<String>();
    let text = RwSignal::new(saved);
    let flow = use_send_flow(opts, move || text.get());
    let confirming = flow.confirming;
    // The window closed while the page was open: no dialog may stay up to post into it.
    Effect::new(move |_| {
        if !open.get() {
            confirming.set(false);
        }
    });

    let checker = i18n;
    let on_continue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        flow.failure.set(None);
        match validate_response(&text.get_untracked()) {
            Err(e) => show_problems(vec![checker.text_error(&e)]),
            Ok(_) => {
                text_error.set(None);
                problems.set(Vec::new());
                confirming.set(true);
            }
        }
    };
    let send = flow.send;
    let on_post = move |()| {
        if let Ok(body) = validate_response(&text.get_untracked()) {
            send.run(body.to_string());
        }
    };

    request_animation_frame(|| crate::perf_mark("fw:editor-ready"));
    let deadline = i18n.deadline(window.closes_at);
    let closed_on = i18n.date_time_zoned(window.closes_at);
    let (until_before, until_after) = i18n.around(k!("respond.until"), "deadline");
    let (once_before, once_after) = i18n.around(k!("respond.rule_once"), "one");
    let (where_before, where_after) = i18n.around(k!("respond.rule_where"), "name");
    let (check_before, check_after) = i18n.around(k!("respond.check_desc"), "name");
    let counter = i18n;
    let unsent = i18n.t(k!("respond.unsent"));
    let preview = move || {
        validate_response(&text.get())
            .map(str::to_string)
            .unwrap_or_default()
    };
    view! {
        <div hidden=move || !open.get()>
            <div class="fw-rules" id="fw-respond-rules">
                <p>{i18n.t(k!("respond.rules_intro"))}</p>
                <ul>
                    <li>{once_before}<strong>{i18n.t(k!("respond.rule_once.one"))}</strong>{once_after}</li>
                    <li>{where_before}<bdi>{contract.freelancer_name.clone()}</bdi>{where_after}</li>
                    <li>{i18n.t(k!("respond.rule_care"))}</li>
                </ul>
            </div>
            <p class="fw-deadline">
                {until_before}<strong>{deadline}</strong>{until_after} " "
                <span class="fw-countdown">{move || counter.countdown(ended_at, clock.now())}</span>
            </p>
            {restored.then(|| view! { <p class="fw-muted">{i18n.t(k!("draft.restored"))}</p> })}
            <SendFailure id="fw-respond-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <CharCountTextarea id=FIELD label=i18n.t(k!("respond.label"))
                    hint=i18n.t(k!("respond.hint"))
                    value=text max=RESPONSE_MAX_CHARS error=text_error/>
                <button type="submit" class="fw-button fw-primary">{i18n.t(k!("form.continue"))}</button>
            </form>
            <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
                labelled_by="fw-confirm-response-title" described_by="fw-confirm-response-desc">
                <h2 id="fw-confirm-response-title">{i18n.t(k!("respond.check_title"))}</h2>
                <p id="fw-confirm-response-desc">
                    {check_before}<bdi>{contract.freelancer_name.clone()}</bdi>{check_after}
                </p>
                <blockquote class="fw-quote fw-preview">{preview}</blockquote>
                <div class="fw-actions">
                    <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>{i18n.t(k!("respond.back"))}</button>
                    <SendButton label=i18n.t(k!("respond.post")) pending_label=i18n.t(k!("respond.posting")) pending=flow.pending on_send=on_post/>
                </div>
            </ModalDialog>
        </div>
        <div hidden=move || open.get() class="fw-closed">
            <p><strong>{i18n.tf(k!("respond.closed_on"), &[("date", &closed_on)])}</strong>
               " " {i18n.tp(k!("respond.closed_rule"), feedback_domain::RESPONSE_WINDOW_DAYS as f64, &[])}</p>
            <Show when=move || !text.get().trim().is_empty()>
                <label class="fw-label" for="fw-response-unsent">{unsent.clone()}</label>
                <textarea id="fw-response-unsent" class="fw-textarea" readonly rows=4 prop:value=move || text.get()></textarea>
            </Show>
        </div>
    }
}

pub fn show_notice(root: &DomRoot, notice: Notice, message: String) {
    notice.0.set(Some(message));
    root.focus_soon("fw-notice");
}
