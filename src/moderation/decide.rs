//! The decision: the next status (only those the lifecycle allows), the reason the client will
//! read (the form says so), a confirm dialog as in the client's flows, then the change. The
//! reason is kept in this tab until the server has the decision, so a failed request or a
//! reload loses nothing.

use crate::k;
use feedback_domain::{
    validate_moderation_reason, ItemKind, RemovalStatus, ReportStatus, MODERATION_REASON_MAX_CHARS,
};
use leptos::prelude::*;

use super::filters::status_label;
use super::item::decision_error;
use super::queue::{Chosen, Outcome, Refresh, OUTCOME_ID};
use crate::api::{Aborter, ApiClient};
use crate::components::char_count::CharCountTextarea;
use crate::components::dialog::ModalDialog;
use crate::i18n::use_i18n;
use crate::pages::contract::flow::SendButton;

const REASON: &str = "fw-mod-reason";

/// The statuses `status` may move to.
fn next_statuses(kind: ItemKind, status: &str) -> Vec<&'static str> {
    match kind {
        ItemKind::Report => ReportStatus::parse(status)
            .map(|s| s.next().map(ReportStatus::as_str).collect())
            .unwrap_or_default(),
        ItemKind::Removal => RemovalStatus::parse(status)
            .map(|s| s.next().map(RemovalStatus::as_str).collect())
            .unwrap_or_default(),
    }
}

/// This tab's copy of a reason being written for `chosen`.
fn draft_key(c: Chosen) -> String {
    format!(
        "feedback-widget:moderation-reason:{}.{}",
        c.kind.as_str(),
        c.id
    )
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

#[component]
pub fn DecisionForm(chosen: Chosen, status: String) -> impl IntoView {
    let (api, i18n, refresh) = (
        expect_context::<ApiClient>(),
        use_i18n(),
        expect_context::<Refresh>(),
    );
    let options = next_statuses(chosen.kind, &status);
    let next = RwSignal::new(None::<&'static str>);
    let stored = session().and_then(|s| s.get_item(&draft_key(chosen)).ok().flatten());
    let reason = RwSignal::new(stored.unwrap_or_default());
    // Nothing written, nothing kept: a form shown again after a decision leaves no empty draft.
    Effect::new(move |_| {
        let text = reason.get();
        if let Some(s) = session() {
            let _ = if text.is_empty() {
                s.remove_item(&draft_key(chosen))
            } else {
                s.set_item(&draft_key(chosen), &text)
            };
        }
    });
    let errors = RwSignal::new((None::<String>, None::<String>));
    let confirming = RwSignal::new(false);
    let outcome = expect_context::<Outcome>().0;
    let aborter = StoredValue::new_local(Aborter::default());
    let send = Action::new_local(move |(to, text): &(&'static str, String)| {
        let (api, ab, to, text) = (api.clone(), aborter.get_value(), *to, text.clone());
        async move {
            api.decide(chosen.kind, chosen.id, to, &text, &ab)
                .await
                .map(|_| to)
        }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(to)) => {
            confirming.set(false);
            if let Some(s) = session() {
                let _ = s.remove_item(&draft_key(chosen));
            }
            let text = i18n.tf(k!("mod.decided"), &[("status", &status_label(&i18n, to))]);
            outcome.set(Some((chosen, text)));
            crate::components::use_root().focus_soon(OUTCOME_ID);
            refresh.run();
        }
        Some(Err(e)) => {
            confirming.set(false);
            outcome.set(Some((chosen, i18n.t(decision_error(&e)))));
            if matches!(e, crate::api::ApiError::Conflict(_)) {
                refresh.run();
            }
        }
        None => {}
    });
    let review = move |_| {
        let status_error = next
            .get_untracked()
            .is_none()
            .then(|| i18n.t(k!("mod.choose_status")));
        let reason_error = validate_moderation_reason(&reason.get_untracked())
            .err()
            .map(|e| i18n.text_error(&e));
        let ok = status_error.is_none() && reason_error.is_none();
        errors.set((status_error, reason_error));
        if ok {
            confirming.set(true);
        } else {
            let first = if errors.get_untracked().0.is_some() {
                "fw-mod-next-0"
            } else {
                REASON
            };
            crate::components::use_root().focus(first);
        }
    };
    let pending = send.pending();
    view! {
        <form class="fw-console-decide" on:submit=|ev| ev.prevent_default() aria-labelledby="fw-decide-title">
            <h3 id="fw-decide-title">{i18n.t(k!("mod.decide"))}</h3>
            <fieldset aria-describedby=move || errors.get().0.map(|_| "fw-mod-next-error")>
                <legend>{i18n.t(k!("mod.decide_to"))}</legend>
                {move || errors.get().0.map(|e| view! { <p class="fw-field-error" id="fw-mod-next-error">{e}</p> })}
                {options.iter().enumerate().map(|(n, s)| {
                    let (s, id) = (*s, format!("fw-mod-next-{n}"));
                    view! {
                        <div class="fw-radio">
                            <input type="radio" name="fw-mod-next" id=id.clone() value=s
                                on:change=move |_| next.set(Some(s)) prop:checked=move || next.get() == Some(s)/>
                            <label for=id>{status_label(&i18n, s)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <CharCountTextarea id=REASON label=i18n.t(k!("mod.reason")) hint=i18n.t(k!("mod.reason_hint"))
                value=reason max=MODERATION_REASON_MAX_CHARS error=Signal::derive(move || errors.get().1) rows=4/>
            <button type="button" class="fw-button fw-primary" on:click=review>{i18n.t(k!("mod.review"))}</button>
            <ModalDialog open=confirming on_cancel=move |_| confirming.set(false)
                labelled_by="fw-confirm-decide-title" described_by="fw-confirm-decide-desc">
                <h2 id="fw-confirm-decide-title">{i18n.t(k!("mod.confirm_title"))}</h2>
                <p id="fw-confirm-decide-desc">{i18n.t(k!("mod.confirm_desc"))}</p>
                <dl class="fw-facts">
                    <dt>{i18n.t(k!("mod.decide_to"))}</dt><dd>{move || next.get().map(|s| status_label(&i18n, s)).unwrap_or_default()}</dd>
                    <dt>{i18n.t(k!("mod.reason"))}</dt><dd class="fw-prose">{move || reason.get().trim().to_string()}</dd>
                </dl>
                <div class="fw-actions">
                    <button type="button" class="fw-button" autofocus on:click=move |_| confirming.set(false)>{i18n.t(k!("respond.back"))}</button>
                    <SendButton label=i18n.t(k!("mod.confirm_send")) pending_label=i18n.t(k!("mod.sending")) pending=pending
                        on_send=move |_| {
                            if let Some(to) = next.get_untracked() {
                                send.dispatch((to, reason.get_untracked().trim().to_string()));
                            }
                        }/>
                </div>
            </ModalDialog>
        </form>
    }
}
