//! Reporting feedback that breaks the terms: a category (with what each means), a factual
//! description, optional evidence links; validated, confirmed, sent once. Afterwards the
//! report's status is shown in place of the form.

use crate::k;
use feedback_domain::{
    can_report, field, validate_evidence_links, validate_report_description, LinkError, NewReport,
    ProblemKind, ReceivedFeedback, Report, ReportBlocked, ReportCategory,
    REPORT_DESCRIPTION_MAX_CHARS, REPORT_DESCRIPTION_MIN_CHARS, REPORT_EVIDENCE_MAX_LINKS,
};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::flow::{SendButton, SendFailure};
use super::use_send_flow::{load_fields, use_send_flow, Request, SendFlowOptions, Sent};
use super::Page;
use crate::api::ApiError;
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::components::error_summary::{focus_summary, ErrorSummary, FieldProblem};
use crate::components::timeline::{StatusTimeline, Step};
use crate::components::use_root;
use crate::drafts::{self, DraftKind};
use crate::i18n::{use_i18n, I18n};
use crate::widget::HostEvent;

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
fn server_problems(i18n: &I18n, e: &ApiError) -> Vec<FieldProblem> {
    i18n.field_problems(e)
        .into_iter()
        .map(|(field, message)| FieldProblem {
            field_id: match field.as_str() {
                field::DESCRIPTION => DESCRIPTION.to_string(),
                field::EVIDENCE => link_id(0),
                _ => category_id(ReportCategory::ALL[0]),
            },
            message,
        })
        .collect()
}

