//! A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the page
//! inert (focus is trapped), Escape cancels, and focus returns to where it was on close.
//! The element with `autofocus` inside (the least destructive action) gets focus on open.

use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ModalDialog(
    #[prop(into)] open: Signal<bool>,
    #[prop(into)] on_cancel: Callback<()>,
    /// id of the heading inside, for `aria-labelledby`.
    labelled_by: &'static str,
    #[prop(optional)] described_by: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let return_to = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let root = super::use_root();
    Effect::new(move |_| {
        let Some(d) = dialog.get() else { return };
        if open.get() {
            if !d.open() {
                let active = root.active_element();
                return_to.set_value(active);
                let _ = d.show_modal();
            }
        } else if d.open() {
            d.close();
            if let Some(el) = return_to.get_value() {
                let _ = el.focus();
            }
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="fw-dialog"
            aria-labelledby=labelled_by
            aria-describedby=described_by
            on:cancel=move |ev: web_sys::Event| {
                // Escape: we close it ourselves so state and focus return stay in step.
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            {children()}
        </dialog>
    }
}
