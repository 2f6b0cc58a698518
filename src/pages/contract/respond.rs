//! The one public response to the freelancer's written feedback: rules first, then a draft
//! that autosaves, validation with an error summary, a check-your-response dialog, and a send
//! that can't happen twice. The editor closes in place when the window ends.

use crate::k;
use feedback_domain::{
    can_respond, field, is_window_open, validate_response, ContractSummary, FeedbackResponse,
    NewResponse, ProblemKind, ReceivedFeedback, RespondBlocked, RespondFacts, ResponseWindow,
    WorkHistoryQuery, RESPONSE_MAX_CHARS,
};

use leptos::prelude::*;

use super::flow::{SendButton, SendFailure};
use super::use_send_flow::{load_fields, use_send_flow, Request, SendFlowOptions, Sent};
use super::Page;
use crate::api::ApiError;
use crate::clock::ServerClock;
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::components::error_summary::{focus_summary, ErrorSummary, FieldProblem};
use crate::components::use_root;
use crate::drafts::DraftKind;
use crate::format;
use crate::i18n::{use_i18n, Key};
use crate::nav::Link;
use crate::pages::work_history::work_history_href;
use crate::widget::HostEvent;

const FIELD: &str = "fw-response-text";
const SUMMARY: &str = "fw-respond";

