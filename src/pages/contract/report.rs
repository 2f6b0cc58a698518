//! Reporting feedback that breaks the terms: a category (with what each means), a factual
//! description, optional evidence links; validated, confirmed, sent once. Afterwards the
//! report's status is shown in place of the form.

use feedback_domain::{
    can_report, validate_evidence_links, validate_report_description, LinkError, NewReport,
    ProblemKind, ReceivedFeedback, ReportCategory, REPORT_DESCRIPTION_MAX_CHARS,
    REPORT_DESCRIPTION_MIN_CHARS, REPORT_EVIDENCE_MAX_LINKS,
};
use std::rc::Rc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::flow::{SendButton, SendFailure};
use super::respond::show_notice;
use super::use_send_flow::{use_send_flow, SendFlowOptions};
use super::Notice;
use crate::api::ApiError;
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::components::error_summary::{focus_summary, ErrorSummary, FieldProblem};
use crate::components::timeline::{StatusTimeline, Step};
use crate::components::use_root;
use crate::drafts::{self, DraftKind};
use crate::format;
use crate::widget::use_host;

const SUMMARY: &str = "fw-report";
const DESCRIPTION: &str = "fw-report-description";

fn category_id(c: ReportCategory) -> String {
    format!("fw-report-category-{}", c.as_str())
}

fn link_id(i: usize) -> String {
    format!("fw-report-link-{i}")
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ReportFields {
    category: Option<ReportCategory>,
    description: String,
    links: Vec<String>,
}

/// The server's field errors, pointed at the form's inputs.
fn server_problems(e: &ApiError) -> Vec<FieldProblem> {
    let mut list = Vec::new();
    for (field, msgs) in e.field_errors() {
        let id = match field.as_str() {
            "description" => DESCRIPTION.to_string(),
            "evidence" => link_id(0),
            _ => category_id(ReportCategory::ALL[0]),
        };
        list.extend(msgs.into_iter().map(|message| FieldProblem {
            field_id: id.clone(),
            message,
        }));
    }
    list
}

/// Checks the form with the domain rules; on success, the report to send.
fn validate(
    category: Option<ReportCategory>,
    description: &str,
    links: &[String],
) -> Result<NewReport, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if category.is_none() {
        problems.push(FieldProblem {
            field_id: category_id(ReportCategory::ALL[0]),
            message: "Choose what is wrong with this feedback.".into(),
        });
    }
    let description = match validate_report_description(description) {
        Ok(d) => d.to_string(),
        Err(e) => {
            problems.push(FieldProblem {
                field_id: DESCRIPTION.into(),
                message: format!("Description: {e}"),
            });
            String::new()
        }
    };
    let evidence = match validate_evidence_links(links) {
        Ok(l) => l,
        Err(e) => {
            let index = match e {
                LinkError::NotAWebAddress { index } | LinkError::TooLong { index, .. } => index,
                LinkError::TooMany { .. } => 1,
            };
            // `index` counts non-blank links; point at the matching input.
            let field = links
                .iter()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .nth(index - 1)
                .map_or(0, |(i, _)| i);
            problems.push(FieldProblem {
                field_id: link_id(field),
                message: e.to_string(),
            });
            Vec::new()
        }
    };
    match (category, problems.is_empty()) {
        (Some(category), true) => Ok(NewReport {
            category,
            description,
            evidence,
        }),
        _ => Err(problems),
    }
}

#[component]
pub fn ReportPanel(
    contract_id: i64,
    feedback: ReceivedFeedback,
    reload: Callback<()>,
) -> impl IntoView {
    let body = match (&feedback.report, can_report(feedback.report.is_some())) {
        (Some(r), _) => {
            let steps = r
                .history
                .iter()
                .map(|h| Step {
                    label: h.status.step_label(),
                    at: h.at,
                    reason: h.reason.clone(),
                })
                .collect();
            view! {
                <p class="fw-status-line">
                    {format!("You reported this feedback on {} ({}). Status: {}.",
                        format::date(r.created_at), r.category.label(), r.status.describe())}
                </p>
                <StatusTimeline steps=steps label="Report history"/>
            }
            .into_any()
        }
        _ => view! { <ReportForm contract_id=contract_id feedback_id=feedback.id reload=reload/> }
            .into_any(),
    };
    view! {
        <section class="fw-card fw-report" aria-labelledby="fw-report-title">
            <h3 id="fw-report-title">"Report this feedback"</h3>
            {body}
        </section>
    }
}

