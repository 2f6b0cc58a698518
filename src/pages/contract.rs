//! A contract: Overview and Contract details tabs (WAI-ARIA tabs; the selected tab is in the
//! URL). The details tab holds the feedback both ways and what the client can do about it.

pub(crate) mod flow;
mod given;
mod report;
mod respond;
mod use_contract_events;
mod use_refetch_on_return;
mod use_send_flow;

use crate::k;
use feedback_domain::{ContractDetails, ContractId};
use leptos::prelude::*;

use super::LoadFailed;
use crate::api::{Aborter, ApiClient};
use crate::clock::ServerClock;
use crate::components::stars::Stars;
use crate::components::tabs::{panel_id, tab_id, TabList, TabSpec};
use crate::components::DomRoot;
use crate::i18n::{use_i18n, I18n, Key};
use crate::nav::{Link, Nav};

/// The page's tabs; each one's key is its name in the URL (`?tab=details`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Details,
}

impl Tab {
    pub const ALL: [Tab; 2] = [Tab::Overview, Tab::Details];

    pub fn key(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Details => "details",
        }
    }

    fn label(self) -> Key {
        match self {
            Tab::Overview => k!("contract.tab.overview"),
            Tab::Details => k!("contract.tab.details"),
        }
    }

    /// The tab a URL's `tab` names; the overview for anything else.
    fn from_query(value: Option<&str>) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| Some(t.key()) == value)
            .unwrap_or(Tab::Overview)
    }
}

/// Where a contract's page is, on a given tab.
pub fn contract_href(id: ContractId, tab: Tab) -> String {
    format!("/contracts/{id}?tab={}", tab.key())
}

fn tabs(i18n: &I18n) -> Vec<TabSpec> {
    Tab::ALL
        .into_iter()
        .map(|t| TabSpec {
            key: t.key(),
            label: i18n.t(t.label()),
        })
        .collect()
}

/// What a form may do to the page it is on: say what happened in the page-level notice ("Your
/// response was posted"; it takes focus), and fetch the contract again to show the server's
/// state (after a send, or a refusal that means the page is stale). A context, like
/// `ReportExpanded`: the forms sit several components down.
#[derive(Clone, Copy)]
pub struct Page {
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
}

impl Page {
    pub fn tell_and_reload(self, root: &DomRoot, message: String) {
        self.notice.set(Some(message));
        root.focus_soon("fw-notice");
        self.reload.run(());
    }
}

/// Whether the report form is open. Kept by the page, not the form: after a send the details
/// are fetched again and the form is built anew, and a form the person just opened must not
/// snap shut under them.
#[derive(Clone, Copy)]
pub struct ReportExpanded(pub RwSignal<bool>);

crate::split::split_point!(page,
    /// The contract page with everything on it (the response editor and its check dialog, the
    /// report form, the removal request), from its own chunk: the history is the first view of
    /// most visits. One chunk, not one per part: every contract page shows them all at once,
    /// and the finer split cost a request per combination of parts (25 modules for one page,
    /// LCP 3.6 s on mobile against 2.4 s unsplit; docs/performance-notes.md).
    static CONTRACT_PAGE: fn(Option<ContractId>) -> AnyView = {
        |id| view! { <ContractPage id/> }.into_any()
    }
);

/// The contract page, from its chunk (see [`CONTRACT_PAGE`]).
pub fn contract_page(id: Option<ContractId>) -> AnyView {
    crate::split::chunk_view(&CONTRACT_PAGE, id)
}

#[component]
pub fn ContractPage(id: Option<ContractId>) -> impl IntoView {
    let api = expect_context::<ApiClient>();
    let clock = expect_context::<ServerClock>();
    let nav = expect_context::<Nav>();
    let i18n = use_i18n();
    let tab = Memo::new(move |_| Tab::from_query(nav.query("tab").as_deref()));
    let notice = RwSignal::new(None::<String>);
    provide_context(ReportExpanded(RwSignal::new(false)));
    let select_tab = Callback::new(move |key: String| {
        notice.set(None);
        if let Some(id) = id {
            nav.navigate(&contract_href(id, Tab::from_query(Some(&key))), true);
        }
    });

    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let details = LocalResource::new(move || {
        let api = api.clone();
        let ab = aborter.get_value();
        async move {
            let Some(id) = id else {
                return Err(crate::ApiError::NotFound);
            };
            let r = api.contract(id, &ab).await;
            if let Ok(d) = &r {
                clock.sync(d.server_now);
            }
            r
        }
    });
    // Another tab posted or reported on this contract: show the server's state.
    crate::broadcast::listen(move |changed| {
        if Some(changed) == id {
            details.refetch();
        }
    });
    provide_context(Page {
        notice,
        reload: Callback::new(move |()| details.refetch()),
    });
    use_contract_events::use_contract_events(details);
    use_refetch_on_return::use_refetch_on_return(details);
    let titles = i18n;
    crate::title::use_title(move || match details.get() {
        None => titles.t(k!("contract.loading")),
        Some(Ok(d)) => {
            format!("{} · {}", d.contract.title, titles.t(tab.get().label()))
        }
        Some(Err(crate::ApiError::NotFound)) => titles.t(k!("load.not_found")),
        Some(Err(_)) => titles.t(k!("contract.load_failed")),
    });
    // The last "posted" notice is about an action that is over: the next thing the person does
    // (typing, choosing, submitting, another tab) takes it away.
    let clear_notice = move || {
        if notice.get_untracked().is_some() {
            notice.set(None);
        }
    };

    let loading = i18n.t(k!("contract.loading"));
    view! {
        <div class="fw-contract-page" on:input=move |_| clear_notice() on:change=move |_| clear_notice()
            on:submit=move |_| clear_notice()>
        <nav class="fw-breadcrumbs" aria-label=i18n.t(k!("contract.breadcrumb"))>
            <Link href="/contracts">{i18n.t(k!("history.title"))}</Link>
        </nav>
        <p class="fw-notice" id="fw-notice" role="status" tabindex="-1" class:fw-hidden=move || notice.get().is_none()>
            {move || notice.get()}
        </p>
        // The contract stays on screen while it reloads (after a send, another tab's change).
        {move || match details.get() {
            None => view! { <p class="fw-loading" role="status">{loading.clone()}</p> }.into_any(),
            Some(Ok(d)) => view! {
                <ContractView details=d tab=tab select_tab=select_tab/>
            }.into_any(),
            Some(Err(e)) => view! { <LoadFailed error=e on_retry=move |_| details.refetch()/> }.into_any(),
        }}
        </div>
    }
}

