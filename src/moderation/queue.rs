//! The console's screen: the dashboard line, the filters, the queue (oldest first, a page at a
//! time) and the chosen item beside it. Filters and the chosen item are in the address
//! (`/moderation?kind=report&item=report.12`), so a reload or a shared link opens the same.

use crate::k;
use feedback_domain::{ContractId, ItemKind, ModerationCounts, QueueItem, QueueQuery};
use leptos::prelude::*;

use super::filters::Filters;
use super::item::{AgeBadge, ItemPanel};
use crate::api::{with_query, Aborter, ApiClient};
use crate::i18n::use_i18n;
use crate::nav::{Link, Nav};
use crate::pages::LoadFailed;

/// The chosen item, as the address names it: `report.12`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub kind: ItemKind,
    pub id: ContractId,
}

impl Chosen {
    pub fn of(item: &QueueItem) -> Self {
        Self {
            kind: item.kind,
            id: item.contract_id,
        }
    }

    fn encode(self) -> String {
        format!("{}.{}", self.kind.as_str(), self.id)
    }

    fn parse(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once('.')?;
        Some(Self {
            kind: ItemKind::parse(kind)?,
            id: feedback_domain::parse_contract_id(id)?,
        })
    }
}

/// The console's address for filters `q` (no cursor) and a chosen item.
pub fn console_href(q: &QueueQuery, chosen: Option<Chosen>) -> String {
    let mut pairs = QueueQuery {
        cursor: None,
        ..q.clone()
    }
    .to_pairs();
    if let Some(c) = chosen {
        pairs.push(("item", c.encode()));
    }
    with_query(super::PATH, &pairs)
}

/// What a decision changed, for the screen to show and read again.
#[derive(Clone, Copy)]
pub struct Refresh {
    pub version: RwSignal<u32>,
}

