//! One item as the moderator reads it: the feedback beside the report (or the removal
//! request), the evidence links as text, the status history, how long it has waited, and the
//! decision form when it is still open.

use crate::k;
use feedback_domain::{AuthorRole, ItemKind, QueueItem};
use leptos::html;
use leptos::prelude::*;

use super::decide::DecisionForm;
use super::filters::status_label;
use super::queue::{Chosen, Refresh};
use crate::api::{Aborter, ApiClient, ApiError};
use crate::components::stars::Stars;
use crate::components::timeline::{StatusTimeline, Step};
use crate::i18n::use_i18n;
use crate::pages::LoadFailed;

#[component]
pub fn ItemPanel(chosen: Chosen) -> impl IntoView {
    let (api, refresh) = (expect_context::<ApiClient>(), expect_context::<Refresh>());
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    let item = LocalResource::new(move || {
        refresh.version.track();
        let (api, ab) = (api.clone(), aborter.get_value());
        async move { api.moderation_item(chosen.kind, chosen.id, &ab).await }
    });
    move || {
        match item.get() {
        None => view! { <p class="fw-loading" role="status">{use_i18n().t(k!("mod.loading_item"))}</p> }.into_any(),
        Some(Ok(i)) => view! { <ItemView item=i/> }.into_any(),
        Some(Err(e)) => view! { <LoadFailed error=e not_found=k!("mod.not_found") on_retry=move |_| item.refetch()/> }.into_any(),
    }
    }
}

#[component]
fn ItemView(item: QueueItem) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<html::H2>::new();
    // Chosen from the queue: the reader lands on what they chose. Shown again after a
    // decision: focus stays on what the decision came to.
    let decided = expect_context::<super::queue::Outcome>().for_item_untracked(Chosen::of(&item));
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            if decided {
                crate::components::use_root().focus(super::queue::OUTCOME_ID);
            } else {
                let _ = h.focus();
            }
        }
    });
    let steps: Vec<Step> = item
        .history
        .iter()
        .map(|h| Step {
            label: status_label(&i18n, &h.status),
            at: h.at,
            reason: h.reason.clone(),
        })
        .collect();
    let open = item.kind.is_open(&item.status);
    let chosen = Chosen::of(&item);
    let status = status_label(&i18n, &item.status);
    view! {
        <p class="fw-muted">{i18n.t(super::queue::kind_key(item.kind))}</p>
        <h2 tabindex="-1" node_ref=heading dir="auto">{item.contract_title.clone()}</h2>
        <p>{i18n.tf(k!("mod.status_now"), &[("status", &status)])}" "<AgeBadge item=item.clone()/></p>
        <div class="fw-console-sides">
            <FeedbackSide item=item.clone()/>
            <ClaimSide item=item.clone()/>
        </div>
        <h3>{i18n.t(k!("mod.history"))}</h3>
        <StatusTimeline steps=steps label=i18n.t(k!("mod.history"))/>
        {if open {
            view! { <DecisionForm chosen=chosen status=item.status.clone()/> }.into_any()
        } else {
            view! { <p class="fw-notice">{i18n.t(k!("mod.final"))}</p> }.into_any()
        }}
    }
}

/// "{name} · {date}" with the name isolated (someone's own text) where the language puts it.
fn by_line(key: crate::i18n::Key, name: String, date: &str) -> impl IntoView {
    let (before, after) = use_i18n().around(key, "name");
    let (before, after) = (
        before.replace("{date}", date),
        after.replace("{date}", date),
    );
    view! { <p class="fw-muted">{before}<bdi>{name}</bdi>{after}</p> }
}