#[component]
fn ContractView(
    details: ContractDetails,
    tab: Memo<Tab>,
    select_tab: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let c = details.contract.clone();
    let started = i18n.date(c.started_at);
    let dates = match c.ended_at {
        Some(end) => i18n.tf(
            k!("contract.dates"),
            &[("start", &started), ("end", &i18n.date(end))],
        ),
        None => i18n.tf(k!("contract.started_active"), &[("start", &started)]),
    };
    let (by_before, by_after) = i18n.around(k!("contract.freelancer"), "name");
    let overview = details.clone();
    view! {
        <header class="fw-contract-header">
            <h1 dir="auto">{c.title.clone()}</h1>
            <p class="fw-contract-meta">
                {by_before} <bdi class="fw-freelancer">{c.freelancer_name.clone()}</bdi> {by_after} " · " {dates}
            </p>
        </header>
        <TabList tabs=tabs(&i18n) selected=Signal::derive(move || tab.get().key().to_string())
            on_select=select_tab label=i18n.t(k!("contract.tabs"))/>
        <TabPanel tab=Tab::Overview selected=tab><Overview details=overview/></TabPanel>
        <TabPanel tab=Tab::Details selected=tab><FeedbackSection details=details/></TabPanel>
    }
}

/// A tab's panel, hidden unless its tab is selected. (Typed children: no type-erased view.)
#[component]
fn TabPanel<V: IntoView + 'static>(
    tab: Tab,
    selected: Memo<Tab>,
    children: TypedChildren<V>,
) -> impl IntoView {
    view! {
        <div role="tabpanel" id=panel_id(tab.key()) aria-labelledby=tab_id(tab.key()) tabindex="0"
            class="fw-tabpanel" hidden=move || selected.get() != tab>
            {children.into_inner()()}
        </div>
    }
}

#[component]
fn Overview(details: ContractDetails) -> impl IntoView {
    let i18n = use_i18n();
    let c = details.contract;
    let ended = match c.ended_at {
        Some(end) => i18n.date(end),
        None => i18n.t(k!("overview.still_active")),
    };
    view! {
        <h2>{i18n.t(k!("contract.tab.overview"))}</h2>
        <dl class="fw-facts">
            <dt>{i18n.t(k!("overview.freelancer"))}</dt><dd dir="auto">{c.freelancer_name}</dd>
            <dt>{i18n.t(k!("overview.started"))}</dt><dd>{i18n.date(c.started_at)}</dd>
            <dt>{i18n.t(k!("overview.ended"))}</dt><dd>{ended}</dd>
        </dl>
        <h3>{i18n.t(k!("overview.description"))}</h3>
        <p class="fw-prose">{details.description}</p>
    }
}

#[component]
fn FeedbackSection(details: ContractDetails) -> impl IntoView {
    let i18n = use_i18n();
    let c = details.contract.clone();
    let received = details.received.clone();
    let (from_before, from_after) = i18n.around(k!("feedback.from"), "name");
    let shown = match received.clone() {
        None if c.ended_at.is_some() => view! { <p>{i18n.t(k!("feedback.none"))}</p> }.into_any(),
        None => view! { <p>{i18n.t(k!("feedback.after_end"))}</p> }.into_any(),
        Some(f) => match f.removed_at {
            Some(at) => view! {
                <p class="fw-removed">{i18n.tf(k!("feedback.removed"), &[("date", &i18n.date(at))])}</p>
            }
            .into_any(),
            None => view! {
                <Stars rating=f.rating/>
                {match &f.comment {
                    Some(text) => view! { <blockquote class="fw-quote">{text.clone()}</blockquote> }.into_any(),
                    None => view! { <p class="fw-muted">{i18n.t(k!("feedback.rating_only"))}</p> }.into_any(),
                }}
                <p class="fw-muted">{i18n.tf(k!("feedback.left_on"), &[("date", &i18n.date(f.created_at))])}</p>
            }
            .into_any(),
        },
    };
    view! {
        <section class="fw-feedback" aria-labelledby="fw-feedback-title">
            <h2 id="fw-feedback-title">{i18n.t(k!("feedback.title"))}</h2>
            <article class="fw-card" aria-labelledby="fw-received-title">
                <h3 id="fw-received-title">{from_before} <bdi>{c.freelancer_name.clone()}</bdi> {from_after}</h3>
                {shown}
            </article>
            {received.map(|f| {
                let (c1, f1, w) = (c.clone(), f.clone(), details.response_window.clone());
                view! {
                    <respond::RespondPanel contract=c1 feedback=f1 window=w/>
                    <report::ReportPanel contract_id=c.id feedback=f/>
                }
            })}
            <given::GivenPanel contract=c.clone() given=details.given.clone()/>
        </section>
    }
}
