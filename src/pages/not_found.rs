use crate::k;
use crate::nav::Link;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let title = i18n.t(k!("not_found.title"));
    crate::title::use_title({
        let title = title.clone();
        move || title.clone()
    });
    view! {
        <section class="fw-panel">
            <h1>{title}</h1>
            <p>{i18n.t(k!("not_found.body"))}</p>
            <p><Link href="/contracts">{i18n.t(k!("not_found.link"))}</Link></p>
        </section>
    }
}
