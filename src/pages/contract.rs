//! A contract: Overview and Contract details tabs (WAI-ARIA tabs; the selected tab is in the
//! URL). The details tab holds the feedback both ways and what the client can do about it.

mod flow;
mod given;
mod report;
mod respond;
mod use_contract_events;
mod use_send_flow;

use feedback_domain::{ContractDetails, ContractId};
use leptos::prelude::*;

use super::LoadFailed;
use crate::api::{Aborter, ApiClient};
use crate::clock::ServerClock;
use crate::components::stars::Stars;
use crate::components::tabs::{panel_id, tab_id, TabList, TabSpec};
use crate::format;
use crate::nav::{Link, Nav};

const TABS: [TabSpec; 2] = [
    TabSpec {
        key: "overview",
        label: "Overview",
    },
    TabSpec {
        key: "details",
        label: "Contract details",
    },
];

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
    crate::title::use_title(move || match details.get() {
        None => "Loading the contract…".into(),
        Some(Ok(d)) => {
            let tab = TABS
                .iter()
                .find(|t| t.key == tab.get())
                .map_or("", |t| t.label);
            format!("{} · {tab}", d.contract.title)
        }
        Some(Err(crate::ApiError::NotFound)) => "Contract not found".into(),
        Some(Err(_)) => "We couldn't load this contract".into(),
    });
    // The last "posted" notice is about an action that is over: the next thing the person does
    // (typing, choosing, submitting, another tab) takes it away.
    let clear_notice = move || {
        if notice.0.get_untracked().is_some() {
            notice.0.set(None);
        }
    };

    view! {
        <div class="fw-contract-page" on:input=move |_| clear_notice() on:change=move |_| clear_notice()
            on:submit=move |_| clear_notice()>
        <nav class="fw-breadcrumbs" aria-label="Breadcrumb">
            <Link href="/contracts">"Contract history"</Link>
        </nav>
        <p class="fw-notice" id="fw-notice" role="status" tabindex="-1" class:fw-hidden=move || notice.0.get().is_none()>
            {move || notice.0.get()}
        </p>
        <Transition fallback=|| view! { <p class="fw-loading" role="status">"Loading the contract…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! {
                        <ContractView details=d tab=tab select_tab=select_tab reload=reload/>
                    }.into_any(),
                    Err(e) => view! { <LoadFailed error=e on_retry=move |_| details.refetch()/> }.into_any(),
                }
            })}
        </Transition>
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
    let c = details.contract.clone();
    let dates = match c.ended_at {
        Some(end) => format!("{} to {}", format::date(c.started_at), format::date(end)),
        None => format!("Started {} · active", format::date(c.started_at)),
    };
    let overview = details.clone();
    view! {
        <header class="fw-contract-header">
            <h1 dir="auto">{c.title.clone()}</h1>
            <p class="fw-contract-meta">
                "Freelancer: " <bdi class="fw-freelancer">{c.freelancer_name.clone()}</bdi> " · " {dates}
            </p>
        </header>
        <TabList tabs=TABS.to_vec() selected=tab on_select=select_tab label="Contract"/>
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
    let c = details.contract;
    view! {
        <h2>"Overview"</h2>
        <dl class="fw-facts">
            <dt>"Freelancer"</dt><dd dir="auto">{c.freelancer_name}</dd>
            <dt>"Started"</dt><dd>{format::date(c.started_at)}</dd>
            <dt>"Ended"</dt><dd>{c.ended_at.map(format::date).unwrap_or_else(|| "Still active".into())}</dd>
        </dl>
        <h3>"Description"</h3>
        <p class="fw-prose" dir="auto">{details.description}</p>
    }
}

#[component]
fn FeedbackSection(details: ContractDetails, reload: Callback<()>) -> impl IntoView {
    let c = details.contract.clone();
    let received = details.received.clone();
    view! {
        <section class="fw-feedback" aria-labelledby="fw-feedback-title">
            <h2 id="fw-feedback-title">"Feedback"</h2>
            <article class="fw-card" aria-labelledby="fw-received-title">
                <h3 id="fw-received-title">"Feedback from " <bdi>{c.freelancer_name.clone()}</bdi></h3>
                {match received.clone() {
                    None => view! {
                        <p>{if c.ended_at.is_some() {
                            "The freelancer hasn't left feedback on this contract."
                        } else {
                            "Feedback is left when the contract ends."
                        }}</p>
                    }.into_any(),
                    Some(f) if f.removed_at.is_some() => view! {
                        <p class="fw-removed">{format!(
                            "Removed on {} after your report. It no longer appears on your profile.",
                            f.removed_at.map(format::date).unwrap_or_default()
                        )}</p>
                    }.into_any(),
                    Some(f) => view! {
                        <Stars rating=f.rating/>
                        {match &f.comment {
                            Some(text) => view! { <blockquote class="fw-quote" dir="auto">{text.clone()}</blockquote> }.into_any(),
                            None => view! { <p class="fw-muted">"Rating only, no written comment."</p> }.into_any(),
                        }}
                        <p class="fw-muted">{format!("Left on {}", format::date(f.created_at))}</p>
                    }.into_any(),
                }}
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
