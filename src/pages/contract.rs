//! A contract: Overview and Contract details tabs (WAI-ARIA tabs; the selected tab is in the
//! URL). The details tab holds the feedback both ways and what the client can do about it.

mod flow;
mod given;
mod report;
mod respond;
mod use_contract_events;
mod use_send_flow;

use crate::k;
use feedback_domain::{ContractDetails, ContractId};
use leptos::prelude::*;

use super::LoadFailed;
use crate::api::{Aborter, ApiClient};
use crate::clock::ServerClock;
use crate::components::stars::Stars;
use crate::components::tabs::{panel_id, tab_id, TabList, TabSpec};
use crate::i18n::{use_i18n, I18n, Key};
use crate::nav::{Link, Nav};

/// The tabs' keys (in the URL) and their labels' catalog keys.
const TABS: [(&str, Key); 2] = [
    ("overview", k!("contract.tab.overview")),
    ("details", k!("contract.tab.details")),
];

fn tabs(i18n: &I18n) -> Vec<TabSpec> {
    TABS.iter()
        .map(|(key, label)| TabSpec {
            key,
            label: i18n.t(*label),
        })
        .collect()
}

/// Page-level message after an action ("Your response was posted"); it takes focus.
#[derive(Clone, Copy)]
pub struct Notice(pub RwSignal<Option<String>>);

/// Whether the report form is open. Kept by the page, not the form: after a send the details
/// are fetched again and the form is built anew, and a form the person just opened must not
/// snap shut under them.
#[derive(Clone, Copy)]
pub struct ReportExpanded(pub RwSignal<bool>);

#[component]
pub fn ContractPage(id: Option<ContractId>) -> impl IntoView {
    let api = expect_context::<ApiClient>();
    let clock = expect_context::<ServerClock>();
    let nav = expect_context::<Nav>();
    let i18n = use_i18n();
    let tab = Memo::new(move |_| match nav.query("tab").as_deref() {
        Some("details") => "details".to_string(),
        _ => "overview".to_string(),
    });
    let notice = Notice(RwSignal::new(None));
    provide_context(ReportExpanded(RwSignal::new(false)));
    provide_context(notice);
    let select_tab = Callback::new(move |key: String| {
        notice.0.set(None);
        if let Some(id) = id {
            nav.navigate(&format!("/contracts/{id}?tab={key}"), true);
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
    let reload = Callback::new(move |_: ()| details.refetch());
    use_contract_events::use_contract_events(details);
    let titles = i18n;
    crate::title::use_title(move || match details.get() {
        None => titles.t(k!("contract.loading")),
        Some(Ok(d)) => {
            let tab = TABS
                .iter()
                .find(|(key, _)| *key == tab.get())
                .map_or(String::new(), |(_, label)| titles.t(*label));
            format!("{} · {tab}", d.contract.title)
        }
        Some(Err(crate::ApiError::NotFound)) => titles.t(k!("load.not_found")),
        Some(Err(_)) => titles.t(k!("contract.load_failed")),
    });
    // The last "posted" notice is about an action that is over: the next thing the person does
    // (typing, choosing, submitting, another tab) takes it away.
    let clear_notice = move || {
        if notice.0.get_untracked().is_some() {
            notice.0.set(None);
        }
    };

    let loading = i18n.t(k!("contract.loading"));
    view! {
        <div class="fw-contract-page" on:input=move |_| clear_notice() on:change=move |_| clear_notice()
            on:submit=move |_| clear_notice()>
        <nav class="fw-breadcrumbs" aria-label=i18n.t(k!("contract.breadcrumb"))>
            <Link href="/contracts">{i18n.t(k!("history.title"))}</Link>
        </nav>
        <p class="fw-notice" id="fw-notice" role="status" tabindex="-1" class:fw-hidden=move || notice.0.get().is_none()>
            {move || notice.0.get()}
        </p>
        // The contract stays on screen while it reloads (after a send, another tab's change).
        {move || match details.get() {
            None => view! { <p class="fw-loading" role="status">{loading.clone()}</p> }.into_any(),
            Some(Ok(d)) => view! {
                <ContractView details=d tab=tab select_tab=select_tab reload=reload/>
            }.into_any(),
            Some(Err(e)) => view! { <LoadFailed error=e on_retry=move |_| details.refetch()/> }.into_any(),
        }}
        </div>
    }
}

#[component]
fn ContractView(
    details: ContractDetails,
    tab: Memo<String>,
    select_tab: Callback<String>,
    reload: Callback<()>,
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
        <TabList tabs=tabs(&i18n) selected=tab on_select=select_tab label=i18n.t(k!("contract.tabs"))/>
        <div role="tabpanel" id=panel_id("overview") aria-labelledby=tab_id("overview") tabindex="0"
            class="fw-tabpanel" hidden=move || tab.get() != "overview">
            <Overview details=overview/>
        </div>
        <div role="tabpanel" id=panel_id("details") aria-labelledby=tab_id("details") tabindex="0"
            class="fw-tabpanel" hidden=move || tab.get() != "details">
            <FeedbackSection details=details reload=reload/>
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
fn FeedbackSection(details: ContractDetails, reload: Callback<()>) -> impl IntoView {
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
                    <respond::RespondPanel contract=c1 feedback=f1 window=w reload=reload/>
                    <report::ReportPanel contract_id=c.id feedback=f reload=reload/>
                }
            })}
            <given::GivenPanel contract=c.clone() given=details.given.clone() reload=reload/>
        </section>
    }
}
