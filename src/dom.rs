//! The node the app lives in: the document, or a shadow root when embedded. Looking elements up
//! (for focus) must go through it, because `document.getElementById` can't see into a shadow root.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// `Copy`, so event handlers can capture it freely; the shadow root lives in the owner's arena.
#[derive(Clone, Copy)]
pub struct DomRoot(StoredValue<Option<web_sys::ShadowRoot>, LocalStorage>);

impl DomRoot {
    pub fn document() -> Self {
        Self(StoredValue::new_local(None))
    }

    pub fn shadow(root: web_sys::ShadowRoot) -> Self {
        Self(StoredValue::new_local(Some(root)))
    }

    pub fn shadow_root(&self) -> Option<web_sys::ShadowRoot> {
        self.0.try_get_value().flatten()
    }

    pub fn element_by_id(&self, id: &str) -> Option<web_sys::HtmlElement> {
        let found = match self.shadow_root() {
            Some(shadow) => shadow.get_element_by_id(id),
            None => web_sys::window()?.document()?.get_element_by_id(id),
        };
        found.and_then(|e| e.dyn_into().ok())
    }

    /// The focused element inside the app (a shadow root reports its own).
    pub fn active_element(&self) -> Option<web_sys::HtmlElement> {
        let el = match self.shadow_root() {
            Some(shadow) => shadow.active_element(),
            None => web_sys::window()?.document()?.active_element(),
        };
        el.and_then(|e| e.dyn_into().ok())
    }

    pub fn focus(&self, id: &str) {
        if let Some(el) = self.element_by_id(id) {
            let _ = el.focus();
        }
    }

    /// Focuses `id` on the next frame, after Leptos has rendered it.
    pub fn focus_soon(&self, id: impl Into<String>) {
        let (root, id) = (*self, id.into());
        request_animation_frame(move || root.focus(&id));
    }
}

/// The app's root, from context (the document if none was provided).
pub fn use_root() -> DomRoot {
    use_context::<DomRoot>().unwrap_or_else(DomRoot::document)
}
