//! A textarea with a character count (GOV.UK pattern): the visible count updates as you type;
//! screen readers hear it through a polite live region, once typing pauses.

use crate::k;
use feedback_domain::counted_len;
use leptos::prelude::*;

use super::use_debounce_fn::use_debounce_fn;
use crate::i18n::{use_i18n, I18n};

/// How long typing pauses before the count is announced.
const ANNOUNCE_AFTER: std::time::Duration = std::time::Duration::from_millis(1000);

/// "You have 12 characters remaining" / "You have 3 characters too many".
pub fn count_message(i18n: &I18n, len: usize, max: usize) -> String {
    match max.checked_sub(len) {
        Some(left) => i18n.tp(k!("count.remaining"), left as f64, &[]),
        None => i18n.tp(k!("count.over"), (len - max) as f64, &[]),
    }
}

#[component]
pub fn CharCountTextarea(
    id: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    value: RwSignal<String>,
    max: usize,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = 6)] rows: u32,
    #[prop(optional, into)] readonly: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let len = Memo::new(move |_| counted_len(&value.get()));
    let announced = RwSignal::new(String::new());
    // Announce the count after a pause, not on every keystroke (that would drown the typing).
    let announce = use_debounce_fn(
        move || announced.set(count_message(&i18n, len.get_untracked(), max)),
        ANNOUNCE_AFTER,
    );
    Effect::new(move |prev: Option<()>| {
        len.track();
        if prev.is_some() {
            announce();
        }
    });
    let over = move || len.get() > max;
    let error_prefix = i18n.t(k!("error.prefix"));
    let limit = i18n.tp(k!("count.limit"), max as f64, &[]);
    let count = { move || count_message(&i18n, len.get(), max) };
    let hint_id = format!("{id}-hint");
    let info_id = format!("{id}-info");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described = {
        let (hint_id, info_id, error_id) = (hint_id.clone(), info_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            ids.push(info_id.clone());
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="fw-field" class:fw-field-has-error=move || error.get().is_some()>
            <label class="fw-label" for=id>{label}</label>
            {hint.map(|h| view! { <p class="fw-hint" id=hint_id.clone()>{h}</p> })}
            {move || error.get().map(|e| view! {
                <p class="fw-field-error" id=error_id.clone()><span class="fw-sr-only">{error_prefix.clone()}</span>{e}</p>
            })}
            <textarea
                id=id
                class="fw-textarea"
                rows=rows
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                readonly=move || readonly.get()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <p class="fw-sr-only" id=info_id>{limit}</p>
            <p class="fw-count" class:fw-count-over=over aria-hidden="true">
                {count}
            </p>
            <p class="fw-sr-only" aria-live="polite">{move || announced.get()}</p>
        </div>
    }
}