#[component]
pub fn RespondPanel(
    contract: ContractSummary,
    feedback: ReceivedFeedback,
    window: Option<ResponseWindow>,
) -> impl IntoView {
    let (i18n, clock) = (use_i18n(), expect_context::<ServerClock>());
    let facts = RespondFacts {
        has_comment: feedback.comment.is_some(),
        already_responded: feedback.response.is_some(),
        removed: feedback.removed_at.is_some(),
    };
    // The domain decides what shows, on the server's clock now; the editor then follows the
    // clock itself and closes in place at the deadline (a closed window still shows it: the
    // deadline and any unsent draft).
    let decision = can_respond(facts, contract.ended_at, clock.now_untracked());
    // Where a response appears: the freelancer's public work history.
    let work_history = work_history_href(contract.freelancer_id, WorkHistoryQuery::default());
    let body = match (decision, feedback.response, window) {
        (Err(RespondBlocked::AlreadyResponded), Some(r), _) => {
            view! { <PostedResponse response=r freelancer=contract.freelancer_name.clone()/> }
                .into_any()
        }
        (Ok(()) | Err(RespondBlocked::WindowClosed), _, Some(window)) => {
            view! { <Editor contract=contract feedback_id=feedback.id window=window/> }.into_any()
        }
        (Err(b), _, _) => view! { <p>{i18n.t(blocked_key(b))}</p> }.into_any(),
        // An open window always comes with its dates; without them, as if not yet ended.
        (Ok(()), _, None) => {
            view! { <p>{i18n.t(blocked_key(RespondBlocked::ContractActive))}</p> }.into_any()
        }
    };
    view! {
        <section class="fw-card fw-respond" aria-labelledby="fw-respond-title">
            <h3 id="fw-respond-title">{i18n.t(k!("respond.title"))}</h3>
            {body}
            <p><Link href=work_history>{i18n.t(k!("contract.see_work_history"))}</Link></p>
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

/// What a refusal of the response means: already posted (show it), or the text broke a rule
/// (point at the field), or something else (say so, show the server's state).
fn on_refused(show_problems: impl Fn(Vec<String>) + Send + Sync + 'static) -> Callback<ApiError> {
    let (page, root, i18n) = (expect_context::<Page>(), use_root(), use_i18n());
    Callback::new(move |e: ApiError| {
        let message = match e.kind() {
            Some(ProblemKind::AlreadyResponded) => i18n.t(k!("respond.already_posted")),
            Some(ProblemKind::Validation) => {
                let mut messages: Vec<String> = i18n
                    .field_problems(&e)
                    .into_iter()
                    .filter(|(f, _)| f == field::TEXT)
                    .map(|(_, m)| m)
                    .collect();
                if messages.is_empty() {
                    messages.push(i18n.api_error(&e));
                }
                return show_problems(messages);
            }
            _ => i18n.tf(k!("respond.not_posted"), &[("reason", &i18n.api_error(&e))]),
        };
        page.tell_and_reload(&root, message);
    })
}

/// The send flow's options for the response: its draft (kept a week past the deadline), the
/// request for the text as it is, and what the page says once it is posted.
fn response_options(
    contract: &ContractSummary,
    feedback_id: i64,
    window: &ResponseWindow,
    open: Memo<bool>,
    text: RwSignal<String>,
    show_problems: impl Fn(Vec<String>) + Send + Sync + 'static,
) -> SendFlowOptions {
    let contract_id = contract.id;
    let expires = window.closes_at + chrono::Duration::days(CLOSED_DRAFT_GRACE_DAYS);
    let posted = use_i18n().tf(
        k!("respond.posted"),
        &[("name", &format::isolate(&contract.freelancer_name))],
    );
    SendFlowOptions {
        kind: DraftKind::Response,
        contract_id,
        feedback_id,
        expires_at_ms: expires.timestamp_millis() as f64,
        failure_id: "fw-respond-failure",
        allowed: open.into(),
        request: Box::new(move || {
            let text = text.get_untracked();
            let body = NewResponse {
                text: validate_response(&text).ok()?.to_string(),
            };
            Some(Request::new(body, move |api, body, key, ab| async move {
                api.respond(contract_id, &body, &key, &ab).await.map(drop)
            }))
        }),
        sent: Sent {
            event: HostEvent::ResponsePosted,
            notice: posted,
        },
        on_refused: on_refused(show_problems),
    }
}

#[component]
fn Editor(contract: ContractSummary, feedback_id: i64, window: ResponseWindow) -> impl IntoView {
    let clock = expect_context::<ServerClock>();
    let (root, i18n) = (use_root(), use_i18n());
    let (ended_at, contract_id) = (contract.ended_at, contract.id);
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
    let (saved, restored) = load_fields::<String>(DraftKind::Response, contract_id, feedback_id);
    let text = RwSignal::new(saved);
    let opts = response_options(&contract, feedback_id, &window, open, text, show_problems);
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

    request_animation_frame(|| crate::perf_mark("fw:editor-ready"));
    view! {
        <div hidden=move || !open.get()>
            <ResponseRules freelancer=freelancer.clone() ended_at=ended_at closes_at=window.closes_at/>
            {restored.then(|| view! { <p class="fw-muted">{i18n.t(k!("draft.restored"))}</p> })}
            <SendFailure id="fw-respond-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <CharCountTextarea id=FIELD label=i18n.t(k!("respond.label"))
                    hint=i18n.t(k!("respond.hint"))
                    value=text max=RESPONSE_MAX_CHARS error=text_error/>
                <button type="submit" class="fw-button fw-primary">{i18n.t(k!("form.continue"))}</button>
            </form>
            <ConfirmResponse confirming=confirming text=text freelancer=freelancer pending=flow.pending on_post=flow.send/>
        </div>
        <ClosedEditor open=open closes_at=window.closes_at text=text/>
    }
}

/// What the person must know before writing: once, public where, and until when.
#[component]
fn ResponseRules(
    freelancer: String,
    ended_at: Option<chrono::DateTime<chrono::Utc>>,
    closes_at: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let (i18n, clock) = (use_i18n(), expect_context::<ServerClock>());
    let (until_before, until_after) = i18n.around(k!("respond.until"), "deadline");
    let (once_before, once_after) = i18n.around(k!("respond.rule_once"), "one");
    let (where_before, where_after) = i18n.around(k!("respond.rule_where"), "name");
    view! {
        <div class="fw-rules" id="fw-respond-rules">
            <p>{i18n.t(k!("respond.rules_intro"))}</p>
            <ul>
                <li>{once_before}<strong>{i18n.t(k!("respond.rule_once.one"))}</strong>{once_after}</li>
                <li>{where_before}<bdi>{freelancer}</bdi>{where_after}</li>
                <li>{i18n.t(k!("respond.rule_care"))}</li>
            </ul>
        </div>
        <p class="fw-deadline">
            {until_before}<strong>{i18n.deadline(closes_at)}</strong>{until_after} " "
            <span class="fw-countdown">{move || i18n.countdown(ended_at, clock.now())}</span>
        </p>
    }
}

/// The exact text, once more, before it is posted for good.
#[component]
fn ConfirmResponse(
    confirming: RwSignal<bool>,
    text: RwSignal<String>,
    freelancer: String,
    pending: Signal<bool>,
    on_post: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (check_before, check_after) = i18n.around(k!("respond.check_desc"), "name");
    let preview = move || {
        validate_response(&text.get())
            .map(str::to_string)
            .unwrap_or_default()
    };
    view! {
        <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
            labelled_by="fw-confirm-response-title" described_by="fw-confirm-response-desc">
            <h2 id="fw-confirm-response-title">{i18n.t(k!("respond.check_title"))}</h2>
            <p id="fw-confirm-response-desc">{check_before}<bdi>{freelancer}</bdi>{check_after}</p>
            <blockquote class="fw-quote fw-preview">{preview}</blockquote>
            <div class="fw-actions">
                <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>{i18n.t(k!("respond.back"))}</button>
                <SendButton label=i18n.t(k!("respond.post")) pending_label=i18n.t(k!("respond.posting")) pending=pending on_send=on_post/>
            </div>
        </ModalDialog>
    }
}

/// The editor once the window closed: when, the rule, and the unsent text to copy.
#[component]
fn ClosedEditor(
    open: Memo<bool>,
    closes_at: chrono::DateTime<chrono::Utc>,
    text: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let closed_on = i18n.date_time_zoned(closes_at);
    let unsent = i18n.t(k!("respond.unsent"));
    view! {
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