/// Checks the form with the domain rules; on success, the report to send.
fn validate(
    i18n: &I18n,
    category: Option<ReportCategory>,
    description: &str,
    links: &[String],
) -> Result<NewReport, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if category.is_none() {
        problems.push(FieldProblem {
            field_id: category_id(ReportCategory::ALL[0]),
            message: i18n.t(k!("report.choose_category")),
        });
    }
    let description = match validate_report_description(description) {
        Ok(d) => d.to_string(),
        Err(e) => {
            problems.push(FieldProblem {
                field_id: DESCRIPTION.into(),
                message: i18n.tf(
                    k!("report.description_error"),
                    &[("error", &i18n.text_error(&e))],
                ),
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
                message: i18n.link_error(&e),
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

/// The message of `problems` for the field `id`, if it has one.
fn field_error(problems: RwSignal<Vec<FieldProblem>>, id: String) -> Signal<Option<String>> {
    Signal::derive(move || {
        problems
            .get()
            .into_iter()
            .find(|p| p.field_id == id)
            .map(|p| p.message)
    })
}

#[component]
pub fn ReportPanel(contract_id: i64, feedback: ReceivedFeedback) -> impl IntoView {
    let i18n = use_i18n();
    let body = match can_report(feedback.report.is_some()) {
        Ok(()) => {
            view! { <ReportForm contract_id=contract_id feedback_id=feedback.id/> }.into_any()
        }
        Err(ReportBlocked::AlreadyReported) => feedback
            .report
            .map(|r| view! { <ReportStatusView report=r/> })
            .into_any(),
    };
    view! {
        <section class="fw-card fw-report" aria-labelledby="fw-report-title">
            <h3 id="fw-report-title">{i18n.t(k!("report.title"))}</h3>
            {body}
        </section>
    }
}

/// A report sent: when, why, where it stands, and the moderators' steps with their reasons.
#[component]
fn ReportStatusView(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let steps = report
        .history
        .iter()
        .map(|h| Step {
            label: i18n.report_step(h.status),
            at: h.at,
            reason: h.reason.clone(),
        })
        .collect();
    let status = i18n.tf(
        k!("report.status_line"),
        &[
            ("date", &i18n.date(report.created_at)),
            ("category", &i18n.category(report.category)),
            ("status", &i18n.report_status(report.status)),
        ],
    );
    view! {
        <p class="fw-status-line">{status}</p>
        <StatusTimeline steps=steps label=i18n.t(k!("report.history"))/>
    }
}

/// The send flow's options for a report: the request, and what a refusal means (a field the
/// server found wrong is pointed at; anything else is said, and the contract reloaded).
fn report_options(
    contract_id: i64,
    feedback_id: i64,
    problems: RwSignal<Vec<FieldProblem>>,
    body: impl Fn() -> Option<NewReport> + 'static,
) -> SendFlowOptions {
    let page = expect_context::<Page>();
    let (root, i18n) = (use_root(), use_i18n());
    let on_refused = Callback::new(move |e: ApiError| {
        if e.kind() == Some(ProblemKind::Validation) {
            problems.set(server_problems(&i18n, &e));
            focus_summary(&root, SUMMARY);
            return;
        }
        let message = match e.kind() {
            Some(ProblemKind::AlreadyReported) => i18n.t(k!("report.already")),
            _ => i18n.tf(k!("report.not_sent"), &[("reason", &i18n.api_error(&e))]),
        };
        page.tell_and_reload(&root, message);
    });
    SendFlowOptions {
        kind: DraftKind::Report,
        contract_id,
        feedback_id,
        expires_at_ms: drafts::default_expiry_ms(),
        failure_id: "fw-report-failure",
        allowed: Signal::stored(true),
        request: Box::new(move || {
            Some(Request::new(
                body()?,
                move |api, body, key, ab| async move {
                    api.report(contract_id, &body, &key, &ab).await.map(drop)
                },
            ))
        }),
        sent: Sent {
            event: HostEvent::ReportSubmitted,
            notice: i18n.t(k!("report.sent")),
        },
        on_refused,
    }
}

#[component]
fn ReportForm(contract_id: i64, feedback_id: i64) -> impl IntoView {
    let (root, i18n) = (use_root(), use_i18n());
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let (saved, has_draft) =
        load_fields::<ReportFields>(DraftKind::Report, contract_id, feedback_id);
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
    let checked = move || {
        validate(
            &i18n,
            category.get_untracked(),
            &description.get_untracked(),
            &links.get_untracked(),
        )
    };
    let opts = report_options(contract_id, feedback_id, problems, move || checked().ok());
    let flow = use_send_flow(opts, move || ReportFields {
        category: category.get(),
        description: description.get(),
        links: links.get(),
    });
    let confirming = flow.confirming;
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
    let category_error = field_error(problems, category_id(ReportCategory::ALL[0]));
    let (hide, show) = (i18n.t(k!("report.hide_form")), i18n.t(k!("report.title")));

    view! {
        <p>{i18n.t(k!("report.intro"))}</p>
        <button type="button" class="fw-button" aria-expanded=move || expanded.get().to_string()
            aria-controls="fw-report-form" on:click=move |_| expanded.update(|e| *e = !*e)>
            {move || if expanded.get() { hide.clone() } else { show.clone() }}
        </button>
        <div id="fw-report-form" hidden=move || !expanded.get()>
            <SendFailure id="fw-report-failure" message=flow.failure pending=flow.pending on_retry=flow.retry/>
            <ErrorSummary id=SUMMARY problems=problems/>
            <form on:submit=on_continue novalidate>
                <CategoryChoice category=category error=category_error/>
                <CharCountTextarea id=DESCRIPTION label=i18n.t(k!("report.description_label"))
                    hint=i18n.tp(k!("report.description_hint"), REPORT_DESCRIPTION_MIN_CHARS as f64, &[])
                    value=description max=REPORT_DESCRIPTION_MAX_CHARS error=field_error(problems, DESCRIPTION.into())/>
                <EvidenceLinks links=links problems=problems/>
                <p class="fw-note">{i18n.tp(k!("report.note"), REPORT_DESCRIPTION_MIN_CHARS as f64, &[])}</p>
                <button type="submit" class="fw-button fw-primary">{i18n.t(k!("form.continue"))}</button>
            </form>
            <ReportConfirm confirming=confirming category=category description=description links=links
                pending=flow.pending on_send=flow.send/>
        </div>
    }
}

/// The violation categories as radio buttons, each with what it means.
#[component]
fn CategoryChoice(
    category: RwSignal<Option<ReportCategory>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="fw-fieldset" aria-describedby="fw-report-category-error"
            class:fw-field-has-error=move || error.get().is_some()>
            <legend class="fw-label">{i18n.t(k!("report.category_legend"))}</legend>
            <p class="fw-field-error" id="fw-report-category-error">{move || error.get()}</p>
            {ReportCategory::ALL.into_iter().map(|c| {
                let id = category_id(c);
                let hint = format!("{id}-hint");
                view! {
                    <div class="fw-radio">
                        <input type="radio" name="fw-report-category" id=id.clone() value=c.as_str()
                            aria-describedby=hint.clone()
                            aria-invalid=move || error.get().is_some().to_string()
                            prop:checked=move || category.get() == Some(c)
                            on:change=move |_| category.set(Some(c))/>
                        <label for=id>{i18n.category(c)}</label>
                        <p class="fw-hint" id=hint>{i18n.category_explanation(c)}</p>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Evidence links: one input to start, more up to the limit, each removable but the first.
#[component]
fn EvidenceLinks(
    links: RwSignal<Vec<String>>,
    problems: RwSignal<Vec<FieldProblem>>,
) -> impl IntoView {
    let (root, i18n) = (use_root(), use_i18n());
    view! {
        <fieldset class="fw-fieldset">
            <legend class="fw-label">{i18n.t(k!("report.evidence_legend"))}</legend>
            <p class="fw-hint">{i18n.tp(k!("report.evidence_hint"), REPORT_EVIDENCE_MAX_LINKS as f64, &[])}</p>
            {move || (0..links.get().len()).map(|i| {
                let id = link_id(i);
                let n = i18n.number((i + 1) as f64);
                let (label, remove) = (
                    i18n.tf(k!("report.link"), &[("index", &n)]),
                    i18n.tf(k!("report.remove_link"), &[("index", &n)]),
                );
                let err = field_error(problems, id.clone());
                view! {
                    <div class="fw-link-row" class:fw-field-has-error=move || err.get().is_some()>
                        <label class="fw-label" for=id.clone()>{label}</label>
                        {move || err.get().map(|e| view! { <p class="fw-field-error">{e}</p> })}
                        <input type="url" class="fw-input" id=id inputmode="url" autocomplete="off"
                            aria-invalid=move || err.get().is_some().to_string()
                            prop:value=move || links.with(|l| l.get(i).cloned().unwrap_or_default())
                            on:input=move |ev| links.update(|l| if let Some(v) = l.get_mut(i) { *v = event_target_value(&ev) })/>
                        {(i > 0).then(|| view! {
                            <button type="button" class="fw-button fw-link-button" on:click=move |_| {
                                links.update(|l| { l.remove(i); });
                                root.focus_soon(link_id(i - 1));
                            }>{remove}</button>
                        })}
                    </div>
                }
            }).collect_view()}
            <Show when=move || links.with(|l| l.len() < REPORT_EVIDENCE_MAX_LINKS)>
                <button type="button" class="fw-button" on:click=move |_| {
                    let n = links.with(|l| l.len());
                    links.update(|l| l.push(String::new()));
                    root.focus_soon(link_id(n));
                }>{i18n.t(k!("report.add_link"))}</button>
            </Show>
        </fieldset>
    }
}

/// The last look before sending: what will be reported, with Back and Send.
#[component]
fn ReportConfirm(
    confirming: RwSignal<bool>,
    category: RwSignal<Option<ReportCategory>>,
    description: RwSignal<String>,
    links: RwSignal<Vec<String>>,
    pending: Signal<bool>,
    on_send: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let none = i18n.t(k!("report.evidence_none"));
    view! {
        <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
            labelled_by="fw-confirm-report-title" described_by="fw-confirm-report-desc">
            <h2 id="fw-confirm-report-title">{i18n.t(k!("report.confirm_title"))}</h2>
            <p id="fw-confirm-report-desc">{i18n.t(k!("report.confirm_desc"))}</p>
            <dl class="fw-facts">
                <dt>{i18n.t(k!("report.reason"))}</dt><dd>{move || category.get().map(|c| i18n.category(c)).unwrap_or_default()}</dd>
                <dt>{i18n.t(k!("overview.description"))}</dt><dd class="fw-prose">{move || description.get().trim().to_string()}</dd>
                <dt>{i18n.t(k!("report.evidence"))}</dt>
                <dd>{move || {
                    let l: Vec<String> = links.get().into_iter().filter(|l| !l.trim().is_empty()).collect();
                    if l.is_empty() { none.clone() } else { l.join(", ") }
                }}</dd>
            </dl>
            <div class="fw-actions">
                <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>{i18n.t(k!("respond.back"))}</button>
                <SendButton label=i18n.t(k!("report.send")) pending_label=i18n.t(k!("report.sending")) pending=pending on_send=on_send/>
            </div>
        </ModalDialog>
    }
}
