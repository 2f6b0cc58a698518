//! The host events a loaded contract sends: `ready` (the first content), `contract-opened`
//! (once per contract shown, not on every refetch), and `report-status-changed` when a
//! report's status differs from the one this browser last showed — a moderator moved it since.

use feedback_domain::{ContractDetails, ContractId};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::widget::{use_host, HostEvent};

/// Where the last status shown for a contract's report is kept (the browser's storage, so a
/// change made while the widget was closed is noticed at the next visit).
fn seen_key(contract: ContractId) -> String {
    format!("fw-report-status:{contract}")
}

pub fn use_contract_events(details: LocalResource<Result<ContractDetails, ApiError>>) {
    let host = use_host();
    let opened = StoredValue::new(None::<ContractId>);
    Effect::new(move |_| {
        let Some(Ok(d)) = details.get() else {
            return;
        };
        host.ready();
        let id = d.contract.id;
        if opened.get_value() != Some(id) {
            opened.set_value(Some(id));
            let title = d.contract.title.clone();
            host.emit(
                HostEvent::ContractOpened,
                &[("contractId", (id as f64).into()), ("title", title.into())],
            );
        }
        let Some(report) = d.received.as_ref().and_then(|f| f.report.as_ref()) else {
            return;
        };
        let status = report.status.as_str();
        let previous: Option<String> = crate::drafts::load(&seen_key(id));
        if previous.as_deref() != Some(status) {
            crate::drafts::save(&seen_key(id), &status);
        }
        if let Some(previous) = previous.filter(|p| p != status) {
            host.emit(
                HostEvent::ReportStatusChanged,
                &[
                    ("contractId", (id as f64).into()),
                    ("status", status.into()),
                    ("previous", previous.into()),
                ],
            );
        }
    });
}
