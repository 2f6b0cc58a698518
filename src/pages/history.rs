//! Contract history: search, filter, sort and pages, all kept in the URL query so reload,
//! back/forward and shared links restore the same view.

use crate::k;
use feedback_domain::{
    ContractPage, ContractSummary, FeedbackBadge, HistoryQuery, SortOrder, StatusFilter,
};
use leptos::prelude::*;

use super::contract::{contract_href, Tab};
use super::LoadFailed;
use crate::api::{Aborter, ApiClient};
use crate::clock::ServerClock;
use crate::components::pager::Pager;
use crate::components::use_debounce_fn::use_debounce_fn;
use crate::i18n::use_i18n;
use crate::nav::{Link, Nav};

/// How long typing pauses before the search runs.
const SEARCH_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(300);

/// `/contracts?…` for a query (only non-default parameters appear).
pub fn history_href(q: &HistoryQuery) -> String {
    crate::api::with_query("/contracts", &q.to_pairs())
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let (api, clock, nav) = (
        expect_context::<ApiClient>(),
        expect_context::<ServerClock>(),
        expect_context::<Nav>(),
    );
    let i18n = use_i18n();
    let title = i18n.t(k!("history.title"));
    crate::title::use_title({
        let title = title.clone();
        move || title.clone()
    });
    let query = Memo::new(move |_| {
        let values: Vec<(&str, String)> = HistoryQuery::PARAMS
            .into_iter()
            .filter_map(|k| nav.query(k).map(|v| (k, v)))
            .collect();
        HistoryQuery::parse_lenient(values.iter().map(|(k, v)| (*k, v.as_str())))
    });

    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    // Requests under way, for `aria-busy` while the last page stays on screen (a count: a
    // newer query can start before an older one ends).
    let in_flight = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        let q = query.get();
        let api = api.clone();
        let ab = aborter.get_value();
        async move {
            let _busy = Busy::start(in_flight);
            let r = api.contracts(&q, &ab).await;
            if let Ok(p) = &r {
                clock.sync(p.server_now);
            }
            r
        }
    });

    // The first page of contracts on screen: the widget is ready (a failure says so itself).
    let host = crate::widget::use_host();
    Effect::new(move |_| {
        if let Some(Ok(_)) = page.get() {
            host.ready();
        }
    });
    let loading = i18n.t(k!("history.loading"));

    view! {
        <section class="fw-history" aria-labelledby="fw-history-title">
            <h1 id="fw-history-title">{title}</h1>
            <Filters query=query/>
            // The last page stays while the next loads (a reactive match, not `Transition`: no
            // suspense machinery in the wasm). Busy only while a shown page is being replaced:
            // the first load's status line must not sit in a busy region, which screen readers
            // keep quiet.
            <div aria-busy=move || (in_flight.get() > 0 && page.with(Option::is_some)).to_string()>
                {move || match page.get() {
                    None => view! { <p class="fw-loading" role="status">{loading.clone()}</p> }.into_any(),
                    Some(Ok(p)) => view! { <Results page=p query=query.get_untracked()/> }.into_any(),
                    Some(Err(e)) => view! { <LoadFailed error=e on_retry=move |_| page.refetch()/> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// Search, status and sort. A new filter or order starts again at page 1.
#[component]
fn Filters(query: Memo<HistoryQuery>) -> impl IntoView {
    let i18n = use_i18n();
    let nav = expect_context::<Nav>();
    let go = move |q: HistoryQuery| nav.navigate(&history_href(&q), false);
    view! {
        <form class="fw-filters" role="search" aria-label=i18n.t(k!("history.filters")) on:submit=|ev| ev.prevent_default()>
            <SearchBox query=query/>
            <div class="fw-field">
                <label class="fw-label" for="fw-status">{i18n.t(k!("history.show"))}</label>
                <select id="fw-status" class="fw-select" on:change=move |ev| {
                    let mut q = query.get_untracked();
                    q.status = StatusFilter::parse(&event_target_value(&ev)).unwrap_or_default();
                    q.page = 1;
                    go(q);
                }>
                    {StatusFilter::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str() selected=move || query.get().status == f>{i18n.status_filter(f)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="fw-field">
                <label class="fw-label" for="fw-sort">{i18n.t(k!("history.sort"))}</label>
                <select id="fw-sort" class="fw-select" on:change=move |ev| {
                    let mut q = query.get_untracked();
                    q.sort = SortOrder::parse(&event_target_value(&ev)).unwrap_or_default();
                    q.page = 1;
                    go(q);
                }>
                    {SortOrder::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || query.get().sort == s>{i18n.sort_order(s)}</option>
                    }).collect_view()}
                </select>
            </div>
        </form>
    }
}

/// The search box: local text, put in the URL once typing pauses; follows the URL on
/// back/forward.
#[component]
fn SearchBox(query: Memo<HistoryQuery>) -> impl IntoView {
    let (i18n, nav) = (use_i18n(), expect_context::<Nav>());
    let search = RwSignal::new(query.get_untracked().q);
    // Only a change of the URL's `q` (back/forward, a link) overwrites the box: the first run
    // must not, or text typed before the effect first runs would be wiped.
    Effect::new(move |previous: Option<String>| {
        let q = query.get().q;
        if previous.is_some_and(|p| p != q) && q != search.get_untracked().trim() {
            search.set(q.clone());
        }
        q
    });
    let run_search = use_debounce_fn(
        move || {
            let mut q = query.get_untracked();
            let text = search.get_untracked().trim().to_string();
            if text != q.q {
                q.q = text;
                q.page = 1;
                nav.navigate(&history_href(&q), true);
            }
        },
        SEARCH_DEBOUNCE,
    );
    view! {
        <div class="fw-field fw-search">
            <label class="fw-label" for="fw-q">{i18n.t(k!("history.search"))}</label>
            <input id="fw-q" class="fw-input" type="search" autocomplete="off"
                maxlength=feedback_domain::MAX_QUERY_CHARS
                prop:value=move || search.get()
                on:input=move |ev| {
                    search.set(event_target_value(&ev));
                    run_search();
                }/>
        </div>
    }
}

#[component]
fn Results(page: ContractPage, query: HistoryQuery) -> impl IntoView {
    let i18n = use_i18n();
    let pages = query.page_count(page.total);
    let first = (u64::from(page.page) - 1) * u64::from(page.per_page) + 1;
    let last = first + page.items.len() as u64 - 1;
    let status = if page.items.is_empty() {
        if query.q.is_empty() {
            i18n.t(k!("history.none"))
        } else {
            i18n.tf(
                k!("history.no_match"),
                &[("query", &crate::format::isolate(&query.q))],
            )
        }
    } else {
        let (first, last) = (i18n.number(first as f64), i18n.number(last as f64));
        i18n.tp(
            k!("history.showing"),
            page.total as f64,
            &[("first", &first), ("last", &last)],
        )
    };
    let empty = page.items.is_empty();
    if !empty {
        // After this render reaches the screen: the rows are there.
        request_animation_frame(|| crate::perf_mark("fw:rows-rendered"));
    }
    let cleared = HistoryQuery {
        q: String::new(),
        page: 1,
        ..query.clone()
    };
    view! {
        <p class="fw-result-count" role="status">{status}</p>
        {(empty && !query.q.is_empty()).then(|| view! {
            <p><Link href=history_href(&cleared)>{i18n.t(k!("history.clear_search"))}</Link></p>
        })}
        <ul class="fw-contracts">
            {page.items.into_iter().map(|c| view! { <ContractRow contract=c/> }).collect_view()}
        </ul>
        {(pages > 1).then(|| {
            let current = query.page;
            let href = move |page| history_href(&HistoryQuery { page, ..query.clone() });
            view! { <Pager current=current pages=pages href=href/> }
        })}
    }
}

#[component]
fn ContractRow(contract: ContractSummary) -> impl IntoView {
    let clock = expect_context::<ServerClock>();
    let i18n = use_i18n();
    let c = contract.clone();
    let label = i18n;
    let badge = move || {
        let now = clock.now();
        let b = FeedbackBadge::for_contract(&c, now);
        let class = match b {
            FeedbackBadge::ToAnswer { .. } => "fw-badge fw-badge-action",
            FeedbackBadge::Reported(_) => "fw-badge fw-badge-warn",
            FeedbackBadge::Answered => "fw-badge fw-badge-done",
            _ => "fw-badge",
        };
        view! { <span class=class>{label.badge(b, c.ended_at, now)}</span> }
    };
    let started = i18n.date(contract.started_at);
    let dates = match contract.ended_at {
        Some(end) => i18n.tf(
            k!("history.dates"),
            &[("start", &started), ("end", &i18n.date(end))],
        ),
        None => i18n.tf(k!("history.started_active"), &[("start", &started)]),
    };
    view! {
        <li class="fw-contract">
            <h2 class="fw-contract-title">
                <Link href=contract_href(contract.id, Tab::Details)><bdi>{contract.title.clone()}</bdi></Link>
            </h2>
            <p class="fw-contract-meta">
                <bdi class="fw-freelancer">{contract.freelancer_name.clone()}</bdi>
                " · "
                <span>{dates}</span>
            </p>
            {badge}
        </li>
    }
}

/// Counts a request as under way from its start until it ends or is dropped.
struct Busy(RwSignal<u32>);

impl Busy {
    fn start(count: RwSignal<u32>) -> Self {
        count.update(|n| *n += 1);
        Self(count)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.try_update(|n| *n = n.saturating_sub(1));
    }
}
