//! The standalone page's language: the person's choice if they made one (kept in this
//! browser), else the best match for `navigator.languages`; and the switcher that changes it.
//! (Embedded, the host says which locale with the `locale` option or attribute.)

use crate::k;
use leptos::prelude::*;

use crate::i18n::{negotiate, use_i18n, Locale, LOCALES};

const CHOSEN_KEY: &str = "feedback-widget:locale";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The browser's languages, best first (`navigator.languages`).
pub fn browser_languages() -> Vec<String> {
    web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The locale the standalone page starts in.
pub fn standalone_locale() -> Locale {
    let chosen = storage().and_then(|s| s.get_item(CHOSEN_KEY).ok().flatten());
    let navigator = browser_languages();
    negotiate(chosen.iter().chain(navigator.iter()).map(String::as_str))
}

/// `lang` and `dir` on the page's root element.
pub fn set_document_language(locale: Locale) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
        let _ = root.set_attribute("dir", locale.dir());
    }
}

/// A labelled `<select>` of the languages, each in its own name; choosing one keeps it and
/// reloads the page in that language (drafts are kept in storage, so nothing typed is lost).
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let current = i18n.locale();
    let on_change = move |ev: leptos::ev::Event| {
        let tag = event_target_value(&ev);
        if let Some(s) = storage() {
            let _ = s.set_item(CHOSEN_KEY, &tag);
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <div class="fw-language">
            <label for="fw-language">{i18n.t(k!("language.label"))}</label>
            <select id="fw-language" class="fw-select" on:change=on_change>
                {LOCALES.into_iter().map(|l| view! {
                    <option value=l.tag() lang=l.tag() selected=l == current>{l.autonym()}</option>
                }).collect_view()}
            </select>
        </div>
    }
}
