use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="fw-panel">
            <h1>"Page not found"</h1>
            <p>"There's nothing at this address. It may have been mistyped, or the link may be out of date."</p>
            <p><A href="/contracts">"Go to your contract history"</A></p>
        </section>
    }
}
