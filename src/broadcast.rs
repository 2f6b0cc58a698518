//! Tells other open tabs of this app that a contract changed (a response was posted, a report
//! sent), so they reload it instead of offering a form the server will refuse.

use feedback_domain::ContractId;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const CHANNEL: &str = "feedback-widget";

pub fn announce_change(contract: ContractId) {
    if let Ok(ch) = web_sys::BroadcastChannel::new(CHANNEL) {
        let _ = ch.post_message(&JsValue::from_f64(contract as f64));
        ch.close();
    }
}

/// Calls `on_change` with the contract id whenever another tab announces a change; stops when
/// the calling view is disposed.
pub fn listen(on_change: impl Fn(ContractId) + 'static) {
    let Ok(ch) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(id) = ev.data().as_f64() {
                on_change(id as ContractId);
            }
        });
    ch.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    let keep = send_wrapper::SendWrapper::new((ch, handler));
    on_cleanup(move || {
        let (ch, _handler) = keep.take();
        ch.set_onmessage(None);
        ch.close();
    });
}
