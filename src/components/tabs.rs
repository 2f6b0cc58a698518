//! WAI-ARIA tabs with manual activation: arrow keys, Home and End move focus along the tab
//! list; Enter or Space (the buttons' click) selects. Only the selected tab is in the Tab order.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct TabSpec {
    pub key: &'static str,
    pub label: String,
}

/// The id of a tab button, for `aria-labelledby` on its panel.
pub fn tab_id(key: &str) -> String {
    format!("fw-tab-{key}")
}

/// The id of a tab panel, for `aria-controls`.
pub fn panel_id(key: &str) -> String {
    format!("fw-panel-{key}")
}

#[component]
pub fn TabList(
    tabs: Vec<TabSpec>,
    #[prop(into)] selected: Signal<String>,
    #[prop(into)] on_select: Callback<String>,
    label: String,
) -> impl IntoView {
    // In a right-to-left layout the next tab is to the left (APG).
    let rtl = crate::i18n::use_i18n().dir() == "rtl";
    let keys: Vec<&'static str> = tabs.iter().map(|t| t.key).collect();
    let root = super::use_root();
    let on_keydown = move |ev: KeyboardEvent| {
        let current = root
            .active_element()
            .map(|e| e.id())
            .and_then(|id| keys.iter().position(|k| tab_id(k) == id));
        let Some(i) = current else { return };
        let last = keys.len() - 1;
        let (forward, back) = if rtl {
            ("ArrowLeft", "ArrowRight")
        } else {
            ("ArrowRight", "ArrowLeft")
        };
        let next = match ev.key().as_str() {
            k if k == forward => Some(if i == last { 0 } else { i + 1 }),
            k if k == back => Some(if i == 0 { last } else { i - 1 }),
            "Home" => Some(0),
            "End" => Some(last),
            _ => None,
        };
        if let Some(n) = next {
            ev.prevent_default();
            root.focus(&tab_id(keys[n]));
        }
    };
    view! {
        <div role="tablist" aria-label=label class="fw-tablist" on:keydown=on_keydown>
            {tabs
                .into_iter()
                .map(|t| {
                    let is_selected = move || selected.get() == t.key;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="fw-tab"
                            id=tab_id(t.key)
                            aria-controls=panel_id(t.key)
                            aria-selected=move || is_selected().to_string()
                            tabindex=move || if is_selected() { "0" } else { "-1" }
                            on:click=move |_| on_select.run(t.key.to_string())
                        >
                            {t.label}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
