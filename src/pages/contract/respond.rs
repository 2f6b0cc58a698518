//! The one public response to the freelancer's written feedback: rules first, then a draft
//! that autosaves, validation with an error summary, a check-your-response dialog, and a send
//! that can't happen twice. The editor closes in place when the window ends.

use feedback_domain::{
    describe_window, is_window_open, validate_response, ContractSummary, FeedbackResponse,
    ProblemKind, ReceivedFeedback, RespondBlocked, ResponseWindow, RESPONSE_MAX_CHARS,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::flow::{failure_message, key_for, KeyedBody, SendFailure};
use super::Notice;
use crate::api::{Aborter, ApiClient, ApiError};
use crate::clock::ServerClock;
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::components::error_summary::{focus_summary, ErrorSummary, FieldProblem};
use crate::components::{use_root, DomRoot};
use crate::drafts::{self, DraftKind};
use crate::format;
use crate::widget::use_host;

const FIELD: &str = "fw-response-text";
const SUMMARY: &str = "fw-respond";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ResponseDraft {
    text: String,
    /// Set when the text was sent: a retry reuses the key.
    sent: Option<KeyedBody>,
}

#[component]
pub fn RespondPanel(
    contract: ContractSummary,
    feedback: ReceivedFeedback,
    window: Option<ResponseWindow>,
    reload: Callback<()>,
) -> impl IntoView {
    let body = if let Some(r) = feedback.response.clone() {
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
        <blockquote class="fw-quote fw-response">{response.text}</blockquote>
        <p class="fw-muted">
            {format!("Posted on {}. It appears on {freelancer}'s work history. Responses can't be edited.",
                format::date_time(response.created_at))}
        </p>
    }
}

#[component]
fn Editor(
    contract: ContractSummary,
    feedback_id: i64,
    window: ResponseWindow,
    reload: Callback<()>,
) -> impl IntoView {
    let api = expect_context::<ApiClient>();
    let clock = expect_context::<ServerClock>();
    let notice = expect_context::<Notice>();
    let root = use_root();
    let host = use_host();
    let ended_at = contract.ended_at;
    let contract_id = contract.id;
    let freelancer = contract.freelancer_name.clone();
    let open = Memo::new(move |_| is_window_open(ended_at, clock.now()));

    let storage_key = drafts::key(DraftKind::Response, contract_id, feedback_id);
    let saved: ResponseDraft = drafts::load(&storage_key).unwrap_or_default();
    let restored = !saved.text.trim().is_empty();
    let text = RwSignal::new(saved.text);
    let sent = RwSignal::new(saved.sent);
    drafts::autosave(storage_key.clone(), move || ResponseDraft {
        text: text.get(),
        sent: sent.get(),
    });

    let text_error = RwSignal::new(None::<String>);
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    // The window closed while the page was open: no dialog may stay up to post into it.
    Effect::new(move |_| {
        if !open.get() {
            confirming.set(false);
        }
    });

    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let storage_key = StoredValue::new(storage_key);
    let posted_notice =
        format!("Your response has been posted. It now appears on {freelancer}'s work history.");
    let post = Action::new_local(move |req: &KeyedBody| {
        let (api, ab, req) = (api.clone(), aborter.get_value(), req.clone());
        let posted_notice = posted_notice.clone();
        let host = host.clone();
        async move {
            let result = api.respond(contract_id, &req.body, &req.key, &ab).await;
            confirming.set(false);
            match result {
                Ok(_) => {
                    drafts::clear(&storage_key.get_value());
                    crate::broadcast::announce_change(contract_id);
                    host.emit(
                        "response-posted",
                        &[("contractId", (contract_id as f64).into())],
                    );
                    show_notice(&root, notice, posted_notice);
                    reload.run(());
                }
                Err(e) => match e.kind() {
                    Some(ProblemKind::AlreadyResponded) => {
                        show_notice(&root, notice, "A response to this feedback was already posted, perhaps from another tab or device. It's shown below; your draft was not sent.".into());
                        reload.run(());
                    }
                    Some(ProblemKind::WindowNotOpen) | Some(ProblemKind::NoWrittenComment) => {
                        show_notice(&root, notice, format!("Your response was not posted: {e}"));
                        reload.run(());
                    }
                    Some(ProblemKind::Validation) => {
                        let msgs = e
                            .field_errors()
                            .remove("text")
                            .unwrap_or_else(|| vec![e.to_string()]);
                        text_error.set(msgs.first().cloned());
                        problems.set(
                            msgs.into_iter()
                                .map(|m| FieldProblem {
                                    field_id: FIELD.into(),
                                    message: m,
                                })
                                .collect(),
                        );
                        focus_summary(&root, SUMMARY);
                    }
                    _ if matches!(e, ApiError::Aborted) => {}
                    _ => {
                        failure.set(Some(failure_message(&e, "response")));
                        host.emit("error", &[("message", e.to_string().into())]);
                        root.focus_soon("fw-respond-failure");
                    }
                },
            }
        }
    });
    let pending = post.pending();
    let send = move |req: KeyedBody| {
        // In-flight guard: a second click while posting does nothing.
        if !pending.get_untracked() && open.get_untracked() {
            failure.set(None);
            post.dispatch_local(req);
        }
    };

    let on_continue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        match validate_response(&text.get_untracked()) {
            Err(e) => {
                text_error.set(Some(e.to_string()));
                problems.set(vec![FieldProblem {
                    field_id: FIELD.into(),
                    message: e.to_string(),
                }]);
                focus_summary(&root, SUMMARY);
            }
            Ok(_) => {
                text_error.set(None);
                problems.set(Vec::new());
                confirming.set(true);
            }
        }
    };
    let on_post = move |_| {
        let Ok(body) = validate_response(&text.get_untracked()).map(str::to_string) else {
            return;
        };
        let req = key_for(sent.get_untracked(), body);
        sent.set(Some(req.clone()));
        drafts::save(
            &storage_key.get_value(),
            &ResponseDraft {
                text: text.get_untracked(),
                sent: Some(req.clone()),
            },
        );
        send(req);
    };
    let on_retry = move |_: ()| {
        if let Some(req) = sent.get_untracked() {
            send(req);
        }
    };

    request_animation_frame(|| crate::perf_mark("fw:editor-ready"));
    let deadline = format::deadline(window.closes_at);
    let closed_on = format::date_time(window.closes_at);
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
                    <li>{format!("It appears on {}'s work history, below their feedback. It does not appear on your own profile.", contract.freelancer_name)}</li>
                    <li>"Stick to the facts and choose your words with care: anyone who views that work history can read it."</li>
                </ul>
            </div>
            <p class="fw-deadline">
                "You can respond until " <strong>{deadline}</strong> ". "
                <span class="fw-countdown">{move || describe_window(ended_at, clock.now())}</span>
            </p>
            {restored.then(|| view! { <p class="fw-muted">"We kept the draft you started earlier."</p> })}
            <SendFailure id="fw-respond-failure" message=failure pending=pending on_retry=on_retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <CharCountTextarea id=FIELD label="Write your public response"
                    hint="Only you can see this draft until you post it. It is saved on this device as you type."
                    value=text max=RESPONSE_MAX_CHARS error=text_error/>
                <button type="submit" class="fw-button fw-primary">"Continue"</button>
            </form>
            <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
                labelled_by="fw-confirm-response-title" described_by="fw-confirm-response-desc">
                <h2 id="fw-confirm-response-title">"Check your response"</h2>
                <p id="fw-confirm-response-desc">
                    {format!("This is exactly what will appear under {}'s feedback on their work history. You can't edit or delete it after you post it.", contract.freelancer_name)}
                </p>
                <blockquote class="fw-quote fw-preview">{preview}</blockquote>
                <div class="fw-actions">
                    <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>"Go back and edit"</button>
                    <button type="button" class="fw-button fw-primary" on:click=on_post
                        disabled=move || pending.get() aria-disabled=move || pending.get().to_string()>
                        {move || if pending.get() { "Posting…" } else { "Post response" }}
                    </button>
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