#[component]
fn ReportForm(contract_id: i64, feedback_id: i64, reload: Callback<()>) -> impl IntoView {
    let notice = expect_context::<Notice>();
    let (root, host) = (use_root(), use_host());
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let error_for = move |id: String| {
        Signal::derive(move || {
            problems
                .get()
                .into_iter()
                .find(|p| p.field_id == id)
                .map(|p| p.message)
        })
    };
    let on_sent = Callback::new(move |()| {
        crate::broadcast::announce_change(contract_id);
        host.emit(
            crate::widget::HostEvent::ReportSubmitted,
            &[("contractId", (contract_id as f64).into())],
        );
        show_notice(
            &root,
            notice,
            "Your report has been sent. We'll review it; its status is shown on this page.".into(),
        );
        reload.run(());
    });
    let on_refused = Callback::new(move |e: ApiError| {
        if e.kind() == Some(ProblemKind::Validation) {
            problems.set(server_problems(&e));
            focus_summary(&root, SUMMARY);
            return;
        }
        let message = match e.kind() {
            Some(ProblemKind::AlreadyReported) => "This feedback was already reported, perhaps from another tab. Its status is shown below.".to_string(),
            _ => format!("Your report was not sent: {e}"),
        };
        show_notice(&root, notice, message);
        reload.run(());
    });
    let opts = SendFlowOptions {
        kind: DraftKind::Report,
        contract_id,
        feedback_id,
        expires_at_ms: drafts::default_expiry_ms(),
        what: "report",
        failure_id: "fw-report-failure",
        allowed: Signal::stored(true),
        request: Rc::new(move |api, req, ab| {
            Box::pin(async move {
                let report: NewReport =
                    crate::json::from_str(&req.body).ok_or(ApiError::BadResponse)?;
                api.report(contract_id, &report, &req.key, &ab)
                    .await
                    .map(drop)
            })
        }),
        on_sent,
        on_refused,
    };
    let (saved, has_draft) = opts.load_fields::<ReportFields>();
    let expanded =
        use_context::<super::ReportExpanded>().map_or_else(|| RwSignal::new(false), |e| e.0);
    if has_draft {
        expanded.set(true);
    }
    let category = RwSignal::new(saved.category);
    let description = RwSignal::new(saved.description);
    let links = RwSignal::new(if saved.links.is_empty() {
        vec![String::new()]
    } else {
        saved.links
    });
    let flow = use_send_flow(opts, move || ReportFields {
        category: category.get(),
        description: description.get(),
        links: links.get(),
    });
    let confirming = flow.confirming;

    let checked = move || {
        validate(
            category.get_untracked(),
            &description.get_untracked(),
            &links.get_untracked(),
        )
    };
    let on_continue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        flow.failure.set(None);
        match checked() {
            Ok(_) => {
                problems.set(Vec::new());
                confirming.set(true);
            }
            Err(p) => {
                problems.set(p);
                focus_summary(&root, SUMMARY);
            }
        }
    };
    let send = flow.send;
    let on_send = move |()| {
        if let Ok(report) = checked() {
            send.run(crate::json::to_string(&report).unwrap_or_default());
        }
    };
    let category_error = error_for(category_id(ReportCategory::ALL[0]));

    view! {
        <p>"If this feedback breaks the Terms of Service, tell us why. Feedback is someone's opinion, so we don't judge whether it's accurate; removal is rare and needs clear evidence of a serious violation."</p>
        <button type="button" class="fw-button" aria-expanded=move || expanded.get().to_string()
            aria-controls="fw-report-form" on:click=move |_| expanded.update(|e| *e = !*e)>
            {move || if expanded.get() { "Hide the report form" } else { "Report this feedback" }}
        </button>
        <div id="fw-report-form" hidden=move || !expanded.get()>
            <SendFailure id="fw-report-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <fieldset class="fw-fieldset" aria-describedby="fw-report-category-error"
                    class:fw-field-has-error=move || category_error.get().is_some()>
                    <legend class="fw-label">"What is wrong with this feedback?"</legend>
                    <p class="fw-field-error" id="fw-report-category-error">{move || category_error.get()}</p>
                    {ReportCategory::ALL.into_iter().map(|c| {
                        let id = category_id(c);
                        let hint = format!("{id}-hint");
                        view! {
                            <div class="fw-radio">
                                <input type="radio" name="fw-report-category" id=id.clone() value=c.as_str()
                                    aria-describedby=hint.clone()
                                    aria-invalid=move || category_error.get().is_some().to_string()
                                    prop:checked=move || category.get() == Some(c)
                                    on:change=move |_| category.set(Some(c))/>
                                <label for=id>{c.label()}</label>
                                <p class="fw-hint" id=hint>{c.explanation()}</p>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <CharCountTextarea id=DESCRIPTION label="Describe what happened"
                    hint="Stick to facts: what was said or done, and when. At least 30 characters."
                    value=description max=REPORT_DESCRIPTION_MAX_CHARS error=error_for(DESCRIPTION.into())/>
                <fieldset class="fw-fieldset">
                    <legend class="fw-label">"Evidence links (optional)"</legend>
                    <p class="fw-hint">{format!("Links to screenshots or messages that show the problem, up to {REPORT_EVIDENCE_MAX_LINKS}. They must start with https:// or http://.")}</p>
                    {move || (0..links.get().len()).map(|i| {
                        let id = link_id(i);
                        let err = error_for(id.clone());
                        view! {
                            <div class="fw-link-row" class:fw-field-has-error=move || err.get().is_some()>
                                <label class="fw-label" for=id.clone()>{format!("Link {}", i + 1)}</label>
                                {move || err.get().map(|e| view! { <p class="fw-field-error">{e}</p> })}
                                <input type="url" class="fw-input" id=id inputmode="url" autocomplete="off"
                                    aria-invalid=move || err.get().is_some().to_string()
                                    prop:value=move || links.with(|l| l.get(i).cloned().unwrap_or_default())
                                    on:input=move |ev| links.update(|l| if let Some(v) = l.get_mut(i) { *v = event_target_value(&ev) })/>
                                {(i > 0).then(|| view! {
                                    <button type="button" class="fw-button fw-link-button" on:click=move |_| {
                                        links.update(|l| { l.remove(i); });
                                        root.focus_soon(link_id(i - 1));
                                    }>{format!("Remove link {}", i + 1)}</button>
                                })}
                            </div>
                        }
                    }).collect_view()}
                    <Show when=move || links.with(|l| l.len() < REPORT_EVIDENCE_MAX_LINKS)>
                        <button type="button" class="fw-button" on:click=move |_| {
                            let n = links.with(|l| l.len());
                            links.update(|l| l.push(String::new()));
                            root.focus_soon(link_id(n));
                        }>"Add another link"</button>
                    </Show>
                </fieldset>
                <p class="fw-note">{format!("Feedback removal is rare. We need a clear description ({REPORT_DESCRIPTION_MIN_CHARS} characters or more) and, where you can, evidence. Each piece of feedback can be reported once.")}</p>
                <button type="submit" class="fw-button fw-primary">"Continue"</button>
            </form>
            <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
                labelled_by="fw-confirm-report-title" described_by="fw-confirm-report-desc">
                <h2 id="fw-confirm-report-title">"Send this report?"</h2>
                <p id="fw-confirm-report-desc">"You can report this feedback only once, and you can't change the report after it is sent."</p>
                <dl class="fw-facts">
                    <dt>"Reason"</dt><dd>{move || category.get().map(|c| c.label()).unwrap_or_default()}</dd>
                    <dt>"Description"</dt><dd class="fw-prose" dir="auto">{move || description.get().trim().to_string()}</dd>
                    <dt>"Evidence"</dt>
                    <dd>{move || {
                        let l: Vec<String> = links.get().into_iter().filter(|l| !l.trim().is_empty()).collect();
                        if l.is_empty() { "None".to_string() } else { l.join(", ") }
                    }}</dd>
                </dl>
                <div class="fw-actions">
                    <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>"Go back and edit"</button>
                    <SendButton label="Send report" pending_label="Sending your report…" pending=flow.pending on_send=on_send/>
                </div>
            </ModalDialog>
        </div>
    }
}
