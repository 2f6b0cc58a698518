//! The page title: each screen names itself, and "Error: " goes in front while a validation
//! summary is on screen (GOV.UK's pattern: the first thing a screen reader reads says the
//! submit failed). Only on a page of its own: embedded, the title belongs to the host page.

use crate::k;
use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

#[derive(Clone, Copy)]
struct PageTitle {
    screen: RwSignal<String>,
    errors: RwSignal<u32>,
}

/// Keeps `document.title` in step with the current screen (not when `embedded`).
pub fn provide_page_title(embedded: bool) {
    let t = PageTitle {
        screen: RwSignal::new(String::new()),
        errors: RwSignal::new(0),
    };
    provide_context(t);
    if embedded {
        return;
    }
    let i18n = crate::i18n::use_i18n();
    Effect::new(move |_| {
        let screen = t.screen.get();
        if screen.is_empty() {
            return;
        }
        let title = if t.errors.get() > 0 {
            format!("{}{screen}", i18n.t(k!("error.prefix")))
        } else {
            screen
        };
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&title);
        }
    });
}

/// Names the screen the calling view shows, for as long as it follows `title`.
pub fn use_title(title: impl Fn() -> String + Send + Sync + 'static) {
    if let Some(t) = use_context::<PageTitle>() {
        Effect::new(move |_| t.screen.set(title()));
    }
}

/// Counts an error summary toward the "Error: " prefix while `shown` is true.
pub fn use_error_title(shown: Signal<bool>) {
    let Some(t) = use_context::<PageTitle>() else {
        return;
    };
    let counted = Rc::new(Cell::new(false));
    let c = counted.clone();
    Effect::new(move |_| {
        let now = shown.get();
        if now != c.get() {
            c.set(now);
            t.errors
                .update(|n| *n = if now { *n + 1 } else { n.saturating_sub(1) });
        }
    });
    let counted = send_wrapper::SendWrapper::new(counted);
    on_cleanup(move || {
        if counted.get() {
            t.errors.try_update(|n| *n = n.saturating_sub(1));
        }
    });
}
