//! Reloads a contract when the person comes back to its tab while a moderator has something of
//! theirs to decide: the decision is made in another browser (the moderation console), so no
//! message from this one announces it.

use feedback_domain::ContractDetails;
use leptos::prelude::*;

use crate::api::ApiError;

/// Whether `d` has a report or removal request a moderator has not decided yet.
fn awaits_moderator(d: &ContractDetails) -> bool {
    let report = d.received.as_ref().and_then(|f| f.report.as_ref());
    let removal = d.given.as_ref().and_then(|f| f.removal_request.as_ref());
    report.is_some_and(|r| r.status.is_open()) || removal.is_some_and(|r| r.status.is_open())
}

pub fn use_refetch_on_return(details: LocalResource<Result<ContractDetails, ApiError>>) {
    // Only when waiting: a reload re-renders the forms, which a tab switch alone should not do.
    let listener = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = !document().hidden();
        let waiting = details
            .get_untracked()
            .is_some_and(|r| r.as_ref().is_ok_and(awaits_moderator));
        if visible && waiting {
            details.refetch();
        }
    });
    on_cleanup(move || listener.remove());
}