impl Refresh {
    pub fn run(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// What the last decision on an item came to, kept above the item while it reloads (its form
/// is rebuilt for the new status, or gone when final) and read out by the live region.
#[derive(Clone, Copy)]
pub struct Outcome(pub RwSignal<Option<(Chosen, String)>>);

/// The outcome's element: focus goes there after a decision (the button that was focused may
/// be gone).
pub const OUTCOME_ID: &str = "fw-mod-outcome";

impl Outcome {
    pub fn for_item(&self, c: Chosen) -> Option<String> {
        self.0
            .get()
            .filter(|(at, _)| *at == c)
            .map(|(_, text)| text)
    }

    /// Whether a decision on `c` was just made (read without tracking).
    pub fn for_item_untracked(&self, c: Chosen) -> bool {
        self.0
            .with_untracked(|o| o.as_ref().is_some_and(|(at, _)| *at == c))
    }
}

#[component]
pub fn ConsoleScreen(sign_out: Callback<bool>) -> impl IntoView {
    let (nav, i18n) = (expect_context::<Nav>(), use_i18n());
    let query = Memo::new(move |_| {
        let pairs: Vec<(String, String)> = QueueQuery::PARAMS
            .iter()
            .filter(|p| **p != "cursor")
            .filter_map(|p| nav.query(p).map(|v| (p.to_string(), v)))
            .collect();
        QueueQuery::parse_strict(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .unwrap_or_default()
    });
    let chosen = Memo::new(move |_| nav.query("item").as_deref().and_then(Chosen::parse));
    let refresh = Refresh {
        version: RwSignal::new(0),
    };
    provide_context(refresh);
    let outcome = Outcome(RwSignal::new(None));
    provide_context(outcome);
    // Another item chosen: the last outcome was about the one before.
    Effect::new(move |_| {
        let now = chosen.get();
        if outcome
            .0
            .with_untracked(|o| o.as_ref().is_some_and(|(at, _)| Some(*at) != now))
        {
            outcome.0.set(None);
        }
    });
    crate::title::use_title(move || i18n.t(k!("mod.title")));
    view! {
        <div class="fw-console-head">
            <h1>{i18n.t(k!("mod.title"))}</h1>
            <button type="button" class="fw-button" on:click=move |_| sign_out.run(false)>{i18n.t(k!("mod.signout"))}</button>
        </div>
        <CountsLine/>
        <Filters query=query/>
        <div class="fw-console-body">
            <QueueList query=query chosen=chosen sign_out=sign_out/>
            <section class="fw-console-item" aria-label=i18n.t(k!("mod.item"))>
                // Always in the page, so a screen reader hears what is put into it.
                <p id=OUTCOME_ID class="fw-notice" role="status" tabindex="-1"
                    class:fw-hidden=move || chosen.get().and_then(|c| outcome.for_item(c)).is_none()>
                    {move || chosen.get().and_then(|c| outcome.for_item(c))}
                </p>
                {move || match chosen.get() {
                    Some(c) => view! { <ItemPanel chosen=c/> }.into_any(),
                    None => view! { <p class="fw-muted">{i18n.t(k!("mod.choose"))}</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

/// "Open reports 3 · Open removal requests 1 · Past the review target 2".
#[component]
fn CountsLine() -> impl IntoView {
    let (api, i18n, refresh) = (
        expect_context::<ApiClient>(),
        use_i18n(),
        expect_context::<Refresh>(),
    );
    let aborter = StoredValue::new_local(Aborter::default());
    let counts = LocalResource::new(move || {
        refresh.version.track();
        let (api, ab) = (api.clone(), aborter.get_value());
        async move { api.moderation_counts(&ab).await }
    });
    let open = |c: &ModerationCounts, kind: ItemKind| -> u64 {
        let map = match kind {
            ItemKind::Report => &c.reports,
            ItemKind::Removal => &c.removals,
        };
        kind.open_statuses()
            .iter()
            .filter_map(|s| map.get(*s))
            .sum()
    };
    move || {
        counts.get().and_then(Result::ok).map(|c| {
            let n = |v: u64| i18n.number(v as f64);
            let target = i18n.tf(
                k!("mod.count_overdue"),
                &[("days", &i18n.number(feedback_domain::REVIEW_TARGET_DAYS as f64))],
            );
            view! {
                <dl class="fw-console-counts" aria-label=i18n.t(k!("mod.counts"))>
                    <div><dt>{i18n.t(k!("mod.count_reports"))}</dt><dd>{n(open(&c, ItemKind::Report))}</dd></div>
                    <div><dt>{i18n.t(k!("mod.count_removals"))}</dt><dd>{n(open(&c, ItemKind::Removal))}</dd></div>
                    <div><dt>{target}</dt><dd>{n(c.open_overdue)}</dd></div>
                </dl>
            }
        })
    }
}

/// The queue, oldest first; "Show more" reads the next page after the last item shown.
#[component]
fn QueueList(
    query: Memo<QueueQuery>,
    chosen: Memo<Option<Chosen>>,
    sign_out: Callback<bool>,
) -> impl IntoView {
    let (api, i18n, refresh) = (
        expect_context::<ApiClient>(),
        use_i18n(),
        expect_context::<Refresh>(),
    );
    let aborter = StoredValue::new_local(Aborter::default());
    on_cleanup(move || aborter.with_value(Aborter::abort_all));
    // Pages shown beyond the first: reading more is the cursor's job, not an offset's, so a
    // decision elsewhere never shifts what the next page holds.
    let extra = RwSignal::new(Vec::<QueueItem>::new());
    let next = RwSignal::new(None::<String>);
    let first = LocalResource::new(move || {
        refresh.version.track();
        let (api, q, ab) = (api.clone(), query.get(), aborter.get_value());
        extra.set(Vec::new());
        async move { api.moderation_queue(&q, &ab).await }
    });
    Effect::new(move |_| match first.get() {
        Some(Ok(p)) => next.set(p.next_cursor.clone()),
        // Not a moderator's token (a client's, a mistyped or revoked one): ask again.
        Some(Err(crate::api::ApiError::Unauthorized)) => sign_out.run(true),
        _ => {}
    });
    let more = Action::new_local(move |cursor: &String| {
        let (api, ab) = (expect_context::<ApiClient>(), aborter.get_value());
        let q = QueueQuery {
            cursor: feedback_domain::QueueCursor::decode(cursor),
            ..query.get_untracked()
        };
        async move { api.moderation_queue(&q, &ab).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(p)) = more.value().get() {
            extra.update(|e| e.extend(p.items.clone()));
            next.set(p.next_cursor.clone());
        }
    });
    let items = move || {
        first.get().and_then(Result::ok).map(|p| {
            let mut all = p.items.clone();
            all.extend(extra.get());
            all
        })
    };
    view! {
        <section class="fw-console-queue" aria-labelledby="fw-queue-title">
            <h2 id="fw-queue-title">{i18n.t(k!("mod.queue"))}</h2>
            {move || match (first.get(), items()) {
                (None, _) => view! { <p class="fw-loading" role="status">{i18n.t(k!("mod.loading"))}</p> }.into_any(),
                (Some(Err(e)), _) => view! { <LoadFailed error=e on_retry=move |_| first.refetch()/> }.into_any(),
                (_, Some(all)) => view! { <QueueItems items=all query=query chosen=chosen/> }.into_any(),
                _ => ().into_any(),
            }}
            <Show when=move || next.get().is_some()>
                <button type="button" class="fw-button" on:click=move |_| {
                    if let Some(c) = next.get_untracked() { more.dispatch(c); }
                }>{i18n.t(k!("mod.more"))}</button>
            </Show>
        </section>
    }
}

/// How many are shown, and the items as links (the chosen one marked current).
#[component]
fn QueueItems(
    items: Vec<QueueItem>,
    query: Memo<QueueQuery>,
    chosen: Memo<Option<Chosen>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = if items.is_empty() {
        i18n.t(k!("mod.empty"))
    } else {
        i18n.tp(
            k!("mod.shown"),
            items.len() as f64,
            &[("n", &i18n.number(items.len() as f64))],
        )
    };
    view! {
        <p class="fw-result-count" role="status">{status}</p>
        <ul class="fw-queue" aria-label=i18n.t(k!("mod.list"))>
            {items.into_iter().map(|item| {
                let c = Chosen::of(&item);
                let href = console_href(&query.get_untracked(), Some(c));
                let (kind, title) = (i18n.t(kind_key(item.kind)), item.contract_title.clone());
                view! {
                    <li class="fw-queue-item" aria-current=move || (chosen.get() == Some(c)).then_some("true")>
                        <Link href=href><span class="fw-queue-kind">{kind}</span>" "<bdi dir="auto">{title}</bdi></Link>
                        <AgeBadge item=item/>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

pub fn kind_key(kind: ItemKind) -> crate::i18n::Key {
    match kind {
        ItemKind::Report => k!("mod.kind.report"),
        ItemKind::Removal => k!("mod.kind.removal"),
    }
}
