//! The queue's filters: kind, status, category and age, each a labelled select that applies
//! when it changes (the address changes with it; the chosen item is let go).

use crate::k;
use feedback_domain::{ItemKind, QueueQuery, RemovalStatus, ReportCategory, ReportStatus};
use leptos::prelude::*;

use super::queue::console_href;
use crate::i18n::{use_i18n, I18n};
use crate::nav::Nav;

/// The ages offered, in days.
const AGES: [u32; 4] = [1, 3, 7, 14];

/// A status's label: a report's or a removal request's step name.
pub fn status_label(i18n: &I18n, status: &str) -> String {
    match (ReportStatus::parse(status), RemovalStatus::parse(status)) {
        (Some(s), _) => i18n.report_step(s),
        (None, Some(s)) => i18n.removal_step(s),
        _ => status.to_string(),
    }
}

#[component]
pub fn Filters(query: Memo<QueueQuery>) -> impl IntoView {
    let (nav, i18n) = (expect_context::<Nav>(), use_i18n());
    let set = move |change: &dyn Fn(&mut QueueQuery)| {
        let mut q = query.get_untracked();
        change(&mut q);
        nav.navigate(&console_href(&q, None), true);
    };
    let statuses = move || {
        let mut all: Vec<&'static str> = Vec::new();
        for s in query.get().kinds().into_iter().flat_map(ItemKind::statuses) {
            if !all.contains(&s) {
                all.push(s);
            }
        }
        all
    };
    let value = |e: &leptos::ev::Event| event_target_value(e);
    view! {
        <form class="fw-console-filters" role="search" aria-label=i18n.t(k!("mod.filters"))
            on:submit=|ev| ev.prevent_default()>
            <div>
                <label class="fw-label" for="fw-filter-kind">{i18n.t(k!("mod.filter_kind"))}</label>
                <select id="fw-filter-kind" class="fw-input" on:change=move |e| {
                    let v = value(&e);
                    set(&|q| { q.kind = ItemKind::parse(&v); q.status = None; q.category = None; })
                }>
                    <option value="" selected=move || query.get().kind.is_none()>{i18n.t(k!("mod.kind_all"))}</option>
                    {ItemKind::ALL.map(|kind| view! {
                        <option value=kind.as_str() selected=move || query.get().kind == Some(kind)>{i18n.t(super::queue::kind_key(kind))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label class="fw-label" for="fw-filter-status">{i18n.t(k!("mod.filter_status"))}</label>
                <select id="fw-filter-status" class="fw-input" on:change=move |e| {
                    let v = value(&e);
                    set(&|q| q.status = statuses().into_iter().find(|s| *s == v))
                }>
                    <option value="" selected=move || query.get().status.is_none()>{i18n.t(k!("mod.status_open"))}</option>
                    {move || statuses().into_iter().map(|s| view! {
                        <option value=s selected=move || query.get().status == Some(s)>{status_label(&i18n, s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <Show when=move || query.get().kind != Some(ItemKind::Removal)>
                <div>
                    <label class="fw-label" for="fw-filter-category">{i18n.t(k!("mod.filter_category"))}</label>
                    <select id="fw-filter-category" class="fw-input" on:change=move |e| {
                        let v = value(&e);
                        set(&|q| q.category = ReportCategory::parse(&v))
                    }>
                        <option value="" selected=move || query.get().category.is_none()>{i18n.t(k!("mod.category_all"))}</option>
                        {ReportCategory::ALL.map(|c| view! {
                            <option value=c.as_str() selected=move || query.get().category == Some(c)>{i18n.category(c)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            <div>
                <label class="fw-label" for="fw-filter-age">{i18n.t(k!("mod.filter_age"))}</label>
                <select id="fw-filter-age" class="fw-input" on:change=move |e| {
                    let v = value(&e);
                    set(&|q| q.older_than_days = v.parse().ok())
                }>
                    <option value="" selected=move || query.get().older_than_days.is_none()>{i18n.t(k!("mod.age_any"))}</option>
                    {AGES.map(|d| view! {
                        <option value=d.to_string() selected=move || query.get().older_than_days == Some(d)>
                            {i18n.tp(k!("mod.age_older"), d as f64, &[("n", &i18n.number(d as f64))])}
                        </option>
                    }).collect_view()}
                </select>
            </div>
        </form>
    }
}
