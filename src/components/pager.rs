//! Previous / "Page 2 of 5" / Next, as links (the page is in the address, so each page has one).

use crate::k;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::nav::Link;

#[component]
pub fn Pager(current: u32, pages: u32, #[prop(into)] href: Callback<u32, String>) -> impl IntoView {
    let i18n = use_i18n();
    let status = i18n.tf(
        k!("pager.status"),
        &[
            ("current", &i18n.number(f64::from(current))),
            ("pages", &i18n.number(f64::from(pages))),
        ],
    );
    view! {
        <nav class="fw-pager" aria-label=i18n.t(k!("pager.label"))>
            {(current > 1).then(|| view! {
                <Link href=href.run(current - 1) rel="prev">
                    <span class="fw-directional" aria-hidden="true">"← "</span>{i18n.t(k!("pager.previous"))}
                </Link>
            })}
            <span class="fw-pager-status">{status}</span>
            {(current < pages).then(|| view! {
                <Link href=href.run(current + 1) rel="next">
                    {i18n.t(k!("pager.next"))}<span class="fw-directional" aria-hidden="true">" →"</span>
                </Link>
            })}
        </nav>
    }
}
