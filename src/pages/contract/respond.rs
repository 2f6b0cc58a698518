//! The one public response to the freelancer's written feedback: rules first, then a draft
//! that autosaves, validation with an error summary, a check-your-response dialog, and a send
//! that can't happen twice. The editor closes in place when the window ends.

use feedback_domain::{
    describe_window, is_window_open, validate_response, ContractSummary, FeedbackResponse,
    ProblemKind, ReceivedFeedback, RespondBlocked, ResponseWindow, RESPONSE_MAX_CHARS,
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
    let body = if feedback.removed_at.is_some() {
        view! { <p>{RespondBlocked::FeedbackRemoved.to_string()}</p> }.into_any()
    } else if let Some(r) = feedback.response.clone() {
        view! { <PostedResponse response=r freelancer=contract.freelancer_name.clone()/> }
            .into_any()
    } else if feedback.comment.is_none() {
        view! { <p>{RespondBlocked::NoWrittenComment.to_string()}</p> }.into_any()
    } else if let Some(window) = window {
        view! { <Editor contract=contract feedback_id=feedback.id window=window reload=reload/> }
            .into_any()
    } else {
        view! { <p>{RespondBlocked::ContractActive.to_string()}</p> }.into_any()
    };
    view! {
        <section class="fw-card fw-respond" aria-labelledby="fw-respond-title">
            <h3 id="fw-respond-title">"Your response"</h3>
            {body}
        </section>
    }
}

#[component]
fn PostedResponse(response: FeedbackResponse, freelancer: String) -> impl IntoView {
    view! {
        <blockquote class="fw-quote fw-response" dir="auto">{response.text}</blockquote>
        <p class="fw-muted">
            {format!("Posted on {}. It appears on ", format::date_time_zoned(response.created_at))}
            <bdi>{freelancer}</bdi>"'s work history. Responses can't be edited."
        </p>
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
    let (root, host) = (use_root(), use_host());
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
    let posted_notice = format!(
        "Your response has been posted. It now appears on {}'s work history.",
        format::isolate(&freelancer)
    );
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
            show_notice(&root, notice, "A response to this feedback was already posted, perhaps from another tab or device. It's shown below; your draft was not sent.".into());
            reload.run(());
        }
        Some(ProblemKind::Validation) => show_problems(
            e.field_errors()
                .remove("text")
                .unwrap_or_else(|| vec![e.to_string()]),
        ),
        _ => {
            show_notice(&root, notice, format!("Your response was not posted: {e}"));
            reload.run(());
        }
    });
    let expires = window.closes_at + chrono::Duration::days(CLOSED_DRAFT_GRACE_DAYS);
    let opts = SendFlowOptions {
        kind: DraftKind::Response,
        contract_id,
        feedback_id,
        expires_at_ms: expires.timestamp_millis() as f64,
        what: "response",
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

    let on_continue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        flow.failure.set(None);
        match validate_response(&text.get_untracked()) {
            Err(e) => show_problems(vec![e.to_string()]),
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
    let deadline = format::deadline(window.closes_at);
    let closed_on = format::date_time_zoned(window.closes_at);
    let preview = move || {
        validate_response(&text.get())
            .map(str::to_string)
            .unwrap_or_default()
    };
    view! {
        <div hidden=move || !open.get()>
            <div class="fw-rules" id="fw-respond-rules">
                <p>"Before you write, please know:"</p>
                <ul>
                    <li>"You can post " <strong>"one"</strong> " response. Once it's posted you can't edit or delete it."</li>
                    <li>"It appears on " <bdi>{contract.freelancer_name.clone()}</bdi> "'s work history, below their feedback. It does not appear on your own profile."</li>
                    <li>"Stick to the facts and choose your words with care: anyone who views that work history can read it."</li>
                </ul>
            </div>
            <p class="fw-deadline">
                "You can respond until " <strong>{deadline}</strong> ". "
                <span class="fw-countdown">{move || describe_window(ended_at, clock.now())}</span>
            </p>
            {restored.then(|| view! { <p class="fw-muted">"We kept the draft you started earlier."</p> })}
            <SendFailure id="fw-respond-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <CharCountTextarea id=FIELD label="Write your public response"
                    hint="Only you can see this draft until you post it. It is saved on this device as you type, and deleted once it is posted."
                    value=text max=RESPONSE_MAX_CHARS error=text_error/>
                <button type="submit" class="fw-button fw-primary">"Continue"</button>
            </form>
            <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
                labelled_by="fw-confirm-response-title" described_by="fw-confirm-response-desc">
                <h2 id="fw-confirm-response-title">"Check your response"</h2>
                <p id="fw-confirm-response-desc">
                    "This is exactly what will appear under " <bdi>{contract.freelancer_name.clone()}</bdi> "'s feedback on their work history. You can't edit or delete it after you post it."
                </p>
                <blockquote class="fw-quote fw-preview" dir="auto">{preview}</blockquote>
                <div class="fw-actions">
                    <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>"Go back and edit"</button>
                    <SendButton label="Post response" pending_label="Posting your response…" pending=flow.pending on_send=on_post/>
                </div>
            </ModalDialog>
        </div>
        <div hidden=move || open.get() class="fw-closed">
            <p><strong>{format!("The response period ended on {closed_on}.")}</strong>
               " Responses can only be posted within 28 days after a contract ends."</p>
            <Show when=move || !text.get().trim().is_empty()>
                <label class="fw-label" for="fw-response-unsent">"Your unsent draft (you can still copy it)"</label>
                <textarea id="fw-response-unsent" class="fw-textarea" readonly rows=4 prop:value=move || text.get()></textarea>
            </Show>
        </div>
    }
}

pub fn show_notice(root: &DomRoot, notice: Notice, message: String) {
    notice.0.set(Some(message));
    root.focus_soon("fw-notice");
}
