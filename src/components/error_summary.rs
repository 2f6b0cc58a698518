//! An error summary (GOV.UK pattern): a list of links to the fields at fault. It takes focus
//! after a failed submit so screen reader and keyboard users land on it.

use crate::k;
use leptos::prelude::*;

/// One problem: the id of the field to focus and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldProblem {
    pub field_id: String,
    pub message: String,
}

pub const SUMMARY_SUFFIX: &str = "-error-summary";

#[component]
pub fn ErrorSummary(
    /// Prefix for the summary's id (`{id}-error-summary`).
    id: &'static str,
    #[prop(into)] problems: Signal<Vec<FieldProblem>>,
) -> impl IntoView {
    let root = super::use_root();
    let title = crate::i18n::use_i18n().t(k!("error.summary_title"));
    crate::title::use_error_title(Signal::derive(move || !problems.get().is_empty()));
    view! {
        <Show when=move || !problems.get().is_empty()>
            <div class="fw-error-summary" id=format!("{id}{SUMMARY_SUFFIX}") tabindex="-1"
                role="group" aria-labelledby=format!("{id}-error-summary-title")>
                <h3 id=format!("{id}-error-summary-title")>{title.clone()}</h3>
                <ul>
                    {move || problems.get().into_iter().map(|p| {
                        let target = p.field_id.clone();
                        view! {
                            <li>
                                <a href=format!("#{}", p.field_id) on:click=move |ev| {
                                    ev.prevent_default();
                                    root.focus(&target);
                                }>{p.message}</a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// Focuses the summary once it has rendered.
pub fn focus_summary(root: &super::DomRoot, id: &'static str) {
    root.focus_soon(format!("{id}{SUMMARY_SUFFIX}"));
}
