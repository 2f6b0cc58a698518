//! A freelancer's public work history: each ended contract's feedback from its client, with the
//! client's response set apart — where a response posted in the details page appears. Needs no
//! sign-in; the page number is in the address (`/freelancers/7?page=2`).

use crate::k;
use feedback_domain::{FreelancerId, WorkHistoryItem, WorkHistoryPage, WorkHistoryQuery};
use leptos::prelude::*;

use super::LoadFailed;
use crate::api::{Aborter, ApiClient, ApiError};
use crate::components::pager::Pager;
use crate::components::stars::Stars;
use crate::i18n::use_i18n;
use crate::nav::Nav;

/// `/freelancers/{id}` for a page (only a page other than the first appears).
pub fn work_history_href(id: FreelancerId, q: WorkHistoryQuery) -> String {
    crate::api::with_query(&format!("/freelancers/{id}"), &q.to_pairs())
}

#[component]
pub fn WorkHistoryScreen(id: Option<FreelancerId>) -> impl IntoView {
    let (api, nav, i18n) = (
        expect_context::<ApiClient>(),
        expect_context::<Nav>(),
        use_i18n(),
    );
    let query = Memo::new(move |_| {
        let page = nav.query("page");
        WorkHistoryQuery::parse_lenient(page.as_deref().map(|p| ("page", p)))
    });
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let history = LocalResource::new(move || {
        let (api, q, ab) = (api.clone(), query.get(), aborter.get_value());
        async move {
            let id = id.ok_or(ApiError::NotFound)?;
            api.work_history(id, q, &ab).await
        }
    });
    let host = crate::widget::use_host();
    Effect::new(move |_| {
        if let Some(Ok(_)) = history.get() {
            host.ready();
        }
    });
    let titles = i18n;
    crate::title::use_title(move || match history.get() {
        Some(Ok(p)) => titles.tf(k!("work.of"), &[("name", &p.freelancer_name)]),
        _ => titles.t(k!("work.title")),
    });
    let loading = i18n.t(k!("work.loading"));
    view! {
        <section class="fw-work-history" aria-labelledby="fw-work-title">
            {move || match history.get() {
                None => view! {
                    <h1 id="fw-work-title">{i18n.t(k!("work.title"))}</h1>
                    <p class="fw-loading" role="status">{loading.clone()}</p>
                }.into_any(),
                Some(Ok(p)) => view! { <WorkHistoryList page=p/> }.into_any(),
                Some(Err(e)) => view! {
                    <h1 id="fw-work-title">{i18n.t(k!("work.title"))}</h1>
                    <LoadFailed error=e not_found=k!("work.not_found") on_retry=move |_| history.refetch()/>
                }.into_any(),
            }}
        </section>
    }
}

/// The heading, how many, the cards, and the pages.
#[component]
fn WorkHistoryList(page: WorkHistoryPage) -> impl IntoView {
    let i18n = use_i18n();
    let q = WorkHistoryQuery {
        page: page.page,
        per_page: page.per_page,
    };
    let pages = q.page_count(page.total);
    let status = if page.items.is_empty() {
        i18n.t(k!("work.none"))
    } else {
        let first = q.offset() + 1;
        let last = q.offset() + page.items.len() as u64;
        let (first, last) = (i18n.number(first as f64), i18n.number(last as f64));
        i18n.tp(
            k!("history.showing"),
            page.total as f64,
            &[("first", &first), ("last", &last)],
        )
    };
    let (before, after) = i18n.around(k!("work.of"), "name");
    let id = page.freelancer_id;
    let href = move |n| work_history_href(id, WorkHistoryQuery { page: n, ..q });
    view! {
        <h1 id="fw-work-title">{before}<bdi>{page.freelancer_name}</bdi>{after}</h1>
        <p class="fw-result-count" role="status">{status}</p>
        <ul class="fw-work-items" aria-label=i18n.t(k!("work.list"))>
            {page.items.into_iter().map(|item| view! { <WorkItem item=item/> }).collect_view()}
        </ul>
        {(pages > 1).then(|| view! { <Pager current=q.page pages=pages href=href/> })}
    }
}

/// One contract: the client's feedback, then the client's response to the freelancer's.
#[component]
fn WorkItem(item: WorkHistoryItem) -> impl IntoView {
    let i18n = use_i18n();
    // "{client} · ended {date}": the name isolated (it is someone's text) where the language
    // puts it, the date on whichever side it falls.
    let date = i18n.date(item.ended_at);
    let (before, after) = i18n.around(k!("work.client_ended"), "client");
    let (before, after) = (
        before.replace("{date}", &date),
        after.replace("{date}", &date),
    );
    view! {
        <li class="fw-card fw-work-item">
            <h2 class="fw-work-title" dir="auto">{item.title}</h2>
            <p class="fw-muted">{before}<bdi class="fw-client">{item.client_name}</bdi>{after}</p>
            {item.rating.map(|r| view! { <Stars rating=r/> })}
            {item.comment.map(|c| view! { <blockquote class="fw-quote">{c}</blockquote> })}
            {item.response.map(|r| {
                let posted = i18n.tf(k!("respond.posted_on"), &[("date", &i18n.date(r.created_at))]);
                view! {
                    <div class="fw-client-response">
                        <h3 class="fw-label">{i18n.t(k!("work.response_from"))}</h3>
                        <blockquote class="fw-quote fw-response">{r.text}</blockquote>
                        <p class="fw-muted">{posted}</p>
                    </div>
                }
            })}
        </li>
    }
}
