//! `use_debounce_fn` (after leptos-use's hook of that name, without its dependency): a function
//! that runs `f` once calls to it have paused for `wait`; a call still waiting is dropped with
//! the view.

use std::time::Duration;

use leptos::prelude::*;

pub fn use_debounce_fn(f: impl Fn() + 'static, wait: Duration) -> impl Fn() + Copy + 'static {
    debounced(Box::new(f), wait)
}

/// The hook's body, for a boxed `f`: one copy in the wasm however many callers there are.
fn debounced(f: Box<dyn Fn()>, wait: Duration) -> impl Fn() + Copy + 'static {
    let f = StoredValue::new_local(f);
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    on_cleanup(move || {
        if let Some(Some(h)) = pending.try_get_value() {
            h.clear();
        }
    });
    move || {
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let run = move || {
            f.try_with_value(|f| f());
        };
        pending.set_value(set_timeout_with_handle(run, wait).ok());
    }
}
