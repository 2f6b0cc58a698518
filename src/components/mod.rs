//! Reusable pieces that know nothing about contracts: tabs, dialog, error summary, character
//! count, star rating, notices.

pub mod char_count;
pub mod dialog;
pub mod error_summary;
pub mod stars;
pub mod tabs;

/// Moves keyboard focus to the element with `id` on the next frame (after Leptos renders it).
pub fn focus_id_soon(id: &'static str) {
    focus_id_soon_owned(id.to_string());
}

pub fn focus_id_soon_owned(id: String) {
    leptos::prelude::request_animation_frame(move || focus_id(&id));
}

pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
