use crate::nav::Link;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::title::use_title(|| "Page not found".into());
    view! {
        <section class="fw-panel">
            <h1>"Page not found"</h1>
            <p>"There's nothing at this address. It may have been mistyped, or the link may be out of date."</p>
            <p><Link href="/contracts">"Go to your contract history"</Link></p>
        </section>
    }
}