/// The feedback as its author wrote it.
#[component]
fn FeedbackSide(item: QueueItem) -> impl IntoView {
    let i18n = use_i18n();
    let f = item.feedback;
    let key = match f.author_role {
        AuthorRole::Freelancer => k!("mod.by_freelancer"),
        AuthorRole::Client => k!("mod.by_client"),
    };
    view! {
        <div class="fw-card">
            <h3>{i18n.t(k!("mod.feedback"))}</h3>
            {by_line(key, f.author_name, &i18n.date(f.created_at))}
            <Stars rating=f.rating/>
            {match f.comment {
                Some(c) => view! { <blockquote class="fw-quote">{c}</blockquote> }.into_any(),
                None => view! { <p class="fw-muted">{i18n.t(k!("mod.no_comment"))}</p> }.into_any(),
            }}
            {f.removed_at.map(|at| view! {
                <p class="fw-badge fw-badge-warn">{i18n.tf(k!("mod.removed_on"), &[("date", &i18n.date(at))])}</p>
            })}
        </div>
    }
}

/// The client's side: the report (category, description, evidence) or the removal request.
#[component]
fn ClaimSide(item: QueueItem) -> impl IntoView {
    let i18n = use_i18n();
    let date = i18n.date(item.submitted_at);
    let (title, key) = match item.kind {
        ItemKind::Report => (k!("mod.report"), k!("mod.reported_by")),
        ItemKind::Removal => (k!("mod.removal"), k!("mod.requested_by")),
    };
    view! {
        <div class="fw-card">
            <h3>{i18n.t(title)}</h3>
            {by_line(key, item.client_name, &date)}
            {item.report.map(|r| view! {
                <dl class="fw-facts">
                    <dt>{i18n.t(k!("mod.category"))}</dt><dd>{i18n.category(r.category)}</dd>
                    <dt>{i18n.t(k!("mod.description"))}</dt><dd class="fw-prose">{r.description}</dd>
                </dl>
                <h4>{i18n.t(k!("mod.evidence"))}</h4>
                <Evidence links=r.evidence/>
            })}
        </div>
    }
}

/// A link's host, as the address names it (`https://user@host:8080/x` → `host:8080`).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then_some(host)
}

/// Evidence links as text with their host; each opens only when clicked, in a new tab, with
/// no referrer and no opener — never fetched or previewed here.
#[component]
fn Evidence(links: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    if links.is_empty() {
        return view! { <p class="fw-muted">{i18n.t(k!("mod.evidence_none"))}</p> }.into_any();
    }
    view! {
        <p class="fw-hint">{i18n.t(k!("mod.evidence_hint"))}</p>
        <ol class="fw-evidence">
            {links.into_iter().enumerate().map(|(n, url)| {
                let host = host_of(&url).map(str::to_string);
                let open = i18n.tf(k!("mod.evidence_open"), &[
                    ("n", &i18n.number((n + 1) as f64)),
                    ("host", host.as_deref().unwrap_or("")),
                ]);
                view! {
                    <li>
                        <code class="fw-url" dir="ltr">{url.clone()}</code>
                        {host.map(|h| view! {
                            " "<span class="fw-muted">{i18n.t(k!("mod.evidence_host"))}" "<bdi dir="ltr">{h}</bdi></span>" "
                            <a href=url target="_blank" rel="noopener noreferrer" referrerpolicy="no-referrer">{open}</a>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// "Waiting 9 days", and whether it is past the review target.
#[component]
pub fn AgeBadge(item: QueueItem) -> impl IntoView {
    let i18n = use_i18n();
    let days = item.age_seconds / 86_400;
    let age = if days == 0 {
        i18n.t(k!("mod.age_new"))
    } else {
        i18n.tp(
            k!("mod.age"),
            days as f64,
            &[("n", &i18n.number(days as f64))],
        )
    };
    let open = item.kind.is_open(&item.status);
    let due = i18n.tf(k!("mod.due"), &[("date", &i18n.date(item.review_due_at))]);
    view! {
        <span class="fw-badge" class:fw-badge-warn=item.overdue>{age}</span>
        {item.overdue.then(|| view! { " "<span class="fw-badge fw-badge-action">{i18n.t(k!("mod.overdue"))}</span> })}
        {(open && !item.overdue).then(|| view! { " "<span class="fw-muted">{due}</span> })}
    }
}

/// A failed decision's words: a lost race says so, the rest as any failed call.
pub fn decision_error(e: &ApiError) -> crate::i18n::Key {
    match e {
        ApiError::Conflict(_) => k!("mod.conflict"),
        _ => k!("mod.failed"),
    }
}
