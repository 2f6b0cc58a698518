//! A short status history: what happened, when, and why (a moderator's reason, as text).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// One step: its label, its time, and the reason given for it, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub label: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// An ordered list, oldest first; the last step is marked as the current one.
#[component]
pub fn StatusTimeline(steps: Vec<Step>, label: String) -> impl IntoView {
    let last = steps.len().saturating_sub(1);
    let i18n = use_i18n();
    view! {
        <ol class="fw-timeline" aria-label=label>
            {steps.into_iter().enumerate().map(|(i, s)| view! {
                <li class="fw-timeline-step" aria-current=(i == last).then_some("step")>
                    <span class="fw-timeline-label">{s.label}</span>
                    " "
                    <time class="fw-muted" datetime=s.at.to_rfc3339()>{i18n.date_time_zoned(s.at)}</time>
                    {s.reason.map(|r| view! { <p class="fw-timeline-reason" dir="auto">{r}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}
